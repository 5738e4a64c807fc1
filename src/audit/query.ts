// Reading the audit log for people and programs: filtered by time and operation, damaged records counted.

import { readAuditLog, type Repository, type StoredAuditRecord } from '../repository/index.js';

export interface AuditQuery {
  readonly since?: Date;
  /** Only these operations (exact names, e.g. "restore", "key-remove"); all when absent or empty. */
  readonly operations?: readonly string[];
  readonly signal?: AbortSignal;
}

export interface AuditLog {
  /** Oldest first (by time, then id). */
  readonly records: readonly StoredAuditRecord[];
  /** Records that could not be read (damaged, tampered with): skipped, with the reason. */
  readonly damaged: readonly { readonly id: string; readonly problem: string }[];
}

export async function queryAuditLog(
  ctx: Pick<Repository, 'storage' | 'master'>,
  query: AuditQuery = {},
): Promise<AuditLog> {
  const damaged: { id: string; problem: string }[] = [];
  const records = await readAuditLog(ctx, {
    ...(query.since ? { since: query.since } : {}),
    ...(query.signal ? { signal: query.signal } : {}),
    onDamaged: (id, err) => damaged.push({ id, problem: err.message }),
  });
  const wanted = new Set(query.operations ?? []);
  return {
    records: wanted.size === 0 ? records : records.filter((r) => wanted.has(r.record.operation)),
    damaged: damaged.sort((a, b) => a.id.localeCompare(b.id)),
  };
}

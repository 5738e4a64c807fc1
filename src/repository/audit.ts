// The audit log (docs/format.md 12): one sealed record per operation that read or changed the repository.

import os from 'node:os';
import { CofferError, CorruptObjectError } from '../errors.js';
import { mapLimit } from './master-index.js';
import { listObjectIds, loadObject, type ObjectContext, saveObject } from './objects.js';

/** What was done. Later versions may add operations; readers show unknown ones as they are. */
export type AuditOperation =
  | 'init'
  | 'backup'
  | 'restore'
  | 'check'
  | 'forget'
  | 'prune'
  | 'rewrite'
  | 'unlock'
  | 'key-add'
  | 'key-remove'
  | 'key-passwd'
  | 'recovery-key'
  | 'drill'
  | (string & {});

export type AuditOutcome = 'success' | 'partial' | 'failure' | 'interrupted';

export interface AuditRecord {
  /** RFC 3339, when the operation ended. */
  readonly time: string;
  readonly operation: AuditOperation;
  readonly outcome: AuditOutcome;
  /** One plain sentence: what happened ("backup of /srv/docs: 12 files changed, 3.1 MiB added"). */
  readonly summary: string;
  readonly host: string;
  readonly user: string;
  /** The key file the repository was opened with, and its holder's name at the time. */
  readonly keyId: string;
  readonly keyName: string;
  /** Operation-specific facts (snapshot ids, counts, error message); small, JSON. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface StoredAuditRecord {
  readonly id: string;
  readonly record: AuditRecord;
}

export type NewAuditRecord = Omit<AuditRecord, 'time' | 'host' | 'user'> &
  Partial<Pick<AuditRecord, 'time' | 'host' | 'user'>>;

/** Seals and stores one record; host, user and time default to this process's. */
export async function appendAuditRecord(
  ctx: ObjectContext,
  entry: NewAuditRecord,
  opts: { signal?: AbortSignal } = {},
): Promise<string> {
  const record: AuditRecord = {
    time: entry.time ?? new Date().toISOString(),
    host: entry.host ?? os.hostname(),
    user: entry.user ?? currentUser(),
    operation: entry.operation,
    outcome: entry.outcome,
    summary: entry.summary,
    keyId: entry.keyId,
    keyName: entry.keyName,
    ...(entry.details ? { details: entry.details } : {}),
  };
  return saveObject(ctx, 'audit', new TextEncoder().encode(JSON.stringify(record)), opts);
}

/** Every readable record, oldest first; damaged ones go to `onDamaged` (or throw without it). */
export async function readAuditLog(
  ctx: ObjectContext,
  opts: { since?: Date; signal?: AbortSignal; onDamaged?: (id: string, err: Error) => void } = {},
): Promise<StoredAuditRecord[]> {
  const ids = await listObjectIds(ctx.storage, 'audit', opts);
  const loaded = await mapLimit(ids, 8, async (id) => {
    try {
      return { id, record: decodeAuditRecord(await loadObject(ctx, 'audit', id, opts), `audit/${id}`) };
    } catch (err) {
      if (!(err instanceof CofferError) || !opts.onDamaged) throw err;
      opts.onDamaged(id, err);
      return undefined;
    }
  });
  const since = opts.since?.getTime();
  return loaded
    .filter((r): r is StoredAuditRecord => r !== undefined)
    .filter((r) => since === undefined || Date.parse(r.record.time) >= since)
    .sort((a, b) => a.record.time.localeCompare(b.record.time) || a.id.localeCompare(b.id));
}

export function decodeAuditRecord(payload: Uint8Array, where: string): AuditRecord {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    throw new CorruptObjectError(`${where} is not a valid audit record`);
  }
  const r = value as Partial<AuditRecord> | null;
  const strings = ['time', 'operation', 'outcome', 'summary', 'host', 'user', 'keyId', 'keyName'] as const;
  if (
    typeof r !== 'object' ||
    r === null ||
    strings.some((k) => typeof r[k] !== 'string') ||
    Number.isNaN(Date.parse(r.time!))
  ) {
    throw new CorruptObjectError(`${where} is not a valid audit record`);
  }
  return r as AuditRecord;
}

function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

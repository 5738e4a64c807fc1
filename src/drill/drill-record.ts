// Drill records (docs/format.md 13): each drill's result sealed into `drills/<id>`, kept for the history and
// the annual report. Prune never deletes them.

import { CofferError, CorruptObjectError } from '../errors.js';
import { listObjectIds, loadObject, mapLimit, type Repository, saveObject } from '../repository/index.js';
import type { DrillResult, StoredDrill } from './drill-result.js';

/** What reading and writing sealed objects needs. */
type ObjectContext = Pick<Repository, 'storage' | 'master'>;

export function encodeDrill(result: DrillResult): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(result));
}

export function decodeDrill(payload: Uint8Array, where: string): DrillResult {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    throw new CorruptObjectError(`${where} is not a valid drill record`);
  }
  const r = value as Partial<DrillResult> | null;
  if (
    typeof r !== 'object' ||
    r === null ||
    r.version !== 1 ||
    typeof r.startedAt !== 'string' ||
    Number.isNaN(Date.parse(r.startedAt)) ||
    typeof r.passed !== 'boolean' ||
    typeof r.wallMs !== 'number' ||
    typeof r.snapshot?.id !== 'string' ||
    typeof r.scope?.kind !== 'string' ||
    !Array.isArray(r.targets) ||
    !Array.isArray(r.reasons)
  ) {
    throw new CorruptObjectError(`${where} is not a valid drill record`);
  }
  return r as DrillResult;
}

/** Seals and stores one drill's result; returns the record's id. */
export async function saveDrillRecord(
  ctx: ObjectContext,
  result: DrillResult,
  opts: { signal?: AbortSignal } = {},
): Promise<string> {
  return saveObject(ctx, 'drill', encodeDrill(result), opts);
}

/** Every readable drill record, oldest first; damaged ones go to `onDamaged` (or throw without it). */
export async function listDrills(
  ctx: ObjectContext,
  opts: { signal?: AbortSignal; onDamaged?: (id: string, err: Error) => void } = {},
): Promise<StoredDrill[]> {
  const ids = await listObjectIds(ctx.storage, 'drill', opts);
  const loaded = await mapLimit(ids, 8, async (id) => {
    try {
      return { id, drill: decodeDrill(await loadObject(ctx, 'drill', id, opts), `drills/${id}`) };
    } catch (err) {
      if (!(err instanceof CofferError) || !opts.onDamaged) throw err;
      opts.onDamaged(id, err);
      return undefined;
    }
  });
  return loaded
    .filter((d): d is StoredDrill => d !== undefined)
    .sort((a, b) => a.drill.startedAt.localeCompare(b.drill.startedAt) || a.id.localeCompare(b.id));
}

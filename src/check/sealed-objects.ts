// Snapshots, index files, audit and drill records: each checked against its SHA-256 name, then opened
// (AEAD) and decoded.

import { AuthenticationError, open } from '../crypto/index.js';
import {
  AD,
  decodeAuditRecord,
  decodeIndex,
  decodePayload,
  decodeSnapshot,
  type IndexFile,
  listObjectIds,
  mapLimit,
  type MasterKey,
  type ObjectKind,
  objectIdOf,
  objectKey,
  type StoredSnapshot,
} from '../repository/index.js';
import type { Storage } from '../storage/index.js';
import { classify } from './failures.js';
import type { Findings } from './findings.js';
import type { CheckProgress } from './result.js';

export interface SealedContext {
  readonly storage: Storage;
  readonly master: MasterKey;
  readonly findings: Findings;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: CheckProgress) => void;
}

type Opened =
  | { readonly payload: Uint8Array }
  | { readonly problem: string; readonly unreadable: boolean }
  | { readonly vanished: true };

/** Every snapshot that verifies, oldest first; the others are recorded as errors affecting the whole snapshot. */
export async function checkSnapshots(ctx: SealedContext): Promise<StoredSnapshot[]> {
  const ids = await listObjectIds(ctx.storage, 'snapshot', signalOf(ctx));
  const siblings = new Set(ids);
  let done = 0;
  const loaded = await mapLimit(ids, 8, async (id): Promise<StoredSnapshot | undefined> => {
    const key = objectKey('snapshot', id);
    let opened = await openVerified(ctx, 'snapshot', id, siblings, AD.snapshot);
    ctx.onProgress?.({ phase: 'snapshots', done: ++done, total: ids.length });
    if ('vanished' in opened) return undefined; // removed by "forget" while we looked
    if ('payload' in opened) {
      try {
        return { id, snapshot: decodeSnapshot(opened.payload, key) };
      } catch (err) {
        opened = { problem: classify(err, ctx.signal).message, unreadable: false };
      }
    }
    const finding = report(ctx, 'snapshot-damaged', key, opened);
    // A snapshot that cannot be read is lost whole; one the storage failed to deliver is merely unchecked.
    if (!opened.unreadable) finding.affect(id, undefined, { paths: ['/'], files: 0, folders: 1 });
    return undefined;
  });
  return loaded
    .filter((s): s is StoredSnapshot => s !== undefined)
    .sort((a, b) => a.snapshot.time.localeCompare(b.snapshot.time) || a.id.localeCompare(b.id));
}

/** Every index file that verifies, with its id; the others are recorded as errors. */
export async function checkIndexFiles(ctx: SealedContext): Promise<{ id: string; file: IndexFile }[]> {
  const ids = await listObjectIds(ctx.storage, 'index', signalOf(ctx));
  const siblings = new Set(ids);
  let done = 0;
  const loaded = await mapLimit(ids, 8, async (id) => {
    const key = objectKey('index', id);
    let opened = await openVerified(ctx, 'index', id, siblings, AD.index);
    ctx.onProgress?.({ phase: 'index', done: ++done, total: ids.length });
    if ('vanished' in opened) return undefined; // superseded and removed by "prune" while we looked
    if ('payload' in opened) {
      try {
        return { id, file: decodeIndex(opened.payload, key) };
      } catch (err) {
        opened = { problem: classify(err, ctx.signal).message, unreadable: false };
      }
    }
    report(ctx, 'index-damaged', key, opened);
    return undefined;
  });
  return loaded.filter((x) => x !== undefined);
}

/**
 * Audit and drill records: a record that does not verify is an error, since the log then has a gap (damage
 * in storage, or someone altered it). Drill records are verified as sealed objects only; their content is
 * the drill report's to read. Returns how many verified.
 */
export async function checkRecords(ctx: SealedContext, kind: 'audit' | 'drill'): Promise<number> {
  const ids = await listObjectIds(ctx.storage, kind, signalOf(ctx));
  const siblings = new Set(ids);
  const verified = await mapLimit(ids, 8, async (id): Promise<boolean> => {
    const key = objectKey(kind, id);
    let opened = await openVerified(ctx, kind, id, siblings, AD[kind]);
    if ('vanished' in opened) return false;
    if ('payload' in opened) {
      if (kind === 'drill') return true;
      try {
        decodeAuditRecord(opened.payload, key);
        return true;
      } catch (err) {
        opened = { problem: classify(err, ctx.signal).message, unreadable: false };
      }
    }
    ctx.findings.error(opened.unreadable ? 'read-failed' : 'record-damaged', key, opened.problem);
    return false;
  });
  return verified.filter(Boolean).length;
}

function report(
  ctx: SealedContext,
  kind: 'snapshot-damaged' | 'index-damaged',
  key: string,
  opened: { problem: string; unreadable: boolean },
): ReturnType<Findings['error']> {
  return ctx.findings.error(opened.unreadable ? 'read-failed' : kind, key, opened.problem);
}

/** Downloads an object, checks it against its name (saying which object it copies, if any), and opens it. */
async function openVerified(
  ctx: SealedContext,
  kind: 'snapshot' | 'index' | 'audit' | 'drill',
  id: string,
  siblings: ReadonlySet<string>,
  ad: Uint8Array,
): Promise<Opened> {
  const key = objectKey(kind, id);
  let box: Uint8Array;
  try {
    box = await ctx.storage.get(key, signalOf(ctx));
  } catch (err) {
    const failure = classify(err, ctx.signal);
    if (failure.what === 'missing') return { vanished: true };
    return { problem: `could not be read: ${failure.message}`, unreadable: true };
  }
  const mismatch = nameMismatch(kind, id, box, siblings);
  if (mismatch) return { problem: `${key} is damaged: ${mismatch}`, unreadable: false };
  try {
    return { payload: decodePayload(open(ctx.master.encryption, box, ad), key) };
  } catch (err) {
    if (err instanceof AuthenticationError) {
      return {
        problem: `${key} cannot be opened with this repository's key: it matches its name, so it was written by another repository's key (copied in from elsewhere, or planted)`,
        unreadable: false,
      };
    }
    return { problem: classify(err, ctx.signal).message, unreadable: false };
  }
}

/**
 * Undefined when the bytes match the name; otherwise what is wrong ("its content does not match its
 * name…"), naming the object of the same kind they copy, if any.
 */
export function nameMismatch(
  kind: ObjectKind,
  id: string,
  bytes: Uint8Array,
  siblings: ReadonlySet<string>,
): string | undefined {
  const actual = objectIdOf(bytes);
  if (actual === id) return undefined;
  const copy = siblings.has(actual)
    ? `: it holds a copy of ${objectKey(kind, actual)}, so it was swapped for another object of the same kind`
    : ` (flipped bytes, truncation or replacement; ${bytes.length} bytes, SHA-256 ${actual.slice(0, 12)}…)`;
  return `its content does not match its name${copy}`;
}

function signalOf(ctx: { signal?: AbortSignal }): { signal?: AbortSignal } {
  return ctx.signal ? { signal: ctx.signal } : {};
}

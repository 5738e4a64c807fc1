// Verifying one pack completely: its SHA-256 against its name, its header against the index, and every
// blob the index places in it (authentication, content id, plaintext length).

import { CorruptObjectError } from '../errors.js';
import {
  type BlobWorkers,
  type MasterKey,
  objectKey,
  type PackEntry,
  readPackHeader,
  transferable,
} from '../repository/index.js';
import type { Storage } from '../storage/index.js';
import type { IndexEntry } from './packs.js';
import { nameMismatch } from './sealed-objects.js';

export interface PackVerdict {
  /** What is wrong with the pack, in words; empty when it verifies. */
  readonly problems: readonly string[];
  /** Blobs that cannot be read where the index says they are. */
  readonly badBlobs: readonly string[];
  readonly bytes: number;
}

export interface VerifyPackContext {
  readonly storage: Storage;
  readonly master: MasterKey;
  /** Every pack id in the storage, to name the pack a swapped one copies. */
  readonly packIds: ReadonlySet<string>;
  readonly signal?: AbortSignal;
}

export interface VerifyPackWorkers {
  /** Where a pack's SHA-256 and blobs are checked, off the main thread. */
  readonly workers: BlobWorkers;
}

/** Downloads and verifies a pack; storage failures (including a missing pack) are thrown to the caller. */
export async function verifyPack(
  ctx: VerifyPackContext & VerifyPackWorkers,
  id: string,
  entries: readonly IndexEntry[],
): Promise<PackVerdict> {
  const pack = await ctx.storage.get(objectKey('pack', id), ctx.signal ? { signal: ctx.signal } : {});
  const problems: string[] = [];
  const header = readHeader(ctx.master, pack, id, problems);
  if (header) {
    const disagreeing = entries.filter((e) => !matches(header.get(e.id), e)).length;
    if (disagreeing > 0) {
      problems.push(
        `its header disagrees with the index about ${disagreeing} of its ${entries.length} blobs`,
      );
    }
  }
  ctx.signal?.throwIfAborted();
  const bytes = pack.length;
  // The worker gets the pack itself (no copy) unless its name has to be explained below.
  const { buffer, offset, length } = transferable(pack);
  const kept = buffer === pack.buffer ? undefined : pack;
  const verdict = await ctx.workers.verifyPack(buffer, offset, length, entries);
  if (verdict.sha256 !== id) {
    // Rare (damage): read it again to say what it is; the first copy went to the worker.
    const again =
      kept ?? (await ctx.storage.get(objectKey('pack', id), ctx.signal ? { signal: ctx.signal } : {}));
    problems.unshift(nameMismatch('pack', id, again, ctx.packIds) ?? 'its content changed while it was read');
  }
  const badBlobs = verdict.badBlobs;
  if (badBlobs.length > 0) {
    problems.push(
      `${badBlobs.length} of its ${entries.length} blobs fail verification where the index places them`,
    );
  }
  return { problems, badBlobs, bytes };
}

function readHeader(
  master: MasterKey,
  pack: Uint8Array,
  id: string,
  problems: string[],
): Map<string, PackEntry> | undefined {
  try {
    return new Map(readPackHeader(master, pack, id.slice(0, 12)).map((e) => [e.id, e]));
  } catch (err) {
    if (!(err instanceof CorruptObjectError)) throw err;
    problems.push('its header cannot be read');
    return undefined;
  }
}

function matches(h: PackEntry | undefined, e: IndexEntry): boolean {
  return (
    h !== undefined &&
    h.type === e.type &&
    h.offset === e.offset &&
    h.length === e.length &&
    h.rawLength === e.rawLength
  );
}

// Reading packs whole (--read-data, or packs whose size is wrong): a few at a time, so memory stays at a
// few packs, each verified on a worker thread; what fails is recorded against the blobs the index places
// there.

import { availableParallelism } from 'node:os';
import { BlobWorkers, mapLimit, type MasterIndex, objectKey } from '../repository/index.js';
import { classify } from './failures.js';
import type { Finding, Findings } from './findings.js';
import type { PackEntries } from './packs.js';
import type { CheckProgress } from './result.js';
import { verifyPack, type VerifyPackContext, type VerifyPackWorkers } from './verify-pack.js';

/** Packs held in memory at once (each up to the repository's pack size, 16 MiB by default), per worker. */
const PACKS_PER_WORKER = 2;

export interface PackReadJob {
  readonly id: string;
  /** Set when the structure check chose the pack because its size is not what the index implies. */
  readonly sizeProblem?: string;
}

export interface ReadDataContext extends VerifyPackContext {
  readonly index: MasterIndex;
  readonly entries: PackEntries;
  readonly findings: Findings;
  /** Blob id -> the error that makes it unreadable where the index says it is; filled in here. */
  readonly badBlobs: Map<string, Finding>;
  readonly onProgress?: (p: CheckProgress) => void;
}

/** Verifies the packs; returns the bytes downloaded. */
export async function readPacks(ctx: ReadDataContext, jobs: readonly PackReadJob[]): Promise<number> {
  if (jobs.length === 0) return 0;
  let done = 0;
  let bytes = 0;
  // This thread only reads packs and their headers; the hashing and decryption use every core.
  const workers = new BlobWorkers(ctx.master, { threads: Math.min(4, availableParallelism()) });
  try {
    await mapLimit(jobs, PACKS_PER_WORKER * workers.threads, async (job) => {
      bytes += await readPack({ ...ctx, workers }, job);
      ctx.onProgress?.({ phase: 'read-data', done: ++done, total: jobs.length });
    });
  } finally {
    await workers.close();
  }
  return bytes;
}

async function readPack(ctx: ReadDataContext & VerifyPackWorkers, job: PackReadJob): Promise<number> {
  const key = objectKey('pack', job.id);
  const entries = ctx.entries.get(job.id) ?? [];
  try {
    const verdict = await verifyPack(ctx, job.id, entries);
    if (verdict.problems.length > 0) {
      const finding = job.sizeProblem
        ? ctx.findings.error('pack-size', key, `${key}: ${[job.sizeProblem, ...verdict.problems].join('; ')}`)
        : ctx.findings.error('pack-damaged', key, `${key} is damaged: ${verdict.problems.join('; ')}`);
      markBlobsBad(ctx, finding, job.id, verdict.badBlobs);
    }
    return verdict.bytes;
  } catch (err) {
    const failure = classify(err, ctx.signal);
    if (failure.what === 'unreadable') {
      ctx.findings.error('read-failed', key, `${key} could not be read: ${failure.message}`);
    } else {
      const finding = ctx.findings.error(
        failure.what === 'missing' ? 'pack-missing' : 'pack-damaged',
        key,
        failure.what === 'missing' ? `${key} is missing` : failure.message,
      );
      markBlobsBad(
        ctx,
        finding,
        job.id,
        entries.map((e) => e.id),
      );
    }
    return 0;
  }
}

/**
 * Records `finding` as the reason `ids` cannot be read, for those whose indexed location (the one
 * readers use) is in this pack; a blob whose readers go to an intact copy elsewhere is not affected.
 */
export function markBlobsBad(
  ctx: { readonly index: MasterIndex; readonly badBlobs: Map<string, Finding> },
  finding: Finding,
  packId: string,
  ids: readonly string[],
): void {
  for (const id of ids) {
    if (ctx.index.lookup(id)?.packId === packId && !ctx.badBlobs.has(id)) ctx.badBlobs.set(id, finding);
  }
}

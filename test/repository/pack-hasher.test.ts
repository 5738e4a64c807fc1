// Packs named on a worker thread get the ids this thread would give them, and their bytes come back whole.

import { afterAll, describe, expect, it } from 'vitest';
import {
  BlobWorkers,
  BlobWriter,
  hashHere,
  hashOnWorker,
  loadMasterIndex,
  MasterIndex,
  objectIdOf,
  objectKey,
  sealBlob,
} from '../../src/repository/index.js';
import { memRepo, seededBytes } from '../helpers/repo.js';

const repoP = memRepo();
let workers: BlobWorkers | undefined;
afterAll(() => workers?.close());

describe('hashOnWorker', () => {
  it('names a pack as objectIdOf does and hands the same bytes back', async () => {
    const repo = await repoP;
    workers = new BlobWorkers(repo.master, { threads: 1 });
    const hasher = hashOnWorker(workers);
    const bytes = seededBytes(5, 3 * 1024 * 1024 + 17);
    const expected = objectIdOf(bytes);
    const own = new Uint8Array(new ArrayBuffer(bytes.length + 4096));
    own.set(bytes);
    const view = own.subarray(0, bytes.length);
    const r = await hasher.name(view);
    expect(r.id).toBe(expected);
    expect(view.length).toBe(0); // moved to the worker and back: the old view is gone
    expect(Buffer.from(r.bytes).equals(Buffer.from(bytes))).toBe(true);
    expect(r.bytes.buffer.byteLength).toBe(bytes.length + 4096);
  });

  it('hashes here what cannot be moved: a view into the middle of a buffer, or small bytes', async () => {
    const repo = await repoP;
    workers ??= new BlobWorkers(repo.master, { threads: 1 });
    const hasher = hashOnWorker(workers);
    const big = seededBytes(6, 1024 * 1024);
    const middle = big.subarray(100, 900_000);
    const r = await hasher.name(middle);
    expect(r.id).toBe(objectIdOf(middle));
    expect(r.bytes).toBe(middle);
    const small = seededBytes(7, 1000);
    expect((await hasher.name(small)).id).toBe((await hashHere.name(small)).id);
  });

  it('with `from`, names the first packs here and only the later ones on the worker', async () => {
    const repo = await repoP;
    workers ??= new BlobWorkers(repo.master, { threads: 1 });
    const hasher = hashOnWorker(workers, { from: 2 });
    const pack = (seed: number): Uint8Array => {
      const own = new Uint8Array(new ArrayBuffer(256 * 1024));
      own.set(seededBytes(seed, own.length));
      return own;
    };
    const [a, b, c] = [pack(20), pack(21), pack(22)];
    const ids = [objectIdOf(a), objectIdOf(b), objectIdOf(c)];
    expect((await hasher.name(a)).bytes).toBe(a); // here: the same view comes back
    expect((await hasher.name(b)).bytes).toBe(b);
    const third = await hasher.name(c);
    expect(c.length).toBe(0); // moved to the worker
    expect([objectIdOf(a), objectIdOf(b), third.id]).toEqual(ids);
  });

  it('gives a BlobWriter the same packs and index as hashing here', async () => {
    const repo = await repoP;
    workers ??= new BlobWorkers(repo.master, { threads: 1 });
    const ctx = { storage: repo.storage, master: repo.master };
    const writer = new BlobWriter(ctx, new MasterIndex(), {
      packSize: 512 * 1024,
      hasher: hashOnWorker(workers),
    });
    const blobs = Array.from({ length: 12 }, (_, i) =>
      sealBlob(repo.master, 'data', seededBytes(100 + i, 200_000)),
    );
    for (const b of blobs) await writer.add(b);
    await writer.flush();
    expect(writer.stats.packs).toBeGreaterThan(2);
    const index = await loadMasterIndex(ctx);
    for (const b of blobs) {
      const at = index.lookup(b.id)!;
      const pack = await repo.storage.get(objectKey('pack', at.packId));
      // Every pack is stored under the SHA-256 of its bytes.
      expect(objectIdOf(pack)).toBe(at.packId);
      expect(Buffer.from(pack.subarray(at.offset, at.offset + at.length)).equals(Buffer.from(b.box))).toBe(
        true,
      );
    }
  });
});

import { describe, expect, it } from 'vitest';
import {
  BlobWriter,
  loadMasterIndex,
  MasterIndex,
  objectKey,
  readPackHeader,
  sealBlob,
} from '../../src/repository/index.js';
import { MemoryStorage } from '../../src/storage/memory.js';
import type { PutOptions, Storage } from '../../src/storage/storage.js';
import { memRepo, seededBytes } from '../helpers/repo.js';

/** Memory storage whose pack puts take a while, counting how many are in flight at once. */
class SlowPacks extends MemoryStorage {
  inFlight = 0;
  mostInFlight = 0;
  packSizes: number[] = [];

  override async put(key: string, body: Uint8Array, opts?: PutOptions): Promise<void> {
    if (!key.startsWith('data/')) return super.put(key, body, opts);
    this.inFlight++;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    this.packSizes.push(body.length);
    await new Promise((r) => setTimeout(r, 5));
    await super.put(key, body, opts);
    this.inFlight--;
  }
}

describe('blob writer', () => {
  it('stores each claimed blob once, keeps packs within their buffer, and stores one pack at a time', async () => {
    const storage = new SlowPacks();
    const repo = await memRepo(undefined, storage as Storage);
    const packSize = 64 * 1024;
    const writer = new BlobWriter({ storage, master: repo.master }, new MasterIndex(), {
      packSize,
      maxBlobSize: 20_000,
    });
    const blobs = Array.from({ length: 60 }, (_, i) =>
      sealBlob(repo.master, 'data', seededBytes(i + 1, 1000 + ((i * 7919) % 19_000))),
    );
    // Claims happen first and the boxes arrive later and out of order, as from the blob workers.
    const claimed = blobs.filter((b) => writer.claim(b.id));
    expect(claimed).toHaveLength(60);
    expect(blobs.every((b) => !writer.claim(b.id) && writer.has(b.id))).toBe(true);
    await Promise.all([...claimed].reverse().map((b) => writer.addClaimed('data', b.id, b.box, b.rawLength)));
    expect(await writer.add(blobs[0]!)).toBe(false);
    await writer.flush();

    expect(storage.mostInFlight).toBe(1);
    expect(storage.packSizes.length).toBeGreaterThanOrEqual(8);
    const largest = Math.max(...blobs.map((b) => b.box.length));
    for (const size of storage.packSizes) expect(size).toBeLessThan(packSize + largest + 64 * 1024);

    const index = await loadMasterIndex({ storage, master: repo.master });
    expect(index.blobCount).toBe(60);
    for (const b of blobs) {
      const at = index.lookup(b.id)!;
      const pack = await storage.get(objectKey('pack', at.packId));
      const entry = readPackHeader(repo.master, pack, at.packId).find((e) => e.id === b.id)!;
      expect(Buffer.from(pack.subarray(entry.offset, entry.offset + entry.length)).equals(b.box)).toBe(true);
    }
  });

  it('gives a blob bigger than a pack a pack of its own', async () => {
    const storage = new SlowPacks();
    const repo = await memRepo(undefined, storage as Storage);
    const writer = new BlobWriter({ storage, master: repo.master }, new MasterIndex(), {
      packSize: 4096,
      maxBlobSize: 1000,
    });
    const small = sealBlob(repo.master, 'data', seededBytes(1, 500));
    const huge = sealBlob(repo.master, 'data', seededBytes(2, 50_000));
    expect(await writer.add(small)).toBe(true);
    expect(await writer.add(huge)).toBe(true);
    await writer.flush();
    expect(storage.packSizes).toHaveLength(2);
    expect(storage.packSizes[1]).toBeGreaterThan(50_000);
  });
});

// withFaults: rules pick calls by operation, key, count and offset, and fail, stall or corrupt them.

import { describe, expect, it } from 'vitest';
import {
  MemoryStorage,
  NotFoundError,
  StorageError,
  withFaults,
  type ListEntry,
} from '../../src/storage/index.js';
import { runStorageConformance } from './conformance.js';

runStorageConformance('withFaults(memory) with an empty plan', async () => ({
  storage: withFaults(new MemoryStorage(), []),
}));

const one = Uint8Array.of(1);

async function drain(it: AsyncIterable<ListEntry>): Promise<string[]> {
  const keys: string[] = [];
  for await (const e of it) keys.push(e.key);
  return keys;
}

async function outcome(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'ok',
    (e: unknown) =>
      e instanceof StorageError ? (e.transient ? 'transient' : e.constructor.name) : String(e),
  );
}

describe('withFaults', () => {
  it('records every call in order, with what was done to it', async () => {
    const storage = withFaults(new MemoryStorage(), [{ op: 'stat', key: 'b', error: 'permanent' }]);
    await storage.put('a', one);
    await storage.stat('b').catch(() => {});
    await drain(storage.list('x/'));
    await storage.delete('a');
    await storage.get('a').catch(() => {});
    expect(storage.calls).toEqual([
      { op: 'put', key: 'a' },
      { op: 'stat', key: 'b', fault: 'permanent' },
      { op: 'list', key: 'x/' },
      { op: 'delete', key: 'a' },
      { op: 'get', key: 'a' },
    ]);
  });

  it('skips the first `after` matching calls, then faults `times` of them', async () => {
    const storage = withFaults(new MemoryStorage(), [
      { op: 'get', key: 'k', after: 1, times: 2, error: 'transient' },
    ]);
    await storage.put('k', one);
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await outcome(storage.get('k')));
    expect(results).toEqual(['ok', 'transient', 'transient', 'ok']);
  });

  it('matches keys exactly or by pattern, and only the given operation', async () => {
    const storage = withFaults(new MemoryStorage(), [
      { op: 'put', key: /^data\//, error: 'permanent', times: Infinity },
      { key: 'config', error: 'transient', times: Infinity },
    ]);
    expect(await outcome(storage.put('data/ab/x', one))).toBe('StorageError');
    expect(await outcome(storage.put('datum', one))).toBe('ok');
    expect(await outcome(storage.get('datum'))).toBe('ok');
    expect(await outcome(storage.put('config', one))).toBe('transient');
    expect(await outcome(storage.stat('config'))).toBe('transient');
    expect(await outcome(storage.stat('config2'))).toBe('ok');
  });

  it('makes notfound look like a missing object for each operation', async () => {
    const memory = new MemoryStorage();
    await memory.put('k', one);
    const storage = withFaults(memory, [{ error: 'notfound', times: Infinity }]);
    await expect(storage.get('k')).rejects.toBeInstanceOf(NotFoundError);
    expect(await storage.stat('k')).toBeUndefined();
    expect(await drain(storage.list(''))).toEqual([]);
    await storage.delete('k');
    expect(await memory.stat('k')).toEqual({ size: 1 });
    await expect(storage.put('j', one)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('can fail after the work is done, like a lost reply', async () => {
    const memory = new MemoryStorage();
    const storage = withFaults(memory, [{ op: 'put', error: 'transient', when: 'after' }]);
    expect(await outcome(storage.put('k', one))).toBe('transient');
    expect(await memory.get('k')).toEqual(one);
  });

  it('corrupts what get returns, not what is stored', async () => {
    const memory = new MemoryStorage();
    await memory.put('k', Uint8Array.of(1, 2, 3));
    const storage = withFaults(memory, [
      {
        op: 'get',
        corrupt: (b) => {
          b[0]! ^= 0xff;
          return b;
        },
      },
    ]);
    expect(await storage.get('k')).toEqual(Uint8Array.of(0xfe, 2, 3));
    expect(await storage.get('k')).toEqual(Uint8Array.of(1, 2, 3));
    expect(storage.calls.map((c) => c.fault)).toEqual(['corrupt', undefined]);
  });

  it('delays calls, and an abort during the delay rejects with the signal’s reason', async () => {
    const storage = withFaults(new MemoryStorage(), [{ op: 'stat', delayMs: 60, times: Infinity }]);
    let started = Date.now();
    await storage.stat('k');
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    const controller = new AbortController();
    const reason = new Error('enough');
    setTimeout(() => controller.abort(reason), 5);
    started = Date.now();
    await expect(storage.stat('k', { signal: controller.signal })).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(50);
  });

  it('breaks a listing after afterEntries entries', async () => {
    const memory = new MemoryStorage();
    for (const k of ['a', 'b', 'c']) await memory.put(k, one);
    const storage = withFaults(memory, [{ op: 'list', afterEntries: 2, error: 'transient' }]);
    const seen: string[] = [];
    const err = await (async () => {
      for await (const e of storage.list('')) seen.push(e.key);
    })().catch((e: unknown) => e);
    expect(seen).toHaveLength(2);
    expect((err as StorageError).transient).toBe(true);
    expect(await drain(storage.list(''))).toHaveLength(3);
  });
});

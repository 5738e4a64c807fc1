// withRetry: which failures are retried, how long it waits, when it gives up and what it says then.

import { describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  MemoryStorage,
  NotFoundError,
  StorageError,
  StorageUnavailableError,
  withFaults,
  withRetry,
  type FaultRule,
  type ListEntry,
  type RetryOptions,
  type Storage,
} from '../../src/storage/index.js';
import { runStorageConformance } from './conformance.js';

runStorageConformance('withRetry(memory)', async () => ({ storage: withRetry(new MemoryStorage()) }));

/** A memory store with faults, wrapped in withRetry whose sleeps are recorded instead of waited. */
function setup(plan: FaultRule[], options: RetryOptions = {}) {
  const memory = new MemoryStorage('memory:test');
  const faulty = withFaults(memory, plan);
  const delays: number[] = [];
  const storage = withRetry(faulty, {
    random: () => 0.5,
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...options,
  });
  return { memory, faulty, storage, delays };
}

async function drain(it: AsyncIterable<ListEntry>): Promise<string[]> {
  const keys: string[] = [];
  for await (const e of it) keys.push(e.key);
  return keys;
}

describe('withRetry', () => {
  it('retries transient failures with doubling, jittered delays until a try succeeds', async () => {
    const { memory, faulty, storage, delays } = setup([
      { op: 'get', key: 'keys/ab12', error: 'transient', times: 3 },
    ]);
    await memory.put('keys/ab12', Uint8Array.of(42));
    expect(await storage.get('keys/ab12')).toEqual(Uint8Array.of(42));
    expect(faulty.calls.filter((c) => c.op === 'get')).toHaveLength(4);
    // random 0.5 of the caps 250, 500, 1000
    expect(delays).toEqual([125, 250, 500]);
  });

  it('caps each delay at maxDelayMs, and full jitter can mean no wait at all', async () => {
    const capped = setup([{ op: 'stat', error: 'transient', times: 5 }], {
      baseDelayMs: 1000,
      maxDelayMs: 3000,
      random: () => 0.999,
    });
    await capped.storage.stat('config');
    expect(capped.delays).toEqual([999, 1998, 2997, 2997, 2997]);
    const zero = setup([{ op: 'stat', error: 'transient', times: 2 }], { random: () => 0 });
    await zero.storage.stat('config');
    expect(zero.delays).toEqual([0, 0]);
  });

  it('gives up after the budget with a StorageUnavailableError naming operation, key and location', async () => {
    const { faulty, storage, delays } = setup([{ op: 'get', error: 'transient', times: Infinity }]);
    const err = await storage.get('keys/ab12').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageUnavailableError);
    const e = err as StorageUnavailableError;
    expect(e.message).toBe(
      'could not get keys/ab12 from memory:test after 6 attempts: injected transient fault: get keys/ab12',
    );
    expect(e.operation).toBe('get');
    expect(e.key).toBe('keys/ab12');
    expect(e.attempts).toBe(6);
    expect(e.exitCode).toBe(1);
    expect(e.transient).toBe(false);
    expect(e.cause).toBeInstanceOf(StorageError);
    expect(faulty.calls).toHaveLength(6);
    expect(delays).toHaveLength(5);
  });

  it('words the message for each operation', async () => {
    const { storage } = setup([{ error: 'transient', times: Infinity }], { attempts: 2 });
    const message = (p: Promise<unknown>): Promise<string> =>
      p.then(
        () => 'resolved',
        (e: Error) => e.message,
      );
    expect(await message(storage.put('data/ab/x', Uint8Array.of(1)))).toMatch(
      /^could not put data\/ab\/x to memory:test after 2 attempts/,
    );
    expect(await message(storage.delete('locks/l'))).toMatch(/^could not delete locks\/l from memory:test/);
    expect(await message(storage.stat('config'))).toMatch(/^could not stat config from memory:test/);
    expect(await message(drain(storage.list('snapshots/')))).toMatch(
      /^could not list snapshots\/ in memory:test/,
    );
    expect(await message(drain(storage.list('')))).toMatch(/^could not list memory:test after 2 attempts/);
  });

  it('passes NotFound, AlreadyExists and permanent errors through at once', async () => {
    const { memory, faulty, storage, delays } = setup([{ op: 'stat', error: 'permanent', times: Infinity }]);
    await expect(storage.get('nothing')).rejects.toBeInstanceOf(NotFoundError);
    await memory.put('config', Uint8Array.of(1));
    await expect(storage.put('config', Uint8Array.of(2), { ifAbsent: true })).rejects.toBeInstanceOf(
      AlreadyExistsError,
    );
    const err = await storage.stat('config').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(err).not.toBeInstanceOf(StorageUnavailableError);
    expect(faulty.calls).toHaveLength(3);
    expect(delays).toEqual([]);
  });

  it('retries raw network errors but not programming errors', async () => {
    let calls = 0;
    const flaky = (err: Error): Storage => ({
      location: 'stub:',
      async get() {
        if (++calls === 1) throw err;
        return Uint8Array.of(1);
      },
      put: async () => {},
      list: () => (async function* () {})(),
      stat: async () => undefined,
      delete: async () => {},
    });
    const options = { sleep: async () => {} };
    await expect(
      withRetry(flaky(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), options).get('k'),
    ).resolves.toEqual(Uint8Array.of(1));
    calls = 0;
    await expect(withRetry(flaky(new TypeError('bug')), options).get('k')).rejects.toBeInstanceOf(TypeError);
    expect(calls).toBe(1);
  });

  it('stops waiting as soon as the signal fires, with its reason', async () => {
    const { faulty } = setup([{ op: 'get', error: 'transient', times: Infinity }]);
    const storage = withRetry(faulty, { baseDelayMs: 60_000, random: () => 1 });
    const controller = new AbortController();
    const reason = new Error('interrupted');
    setTimeout(() => controller.abort(reason), 20);
    const started = Date.now();
    await expect(storage.get('k', { signal: controller.signal })).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(faulty.calls).toHaveLength(1);
  });

  it('restarts a listing that breaks part-way and yields each key once', async () => {
    const { memory, faulty, storage } = setup([
      { op: 'list', error: 'transient', afterEntries: 3, times: 2 },
    ]);
    const keys = Array.from({ length: 10 }, (_, i) => `snapshots/${i}`);
    for (const k of keys) await memory.put(k, Uint8Array.of(1));
    const listed = await drain(storage.list('snapshots/'));
    expect(listed.sort()).toEqual(keys.sort());
    expect(faulty.calls.filter((c) => c.op === 'list')).toHaveLength(3);
  });

  it('retries a listing that fails before its first key', async () => {
    const { memory, storage, delays } = setup([{ op: 'list', error: 'transient', times: 2 }]);
    await memory.put('keys/a', Uint8Array.of(1));
    expect(await drain(storage.list('keys/'))).toEqual(['keys/a']);
    expect(delays).toHaveLength(2);
  });

  it('retries put, delete and create too, and reports each retry', async () => {
    const retried: string[] = [];
    const { memory, storage } = setup(
      [
        { op: 'put', error: 'transient' },
        { op: 'delete', error: 'transient' },
      ],
      { onRetry: ({ operation, key, attempt }) => retried.push(`${operation} ${key} #${attempt}`) },
    );
    await storage.put('data/ab/x', Uint8Array.of(1));
    expect(await memory.stat('data/ab/x')).toEqual({ size: 1 });
    await storage.delete('data/ab/x');
    expect(await memory.stat('data/ab/x')).toBeUndefined();
    await storage.create?.();
    expect(retried).toEqual(['put data/ab/x #1', 'delete data/ab/x #1']);
  });

  it('takes defaults from COFFER_RETRY_ATTEMPTS and COFFER_RETRY_BASE_MS; explicit options win', async () => {
    const saved = { a: process.env.COFFER_RETRY_ATTEMPTS, b: process.env.COFFER_RETRY_BASE_MS };
    process.env.COFFER_RETRY_ATTEMPTS = '3';
    process.env.COFFER_RETRY_BASE_MS = '40';
    try {
      const fromEnv = setup([{ error: 'transient', times: Infinity }], { random: () => 1 });
      await expect(fromEnv.storage.stat('x')).rejects.toThrow(/after 3 attempts/);
      expect(fromEnv.delays).toEqual([40, 80]);
      const explicit = setup([{ error: 'transient', times: Infinity }], {
        attempts: 2,
        baseDelayMs: 10,
        random: () => 1,
      });
      await expect(explicit.storage.stat('x')).rejects.toThrow(/after 2 attempts/);
      expect(explicit.delays).toEqual([10]);
    } finally {
      restoreEnv('COFFER_RETRY_ATTEMPTS', saved.a);
      restoreEnv('COFFER_RETRY_BASE_MS', saved.b);
    }
  });
});

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

// The conformance suite against the local folder backend, each test in a fresh temporary folder.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalStorage } from '../../src/storage/index.js';
import { runStorageConformance } from './conformance.js';

runStorageConformance('local', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'coffer-local-'));
  const storage = new LocalStorage(path.join(dir, 'repo'));
  await storage.create();
  return { storage, cleanup: () => rm(dir, { recursive: true, force: true }) };
});

describe('local storage reads in place', () => {
  it('reads a range into the memory offered, so a restore reuses its buffers', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'coffer-local-'));
    try {
      const storage = new LocalStorage(path.join(dir, 'repo'));
      await storage.create();
      await storage.put('data/ab/x', new TextEncoder().encode('0123456789'));
      const into = new Uint8Array(16);
      const got = await storage.get('data/ab/x', { range: { offset: 2, length: 5 }, into });
      expect(got.buffer).toBe(into.buffer);
      expect(new TextDecoder().decode(got)).toBe('23456');
      expect(new TextDecoder().decode(into.subarray(0, 5))).toBe('23456');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// The conformance suite against the local folder backend, each test in a fresh temporary folder.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LocalStorage } from '../../src/storage/index.js';
import { runStorageConformance } from './conformance.js';

runStorageConformance('local', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'coffer-local-'));
  const storage = new LocalStorage(path.join(dir, 'repo'));
  await storage.create();
  return { storage, cleanup: () => rm(dir, { recursive: true, force: true }) };
});

// The conformance suite against the in-memory backend, plus its copy-in/copy-out promise.

import { expect, it } from 'vitest';
import { MemoryStorage } from '../../src/storage/index.js';
import { runStorageConformance } from './conformance.js';

runStorageConformance('memory', async () => ({ storage: new MemoryStorage() }));

it('memory: callers cannot change stored bytes through the buffers they passed or received', async () => {
  const storage = new MemoryStorage();
  const body = Uint8Array.of(1, 2, 3);
  await storage.put('k', body);
  body[0] = 9;
  (await storage.get('k'))[1] = 9;
  expect(await storage.get('k')).toEqual(Uint8Array.of(1, 2, 3));
});

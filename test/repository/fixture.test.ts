// The version-1 fixture repository must open with every one of its keys, in every later version.

import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listKeys, openRepository } from '../../src/repository/index.js';
import { readOnly } from '../../src/storage/read-only.js';
import { LocalStorage } from '../../src/storage/local.js';

const root = fileURLToPath(new URL('../fixtures/repo-v1', import.meta.url));
const REPO_ID = 'bbb806ccbca636e39d1d9438871f05b366a5753f790773ff159ccf5bdd259bf0';

describe('fixture repository, format v1', () => {
  for (const [holder, password] of [
    ['clerk', 'fixture clerk password v1'],
    ['chair', 'fixture chair password v1'],
    ['recovery', '3n7a jegv 0fqd ymy6 gp9c n4qc atqb j4xk 54fa'],
  ] as const) {
    it(`opens with the ${holder} key and lists all three keys`, async () => {
      const repo = await openRepository(readOnly(new LocalStorage(root)), password);
      expect(repo.config.id).toBe(REPO_ID);
      expect(repo.config.version).toBe(1);
      expect(repo.warnings).toEqual([]);
      const keys = await listKeys(repo);
      expect(keys.map((k) => k.name).sort()).toEqual(['chair', 'clerk', 'recovery']);
      expect(keys.find((k) => k.current)?.name).toBe(holder);
    });
  }
});

// The parts of immutability that need no server: the config fields and their validation, the test-only lock
// period, the extension margin, and the lock horizon cache on disk.

import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { extensionMarginMs } from '../../src/backup/extend-retention.js';
import { UsageError } from '../../src/errors.js';
import {
  decodeConfig,
  encodeConfig,
  newConfig,
  readConfigEnvelope,
  type RepositoryConfig,
} from '../../src/repository/config.js';
import { generateMasterKey } from '../../src/repository/master-key.js';
import {
  initRepository,
  isLockPolicy,
  lockPeriodMs,
  LockHorizons,
  openRepository,
} from '../../src/repository/index.js';
import { MemoryStorage } from '../../src/storage/index.js';
import { fastKdf, TEST_PASSWORD } from '../helpers/repo.js';

const DAY = 24 * 60 * 60 * 1000;
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function temp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'coffer-lock-config-'));
  dirs.push(d);
  return d;
}

describe('the config fields', () => {
  const master = generateMasterKey();
  const roundTrip = (config: RepositoryConfig): RepositoryConfig =>
    decodeConfig(readConfigEnvelope(encodeConfig(config, master.encryption)), master.encryption);

  it('carries objectLock and appendOnly through encryption, and leaves them out when unset', () => {
    const plain = newConfig();
    expect(roundTrip(plain)).toEqual(plain);
    expect('objectLock' in roundTrip(plain)).toBe(false);
    const locked: RepositoryConfig = {
      ...plain,
      objectLock: { mode: 'compliance', days: 90 },
      appendOnly: true,
    };
    expect(roundTrip(locked)).toEqual(locked);
  });

  it.each([
    [{ mode: 'governance', days: 0 }],
    [{ mode: 'governance', days: 1.5 }],
    [{ mode: 'legal-hold', days: 30 }],
    [{ mode: 'compliance', days: 36501 }],
    ['30 days'],
  ])('refuses a damaged lock policy %j as a damaged config', (objectLock) => {
    expect(isLockPolicy(objectLock)).toBe(false);
    const bad = { ...newConfig(), objectLock } as unknown as RepositoryConfig;
    expect(() => roundTrip(bad)).toThrow(/repository config is damaged/);
  });

  it('refuses appendOnly that is not true or false', () => {
    const bad = { ...newConfig(), appendOnly: 'yes' } as unknown as RepositoryConfig;
    expect(() => roundTrip(bad)).toThrow(/damaged/);
  });
});

describe('lock period and margin', () => {
  it('is the policy’s days, unless the test-only variable gives seconds', () => {
    const policy = { mode: 'governance', days: 30 } as const;
    expect(lockPeriodMs(policy, {})).toBe(30 * DAY);
    expect(lockPeriodMs(policy, { COFFER_TEST_LOCK_SECONDS: '5' })).toBe(5000);
    expect(lockPeriodMs(policy, { COFFER_TEST_LOCK_SECONDS: 'soon' })).toBe(30 * DAY);
  });

  it('extends by half the period, never more than 30 days', () => {
    expect(extensionMarginMs(14 * DAY)).toBe(7 * DAY);
    expect(extensionMarginMs(365 * DAY)).toBe(30 * DAY);
    expect(extensionMarginMs(4000)).toBe(2000);
  });
});

describe('Object Lock on storage that cannot lock', () => {
  it('init refuses it on memory storage, with a message saying where it works', async () => {
    const err = await initRepository(new MemoryStorage(), {
      password: TEST_PASSWORD,
      kdf: fastKdf,
      objectLock: { mode: 'governance', days: 7 },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/Object Lock needs S3 storage/);
  });

  it('append-only alone works anywhere and makes the first key the admin key', async () => {
    const storage = new MemoryStorage();
    const repo = await initRepository(storage, {
      password: TEST_PASSWORD,
      kdf: fastKdf,
      holder: { name: 'it', role: 'owner' },
      appendOnly: true,
    });
    expect(repo.role).toBe('admin');
    const reopened = await openRepository(storage, TEST_PASSWORD);
    expect(reopened.role).toBe('admin');
    expect(reopened.config.appendOnly).toBe(true);
  });
});

describe('the lock horizon cache', () => {
  const later = new Date(Date.now() + 10 * DAY);

  it('remembers horizons per repository and place, and forgets objects no longer listed', async () => {
    const dir = await temp();
    const cache = await LockHorizons.load(dir, 'a'.repeat(64), 's3:https://host/bucket/council');
    expect(cache.get('config')).toBe(0);
    cache.set('config', later);
    cache.set('data/00/gone', later);
    await cache.save(['config']);

    const again = await LockHorizons.load(dir, 'a'.repeat(64), 's3:https://host/bucket/council');
    expect(again.get('config')).toBe(later.getTime());
    expect(again.get('data/00/gone')).toBe(0);
    // a copy of the repository elsewhere has the same id but its own locks
    const copy = await LockHorizons.load(dir, 'a'.repeat(64), 's3:https://other/bucket/council');
    expect(copy.get('config')).toBe(0);
  });

  it('starts empty from a damaged file, and saving with no folder does nothing', async () => {
    const dir = await temp();
    const first = await LockHorizons.load(dir, 'b'.repeat(64), 'here');
    first.set('config', later);
    await first.save(['config']);
    const [file] = await readdir(join(dir, 'b'.repeat(64)));
    await writeFile(join(dir, 'b'.repeat(64), file!), '{ not json');
    expect((await LockHorizons.load(dir, 'b'.repeat(64), 'here')).get('config')).toBe(0);

    const none = await LockHorizons.load(false, 'b'.repeat(64), 'here');
    none.set('config', later);
    await none.save(['config']);
    expect(none.get('config')).toBe(later.getTime());
  });
});

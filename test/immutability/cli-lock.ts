// The CLI on a locked repository: init says what it set up, forget and prune say what Object Lock keeps
// and until when, and exit 0 having removed nothing that is locked.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coffer, FAST_KDF_ARGS, tempDir } from '../helpers/cli.js';
import { awsEnv, type S3TestServer } from '../servers/s3rver.js';
import { bucketName } from './rgw-lock.js';

export function defineCliLockTests(server: () => S3TestServer): void {
  describe('the CLI on a locked repository', () => {
    let dir: { path: string; cleanup: () => Promise<void> };
    let env: Record<string, string>;
    beforeAll(async () => {
      dir = await tempDir('coffer-cli-lock-');
      env = {
        ...awsEnv(server()),
        COFFER_REPOSITORY: `s3:${server().endpoint}/${bucketName('cli')}/council`,
        COFFER_PASSWORD: 'clerk password',
        COFFER_TEST_LOCK_SECONDS: '600',
        COFFER_CACHE_DIR: join(dir.path, 'cache'),
      };
    });
    afterAll(() => dir?.cleanup());

    it('init, two backups, then forget and prune keep what is locked and say until when', async () => {
      const init = await coffer(
        ['init', '--object-lock', 'compliance', '--lock-days', '30', '--json', ...FAST_KDF_ARGS],
        env,
      );
      expect(init.code, init.stderr).toBe(0);
      expect(JSON.parse(init.stdout)).toMatchObject({ objectLock: { mode: 'compliance', days: 30 } });

      const source = join(dir.path, 'documents');
      await mkdir(source);
      for (const month of ['march', 'april']) {
        await writeFile(join(source, `${month}.txt`), `${month} minutes\n`);
        const backup = await coffer(['backup', source], env);
        expect(backup.code, backup.stderr).toBe(0);
      }

      const forget = await coffer(['forget', '--keep-last', '1'], env);
      expect(forget.code, forget.stderr).toBe(0);
      expect(forget.stdout).toMatch(
        / {2}locked {2}[0-9a-f]{8} .*\(Object Lock keeps it until \d{4}-\d\d-\d\d /,
      );
      expect(forget.stdout).toMatch(/removed 0 snapshots/);
      expect(forget.stdout).toMatch(
        /1 snapshot the policy would remove is still under Object Lock and stays/,
      );
      const snapshots = await coffer(['--json', 'snapshots'], env);
      expect(JSON.parse(snapshots.stdout)).toHaveLength(2);

      const prune = await coffer(['prune'], env);
      expect(prune.code, prune.stderr).toBe(0);
      expect(prune.stdout).toMatch(
        /kept (\d+ packs? \([^)]+\) and )?\d+ index files? that Object Lock still protects; a prune after /,
      );
    });

    it('refuses Object Lock options that do not go together, before asking for a password', async () => {
      const cases: [string[], RegExp][] = [
        [['--object-lock', 'governance'], /--object-lock needs --lock-days N/],
        [['--lock-days', '30'], /--lock-days needs --object-lock/],
        [['--object-lock', 'governance', '--lock-days', '0'], /give a whole number of days from 1 to 36500/],
        [['--object-lock', 'forever', '--lock-days', '3'], /Allowed choices are governance, compliance/],
      ];
      for (const [args, message] of cases) {
        const r = await coffer(['init', ...args], { COFFER_REPOSITORY: join(dir.path, 'never') });
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toMatch(message);
      }
      const local = await coffer(
        ['init', '--object-lock', 'governance', '--lock-days', '7', ...FAST_KDF_ARGS],
        { COFFER_REPOSITORY: join(dir.path, 'local'), COFFER_PASSWORD: 'pw' },
      );
      expect(local.code).toBe(2);
      expect(local.stderr).toMatch(/Object Lock needs S3 storage.*cannot lock objects/);
    });
  });
}

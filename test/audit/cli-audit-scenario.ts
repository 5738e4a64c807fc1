// One council's month through the built CLI, then `coffer log`: run against a local folder and against S3.

import os from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from '../../src/storage/index.js';
import { coffer, FAST_KDF_ARGS, tempDir } from '../helpers/cli.js';

export interface AuditTarget {
  /** A fresh, empty repository location. */
  location(): string;
  /** Storage credentials for the CLI. */
  readonly env: Record<string, string>;
  /** The same repository as raw storage, to look at what is stored. */
  raw(location: string): Storage;
}

interface LoggedRecord {
  id: string;
  time: string;
  operation: string;
  outcome: string;
  summary: string;
  host: string;
  user: string;
  keyId: string;
  keyName: string;
  details?: Record<string, unknown>;
}

const CLERK = 'clerk password 2026';
const CHAIR = 'chair password 2026';
// distinctive names, so finding them in ciphertext by chance is out of the question
const CLERK_NAME = 'ParishClerkMarjorie';
const CHAIR_NAME = 'CouncilChairGwendolyn';

export function runCliAuditScenario(name: string, makeTarget: () => Promise<AuditTarget>): void {
  describe(`coffer log after a month of work, ${name}`, () => {
    let target: AuditTarget;
    let work: { path: string; cleanup: () => Promise<void> };
    beforeAll(async () => {
      target = await makeTarget();
      work = await tempDir('coffer-audit-e2e-');
    });
    afterAll(() => work?.cleanup());

    it('records every operation in order, with outcome, key name and host; a removed key stays out', async () => {
      const repo = target.location();
      const env = (password = CLERK, extra: Record<string, string> = {}): Record<string, string> => ({
        ...target.env,
        COFFER_REPOSITORY: repo,
        COFFER_PASSWORD: password,
        ...extra,
      });
      const ok = async (args: string[], e = env()): Promise<string> => {
        const r = await coffer(args, e);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
        expect(r.stderr, args.join(' ')).not.toMatch(/audit log/);
        return r.stdout;
      };
      const src = join(work.path, 'ParishDocumentsFolder');
      await mkdir(src, { recursive: true });
      await writeFile(join(src, 'minutes.txt'), 'minutes of the January meeting');

      await ok(['init', '--name', CLERK_NAME, ...FAST_KDF_ARGS]);
      await ok(['backup', src]);
      await ok(['restore', 'latest', '--target', join(work.path, 'restored')]);
      await ok(['restore', 'latest', '--target', join(work.path, 'dry'), '--dry-run']); // not recorded
      const missing = await coffer(['restore', 'deadbeef', '--target', join(work.path, 'nowhere')], env());
      expect(missing.code).toBe(1);
      const chair = JSON.parse(
        await ok(
          ['key', 'add', '--name', CHAIR_NAME, '--json', ...FAST_KDF_ARGS],
          env(CLERK, { COFFER_NEW_PASSWORD: CHAIR }),
        ),
      ) as { id: string };
      await writeFile(join(src, 'minutes.txt'), 'minutes of the February meeting');
      await ok(['backup', src], env(CHAIR));
      await ok(['forget', '--keep-last', '1']);
      await ok(['prune']);
      await ok(['key', 'remove', CHAIR_NAME]);
      const locked = await coffer(['snapshots'], env(CHAIR));
      expect(locked.code, locked.stderr).toBe(12);
      expect(await ok(['dump', `latest:${src}/minutes.txt`])).toBe('minutes of the February meeting');
      await ok(['check']);

      const log = JSON.parse(await ok(['log', '--json'])) as LoggedRecord[];
      expect(log.map((r) => [r.operation, r.outcome, r.keyName])).toEqual([
        ['init', 'success', CLERK_NAME],
        ['backup', 'success', CLERK_NAME],
        ['restore', 'success', CLERK_NAME],
        ['restore', 'failure', CLERK_NAME],
        ['key-add', 'success', CLERK_NAME],
        ['backup', 'success', CHAIR_NAME],
        ['forget', 'success', CLERK_NAME],
        ['prune', 'success', CLERK_NAME],
        ['key-remove', 'success', CLERK_NAME],
        ['dump', 'success', CLERK_NAME],
        ['check', 'success', CLERK_NAME],
      ]);
      for (const r of log) {
        expect(r).toMatchObject({ host: os.hostname(), user: os.userInfo().username });
        expect(r.summary.length).toBeGreaterThan(10);
      }
      const times = log.map((r) => Date.parse(r.time));
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      expect(log[3]!.summary).toMatch(
        /^restore of deadbeef to .* failed: no snapshot has an id starting with deadbeef/,
      );
      expect(log[3]!.details).toMatchObject({ exitCode: 1 });
      expect(log[6]!.details).toMatchObject({ removed: [expect.stringMatching(/^[0-9a-f]{64}$/)], kept: 1 });
      const removal = log[8]!;
      expect(removal.details).toEqual({ removedKeyId: chair.id, removedKeyName: CHAIR_NAME });
      expect(removal.summary).toContain(`key ${chair.id.slice(0, 8)} (${CHAIR_NAME}) removed`);
      expect(log[9]!.summary).toMatch(/^dump of latest:.*minutes\.txt to standard output: 1 file/);

      // the table says when and by whom; filters narrow it
      const table = await ok(['log', '--operation', 'key-remove']);
      const [header, , row, count] = table.trimEnd().split('\n');
      expect(header).toMatch(/^TIME +OPERATION +OUTCOME +WHO +SUMMARY$/);
      expect(row).toContain(removal.time.slice(0, 19).replace('T', ' '));
      expect(row).toContain(
        `key-remove  success  ${CLERK_NAME} (${os.userInfo().username}@${os.hostname()})`,
      );
      expect(count).toBe('1 record');
      const restores = JSON.parse(
        await ok(['log', '--json', '--operation', 'restore,dump']),
      ) as LoggedRecord[];
      expect(restores.map((r) => r.operation)).toEqual(['restore', 'restore', 'dump']);
      expect(await ok(['log', '--since', '2100-01-01'])).toBe('no audit records match\n');
      expect(JSON.parse(await ok(['log', '--since', '1h', '--json']))).toHaveLength(log.length);
      const badSince = await coffer(['log', '--since', 'last tuesday'], env());
      expect(badSince.code).toBe(2);
      expect(badSince.stderr).toMatch(/--since last tuesday: give a date/);

      // nothing readable on storage: no key name, host, path or summary in any audit object
      const raw = target.raw(repo);
      const needles = [CLERK_NAME, CHAIR_NAME, 'ParishDocumentsFolder', 'key-remove', 'deadbeef'];
      if (os.hostname().length >= 6) needles.push(os.hostname());
      let objects = 0;
      for await (const { key } of raw.list('audit/')) {
        const text = Buffer.from(await raw.get(key)).toString('latin1');
        objects++;
        for (const needle of needles) expect(text, `${key} holds ${needle}`).not.toContain(needle);
      }
      expect(objects).toBe(log.length);
    });
  });
}

/** The raw storage behind a location, with S3 credentials passed explicitly. */
export function rawStorage(location: string, env: Record<string, string>): Storage {
  return openStorage(location, {
    retry: false,
    ...(env.AWS_ACCESS_KEY_ID
      ? {
          s3: {
            credentials: {
              accessKeyId: env.AWS_ACCESS_KEY_ID,
              secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
            },
            region: env.AWS_REGION ?? 'us-east-1',
          },
        }
      : {}),
  });
}

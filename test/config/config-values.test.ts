// The small parsers the config is built from: durations, "did you mean", the AWS credentials file, and
// what `backup --job` backs up.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  backupSelection,
  closestMatch,
  parseConfigDuration,
  parseCofferConfig,
  readAwsProfile,
} from '../../src/config/index.js';
import { UsageError } from '../../src/errors.js';
import { tempDir } from '../helpers/cli.js';

describe('parseConfigDuration', () => {
  it('reads minutes, hours, days, weeks, years and combinations', () => {
    expect(parseConfigDuration('90min')).toBe(90 * 60_000);
    expect(parseConfigDuration('4h')).toBe(4 * 3_600_000);
    expect(parseConfigDuration('30d')).toBe(30 * 86_400_000);
    expect(parseConfigDuration('12w')).toBe(84 * 86_400_000);
    expect(parseConfigDuration('1y')).toBe(365 * 86_400_000);
    expect(parseConfigDuration('1d12h30min')).toBe(36 * 3_600_000 + 30 * 60_000);
  });

  it('refuses a bare "m" as ambiguous, and anything else it cannot read', () => {
    expect(() => parseConfigDuration('30m')).toThrow(/ambiguous: write min for minutes/);
    expect(() => parseConfigDuration('1h30m')).toThrow(/ambiguous/);
    for (const bad of ['', '4', 'h', '4 h', 'four hours', '-1d', '1.5h', '0h'])
      expect(() => parseConfigDuration(bad), bad).toThrow(UsageError);
  });
});

describe('closestMatch', () => {
  it('finds spelling slips, other separators and transpositions', () => {
    const keys = ['keep-last', 'keep-weekly', 'keep-monthly', 'schedule', 'sources'];
    expect(closestMatch('keep_weekly', keys)).toBe('keep-weekly');
    expect(closestMatch('keepMonthly', keys)).toBe('keep-monthly');
    expect(closestMatch('keep-wekely', keys)).toBe('keep-weekly');
    expect(closestMatch('schedual', keys)).toBe('schedule');
    expect(closestMatch('source', keys)).toBe('sources');
  });

  it('suggests nothing when nothing is close', () => {
    expect(closestMatch('frequency', ['keep-last', 'schedule'])).toBeUndefined();
    expect(closestMatch('x', ['y'])).toBe('y'); // one edit on a one-letter word is still the nearest
    expect(closestMatch('ab', [])).toBeUndefined();
  });
});

describe('readAwsProfile', () => {
  it('reads a profile of the shared credentials file, ignoring comments and other profiles', async () => {
    const dir = await tempDir();
    try {
      const file = join(dir.path, 'credentials');
      await writeFile(
        file,
        '# coffer keys\n[default]\naws_access_key_id = EVERYDAY\naws_secret_access_key = e-secret\n\n' +
          '[coffer-admin]\n; the one that may delete\naws_access_key_id=ADMIN\naws_secret_access_key = a/secret+key=\n' +
          'aws_session_token = tok\nregion = eu-west-2\n',
      );
      const env = { AWS_SHARED_CREDENTIALS_FILE: file };
      expect(await readAwsProfile('coffer-admin', env)).toEqual({
        credentials: { accessKeyId: 'ADMIN', secretAccessKey: 'a/secret+key=', sessionToken: 'tok' },
        region: 'eu-west-2',
      });
      expect(await readAwsProfile('default', env)).toEqual({
        credentials: { accessKeyId: 'EVERYDAY', secretAccessKey: 'e-secret' },
      });
      const missing = await readAwsProfile('admin', env).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(UsageError);
      expect((missing as Error).message).toBe(
        `there is no profile "admin" in ${file} (it has default, coffer-admin)`,
      );
      expect((missing as Error).message).not.toContain('secret');
      await writeFile(file, '[half]\naws_access_key_id = X\n');
      await expect(readAwsProfile('half', env)).rejects.toThrow(
        `profile "half" in ${file} needs both aws_access_key_id and aws_secret_access_key`,
      );
      await expect(
        readAwsProfile('x', { AWS_SHARED_CREDENTIALS_FILE: join(dir.path, 'none') }),
      ).rejects.toThrow(/cannot read the AWS credentials file .*none for profile "x" \(it does not exist\)/);
    } finally {
      await dir.cleanup();
    }
  });
});

describe('backupSelection', () => {
  const job = parseCofferConfig(
    `jobs:
  documents:
    repository: /srv/backup
    password: { env: P }
    sources: [/srv/a, /srv/b]
    exclude: ["*.tmp"]
    exclude-if-present: [.nobackup]
    tags: [weekly]
    host: town-hall
`,
    'c.yaml',
    { user: { env: {}, uid: 1000, homedir: '/home/x' } },
  ).jobs[0]!;
  const none = { paths: [], tags: [], excludes: [], excludeIfPresent: [], oneFileSystem: false };

  it("takes the job's sources, excludes, tags and host", () => {
    expect(backupSelection(job, none)).toEqual({
      paths: ['/srv/a', '/srv/b'],
      tags: ['weekly'],
      host: 'town-hall',
      excludes: ['*.tmp'],
      excludeIfPresent: ['.nobackup'],
      oneFileSystem: false,
    });
  });

  it('adds what the command line gives; given paths and host replace the job’s', () => {
    expect(
      backupSelection(job, {
        paths: ['/srv/a/minutes'],
        tags: ['manual', 'weekly'],
        host: 'laptop',
        excludes: ['*.bak'],
        excludeIfPresent: [],
        oneFileSystem: true,
      }),
    ).toEqual({
      paths: ['/srv/a/minutes'],
      tags: ['weekly', 'manual'],
      host: 'laptop',
      excludes: ['*.tmp', '*.bak'],
      excludeIfPresent: ['.nobackup'],
      oneFileSystem: true,
    });
  });

  it('without a job, paths are required', () => {
    expect(() => backupSelection(undefined, none)).toThrow(
      /give the folders or files to back up, or --job NAME/,
    );
    const given = { ...none, paths: ['/x'] };
    expect(backupSelection(undefined, given)).toBe(given);
  });
});

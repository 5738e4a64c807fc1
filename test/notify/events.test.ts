// The wording of each notification: what happened, what it means, what to do, from the facts the daemon
// has. Times are fixed and the zone given, so the sentences are exact.

import { describe, expect, it } from 'vitest';
import {
  checkFailedEvent,
  classifyFailure,
  digestEvent,
  drillDueEvent,
  drillFailedEvent,
  failureEvent,
  overdueEvent,
  successEvent,
} from '../../src/notify/index.js';
import { s3Error } from '../../src/storage/s3-errors.js';

const WEEK = 7 * 86_400_000;
const ZONE = 'Europe/London';
const NOW = new Date('2026-05-10T01:04:00Z'); // Sun 10 May 2026 02:04 BST
const LAST_GOOD = new Date('2026-05-03T01:02:00Z'); // a week earlier
const CONFIG = '/etc/coffer/coffer.yaml';

function failure(exitCode: number | null, message: string, step = 'backup') {
  return failureEvent({
    job: 'documents',
    step,
    message,
    exitCode,
    time: NOW,
    attempts: 3,
    lastSuccess: LAST_GOOD,
    timeZone: ZONE,
    periodMs: WEEK,
    configPath: CONFIG,
  });
}

describe('failureEvent', () => {
  it('says what failed, when, what it means for the data and what coffer said', () => {
    const event = failure(
      1,
      'could not get config from s3.example.net after 6 attempts: connect ECONNREFUSED',
    );
    expect(event.kind).toBe('failure');
    expect(event.job).toBe('documents');
    expect(event.title).toBe('FAILED: weekly backup "documents"');
    expect(event.lines).toEqual([
      'The weekly backup "documents" failed on Sun 10 May 2026 02:04 BST after 3 attempts.',
      'coffer could not reach the backup storage: the internet connection may be down, or the storage service unavailable.',
      "No new backup of the council's files was made this time; earlier backups are not affected.",
      'The last good backup is from Sun 3 May 2026 02:02 BST (7 days ago).',
      'coffer said: could not get config from s3.example.net after 6 attempts: connect ECONNREFUSED',
    ]);
    expect(event.advice).toMatch(/connected to the internet/);
    expect(event.facts).toEqual({
      job: 'documents',
      step: 'backup',
      cause: 'storage-unreachable',
      exitCode: 1,
      attempts: 3,
      lastSuccess: LAST_GOOD.toISOString(),
    });
  });

  it.each([
    [12, 'wrong-password', /password for job "documents" in \/etc\/coffer\/coffer\.yaml/],
    [10, 'no-repository', /repository address for job "documents" in \/etc\/coffer\/coffer\.yaml/],
    [11, 'locked', /coffer unlock --job documents/],
    [13, 'admin-key-required', /admin credentials/],
    [2, 'invalid-config', /coffer config check/],
    [130, 'interrupted', /next run carries on/],
    [null, 'interrupted', /next run carries on/],
    [3, 'files-unreadable', /journalctl -u coffer/],
  ] as const)('exit code %s means %s', (code, cause, advice) => {
    const event = failure(code, 'whatever the step printed');
    expect(event.facts?.cause).toBe(cause);
    expect(event.advice).toMatch(advice);
  });

  it('maps the storage layer’s own messages for exit 1 to their causes', () => {
    const s3 = (name: string, status: number) =>
      s3Error(
        'get',
        'config',
        's3.example.net',
        'council',
        Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } }),
      ).message;
    expect(classifyFailure(1, s3('InvalidAccessKeyId', 403))).toBe('credentials-refused');
    expect(classifyFailure(1, s3('SignatureDoesNotMatch', 403))).toBe('credentials-refused');
    expect(classifyFailure(1, s3('AccessDenied', 403))).toBe('credentials-refused');
    expect(classifyFailure(1, s3('RequestTimeTooSkewed', 403))).toBe('clock-wrong');
    expect(classifyFailure(1, s3Error('list', '', 'h', 'council', bucketGone()).message)).toBe(
      'bucket-missing',
    );
    expect(classifyFailure(1, 'the password of job "documents": file /etc/coffer/pass does not exist')).toBe(
      'secret-unavailable',
    );
    expect(
      classifyFailure(1, 'the secret access key of the S3 credentials: environment variable K is not set'),
    ).toBe('secret-unavailable');
    expect(classifyFailure(1, 'ENOSPC: no space left on device, write')).toBe('disk-full');
    expect(classifyFailure(1, 'pack 3fa2 is damaged: failed authentication')).toBe('repository-damaged');
    expect(classifyFailure(1, 'something nobody foresaw')).toBe('unknown');
  });

  it('tells the clerk to check the access key when the storage rejects it', () => {
    const event = failure(
      1,
      'get config at s3.example.net: the credentials were refused (InvalidAccessKeyId)',
    );
    expect(event.lines[1]).toBe(
      "The storage rejected coffer's access key: it may be wrong, expired, or withdrawn at the storage provider.",
    );
    expect(event.advice).toBe(
      'Ask whoever set up coffer to check the access key for job "documents" in /etc/coffer/coffer.yaml, and that it is still active at the storage provider.',
    );
  });

  it('says an incomplete backup was saved, not that none was made', () => {
    const event = failure(3, 'warning: /srv/docs/locked.xlsx: permission denied');
    expect(event.title).toBe('INCOMPLETE: weekly backup "documents"');
    expect(event.lines.join('\n')).not.toMatch(/No new backup/);
    expect(event.lines[1]).toMatch(/The backup was saved without them/);
  });

  it('names the step when a later step fails, and says the backup itself was saved', () => {
    const event = failure(11, 'repository is locked by prune', 'prune');
    expect(event.title).toBe('FAILED: clean-up of weekly backup "documents"');
    expect(event.lines).toContain(
      'The backup itself was saved; only the clean-up of unused data failed, so storage use may grow until it works.',
    );
    expect(event.lines.join('\n')).not.toMatch(/last good backup/);
  });

  it('says so when there has never been a good backup, and puts a long message on one line', () => {
    const event = failureEvent({
      job: 'mail',
      step: 'backup',
      message: 'first line\nsecond line\n',
      exitCode: 1,
      time: NOW,
    });
    expect(event.title).toBe('FAILED: backup "mail"');
    expect(event.lines).toContain('There is no good backup of this job yet.');
    expect(event.lines.at(-1)).toBe('coffer said: first line / second line');
    expect(event.advice).toMatch(
      /coffer's config file \(usually \/etc\/coffer\/coffer\.yaml\)|coffer status/,
    );
  });
});

describe('overdueEvent', () => {
  it('says since when, what the policy needs and what to check', () => {
    const event = overdueEvent({
      job: 'documents',
      lastSuccess: new Date('2026-04-26T01:02:00Z'),
      due: new Date('2026-05-04T01:00:00Z'),
      time: NOW,
      timeZone: ZONE,
      periodMs: WEEK,
      lastFailure: 'the credentials were refused',
    });
    expect(event.title).toBe('OVERDUE: weekly backup "documents"');
    expect(event.lines).toEqual([
      'The weekly backup "documents" has not succeeded since Sun 26 Apr 2026 02:02 BST (14 days ago).',
      'A new backup was due by Mon 4 May 2026 02:00 BST.',
      "Changes to the council's files since the last good backup are not backed up, and the council's policy needs a backup every week.",
      'The last attempt failed: the credentials were refused',
    ]);
    expect(event.advice).toMatch(/switched on.*`coffer status`/);
    expect(event.facts).toEqual({
      job: 'documents',
      due: '2026-05-04T01:00:00.000Z',
      lastSuccess: '2026-04-26T01:02:00.000Z',
    });
  });

  it('handles a job that never succeeded and an unusual period', () => {
    const event = overdueEvent({ job: 'mail', due: NOW, time: NOW, periodMs: 3 * 86_400_000 });
    expect(event.lines[0]).toBe('The backup "mail" has never succeeded.');
    expect(event.lines[2]).toBe(
      "Changes to the council's files since the last good backup are not backed up.",
    );
  });
});

describe('the other events', () => {
  it('checkFailedEvent quotes the check and says not to prune', () => {
    const event = checkFailedEvent({
      job: 'documents',
      summary: '2 packs damaged',
      time: NOW,
      timeZone: ZONE,
    });
    expect(event.kind).toBe('check-failed');
    expect(event.title).toBe('CHECK FAILED: backup "documents"');
    expect(event.lines).toContain('coffer said: 2 packs damaged');
    expect(event.advice).toMatch(/coffer check --read-data --job documents.*coffer prune/);
  });

  it('successEvent reports what was saved', () => {
    const event = successEvent({
      job: 'documents',
      snapshot: '4f3a2b1c9d8e7f60',
      filesNew: 12,
      filesChanged: 1,
      bytesAdded: 5 * 1024 * 1024,
      durationMs: 125_000,
      time: NOW,
      timeZone: ZONE,
      periodMs: WEEK,
    });
    expect(event.title).toBe('OK: weekly backup "documents"');
    expect(event.lines).toEqual([
      'The weekly backup "documents" finished on Sun 10 May 2026 02:04 BST in 2 minutes.',
      '12 new files and 1 changed file were saved, adding 5.00 MiB to the repository (snapshot 4f3a2b1c).',
      "The council's files are backed up as of this time.",
    ]);
    expect(event.advice).toBeUndefined();
    expect(event.facts).toMatchObject({ snapshot: '4f3a2b1c9d8e7f60', bytesAdded: 5 * 1024 * 1024 });
  });

  it('drillDueEvent and drillFailedEvent say what the plan asks and what to do', () => {
    const due = drillDueEvent({
      job: 'documents',
      lastPassed: new Date('2025-05-01T10:00:00Z'),
      time: NOW,
      timeZone: ZONE,
    });
    expect(due.title).toBe('DRILL DUE: recovery drill for "documents"');
    expect(due.lines[0]).toBe(
      'No disaster-recovery drill for "documents" has passed since Thu 1 May 2025 11:00 BST (373 days ago).',
    );
    expect(due.advice).toMatch(/coffer drill run --job documents/);
    expect(drillDueEvent({ job: 'mail', time: NOW }).lines[0]).toBe(
      'No disaster-recovery drill for "mail" has passed yet.',
    );
    const failed = drillFailedEvent({ job: 'documents', summary: 'restore took 6h, target 4h', time: NOW });
    expect(failed.kind).toBe('drill-failed');
    expect(failed.lines).toContain('coffer said: restore took 6h, target 4h');
    expect(failed.advice).toMatch(/coffer drill list --job documents.*coffer drill run --job documents/);
  });

  it('digestEvent lists every job and counts those needing attention', () => {
    const event = digestEvent({
      time: NOW,
      timeZone: ZONE,
      periodMs: WEEK,
      jobs: [
        {
          job: 'documents',
          lastSuccess: LAST_GOOD,
          overdue: false,
          lastCheckOk: true,
          nextRun: new Date('2026-05-17T01:00:00Z'),
        },
        { job: 'mail', overdue: true },
      ],
    });
    expect(event.job).toBe('*');
    expect(event.title).toBe('Weekly summary: 1 of 2 backups needs attention');
    expect(event.lines).toEqual([
      'documents: OK. Last good backup Sun 3 May 2026 02:02 BST (7 days ago); last check passed; next run Sun 17 May 2026 02:00 BST.',
      'mail: OVERDUE. No good backup yet.',
    ]);
    expect(event.advice).toMatch(/coffer status/);
    expect(event.facts).toEqual({ jobs: 2, needingAttention: 1 });

    const allGood = digestEvent({
      time: NOW,
      jobs: [{ job: 'documents', lastSuccess: LAST_GOOD, overdue: false }],
    });
    expect(allGood.title).toBe('Summary: the backup is up to date');
    expect(allGood.lines.at(-1)).toBe('Nothing needs doing.');
    expect(allGood.advice).toBeUndefined();
  });
});

function bucketGone(): Error {
  return Object.assign(new Error('The specified bucket does not exist'), {
    name: 'NoSuchBucket',
    $metadata: { httpStatusCode: 404 },
  });
}

// How a finished run changes a job's state and which notices it raises: retry or give up, the overdue
// episode cleared by a success, check damage, an interrupted backup that counts as no attempt.

import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, isRetryable, nextRetry, type JobState } from '../../src/daemon/index.js';
import { applyBackupReport, applyDrillReport } from '../../src/daemon/job-updates.js';
import type { BackupRunReport } from '../../src/daemon/run-job.js';
import { at } from './fixtures.js';

const start = at('2026-03-01T02:00:00Z');
const end = at('2026-03-01T02:03:00Z');
const base: JobState = {
  firstSeen: '2026-01-01T00:00:00.000Z',
  running: { since: '2026-03-01T02:00:00.000Z', step: 'backup' },
};
const policy = DEFAULT_RETRY_POLICY;

function failed(
  exitCode: number | null,
  message = 'the storage at https://s3.example.net did not answer',
): BackupRunReport {
  return {
    startedAt: start,
    finishedAt: end,
    interrupted: false,
    failures: [{ step: 'backup', time: end, exitCode, message }],
  };
}

describe('retry policy', () => {
  it('retries transient failures 10 and 40 minutes later, then gives up', () => {
    const first = nextRetry(policy, 1, start, end)!;
    expect(first).toEqual({
      attempt: 2,
      at: '2026-03-01T02:13:00.000Z',
      windowEndsAt: '2026-03-01T04:00:00.000Z',
    });
    const second = nextRetry(policy, 2, at(first.at), at('2026-03-01T02:15:00Z'), first)!;
    expect(second).toEqual({ attempt: 3, at: '2026-03-01T02:55:00.000Z', windowEndsAt: first.windowEndsAt });
    expect(nextRetry(policy, 3, at(second.at), at('2026-03-01T03:00:00Z'), second)).toBeUndefined();
  });

  it('gives up when the next attempt would start after the window', () => {
    const first = nextRetry(policy, 1, start, at('2026-03-01T03:55:00Z'));
    expect(first).toBeUndefined();
  });

  it('does not retry usage errors, a missing repository, a wrong password or a missing admin key', () => {
    for (const code of [2, 10, 12, 13]) expect(isRetryable(code)).toBe(false);
    for (const code of [1, 11, null]) expect(isRetryable(code)).toBe(true);
  });
});

describe('after a backup run', () => {
  it('a transient failure schedules a retry and tells nobody yet', () => {
    const { state, notices } = applyBackupReport('documents', base, failed(1), { attempt: 1, policy });
    expect(state.retry?.attempt).toBe(2);
    expect(state.lastAttempt).toBe(start.toISOString());
    expect(state.lastFailure).toMatchObject({ step: 'backup', exitCode: 1 });
    expect(state.running).toBeUndefined();
    expect(notices).toEqual([]);
  });

  it('the last attempt failing sends one failure notice, with how many attempts were made', () => {
    const retry = { attempt: 3, at: '2026-03-01T02:55:00.000Z', windowEndsAt: '2026-03-01T04:00:00.000Z' };
    const { state, notices } = applyBackupReport('documents', { ...base, retry }, failed(1), {
      attempt: 3,
      retry,
      policy,
    });
    expect(state.retry).toBeUndefined();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      kind: 'failure',
      job: 'documents',
      attempts: 3,
      failure: { exitCode: 1 },
    });
  });

  it('a wrong password is not retried: the notice goes out at once', () => {
    const { state, notices } = applyBackupReport('documents', base, failed(12, 'wrong password'), {
      attempt: 1,
      policy,
    });
    expect(state.retry).toBeUndefined();
    expect(notices.map((n) => n.kind)).toEqual(['failure']);
  });

  it('a success records the snapshot, the check, the prune and the size, and ends the overdue episode', () => {
    const before: JobState = {
      ...base,
      overdueNotifiedAt: '2026-02-28T00:00:00.000Z',
      retry: { attempt: 2, at: '2026-03-01T02:13:00.000Z', windowEndsAt: '2026-03-01T04:00:00.000Z' },
    };
    const report: BackupRunReport = {
      startedAt: start,
      finishedAt: end,
      interrupted: false,
      failures: [],
      backup: {
        snapshot: 'abcdef0123456789',
        bytesAdded: 1000,
        filesNew: 3,
        filesChanged: 1,
        incomplete: false,
        time: end,
      },
      retention: { summary: 'removed 1 snapshot; prune deleted 2 packs', pruned: true, time: end },
      check: { ok: false, summary: '1 error found: pack damaged', time: end },
      size: { bytes: 123456, objects: 42, time: end },
    };
    const { state, notices } = applyBackupReport('documents', before, report, { attempt: 2, policy });
    expect(state).toMatchObject({
      lastAttempt: start.toISOString(),
      lastSuccess: {
        snapshot: 'abcdef0123456789',
        bytesAdded: 1000,
        filesNew: 3,
        filesChanged: 1,
        time: end.toISOString(),
      },
      lastCheck: { ok: false, summary: '1 error found: pack damaged' },
      lastPrune: { time: end.toISOString() },
      repositorySize: { bytes: 123456, objects: 42 },
    });
    expect(state.overdueNotifiedAt).toBeUndefined();
    expect(state.retry).toBeUndefined();
    expect(notices.map((n) => n.kind)).toEqual(['success', 'check-failed']);
  });

  it('a forget failing after a good backup is told, and recorded as the last failure', () => {
    const report: BackupRunReport = {
      startedAt: start,
      finishedAt: end,
      interrupted: false,
      failures: [{ step: 'forget', time: end, exitCode: 11, message: 'the repository is locked by prune' }],
      backup: {
        snapshot: 'abcdef01',
        bytesAdded: 0,
        filesNew: 0,
        filesChanged: 0,
        incomplete: false,
        time: end,
      },
    };
    const { state, notices } = applyBackupReport('documents', base, report, { attempt: 1, policy });
    expect(state.lastFailure).toMatchObject({ step: 'forget', exitCode: 11 });
    expect(notices.map((n) => n.kind)).toEqual(['success', 'failure']);
  });

  it('an interrupted backup (shutdown) is no attempt: the run stays due', () => {
    const report: BackupRunReport = { startedAt: start, finishedAt: end, interrupted: true, failures: [] };
    const { state, notices } = applyBackupReport('documents', base, report, { attempt: 1, policy });
    expect(state).toEqual({ firstSeen: base.firstSeen });
    expect(notices).toEqual([]);
  });
});

describe('after a drill', () => {
  it('records a passed drill and a failed one, telling only about the failure', () => {
    const passed = applyDrillReport('documents', base, {
      startedAt: start,
      interrupted: false,
      verdict: { ok: true, summary: 'restored 5% in 3 min', time: end },
    });
    expect(passed.state).toMatchObject({
      lastDrillAttempt: start.toISOString(),
      lastPassedDrill: end.toISOString(),
    });
    expect(passed.notices).toEqual([]);
    const failedDrill = applyDrillReport('documents', passed.state, {
      startedAt: start,
      interrupted: false,
      verdict: { ok: false, summary: 'RTO of 4h missed', time: end },
    });
    expect(failedDrill.state.lastDrill).toMatchObject({ passed: false });
    expect(failedDrill.notices).toMatchObject([{ kind: 'drill-failed', summary: 'RTO of 4h missed' }]);
  });
});

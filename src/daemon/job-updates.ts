// How a finished run changes a job's state, and which notices it calls for: pure functions, so the
// rules (retry or give up, clear the overdue episode, record the check) are tested without processes.

import type { DaemonNotice } from './notices.js';
import { isRetryable, nextRetry, type RetryPolicy } from './retry-policy.js';
import type { BackupRunReport, DrillRunReport, StepFailure } from './run-job.js';
import type { BackupRecord, FailureRecord, JobState, RetryRecord } from './state-types.js';

export interface Update {
  readonly state: JobState;
  readonly notices: readonly DaemonNotice[];
}

export interface AttemptInfo {
  /** 1 for a scheduled run, 2 and up for retries. */
  readonly attempt: number;
  /** The retry record this attempt came from. */
  readonly retry?: RetryRecord;
  readonly policy: RetryPolicy;
}

export function applyBackupReport(
  job: string,
  before: JobState,
  report: BackupRunReport,
  attempt: AttemptInfo,
): Update {
  const { running: _running, ...state } = before;
  // A shutdown mid-backup is no attempt: the run stays due, and happens (once) after the restart.
  if (report.interrupted) return { state, notices: [] };
  const notices: DaemonNotice[] = [];
  const lastFailure = report.failures.at(-1);
  const failureRecord = lastFailure && toRecord(lastFailure);
  if (!report.backup) {
    const failed = report.failures[0]!;
    const retry = isRetryable(failed.exitCode)
      ? nextRetry(attempt.policy, attempt.attempt, report.startedAt, report.finishedAt, attempt.retry)
      : undefined;
    if (!retry) {
      notices.push({
        kind: 'failure',
        job,
        time: report.finishedAt,
        failure: toRecord(failed),
        attempts: attempt.attempt,
        ...(state.lastSuccess ? { lastSuccess: state.lastSuccess } : {}),
      });
    }
    return {
      state: { ...state, lastAttempt: report.startedAt.toISOString(), lastFailure: toRecord(failed), retry },
      notices,
    };
  }
  const b = report.backup;
  const lastSuccess: BackupRecord = {
    time: b.time.toISOString(),
    snapshot: b.snapshot,
    bytesAdded: b.bytesAdded,
    filesNew: b.filesNew,
    filesChanged: b.filesChanged,
    ...(b.incomplete ? { incomplete: true } : {}),
  };
  notices.push({
    kind: 'success',
    job,
    time: b.time,
    backup: lastSuccess,
    durationMs: b.time.getTime() - report.startedAt.getTime(),
  });
  if (b.incomplete) {
    notices.push({
      kind: 'failure',
      job,
      time: b.time,
      attempts: attempt.attempt,
      failure: {
        time: lastSuccess.time,
        step: 'backup',
        exitCode: 3,
        message: `some files could not be read and are missing from snapshot ${b.snapshot.slice(0, 8)} (the coffer log names them)`,
      },
      lastSuccess,
    });
  }
  for (const f of report.failures) {
    notices.push({ kind: 'failure', job, time: f.time, failure: toRecord(f), attempts: 1, lastSuccess });
  }
  if (report.check && !report.check.ok) {
    notices.push({ kind: 'check-failed', job, time: report.check.time, summary: report.check.summary });
  }
  return {
    state: {
      ...state,
      lastAttempt: report.startedAt.toISOString(),
      lastSuccess,
      ...(failureRecord ? { lastFailure: failureRecord } : {}),
      retry: undefined,
      overdueNotifiedAt: undefined,
      ...(report.check
        ? {
            lastCheck: {
              time: report.check.time.toISOString(),
              ok: report.check.ok,
              summary: report.check.summary,
            },
          }
        : {}),
      ...(report.retention?.pruned
        ? { lastPrune: { time: report.retention.time.toISOString(), summary: report.retention.summary } }
        : {}),
      ...(report.size
        ? {
            repositorySize: {
              time: report.size.time.toISOString(),
              bytes: report.size.bytes,
              objects: report.size.objects,
            },
          }
        : {}),
    },
    notices,
  };
}

export function applyDrillReport(job: string, before: JobState, report: DrillRunReport): Update {
  const { running: _running, ...state } = before;
  if (report.interrupted) return { state, notices: [] };
  const attempted = { ...state, lastDrillAttempt: report.startedAt.toISOString() };
  if (report.failure) {
    const failure = toRecord(report.failure);
    return {
      state: { ...attempted, lastFailure: failure },
      notices: [
        {
          kind: 'drill-failed',
          job,
          time: report.failure.time,
          summary: `the drill could not run: ${failure.message}`,
        },
      ],
    };
  }
  const v = report.verdict!;
  const time = v.time.toISOString();
  return {
    state: {
      ...attempted,
      lastDrill: { time, passed: v.ok, summary: v.summary },
      ...(v.ok ? { lastPassedDrill: time, drillReminderAt: undefined } : {}),
    },
    notices: v.ok ? [] : [{ kind: 'drill-failed', job, time: v.time, summary: v.summary }],
  };
}

function toRecord(f: StepFailure): FailureRecord {
  return { time: f.time.toISOString(), step: f.step, message: f.message, exitCode: f.exitCode };
}

// `coffer status`, computed: for each job, from the config and the state file alone (so it answers even
// when the repository cannot be reached), what was last done, what is wrong, and what comes next.

import type { JobConfig } from '../config/index.js';
import { formatBytes } from '../ui/index.js';
import { formatLocalTime } from '../ui/index.js';
import { drillDueAt, isDrillDue, isOverdue, nextRunAfter, overdueAt, plannedBackup } from './scheduler.js';
import type {
  BackupRecord,
  CheckRecord,
  DrillRecord,
  FailureRecord,
  JobState,
  SizeRecord,
} from './state-types.js';

/** The word status leads with: OK, or the most pressing trouble. */
export type JobCondition = 'ok' | 'failing' | 'overdue' | 'drill-due' | 'not-started';

export interface JobStatus {
  readonly job: string;
  readonly condition: JobCondition;
  /** "documents: OK, last backup Sun 3 May 2026 02:04 BST"; what the digest lists. */
  readonly headline: string;
  /** Each thing that makes `coffer status` exit 1, in words. */
  readonly problems: readonly string[];
  /** Worth knowing, not worth an alarm. */
  readonly notes: readonly string[];
  readonly schedule: { readonly cron: string; readonly timezone: string };
  readonly lastSuccess?: BackupRecord;
  readonly lastFailure?: FailureRecord;
  /** The last failure is newer than the last success. */
  readonly failing: boolean;
  readonly running?: { readonly since: string; readonly step: string };
  readonly nextRun?: string;
  readonly overdue: boolean;
  readonly overdueAt?: string;
  readonly repositorySize?: SizeRecord;
  readonly lastCheck?: CheckRecord;
  readonly lastDrill?: DrillRecord;
  readonly drillDue: boolean;
  readonly drillDueAt?: string;
}

export interface DescribeOptions {
  /** The daemon is running: its planned next run (in the state) is to be believed. */
  readonly daemonRunning?: boolean;
}

export function describeJob(
  job: JobConfig,
  state: JobState | undefined,
  now: Date,
  opts: DescribeOptions = {},
): JobStatus {
  const js = state ?? {};
  const tz = job.schedule.timezone;
  const when = (t: string | Date): string => formatLocalTime(t, tz);
  const problems: string[] = [];
  const notes: string[] = [];
  const started = js.firstSeen !== undefined;
  if (!started) {
    problems.push(
      'the daemon has not run this job yet: start it (systemctl enable --now coffer) or run "coffer daemon --once" from cron',
    );
  }
  const failing =
    js.lastFailure !== undefined && (!js.lastSuccess || js.lastFailure.time > js.lastSuccess.time);
  if (failing) {
    const f = js.lastFailure!;
    problems.push(`the last ${f.step} failed (${when(f.time)}): ${f.message}`);
  }
  const overdue = isOverdue(job, js, now);
  const due = overdueAt(job, js);
  if (overdue) {
    problems.push(
      js.lastSuccess
        ? `OVERDUE: no successful backup since ${when(js.lastSuccess.time)} (one was due by ${when(due!)})`
        : `OVERDUE: no successful backup yet (one was due by ${when(due!)})`,
    );
  }
  if (js.lastCheck && !js.lastCheck.ok) {
    problems.push(
      `the last check (${when(js.lastCheck.time)}) found damage: ${js.lastCheck.summary}; run "coffer check --job ${job.name}" for what to do`,
    );
  }
  const drillFailed =
    js.lastDrill !== undefined &&
    !js.lastDrill.passed &&
    (!js.lastPassedDrill || js.lastDrill.time > js.lastPassedDrill);
  if (drillFailed)
    problems.push(`the last drill (${when(js.lastDrill!.time)}) did not pass: ${js.lastDrill!.summary}`);
  const drillDue = started && isDrillDue(job, js, now);
  const drillAt = drillDueAt(job, js);
  if (drillDue) {
    problems.push(
      `a disaster-recovery drill is due (${js.lastPassedDrill ? `the last passed on ${when(js.lastPassedDrill)}` : 'none has passed yet'}): run "coffer drill run --job ${job.name}"`,
    );
  }
  if (js.lastSuccess?.incomplete)
    notes.push('some files could not be read in the last backup (see the daemon log)');

  const nextRun = nextRunOf(job, js, now, opts);
  const condition: JobCondition = !started
    ? 'not-started'
    : failing || (js.lastCheck && !js.lastCheck.ok) || drillFailed
      ? 'failing'
      : overdue
        ? 'overdue'
        : drillDue
          ? 'drill-due'
          : 'ok';
  const last = js.lastSuccess ? `last backup ${when(js.lastSuccess.time)}` : 'no backup yet';
  return {
    job: job.name,
    condition,
    headline: `${job.name}: ${CONDITION_WORDS[condition]}, ${last}${js.repositorySize ? `, repository ${formatBytes(js.repositorySize.bytes)}` : ''}`,
    problems,
    notes,
    schedule: { cron: job.schedule.cron, timezone: tz },
    ...(js.lastSuccess ? { lastSuccess: js.lastSuccess } : {}),
    ...(js.lastFailure ? { lastFailure: js.lastFailure } : {}),
    failing,
    ...(js.running && opts.daemonRunning ? { running: js.running } : {}),
    ...(nextRun ? { nextRun: nextRun.toISOString() } : {}),
    overdue,
    ...(due ? { overdueAt: due.toISOString() } : {}),
    ...(js.repositorySize ? { repositorySize: js.repositorySize } : {}),
    ...(js.lastCheck ? { lastCheck: js.lastCheck } : {}),
    ...(js.lastDrill ? { lastDrill: js.lastDrill } : {}),
    drillDue,
    ...(drillAt ? { drillDueAt: drillAt.toISOString() } : {}),
  };
}

export const CONDITION_WORDS: Readonly<Record<JobCondition, string>> = {
  ok: 'OK',
  failing: 'FAILING',
  overdue: 'OVERDUE',
  'drill-due': 'DRILL DUE',
  'not-started': 'NOT STARTED',
};

function nextRunOf(job: JobConfig, js: JobState, now: Date, opts: DescribeOptions): Date | undefined {
  if (opts.daemonRunning && js.nextRun) return new Date(js.nextRun);
  // Without a daemon, what one would do if started now (a missed run would be caught up at once).
  const planned = plannedBackup(job, js, { now, startedAt: now, catchUpDelayMs: 0 });
  return planned?.at ?? nextRunAfter(job.schedule, now);
}

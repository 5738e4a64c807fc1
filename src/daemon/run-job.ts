// One scheduled run of a job: backup, then forget by the retention policy (with prune when a prune time
// has passed), then the configured check, then a measure of the repository's size. Each step is a
// child process; this returns a plain report and leaves state and notifications to the daemon.

import type { JobConfig } from '../config/index.js';
import { formatBytes } from '../ui/index.js';
import type { DaemonLog } from './log.js';
import type { RepositorySize } from './repository-size.js';
import type { JobStep } from './state-types.js';
import { backupArgs, checkArgs, drillArgs, forgetArgs } from './step-args.js';
import {
  backupSummary,
  backupWarnings,
  checkVerdict,
  drillVerdict,
  forgetSummary,
  plural,
  type BackupSummary,
  type Verdict,
} from './step-outcomes.js';
import { runStep, type CofferInvocation, type StepResult } from './step-runner.js';

const MAX_LOGGED_WARNINGS = 100;

export interface RunContext {
  readonly coffer: CofferInvocation;
  readonly configPath: string;
  readonly env: NodeJS.ProcessEnv;
  /** Aborted when the daemon stops: the running step gets SIGTERM. */
  readonly signal: AbortSignal;
  readonly stopTimeoutMs: number;
  readonly log: DaemonLog;
  readonly now: () => Date;
  /** Sums the repository's object sizes (injected so tests can count calls). */
  readonly measure: (job: JobConfig, signal: AbortSignal) => Promise<RepositorySize>;
  /** Told as each step starts, so the state can show what is running. */
  readonly onStep?: (step: JobStep) => Promise<void> | void;
}

export interface StepFailure {
  readonly step: JobStep;
  readonly time: Date;
  readonly exitCode: number | null;
  readonly message: string;
}

export interface BackupRunReport {
  readonly startedAt: Date;
  readonly finishedAt: Date;
  /** The backup was stopped by a shutdown before it finished: not an attempt, not a failure. */
  readonly interrupted: boolean;
  /** Set when the backup wrote a snapshot. */
  readonly backup?: BackupSummary & { readonly time: Date };
  /** The backup's own failure, or those of the steps after it, in order. */
  readonly failures: readonly StepFailure[];
  readonly retention?: { readonly summary: string; readonly pruned: boolean; readonly time: Date };
  readonly check?: Verdict & { readonly time: Date };
  readonly size?: RepositorySize & { readonly time: Date };
}

export async function runBackupJob(
  job: JobConfig,
  prune: boolean,
  ctx: RunContext,
): Promise<BackupRunReport> {
  const startedAt = ctx.now();
  const failures: StepFailure[] = [];
  const report = (rest: Partial<BackupRunReport>): BackupRunReport => ({
    startedAt,
    finishedAt: ctx.now(),
    interrupted: false,
    failures,
    ...rest,
  });

  const backupStep = await step(ctx, job, 'backup', backupArgs(ctx.configPath, job));
  if (backupStep.stopped || backupStep.exitCode === 130) return report({ interrupted: true });
  logWarnings(ctx, job, backupWarnings(backupStep));
  const summary =
    backupStep.exitCode === 0 || backupStep.exitCode === 3 ? backupSummary(backupStep) : undefined;
  if (!summary) {
    failures.push(failure('backup', ctx, backupStep));
    return report({});
  }
  const backup = { ...summary, time: ctx.now() };
  ctx.log.info(
    `job ${job.name}: backup saved snapshot ${summary.snapshot.slice(0, 8)} (${plural(summary.filesNew, 'new file')}, ${summary.filesChanged} changed, ${formatBytes(summary.bytesAdded)} added)`,
  );
  if (summary.incomplete)
    ctx.log.warn(
      `job ${job.name}: some files could not be read; they are missing from snapshot ${summary.snapshot.slice(0, 8)}`,
    );

  let retention: BackupRunReport['retention'];
  if (job.retention && !ctx.signal.aborted) {
    const forgetStep = await step(
      ctx,
      job,
      prune ? 'prune' : 'forget',
      forgetArgs(ctx.configPath, job, prune),
    );
    const result = forgetStep.exitCode === 0 ? forgetSummary(forgetStep) : undefined;
    if (result) {
      retention = { ...result, time: ctx.now() };
      ctx.log.info(`job ${job.name}: ${result.summary}`);
    } else if (!forgetStep.stopped) failures.push(failure(prune ? 'prune' : 'forget', ctx, forgetStep));
  }

  let check: BackupRunReport['check'];
  if (job.check?.afterBackup && !ctx.signal.aborted) {
    const checkStep = await step(ctx, job, 'check', checkArgs(ctx.configPath, job));
    const verdict = checkVerdict(checkStep);
    if (verdict && !checkStep.stopped) {
      check = { ...verdict, time: ctx.now() };
      if (verdict.ok) ctx.log.info(`job ${job.name}: check passed: ${verdict.summary}`);
      else ctx.log.error(`job ${job.name}: check found the repository damaged: ${verdict.summary}`);
    } else if (!checkStep.stopped) failures.push(failure('check', ctx, checkStep));
  }

  let size: BackupRunReport['size'];
  if (!ctx.signal.aborted) {
    try {
      await ctx.onStep?.('size');
      size = { ...(await ctx.measure(job, ctx.signal)), time: ctx.now() };
    } catch (err) {
      // The size is a convenience for status; not being able to list is not worth a failure notice.
      ctx.log.warn(`job ${job.name}: could not measure the repository: ${(err as Error).message}`);
    }
  }
  return report({ backup, retention, check, size });
}

export interface DrillRunReport {
  readonly startedAt: Date;
  readonly interrupted: boolean;
  readonly verdict?: Verdict & { readonly time: Date };
  readonly failure?: StepFailure;
}

/** A scheduled sample drill: `coffer drill run --job NAME [--sample N%] --json`. */
export async function runDrillJob(job: JobConfig, ctx: RunContext): Promise<DrillRunReport> {
  const startedAt = ctx.now();
  const result = await step(ctx, job, 'drill', drillArgs(ctx.configPath, job));
  if (result.stopped || result.exitCode === 130) return { startedAt, interrupted: true };
  const verdict = drillVerdict(result);
  if (verdict) return { startedAt, interrupted: false, verdict: { ...verdict, time: ctx.now() } };
  return { startedAt, interrupted: false, failure: failure('drill', ctx, result) };
}

async function step(
  ctx: RunContext,
  job: JobConfig,
  name: JobStep,
  args: readonly string[],
): Promise<StepResult> {
  await ctx.onStep?.(name);
  const result = await runStep(ctx.coffer, args, {
    env: ctx.env,
    signal: ctx.signal,
    stopTimeoutMs: ctx.stopTimeoutMs,
    onStart: (pid) => ctx.log.info(`job ${job.name}: ${name} started (pid ${pid})`),
  });
  if (result.stopped) {
    ctx.log.warn(
      `job ${job.name}: ${name} stopped because coffer is shutting down${result.killed ? ' (it did not stop in time and was killed; the repository stays consistent)' : ''}`,
    );
  }
  return result;
}

/** The log names the files a backup could not read (notifications point there); a flood is cut short. */
function logWarnings(ctx: RunContext, job: JobConfig, warnings: readonly string[]): void {
  for (const w of warnings.slice(0, MAX_LOGGED_WARNINGS)) ctx.log.warn(`job ${job.name}: ${w}`);
  if (warnings.length > MAX_LOGGED_WARNINGS)
    ctx.log.warn(
      `job ${job.name}: and ${warnings.length - MAX_LOGGED_WARNINGS} more warnings (run the backup by hand to see them all)`,
    );
}

function failure(stepName: JobStep, ctx: RunContext, result: StepResult): StepFailure {
  return { step: stepName, time: ctx.now(), exitCode: result.exitCode, message: result.message };
}

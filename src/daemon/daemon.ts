// The daemon: sleeps until the earliest due run, runs due jobs one at a time (each step a child process),
// records what happened, and tells people what they need to know. SIGTERM/SIGINT (the `signal`) stop it
// taking new work and stop a running step cleanly; reload() (SIGHUP) re-reads the config.

import type { CofferConfig, JobConfig } from '../config/index.js';
import { systemClock, type Clock } from './clock.js';
import { formatLocalTime } from '../ui/index.js';
import { housekeeping } from './housekeeping.js';
import { applyBackupReport, applyDrillReport, type Update } from './job-updates.js';
import type { DaemonLog } from './log.js';
import type { DaemonNotice, Notifier } from './notices.js';
import { acquirePidLock } from './pid-lock.js';
import { measureRepository, type RepositorySize } from './repository-size.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
import { runBackupJob, runDrillJob, type RunContext } from './run-job.js';
import {
  catchUpDelayMs,
  isPruneDue,
  plannedBackup,
  plannedDrill,
  type PlannedRun,
  type Timing,
} from './scheduler.js';
import { readState, updateState } from './state.js';
import type { DaemonState, JobState } from './state-types.js';
import type { CofferInvocation } from './step-runner.js';

/** How long a stopping step may take before it is killed; the systemd unit's TimeoutStopSec is above it. */
export const DEFAULT_STOP_TIMEOUT_MS = 60_000;
/** The longest random delay before a catch-up run. */
export const DEFAULT_CATCH_UP_MAX_DELAY_MS = 5 * 60_000;
const HOUSEKEEPING_EVERY_MS = 3_600_000;
// Waking at least this often keeps the daemon right after a suspend or a change of the system clock.
const MAX_SLEEP_MS = 5 * 60_000;

export interface DaemonOptions {
  readonly configPath: string;
  readonly loadConfig: (path: string) => Promise<CofferConfig>;
  readonly coffer: CofferInvocation;
  readonly env: NodeJS.ProcessEnv;
  readonly log: DaemonLog;
  readonly notify: Notifier;
  /** Aborted by SIGTERM/SIGINT: stop. */
  readonly signal: AbortSignal;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly catchUpMaxDelayMs?: number;
  readonly stopTimeoutMs?: number;
  readonly retryPolicy?: RetryPolicy;
  readonly measure?: (job: JobConfig, signal: AbortSignal) => Promise<RepositorySize>;
}

interface DueWork {
  readonly job: JobConfig;
  readonly kind: 'backup' | 'drill';
  readonly planned: PlannedRun;
}

export interface OnceResult {
  readonly ran: number;
  readonly failed: number;
}

export class Daemon {
  readonly #opts: DaemonOptions;
  readonly #clock: Clock;
  readonly #catchUpDelays = new Map<string, number>();
  #config!: CofferConfig;
  #stateDir!: string;
  #startedAt!: Date;
  #once = false;
  #reloadRequested = false;
  #wake = new AbortController();

  constructor(opts: DaemonOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    opts.signal.addEventListener('abort', () => this.#wake.abort(), { once: true });
  }

  /** SIGHUP: re-read the config before the next decision (a running job finishes first). */
  reload(): void {
    this.#reloadRequested = true;
    this.#wake.abort();
  }

  /** Runs until the signal aborts. Throws ConfigError for an invalid config, DaemonAlreadyRunningError (11). */
  async run(): Promise<void> {
    await this.#withLock(async () => {
      this.#log.info(`coffer daemon started (pid ${process.pid}) with ${this.#describeJobs()}`);
      await this.#housekeeping(this.#dueSoon(await this.#state()));
      let nextHousekeeping = this.#now().getTime() + HOUSEKEEPING_EVERY_MS;
      while (!this.#stopping) {
        // A reload() from here on wakes the sleep below.
        this.#wake = new AbortController();
        if (this.#reloadRequested) await this.#reload();
        const state = await this.#state();
        const work = this.#plan(state);
        await this.#recordNextRuns(state, work);
        const now = this.#now().getTime();
        const earliest = Math.min(nextHousekeeping, ...work.map((w) => w.planned.at.getTime()));
        if (earliest > now) {
          await this.#clock.sleep(Math.min(earliest - now, MAX_SLEEP_MS), this.#wake.signal);
          continue;
        }
        for (const item of work.filter((w) => w.planned.at.getTime() <= now)) {
          if (this.#stopping) break;
          await this.#runGuarded(item);
        }
        if (!this.#stopping && this.#now().getTime() >= nextHousekeeping) {
          await this.#housekeeping();
          nextHousekeeping = this.#now().getTime() + HOUSEKEEPING_EVERY_MS;
        }
      }
      this.#log.info('coffer daemon stopped');
    });
  }

  /** `--once`: runs every job that is due now (missed runs included, without delay), then returns. */
  async runOnce(): Promise<OnceResult> {
    this.#once = true;
    let ran = 0;
    let failed = 0;
    await this.#withLock(async () => {
      for (const item of this.#plan(await this.#state())) {
        if (this.#stopping) break;
        if (item.planned.at > this.#now()) continue;
        ran++;
        if (!(await this.#runGuarded(item))) failed++;
      }
      if (!this.#stopping) await this.#housekeeping();
    });
    return { ran, failed };
  }

  get #log(): DaemonLog {
    return this.#opts.log;
  }

  get #stopping(): boolean {
    return this.#opts.signal.aborted;
  }

  #now(): Date {
    return this.#clock.now();
  }

  async #withLock(work: () => Promise<void>): Promise<void> {
    this.#config = await this.#opts.loadConfig(this.#opts.configPath);
    this.#stateDir = this.#config.stateDir;
    const lock = await acquirePidLock(this.#stateDir);
    try {
      this.#startedAt = this.#now();
      await this.#welcomeJobs();
      await work();
    } finally {
      await lock.release();
    }
  }

  /** New jobs get their first-seen time; a `running` mark left by a crash is cleared (the lock proves it stale). */
  async #welcomeJobs(): Promise<void> {
    const now = this.#now().toISOString();
    await this.#update((state) => {
      const jobs = { ...state.jobs };
      for (const job of this.#config.jobs) {
        const { running: _stale, ...js } = jobs[job.name] ?? {};
        jobs[job.name] = js.firstSeen ? js : { ...js, firstSeen: now };
        if (!this.#catchUpDelays.has(job.name)) {
          const delay = this.#once
            ? 0
            : catchUpDelayMs(
                this.#opts.catchUpMaxDelayMs ?? DEFAULT_CATCH_UP_MAX_DELAY_MS,
                this.#opts.random,
              );
          this.#catchUpDelays.set(job.name, delay);
        }
      }
      return { ...state, jobs };
    });
  }

  async #reload(): Promise<void> {
    this.#reloadRequested = false;
    try {
      const config = await this.#opts.loadConfig(this.#opts.configPath);
      if (config.stateDir !== this.#stateDir) {
        this.#log.warn(
          `the new config moves state-dir to ${config.stateDir}; that takes effect when the daemon restarts`,
        );
      }
      this.#config = { ...config, stateDir: this.#stateDir };
      await this.#welcomeJobs();
      this.#log.info(`config reloaded from ${this.#opts.configPath}: ${this.#describeJobs()}`);
    } catch (err) {
      const problems = (err as { problems?: readonly string[] }).problems ?? [(err as Error).message];
      this.#log.error(
        `the config ${this.#opts.configPath} was not reloaded, the daemon keeps the one it had: ${problems.join('; ')}`,
      );
    }
  }

  #timing(job: JobConfig): Timing {
    return {
      now: this.#now(),
      startedAt: this.#startedAt,
      catchUpDelayMs: this.#catchUpDelays.get(job.name) ?? 0,
    };
  }

  /** Every job's next backup and scheduled drill, earliest first. */
  #plan(state: DaemonState): DueWork[] {
    const work: DueWork[] = [];
    for (const job of this.#config.jobs) {
      const js = state.jobs[job.name] ?? {};
      const backup = plannedBackup(job, js, this.#timing(job));
      if (backup) work.push({ job, kind: 'backup', planned: backup });
      const drill = plannedDrill(job, js, this.#timing(job));
      if (drill) work.push({ job, kind: 'drill', planned: drill });
    }
    return work.sort((a, b) => a.planned.at.getTime() - b.planned.at.getTime());
  }

  /** Jobs whose catch-up run starts within the catch-up delay: their overdue notice waits for it. */
  #dueSoon(state: DaemonState): Set<string> {
    const soon =
      this.#now().getTime() + (this.#opts.catchUpMaxDelayMs ?? DEFAULT_CATCH_UP_MAX_DELAY_MS) + 60_000;
    return new Set(
      this.#plan(state)
        .filter((w) => w.kind === 'backup' && w.planned.at.getTime() <= soon)
        .map((w) => w.job.name),
    );
  }

  async #recordNextRuns(state: DaemonState, work: readonly DueWork[]): Promise<void> {
    const next = new Map<string, string>();
    for (const w of work) if (w.kind === 'backup') next.set(w.job.name, w.planned.at.toISOString());
    const changed = this.#config.jobs.filter((j) => state.jobs[j.name]?.nextRun !== next.get(j.name));
    if (changed.length === 0) return;
    for (const job of changed) {
      const w = work.find((x) => x.job === job && x.kind === 'backup');
      if (w)
        this.#log.info(
          `job ${job.name}: next backup ${formatLocalTime(w.planned.at, job.schedule.timezone)}${w.planned.catchUp ? ' (catching up a run missed while the daemon was not running)' : w.planned.retry ? ' (a retry)' : ''}`,
        );
    }
    await this.#update((s) => {
      const jobs = { ...s.jobs };
      for (const job of changed) jobs[job.name] = { ...(jobs[job.name] ?? {}), nextRun: next.get(job.name) };
      return { ...s, jobs };
    });
  }

  /** Runs one piece of work; a bug in the daemon's own code is logged, never fatal. Returns false on failure. */
  async #runGuarded(item: DueWork): Promise<boolean> {
    try {
      return item.kind === 'backup' ? await this.#runBackup(item) : await this.#runDrill(item);
    } catch (err) {
      this.#log.error(
        `job ${item.job.name}: the daemon could not run the ${item.kind}: ${(err as Error).message}`,
      );
      return false;
    }
  }

  async #runBackup({ job, planned }: DueWork): Promise<boolean> {
    const before = (await this.#state()).jobs[job.name] ?? {};
    const policy = this.#opts.retryPolicy ?? DEFAULT_RETRY_POLICY;
    const attempt = planned.retry && before.retry ? before.retry.attempt : 1;
    const prune = isPruneDue(job, before, this.#now());
    this.#log.info(
      `job ${job.name}: run started${planned.catchUp ? ' (catching up a missed run)' : ''}${attempt > 1 ? ` (attempt ${attempt} of ${policy.maxAttempts})` : ''}${prune ? ', with prune' : ''}`,
    );
    const report = await runBackupJob(job, prune, this.#context(job));
    const update = await this.#applyJob(job, (js) =>
      applyBackupReport(job.name, js, report, {
        attempt,
        policy,
        ...(planned.retry && before.retry ? { retry: before.retry } : {}),
      }),
    );
    if (report.interrupted) {
      this.#log.warn(
        `job ${job.name}: the backup was interrupted by the shutdown and wrote no snapshot; it runs again when the daemon starts`,
      );
      return true;
    }
    for (const f of report.failures) {
      this.#log.error(`job ${job.name}: ${f.step} failed (exit ${f.exitCode ?? 'by signal'}): ${f.message}`);
    }
    if (!report.backup && update.state.retry) {
      this.#log.warn(
        `job ${job.name}: will try again ${formatLocalTime(update.state.retry.at, job.schedule.timezone)} (attempt ${update.state.retry.attempt} of ${policy.maxAttempts})`,
      );
    } else if (!report.backup) {
      this.#log.error(
        `job ${job.name}: giving up until the next scheduled run; the people on the notification list are told`,
      );
    }
    return report.failures.length === 0 && (!report.check || report.check.ok);
  }

  async #runDrill({ job }: DueWork): Promise<boolean> {
    this.#log.info(`job ${job.name}: scheduled drill started`);
    const report = await runDrillJob(job, this.#context(job));
    await this.#applyJob(job, (js) => applyDrillReport(job.name, js, report));
    if (report.failure)
      this.#log.error(
        `job ${job.name}: the drill could not run (exit ${report.failure.exitCode ?? 'by signal'}): ${report.failure.message}`,
      );
    else if (report.verdict?.ok) this.#log.info(`job ${job.name}: drill passed: ${report.verdict.summary}`);
    else if (report.verdict)
      this.#log.error(`job ${job.name}: drill did not pass: ${report.verdict.summary}`);
    return !report.failure && report.verdict?.ok !== false;
  }

  #context(job: JobConfig): RunContext {
    return {
      coffer: this.#opts.coffer,
      configPath: this.#opts.configPath,
      env: { ...this.#opts.env, NO_COLOR: '1' },
      signal: this.#opts.signal,
      stopTimeoutMs: this.#opts.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS,
      log: this.#log,
      now: () => this.#now(),
      measure: this.#opts.measure ?? ((j, signal) => measureRepository(j, this.#opts.env, signal)),
      onStep: async (step) => {
        const since = this.#now().toISOString();
        await this.#update((s) => ({
          ...s,
          jobs: { ...s.jobs, [job.name]: { ...(s.jobs[job.name] ?? {}), running: { since, step } } },
        }));
      },
    };
  }

  async #applyJob(job: JobConfig, change: (js: JobState) => Update): Promise<Update> {
    let update: Update | undefined;
    await this.#update((s) => {
      update = change(s.jobs[job.name] ?? {});
      return { ...s, jobs: { ...s.jobs, [job.name]: update.state } };
    });
    await this.#send(update!.notices);
    return update!;
  }

  async #housekeeping(runSoon?: ReadonlySet<string>): Promise<void> {
    let notices: readonly DaemonNotice[] = [];
    await this.#update((s) => {
      const result = housekeeping(this.#config, s, this.#now(), runSoon);
      notices = result.notices;
      return result.state;
    });
    for (const n of notices) {
      if (n.kind === 'overdue') {
        const since = n.lastSuccess
          ? `since ${formatLocalTime(n.lastSuccess.time, this.#zoneOf(n.job))}`
          : 'yet';
        this.#log.error(`job ${n.job}: OVERDUE: no successful backup ${since}`);
      }
      if (n.kind === 'drill-due') this.#log.warn(`job ${n.job}: a disaster-recovery drill is due`);
    }
    await this.#send(notices);
  }

  #zoneOf(job: string): string {
    return this.#config.jobs.find((j) => j.name === job)?.schedule.timezone ?? 'UTC';
  }

  async #send(notices: readonly DaemonNotice[]): Promise<void> {
    for (const notice of notices) {
      try {
        await this.#opts.notify(this.#config, notice);
      } catch (err) {
        this.#log.error(`could not send the ${notice.kind} notification: ${(err as Error).message}`);
      }
    }
  }

  #state(): Promise<DaemonState> {
    return readState(this.#stateDir, this.#log);
  }

  async #update(change: (s: DaemonState) => DaemonState): Promise<DaemonState> {
    try {
      return await updateState(this.#stateDir, change, { log: this.#log, now: () => this.#now() });
    } catch (err) {
      // A full disk must not stop the backups; the state catches up on the next successful write.
      this.#log.error(`could not write the state file in ${this.#stateDir}: ${(err as Error).message}`);
      return change(await this.#state());
    }
  }

  #describeJobs(): string {
    const jobs = this.#config.jobs.map((j) => `${j.name} (${j.schedule.cron}, ${j.schedule.timezone})`);
    return jobs.length === 0
      ? 'no jobs'
      : `${jobs.length} job${jobs.length === 1 ? '' : 's'}: ${jobs.join(', ')}`;
  }
}

// coffer status [--job NAME] [--json]: when was the last good backup, what failed, what is next, and
// whether anything needs attention. Reads only the config and the daemon's state file, so it answers
// even when the repository cannot be reached; exit 1 when anything needs attention (for monitoring).

import type { Command } from 'commander';
import {
  describeJob,
  readState,
  runningDaemonPid,
  stateFilePath,
  CONDITION_WORDS,
  type JobStatus,
} from '../../src/daemon/index.js';
import { formatBytes, formatLocalTime, relativeTime } from '../../src/ui/index.js';
import { configFor, globalOptions, jobFor } from '../global-options.js';
import type { CliIo } from '../io.js';
import { printJson, printLine } from '../render.js';

export function register(program: Command, io: CliIo): void {
  program
    .command('status')
    .description(
      'for each job: the last successful backup, the last failure, the next run, whether backups are on schedule, repository size, the last check and drill',
    )
    .addHelpText(
      'after',
      `
Reads only the config file and the daemon's state file: it works when the repository is unreachable.
Use --job NAME for one job, --json for monitoring.
Exit codes: 0 all is well; 1 something needs attention: a backup is OVERDUE (no success within one
schedule period plus the grace), the last run or check failed, a drill did not pass or is due, or the
daemon has not run a job yet; 2 the config file is invalid.`,
    )
    .action(async (_flags: object, self: Command) => {
      const config = await configFor(self, io);
      const only = await jobFor(self, io);
      const jobs = only ? [only] : config.jobs;
      const [state, pid] = await Promise.all([readState(config.stateDir), runningDaemonPid(config.stateDir)]);
      const now = new Date();
      const statuses = jobs.map((job) =>
        describeJob(job, state.jobs[job.name], now, { daemonRunning: pid !== undefined }),
      );
      const ok = statuses.every((s) => s.problems.length === 0);
      if (globalOptions(self).json) {
        printJson(io, {
          ok,
          daemon: pid !== undefined ? { running: true, pid } : { running: false },
          stateFile: stateFilePath(config.stateDir),
          jobs: statuses,
        });
      } else {
        printLine(
          io,
          pid !== undefined
            ? `daemon: running (pid ${pid})`
            : `daemon: not running for ${config.path} (start it with "systemctl start coffer", or run "coffer daemon")`,
        );
        for (const status of statuses) renderJob(io, status, now);
      }
      if (!ok) process.exitCode = 1;
    });
}

function renderJob(io: CliIo, s: JobStatus, now: Date): void {
  const tz = s.schedule.timezone;
  const when = (t: string): string => `${formatLocalTime(t, tz)} (${relativeTime(t, now)})`;
  const row = (label: string, value: string): void => printLine(io, `  ${`${label}:`.padEnd(16)}${value}`);
  printLine(io);
  printLine(io, `${s.job}: ${CONDITION_WORDS[s.condition]}`);
  const b = s.lastSuccess;
  row(
    'last backup',
    b
      ? `${when(b.time)}, snapshot ${b.snapshot.slice(0, 8)}, ${formatBytes(b.bytesAdded)} added (${b.filesNew} new file${b.filesNew === 1 ? '' : 's'}, ${b.filesChanged} changed)`
      : 'none yet',
  );
  const f = s.lastFailure;
  row(
    'last failure',
    f
      ? `${when(f.time)}, ${f.step}: ${f.message}${f.exitCode !== null ? ` (exit ${f.exitCode})` : ''}`
      : 'none',
  );
  if (s.running) row('running now', `${s.running.step}, since ${when(s.running.since)}`);
  row(
    'next run',
    s.nextRun ? `${when(s.nextRun)} ("${s.schedule.cron}", ${tz})` : `none ("${s.schedule.cron}", ${tz})`,
  );
  row(
    'on schedule',
    s.overdue
      ? `OVERDUE since ${when(s.overdueAt!)}`
      : s.overdueAt
        ? `yes (overdue if no backup succeeds by ${formatLocalTime(s.overdueAt, tz)})`
        : 'not yet known',
  );
  const size = s.repositorySize;
  row(
    'repository',
    size
      ? `${formatBytes(size.bytes)} in ${size.objects} objects, measured ${when(size.time)}`
      : 'not measured yet',
  );
  const c = s.lastCheck;
  row('last check', c ? `${c.ok ? 'passed' : 'DAMAGE FOUND'}, ${when(c.time)}: ${c.summary}` : 'none yet');
  const d = s.lastDrill;
  const drill = d ? `${d.passed ? 'passed' : 'DID NOT PASS'}, ${when(d.time)}: ${d.summary}` : 'none yet';
  const dueBy = s.drillDueAt
    ? s.drillDue
      ? '; a drill is DUE'
      : `; next due by ${formatLocalTime(s.drillDueAt, tz)}`
    : '';
  row('last drill', `${drill}${dueBy}`);
  for (const note of s.notes) row('note', note);
  for (const problem of s.problems) printLine(io, `  ! ${problem}`);
}

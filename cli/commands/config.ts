// coffer config check | example: validate the config file (jobs and their next runs), or print a commented example.

import type { Command } from 'commander';
import { describeConfig, EXAMPLE_CONFIG, type JobSummary } from '../../src/config/index.js';
import { configFor, globalOptions } from '../global-options.js';
import type { CliIo } from '../io.js';
import { printJson, printLine } from '../render.js';

export function register(program: Command, io: CliIo): void {
  const config = program
    .command('config')
    .description('the config file: check it, or print an example to start from');
  config
    .command('check')
    .description(
      'validate the config file (--config FILE, COFFER_CONFIG, or the default place) and show each job and its next runs; exit 2 if it is invalid',
    )
    .action(async (_opts: object, self: Command) => {
      const summary = await describeConfig(await configFor(self, io));
      if (globalOptions(self).json) return printJson(io, summary);
      for (const w of summary.warnings) io.stderr.write(`coffer: warning: ${w}\n`);
      const jobs = summary.jobs.length;
      printLine(
        io,
        `${summary.path} is valid: ${jobs} job${jobs === 1 ? '' : 's'}, ${summary.notifications.length} notification channel${summary.notifications.length === 1 ? '' : 's'}; state in ${summary.stateDir}`,
      );
      for (const job of summary.jobs) renderJob(io, job);
      if (summary.notifications.length > 0) printLine(io, 'notifications:');
      for (const n of summary.notifications) printLine(io, `  ${n}`);
    });
  config
    .command('example')
    .description(
      'print a commented example config covering every option (save it, chmod 600, edit, then "coffer config check")',
    )
    .action(() => {
      io.stdout.write(EXAMPLE_CONFIG);
    });
}

function renderJob(io: CliIo, job: JobSummary): void {
  const tz = job.schedule.timezone;
  printLine(io, `job ${job.name}: ${job.repository}`);
  printLine(io, `  sources:  ${job.sources.join(', ')}`);
  printLine(io, `  backup:   "${job.schedule.cron}" (${tz}), next ${when(job.schedule.nextRun, tz)}`);
  if (job.prune) printLine(io, `  prune:    "${job.prune.cron}", next ${when(job.prune.nextRun, tz)}`);
  else printLine(io, `  prune:    never`);
  if (job.drill) printLine(io, `  drill:    "${job.drill.cron}", next ${when(job.drill.nextRun, tz)}`);
  printLine(
    io,
    `  after it: ${[job.retention ? 'forget by the retention policy' : 'keep every snapshot', job.check ? 'check' : undefined].filter(Boolean).join(', then ')}`,
  );
  if (job.rto.length > 0) printLine(io, `  RTO:      ${job.rto.join('; ')}`);
}

/** A next run in the job's own time zone: `Sun 29 Nov 2026, 02:00 Europe/London`. */
function when(iso: string | undefined, timeZone: string): string {
  if (!iso) return 'never';
  const local = new Date(iso).toLocaleString('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  return `${local} ${timeZone}`;
}

// coffer drill run | list | report: disaster-recovery drills against the RTOs, their history, the annual report.

import { writeFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import type { RtoTarget } from '../../src/config/index.js';
import { recordDrillInState } from '../../src/daemon/state.js';
import {
  describeDrill,
  drillResultLines,
  drillSummary,
  type DrillScopeRequest,
  listDrills,
  parseRtoDuration,
  type RecordedDrill,
  runDrill,
  saveDrillRecord,
  scopeText,
  wholeSnapshotTarget,
} from '../../src/drill/index.js';
import { gatherReport, renderReport, type ReportFormat } from '../../src/drill/report/index.js';
import { UsageError } from '../../src/errors.js';
import { openRepository, readConfigObject, type Repository } from '../../src/repository/index.js';
import { formatDuration } from '../../src/ui/index.js';
import { audited, auditWarning } from '../audit.js';
import {
  configFor,
  globalOptions,
  jobFor,
  openRepositoryFor,
  passwordFor,
  storageFor,
} from '../global-options.js';
import type { CliIo } from '../io.js';
import { type ProgressCounters, terminalProgress } from '../progress-line.js';
import { printJson, printLine, printTable, shortTime } from '../render.js';

interface RunFlags {
  snapshot: string;
  scope?: 'full';
  sample?: string;
  paths?: string[];
  seed?: string;
  target?: string;
  rto?: string;
  keep?: boolean;
}

interface ReportFlags {
  year?: string;
  format?: ReportFormat;
  output?: string;
}

export function register(program: Command, io: CliIo): void {
  const drill = program
    .command('drill')
    .description(
      'disaster-recovery drills: timed, verified restores into a scratch folder, judged against your recovery time objectives and recorded in the repository',
    );

  drill
    .command('run')
    .description(
      'restore a snapshot into an empty scratch folder, verify every file, time it against the RTOs and record the result (exit 0 passed, 1 failed)',
    )
    .option('--snapshot <id>', 'the snapshot to drill: an id or "latest"', 'latest')
    .addOption(new Option('--scope <scope>', 'restore the whole snapshot (the default)').choices(['full']))
    .option(
      '--sample <percent>',
      'restore a sample of this percentage of the files, e.g. 5%, and estimate the rest',
    )
    .option('--paths <path...>', 'restore only these paths of the snapshot (folders or files)')
    .option('--seed <hex>', 'with --sample: the seed of an earlier sample, to restore the same files again')
    .option('--target <dir>', 'a new or empty folder to restore into (default: a new temporary folder)')
    .option(
      '--rto <duration>',
      "the recovery time objective for the whole snapshot, e.g. 4h or 90min (instead of the job's)",
    )
    .option('--keep', 'leave the restored files in the scratch folder')
    .addHelpText(
      'after',
      '\nWithout --rto the targets come from the job (--job NAME) of the config file. A drill never writes outside\nits scratch folder, and refuses one inside the folders the snapshot was taken from.',
    )
    .action(async (flags: RunFlags, self: Command) => runCommand(flags, self, io));

  drill
    .command('list')
    .description('the drills recorded in the repository, oldest first')
    .action(async (_flags: unknown, self: Command) => listCommand(self, io));

  drill
    .command('report')
    .description(
      'the annual disaster-recovery report for the council: RTOs and achieved times, drills, backup weeks, retention, key holders, checks and open problems',
    )
    .option('--year <year>', 'the year to report on (default: this year)')
    .addOption(
      new Option(
        '--format <format>',
        'html, md (Markdown) or json (default: from the -o file name, else md)',
      ).choices(['html', 'md', 'json']),
    )
    .option('-o, --output <file>', 'write the report to this file instead of standard output')
    .action(async (flags: ReportFlags, self: Command) => reportCommand(flags, self, io));
}

async function runCommand(flags: RunFlags, self: Command, io: CliIo): Promise<void> {
  const json = Boolean(globalOptions(self).json);
  // Everything that can be wrong with the options is said before a password is asked for.
  const scope = scopeFrom(flags);
  const rtoFlag =
    flags.rto === undefined ? undefined : wholeSnapshotTarget(flags.rto, parseRtoDuration(flags.rto));
  const job = await jobFor(self, io);
  const targets: readonly RtoTarget[] = rtoFlag ? [rtoFlag] : (job?.rto ?? []);
  const { repo, openMs } = await openTimed(self, io);

  const progress = terminalProgress(io);
  const counters: ProgressCounters = { filesDone: 0, bytesDone: 0, bytesRead: 0, totalBytes: 0 };
  const drillAndRecord = async (): Promise<RecordedDrill> => {
    const result = await runDrill(repo, {
      snapshot: flags.snapshot,
      scope,
      ...(flags.target !== undefined ? { target: flags.target } : {}),
      keep: Boolean(flags.keep),
      rto: targets,
      openMs,
      signal: io.signal,
      onWarning: auditWarning(io),
      onStage: (stage, planned) => {
        if (stage === 'restore') {
          counters.totalBytes = planned.bytes;
          if (!json) progress.start(counters);
        }
        if (stage === 'finish') progress.stop();
      },
      onBytes: (n) => {
        counters.bytesDone += n;
        counters.bytesRead += n;
      },
      onFileDone: () => {
        counters.filesDone++;
      },
    }).finally(() => progress.stop());
    try {
      return {
        result,
        recordId: await saveDrillRecord(repo, result, { signal: AbortSignal.timeout(60_000) }),
      };
    } catch (err) {
      auditWarning(io)(`the drill could not be recorded in the repository: ${(err as Error).message}`);
      return { result };
    }
  };
  const asked = {
    snapshot: flags.snapshot,
    scope: scope.kind,
    ...(flags.target ? { target: flags.target } : {}),
  };
  const { result, recordId } = await audited(repo, io, 'drill', drillAndRecord, describeDrill(asked));

  if (job) {
    const { stateDir } = await configFor(self, io);
    await recordDrillInState(stateDir, job.name, {
      time: new Date(result.finishedAt),
      passed: result.passed,
      summary: drillSummary(result),
    }).catch((err: Error) =>
      auditWarning(io)(`the drill could not be noted in the state file for "coffer status": ${err.message}`),
    );
  }
  if (json)
    printJson(io, { ...(recordId ? { id: recordId } : {}), summary: drillSummary(result), ...result });
  else for (const line of drillResultLines(result, recordId)) printLine(io, line);
  if (!result.passed) process.exitCode = 1;
}

/** Opens the repository, timing it (key derivation is part of a real recovery) but not a password prompt. */
async function openTimed(self: Command, io: CliIo): Promise<{ repo: Repository; openMs: number }> {
  const storage = await storageFor(self, io);
  const started = performance.now();
  const config = await readConfigObject(storage);
  const asking = performance.now();
  const password = await passwordFor(self, io);
  const askedMs = performance.now() - asking;
  const repo = await openRepository(storage, password, { config });
  const openMs = performance.now() - started - askedMs;
  for (const warning of repo.warnings) io.stderr.write(`coffer: warning: ${warning}\n`);
  return { repo, openMs };
}

function scopeFrom(flags: RunFlags): DrillScopeRequest {
  const given = [flags.scope !== undefined, flags.sample !== undefined, flags.paths !== undefined].filter(
    Boolean,
  );
  if (given.length > 1)
    throw new UsageError('give one of --scope full, --sample N% and --paths P..., not several');
  if (flags.seed !== undefined && flags.sample === undefined)
    throw new UsageError('--seed goes with --sample: it repeats an earlier sample');
  if (flags.sample !== undefined) {
    const m = /^(\d+(?:\.\d+)?)%?$/.exec(flags.sample.trim());
    const percent = m ? Number(m[1]) : NaN;
    if (!(percent > 0 && percent <= 100))
      throw new UsageError(
        `--sample ${flags.sample}: give a percentage of the files above 0 and up to 100, such as 5%`,
      );
    if (flags.seed !== undefined && !/^[0-9a-f]{1,64}$/i.test(flags.seed))
      throw new UsageError(`--seed ${flags.seed}: give the hexadecimal seed an earlier drill printed`);
    return {
      kind: 'sample',
      percent,
      ...(flags.seed !== undefined ? { seed: flags.seed.toLowerCase() } : {}),
    };
  }
  if (flags.paths !== undefined) {
    const relative = flags.paths.filter((p) => !p.startsWith('/'));
    if (relative.length > 0)
      throw new UsageError(
        `--paths ${relative.join(' ')}: give paths as the snapshot holds them, from / ("coffer ls latest" shows them)`,
      );
    return { kind: 'paths', paths: flags.paths };
  }
  return { kind: 'full' };
}

async function listCommand(self: Command, io: CliIo): Promise<void> {
  const repo = await openRepositoryFor(self, io);
  const drills = await listDrills(repo, {
    signal: io.signal,
    onDamaged: (id, err) => io.stderr.write(`coffer: warning: drills/${id}: ${err.message}\n`),
  });
  if (globalOptions(self).json)
    return printJson(
      io,
      drills.map((d) => ({ id: d.id, ...d.drill })),
    );
  if (drills.length === 0) return printLine(io, 'no drills are recorded yet ("coffer drill run" runs one)');
  printTable(
    io,
    ['ID', 'WHEN', 'SNAPSHOT', 'SCOPE', 'TIME', 'RESULT', 'RTO'],
    drills.map(({ id, drill: d }) => [
      id.slice(0, 8),
      shortTime(d.startedAt),
      d.snapshot.id.slice(0, 8),
      scopeText(d.scope),
      formatDuration(d.wallMs),
      d.passed ? 'PASS' : 'FAIL',
      d.targets
        .map(
          (t) =>
            `${t.name} ${t.target}: ${t.achievedMs === undefined ? '?' : formatDuration(t.achievedMs)}${t.basis === 'estimate' ? ' (est.)' : ''} ${t.met ? 'met' : 'NOT MET'}`,
        )
        .join('; '),
    ]),
  );
  const passed = drills.filter((d) => d.drill.passed).length;
  printLine(io, `${drills.length} drill${drills.length === 1 ? '' : 's'}, ${passed} passed`);
}

async function reportCommand(flags: ReportFlags, self: Command, io: CliIo): Promise<void> {
  const year = flags.year === undefined ? undefined : parseYear(flags.year);
  const format = flags.format ?? formatFromName(flags.output) ?? 'md';
  const job = await jobFor(self, io);
  const repo = await openRepositoryFor(self, io);
  const data = await gatherReport(repo, {
    ...(year ? { year } : {}),
    ...(job ? { job } : {}),
    signal: io.signal,
  });
  const text = renderReport(data, format);
  if (flags.output === undefined) {
    io.stdout.write(text);
    return;
  }
  await writeFile(flags.output, text);
  if (!globalOptions(self).json)
    printLine(
      io,
      `the ${data.year} report was written to ${flags.output}: ${data.problems.length === 0 ? 'no open problems' : `${data.problems.length} open problem${data.problems.length === 1 ? '' : 's'}`}`,
    );
}

function parseYear(text: string): number {
  const year = Number(text);
  if (!/^\d{4}$/.test(text) || year < 2000 || year > 2200)
    throw new UsageError(`--year ${text}: give a year such as 2026`);
  return year;
}

function formatFromName(file: string | undefined): ReportFormat | undefined {
  const ext = file?.toLowerCase().match(/\.(html?|md|markdown|json)$/)?.[1];
  if (!ext) return undefined;
  return ext.startsWith('htm') ? 'html' : ext === 'json' ? 'json' : 'md';
}

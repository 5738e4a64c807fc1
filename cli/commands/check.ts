// coffer check [--read-data | --read-data-subset N/M|P%]: is the repository whole, and if not, which
// snapshots and files are affected.

import type { Command } from 'commander';
import {
  type AffectedSnapshot,
  type CheckError,
  type CheckProgress,
  type CheckResult,
  parseSubset,
  runCheck,
} from '../../src/check/index.js';
import { UsageError } from '../../src/errors.js';
import { formatBytes } from '../../src/ui/index.js';
import { globalOptions, openRepositoryFor } from '../global-options.js';
import type { CliIo } from '../io.js';
import { printJson, printLine, shortTime } from '../render.js';
import { describeCheck } from '../../src/audit/index.js';
import { audited } from '../audit.js';

/** How many snapshots, and paths, one error lists before "and N more". */
const LIST_LIMIT = 20;

interface CheckFlags {
  readData?: boolean;
  readDataSubset?: string;
}

export function register(program: Command, io: CliIo): void {
  program
    .command('check')
    .description(
      'check that the repository is whole: key files, snapshots, index, packs and every folder listing; with --read-data also the content of every file',
    )
    .option('--read-data', 'also download, decrypt and verify every pack (reads the whole repository)')
    .option(
      '--read-data-subset <N/M|P%>',
      'verify the content of part of the packs: group N of M (1/4, 2/4, 3/4, 4/4 on four weeks cover everything) or a random P%',
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 no errors, 1 errors were found (each is listed with the snapshots and files it affects).',
    )
    .action(async (flags: CheckFlags, self: Command) => {
      if (flags.readData && flags.readDataSubset !== undefined) {
        throw new UsageError('give either --read-data or --read-data-subset, not both');
      }
      // a mistyped subset is reported before anyone is asked for a password
      if (flags.readDataSubset !== undefined) parseSubset(flags.readDataSubset);
      const json = Boolean(globalOptions(self).json);
      const repo = await openRepositoryFor(self, io);
      const progress = progressLine(io, !json);
      let result: CheckResult;
      try {
        const check = (): Promise<CheckResult> =>
          runCheck(repo, {
            ...(flags.readData ? { readData: 'all' as const } : {}),
            ...(flags.readDataSubset !== undefined ? { readData: { subset: flags.readDataSubset } } : {}),
            signal: io.signal,
            onProgress: progress.update,
          }).finally(() => progress.stop()); // before the audit record, whose warnings need a clear line
        const depth = flags.readData
          ? 'all'
          : flags.readDataSubset
            ? { subset: flags.readDataSubset }
            : 'none';
        result = await audited(repo, io, 'check', check, describeCheck(depth));
      } finally {
        progress.stop();
      }
      if (json) printJson(io, result);
      else render(io, result);
      if (!result.ok) process.exitCode = 1;
    });
}

function render(io: CliIo, result: CheckResult): void {
  result.errors.forEach((error, i) => {
    printLine(io, `error ${i + 1} of ${result.errors.length}: ${error.message}`);
    renderAffected(io, error);
    printLine(io, `  what to do: ${error.advice}`);
    printLine(io);
  });
  for (const note of result.notes) printLine(io, `note: ${note.message}`);
  const c = result.counts;
  const read =
    c.packsRead > 0
      ? `; read ${plural(c.packsRead, 'pack')} whole`
      : '; file contents not read (use --read-data)';
  const records = `, ${plural(c.auditRecords, 'audit record')}${c.drillRecords > 0 ? `, ${plural(c.drillRecords, 'drill record')}` : ''}`;
  printLine(
    io,
    `checked ${plural(c.keys, 'key file')}, ${plural(c.snapshots, 'snapshot')}, ${plural(c.indexFiles, 'index file')}, ${plural(c.packs, 'pack')} (${plural(c.trees, 'folder listing')}, ${plural(c.dataBlobs, 'data blob')})${records}${read}; ${formatBytes(c.bytesRead)} downloaded`,
  );
  printLine(
    io,
    result.ok
      ? 'no errors were found'
      : `${plural(result.errors.length, 'error')} ${result.errors.length === 1 ? 'was' : 'were'} found: the repository is damaged; each error above says what it affects and what to do`,
  );
}

/** Snapshots with the same affected paths are listed together, so 52 weekly snapshots do not repeat a list 52 times. */
function renderAffected(io: CliIo, error: CheckError): void {
  const groups = new Map<string, AffectedSnapshot[]>();
  for (const a of error.affected) {
    const key = JSON.stringify([a.paths, a.files, a.folders]);
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  const shown = [...groups.values()].slice(0, LIST_LIMIT);
  for (const group of shown) {
    const names = group
      .slice(0, LIST_LIMIT)
      .map((a) => `${a.snapshot.slice(0, 8)}${a.time ? ` (${shortTime(a.time)})` : ''}`);
    const more = group.length > LIST_LIMIT ? ` and ${group.length - LIST_LIMIT} more` : '';
    const first = group[0]!;
    if (first.paths.length === 1 && first.paths[0] === '/') {
      printLine(io, `  the whole snapshot: ${names.join(', ')}${more}`);
      continue;
    }
    printLine(io, `  in ${plural(group.length, 'snapshot')}: ${names.join(', ')}${more}`);
    for (const p of first.paths.slice(0, LIST_LIMIT)) printLine(io, `    ${printable(p)}`);
    const rest = first.files + first.folders - Math.min(first.paths.length, LIST_LIMIT);
    if (rest > 0) printLine(io, `    and ${rest} more`);
  }
  if (groups.size > shown.length) {
    printLine(
      io,
      `  and ${groups.size - shown.length} more groups of snapshots (use --json for all of them)`,
    );
  }
}

/** One updating line on a terminal; nothing when output goes to a log or a pipe. */
function progressLine(io: CliIo, enabled: boolean): { update: (p: CheckProgress) => void; stop: () => void } {
  const tty = enabled && Boolean(io.stderr.isTTY);
  let last = 0;
  let shown = false;
  const words: Record<CheckProgress['phase'], string> = {
    keys: 'key files',
    snapshots: 'snapshots',
    index: 'index files',
    packs: 'packs',
    'read-data': 'reading packs',
    trees: 'folder listings',
  };
  return {
    update(p) {
      const now = Date.now();
      if (!tty || now - last < 100) return;
      last = now;
      const of = p.total > 0 ? `${p.done}/${p.total}` : `${p.done}`;
      io.stderr.write(`\r\x1b[2Kchecking ${words[p.phase]}: ${of}`);
      shown = true;
    },
    stop() {
      if (shown) io.stderr.write('\r\x1b[2K');
    },
  };
}

/** Control characters in file names are shown escaped, so a name cannot rewrite the terminal. */
function printable(path: string): string {
  // eslint-disable-next-line no-control-regex
  return path.replace(/[\x00-\x1f\x7f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

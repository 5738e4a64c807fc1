// coffer log: the audit log — who did what to the repository, when, and how it ended.

import type { Command } from 'commander';
import { parseSince, queryAuditLog } from '../../src/audit/index.js';
import type { StoredAuditRecord } from '../../src/repository/index.js';
import { collect, globalOptions, openRepositoryFor } from '../global-options.js';
import type { CliIo } from '../io.js';
import { printJson, printLine, printTable, shortTime } from '../render.js';

interface LogFlags {
  since?: string;
  operation: string[];
}

export function register(program: Command, io: CliIo): void {
  program
    .command('log')
    .description(
      'show the audit log: every backup, restore, dump, check, forget, prune, rewrite, unlock and key change, with who did it, when and how it ended',
    )
    .option(
      '--since <date|duration>',
      'only records from this date (2026-01-31) or this long ago (30d, 12w, 1y)',
    )
    .option(
      '--operation <name>',
      'only this operation, e.g. restore or key-remove (repeatable, or comma separated)',
      collect,
      [],
    )
    .addHelpText(
      'after',
      '\nListings (snapshots, ls, find, versions, diff, key list, log) and dry runs are not recorded.',
    )
    .action(async (flags: LogFlags, self: Command) => {
      const since = flags.since !== undefined ? parseSince(flags.since) : undefined; // before the password
      const operations = flags.operation
        .flatMap((o) => o.split(','))
        .map((o) => o.trim())
        .filter(Boolean);
      const repo = await openRepositoryFor(self, io);
      const log = await queryAuditLog(repo, { ...(since ? { since } : {}), operations, signal: io.signal });
      if (log.damaged.length > 0) {
        for (const d of log.damaged) io.stderr.write(`coffer: warning: audit/${d.id}: ${d.problem}\n`);
        io.stderr.write(
          `coffer: warning: ${log.damaged.length} damaged record${log.damaged.length === 1 ? '' : 's'} skipped (run "coffer check" for the whole repository)\n`,
        );
      }
      if (globalOptions(self).json)
        return printJson(
          io,
          log.records.map((r) => ({ id: r.id, ...r.record })),
        );
      if (log.records.length === 0) return printLine(io, 'no audit records match');
      printTable(
        io,
        ['TIME', 'OPERATION', 'OUTCOME', 'WHO', 'SUMMARY'],
        log.records.map((r) => row(r)),
      );
      printLine(io, `${log.records.length} record${log.records.length === 1 ? '' : 's'}`);
    });
}

function row({ record: r }: StoredAuditRecord): string[] {
  return [
    shortTime(r.time),
    printable(r.operation),
    printable(r.outcome),
    printable(`${r.keyName} (${r.user}@${r.host})`),
    printable(r.summary),
  ];
}

/** Records hold names people chose (keys, files): control characters are shown escaped, never obeyed. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

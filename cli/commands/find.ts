// coffer find PATTERN: where a file appears across snapshots; --deleted: what was lost.

import type { Command } from 'commander';
import { findDeleted, findFiles, openBrowseSession } from '../../src/browse/index.js';
import { UsageError } from '../../src/errors.js';
import { formatBytes } from '../../src/ui/index.js';
import { collect, globalOptions, openRepositoryFor } from '../global-options.js';
import type { CliIo } from '../io.js';
import { printJson, printLine } from '../render.js';
import { shortTime } from '../render.js';

interface FindFlags {
  snapshot: string[];
  ignoreCase?: boolean;
  deleted?: boolean;
  since?: string;
}

export function register(program: Command, io: CliIo): void {
  program
    .command('find')
    .description(
      'find files by name across snapshots (a glob such as "*budget*"), or --deleted: files that are gone',
    )
    .argument('[pattern]', 'a glob on the file name, or on the whole path when it contains /')
    .option('-s, --snapshot <id>', 'search only this snapshot (repeatable)', collect, [])
    .option('-i, --ignore-case', 'match upper and lower case alike')
    .option(
      '--deleted',
      'list files present in an earlier snapshot but not in the latest, newest deletions first',
    )
    .option('--since <date>', 'with --deleted: only deletions after this date (YYYY-MM-DD)')
    .action(async (pattern: string | undefined, flags: FindFlags, self: Command) => {
      const json = Boolean(globalOptions(self).json);
      if (!flags.deleted && !pattern)
        throw new UsageError('give a pattern to find (such as "*minutes*"), or --deleted');
      const since = flags.since ? parseDate(flags.since) : undefined;
      const repo = await openRepositoryFor(self, io);
      const session = await openBrowseSession(repo, { signal: io.signal });
      const snapshots = flags.snapshot.length > 0 ? flags.snapshot.map((s) => session.select(s)) : undefined;

      if (flags.deleted) {
        let deleted = await findDeleted(session, {
          ...(since ? { since } : {}),
          ...(snapshots ? { snapshots } : {}),
        });
        if (pattern) {
          const { default: picomatch } = await import('picomatch');
          const isMatch = picomatch(pattern, {
            nocase: Boolean(flags.ignoreCase),
            dot: true,
            basename: !pattern.includes('/'),
          });
          deleted = deleted.filter((d) =>
            isMatch(pattern.includes('/') ? d.path : d.path.slice(d.path.lastIndexOf('/') + 1)),
          );
        }
        if (json) return printJson(io, deleted);
        if (deleted.length === 0) return printLine(io, 'no deleted files found');
        for (const d of deleted) {
          printLine(io, `${d.path}`);
          printLine(
            io,
            `    deleted between ${shortTime(d.lastSeen.time)} and ${shortTime(d.deletedBy.time)}; ${formatBytes(d.size)}; last in snapshot ${d.lastSeen.id.slice(0, 8)}`,
          );
          printLine(
            io,
            `    to get it back: coffer restore ${d.lastSeen.id.slice(0, 8)}:${quote(d.path)} --target .`,
          );
        }
        return printLine(io, `${deleted.length} deleted file${deleted.length === 1 ? '' : 's'}`);
      }

      const found = await findFiles(session, pattern!, {
        ignoreCase: Boolean(flags.ignoreCase),
        ...(snapshots ? { snapshots } : {}),
      });
      if (json) return printJson(io, found);
      for (const f of found) {
        printLine(io, `${f.path}${f.type === 'dir' ? '/' : ''}`);
        for (const v of f.versions) {
          const first = v.snapshots[0]!;
          const last = v.snapshots.at(-1)!;
          const size = v.size !== undefined ? `${formatBytes(v.size)}, ` : '';
          printLine(
            io,
            `    ${size}in ${v.snapshots.length} snapshot${v.snapshots.length === 1 ? '' : 's'} from ${shortTime(first.time)} (${first.id.slice(0, 8)}) to ${shortTime(last.time)} (${last.id.slice(0, 8)})`,
          );
        }
      }
      printLine(io, `${found.length} match${found.length === 1 ? '' : 'es'}`);
    });
}

export function parseDate(text: string): Date {
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(d.getTime())) throw new UsageError(`--since ${text}: give a date such as 2026-11-01`);
  return d;
}

function quote(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`;
}

// coffer backup PATH...: store what changed since the last snapshot and write a new snapshot.

import type { Command } from 'commander';
import { type BackupResult, readExcludeFiles, runBackup } from '../../src/backup/index.js';
import { formatBytes, formatDuration } from '../../src/ui/index.js';
import { backupSelection } from '../../src/config/job-backup.js';
import { collect, globalOptions, jobFor, openRepositoryFor } from '../global-options.js';
import type { CliIo } from '../io.js';
import { jsonProgress, terminalProgress } from '../progress-line.js';
import { printLine } from '../render.js';
import { describeBackup } from '../../src/audit/index.js';
import { audited } from '../audit.js';
import { addRetryLockOption, retryLockFrom, whileLocked } from '../retry-lock.js';

interface BackupFlags {
  tag: string[];
  host?: string;
  exclude: string[];
  excludeFile: string[];
  excludeIfPresent: string[];
  oneFileSystem?: boolean;
  dryRun?: boolean;
  force?: boolean;
  parent?: string;
  retryLock?: string;
}

export function register(program: Command, io: CliIo): void {
  addRetryLockOption(program.command('backup'))
    .description('back up folders and files: only what changed since the last snapshot is read and stored')
    .argument('[path...]', "folders or files to back up (with --job: the job's sources)")
    .option('--tag <tag>', 'label the snapshot (repeatable), e.g. weekly', collect, [])
    .option('--host <name>', "record this host name instead of the computer's")
    .option(
      '--exclude <pattern>',
      'leave out paths matching a .gitignore-style pattern (repeatable)',
      collect,
      [],
    )
    .option(
      '--exclude-file <file>',
      'read exclude patterns from a file, one per line (repeatable)',
      collect,
      [],
    )
    .option(
      '--exclude-if-present <name>',
      'leave out folders that hold a file of this name, e.g. .nobackup (repeatable)',
      collect,
      [],
    )
    .option('--one-file-system', 'do not cross into other mounted file systems')
    .option('--dry-run', 'read and count everything, but store nothing')
    .option('--force', 'read every file again, even those unchanged since the parent snapshot')
    .option(
      '--parent <snapshot>',
      'compare against this snapshot instead of the latest of this host and paths',
    )
    .action(async (paths: string[], flags: BackupFlags, self: Command) => {
      const json = Boolean(globalOptions(self).json);
      const retryForMs = retryLockFrom(flags);
      // --job supplies sources, excludes, tags and host; what is given here adds to them
      const chosen = backupSelection(await jobFor(self, io), {
        paths,
        tags: flags.tag,
        ...(flags.host ? { host: flags.host } : {}),
        excludes: [...flags.exclude, ...(await readExcludeFiles(flags.excludeFile))],
        excludeIfPresent: flags.excludeIfPresent,
        oneFileSystem: Boolean(flags.oneFileSystem),
      });
      const repo = await openRepositoryFor(self, io);
      const progress = json ? jsonProgress(io) : terminalProgress(io);
      const began = Date.now();
      let result: BackupResult;
      try {
        const attempt = (): Promise<BackupResult> =>
          runBackup(repo, {
            paths: [...chosen.paths],
            tags: [...chosen.tags],
            ...(chosen.host ? { host: chosen.host } : {}),
            excludes: { patterns: [...chosen.excludes], ifPresent: [...chosen.excludeIfPresent] },
            oneFileSystem: chosen.oneFileSystem,
            dryRun: Boolean(flags.dryRun),
            force: Boolean(flags.force),
            ...(flags.parent ? { parent: flags.parent } : {}),
            signal: io.signal,
            onStart: (c) => progress.start(c),
            estimate: json || Boolean(io.stderr.isTTY),
            onWarning: (w) => {
              progress.clear();
              if (json) io.stdout.write(`${JSON.stringify({ type: 'warning', ...w })}\n`);
              else
                io.stderr.write(`${w.kind === 'unreadable' ? 'warning' : 'note'}: ${w.path} ${w.message}\n`);
            },
          }).finally(() => progress.stop()); // before the audit record, whose warnings need a clear line
        const backup = (): Promise<BackupResult> => whileLocked(io, retryForMs, attempt);
        // A dry run stores nothing, so it is not recorded.
        result = await audited(repo, io, 'backup', backup, describeBackup(chosen.paths), {
          record: !flags.dryRun,
        });
      } finally {
        progress.stop();
      }
      render(io, result, json, Date.now() - began);
      if (result.incomplete) process.exitCode = 3;
    });
}

function render(io: CliIo, r: BackupResult, json: boolean, ms: number): void {
  const s = r.summary;
  if (json) {
    io.stdout.write(
      `${JSON.stringify({ type: 'summary', snapshotId: r.snapshotId ?? null, parentId: r.parentId ?? null, dryRun: r.dryRun, incomplete: r.incomplete, warnings: r.warnings.length, packsWritten: r.packsWritten, ...s })}\n`,
    );
    return;
  }
  const what = r.dryRun ? 'dry run: nothing was stored' : `snapshot ${r.snapshotId!.slice(0, 8)} saved`;
  const line = `${what}: ${s.totalFiles} files, ${formatBytes(s.totalBytes)} processed, ${formatBytes(s.bytesAdded)} new (${formatBytes(s.bytesStored)} stored) in ${formatDuration(ms)}`;
  if (!io.stdout.isTTY) {
    printLine(
      io,
      r.incomplete
        ? `${line}; ${r.warnings.filter((w) => w.kind === 'unreadable').length} unreadable (see warnings)`
        : line,
    );
    return;
  }
  printLine(io, `files: ${s.filesNew} new, ${s.filesChanged} changed, ${s.filesUnmodified} unmodified`);
  printLine(io, `dirs:  ${s.dirsNew} new, ${s.dirsChanged} changed, ${s.dirsUnmodified} unmodified`);
  printLine(
    io,
    `read ${formatBytes(s.bytesRead)}; added ${formatBytes(s.bytesAdded)} to the repository (${formatBytes(s.bytesStored)} after compression)`,
  );
  printLine(io, line);
  if (r.incomplete)
    printLine(
      io,
      'Some files could not be read and are missing from this snapshot (see the warnings above).',
    );
}

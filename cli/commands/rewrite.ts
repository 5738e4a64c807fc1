// coffer rewrite --exclude PATTERN: new snapshots without the named files (erasure); --forget drops the originals.

import type { Command } from 'commander';
import { readExcludeFiles } from '../../src/backup/index.js';
import { type RewriteResult, runRewrite } from '../../src/retention/index.js';
import { collect, globalOptions, openRepositoryFor } from '../global-options.js';
import type { CliIo } from '../io.js';
import { printJson, printLine } from '../render.js';
import { describeRewrite } from '../../src/audit/index.js';
import { audited } from '../audit.js';

export function register(program: Command, io: CliIo): void {
  program
    .command('rewrite')
    .description(
      'write new snapshots without the files matching a pattern (to erase personal data); then forget and prune',
    )
    .option(
      '--exclude <pattern>',
      'remove paths matching this .gitignore-style pattern, relative to the backed-up folder (repeatable)',
      collect,
      [],
    )
    .option('--exclude-file <file>', 'read patterns from a file, one per line (repeatable)', collect, [])
    .option('-s, --snapshot <id>', 'rewrite only this snapshot (repeatable; default: all)', collect, [])
    .option('--forget', 'remove the original snapshots once their rewritten copies are stored')
    .option('--dry-run', 'list what would be removed; change nothing')
    .action(
      async (
        flags: {
          exclude: string[];
          excludeFile: string[];
          snapshot: string[];
          forget?: boolean;
          dryRun?: boolean;
        },
        self: Command,
      ) => {
        const exclude = [...flags.exclude, ...(await readExcludeFiles(flags.excludeFile))];
        const repo = await openRepositoryFor(self, io, { admin: true }); // it deletes: the admin credentials
        const rewrite = (): Promise<RewriteResult> =>
          runRewrite(repo, {
            exclude,
            snapshots: flags.snapshot,
            forget: Boolean(flags.forget),
            dryRun: Boolean(flags.dryRun),
          });
        // A dry run changes nothing, so it is not recorded.
        const describe = describeRewrite(exclude, Boolean(flags.forget));
        const result = await audited(repo, io, 'rewrite', rewrite, describe, { record: !flags.dryRun });
        if (globalOptions(self).json) return printJson(io, result);
        for (const s of result.snapshots) {
          printLine(
            io,
            `snapshot ${s.original.slice(0, 8)}${s.rewritten ? ` -> ${s.rewritten.slice(0, 8)}` : ''}: ${s.removedPaths.length} path${s.removedPaths.length === 1 ? '' : 's'} removed`,
          );
          for (const p of s.removedPaths.slice(0, 20)) printLine(io, `    ${p}`);
          if (s.removedPaths.length > 20) printLine(io, `    and ${s.removedPaths.length - 20} more`);
        }
        if (result.snapshots.length === 0)
          printLine(io, 'no snapshot holds a matching path; nothing was changed');
        else if (result.dryRun) printLine(io, 'dry run: nothing was changed');
        else {
          printLine(
            io,
            result.forgotten > 0
              ? `${result.forgotten} original snapshots removed`
              : 'the original snapshots are kept (add --forget to remove them)',
          );
          printLine(io, 'run "coffer prune" to delete the removed files\' data from storage');
        }
      },
    );
}

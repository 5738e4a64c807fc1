// coffer unlock: remove stale locks left by processes that are gone (or, with --remove-all, every lock).

import type { Command } from 'commander';
import { listLocks, removeLocks, requireAdmin } from '../../src/repository/index.js';
import { globalOptions, openRepositoryFor } from '../global-options.js';
import type { CliIo } from '../io.js';
import { printJson, printLine } from '../render.js';
import { describeUnlock } from '../../src/audit/index.js';
import { audited } from '../audit.js';

export function register(program: Command, io: CliIo): void {
  program
    .command('unlock')
    .description('remove stale locks (their process is gone, or they were not refreshed for 30 minutes)')
    .option(
      '--remove-all',
      'remove every lock, even those of running commands: only when you are sure none runs',
    )
    .action(async (flags: { removeAll?: boolean }, self: Command) => {
      const repo = await openRepositoryFor(self, io);
      const ctx = { storage: repo.storage, master: repo.master };
      const all = Boolean(flags.removeAll);
      // removing the locks of running commands could let prune delete what a backup is writing
      if (all) requireAdmin(repo, 'unlock --remove-all');
      const removed = await audited(repo, io, 'unlock', () => removeLocks(ctx, { all }), describeUnlock(all));
      const left = await listLocks(ctx);
      if (globalOptions(self).json) return printJson(io, { removed, left });
      for (const l of removed) {
        printLine(
          io,
          `removed lock ${l.id.slice(0, 8)}: ${l.lock.operation} by ${l.lock.user}@${l.lock.host} (process ${l.lock.pid})${l.staleReason ? `, ${l.staleReason}` : ''}`,
        );
      }
      for (const l of left)
        printLine(
          io,
          `kept lock ${l.id.slice(0, 8)}: ${l.lock.operation} by ${l.lock.user}@${l.lock.host} (process ${l.lock.pid}) is still active`,
        );
      printLine(io, `${removed.length} lock${removed.length === 1 ? '' : 's'} removed, ${left.length} left`);
    });
}

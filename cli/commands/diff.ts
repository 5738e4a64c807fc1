// coffer diff SNAP1 SNAP2: what was added, removed and changed between two snapshots.

import type { Command } from 'commander';
import { type Change, diffTrees, openBrowseSession } from '../../src/browse/index.js';
import { globalOptions, openRepositoryFor } from '../global-options.js';
import type { CliIo } from '../io.js';
import { printLine } from '../render.js';

const MARK: Record<Change['kind'], string> = { added: '+', removed: '-', modified: 'M', metadata: 'U' };

export function register(program: Command, io: CliIo): void {
  program
    .command('diff')
    .description(
      'show paths added (+), removed (-), modified (M) and with changed permissions or times only (U)',
    )
    .argument('<snapshot1>', 'the older snapshot id')
    .argument('<snapshot2>', 'the newer snapshot id (or "latest")')
    .action(async (a: string, b: string, _flags: object, self: Command) => {
      const json = Boolean(globalOptions(self).json);
      const repo = await openRepositoryFor(self, io);
      const session = await openBrowseSession(repo, { signal: io.signal });
      const [sa, sb] = [session.select(a), session.select(b)];
      const counts: Record<Change['kind'], number> = { added: 0, removed: 0, modified: 0, metadata: 0 };
      for await (const c of diffTrees(session, sa.snapshot.tree, sb.snapshot.tree)) {
        counts[c.kind]++;
        const type = (c.after ?? c.before)?.type;
        if (json) io.stdout.write(`${JSON.stringify({ kind: c.kind, path: c.path, type })}\n`);
        else printLine(io, `${MARK[c.kind]}  ${c.path}${type === 'dir' ? '/' : ''}`);
      }
      if (json) io.stdout.write(`${JSON.stringify({ kind: 'summary', ...counts })}\n`);
      else
        printLine(
          io,
          `${counts.added} added, ${counts.removed} removed, ${counts.modified} modified, ${counts.metadata} with changed metadata`,
        );
    });
}

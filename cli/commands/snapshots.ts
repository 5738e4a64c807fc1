// coffer snapshots: list the snapshots in the repository, oldest first.

import { type Command, InvalidArgumentError } from 'commander';
import { loadSnapshots, matchesFilter } from '../../src/repository/index.js';
import { formatBytes } from '../../src/ui/index.js';
import { collect, globalOptions, openRepositoryFor } from '../global-options.js';
import type { CliIo } from '../io.js';
import { printJson, printTable, shortTime } from '../render.js';

export function register(program: Command, io: CliIo): void {
  program
    .command('snapshots')
    .description('list snapshots (id, time, host, tags, paths, size)')
    .option('--host <name>', 'only snapshots of this host')
    .option('--tag <tag>', 'only snapshots with this tag (repeatable: all must match)', collect, [])
    .option('--path <path>', 'only snapshots that include this path (repeatable)', collect, [])
    .option('--latest <n>', 'only the newest N snapshots', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1)
        throw new InvalidArgumentError(`--latest needs a whole number of at least 1, not ${v}`);
      return n;
    })
    .action(
      async (flags: { host?: string; tag: string[]; path: string[]; latest?: number }, self: Command) => {
        const repo = await openRepositoryFor(self, io);
        const all = await loadSnapshots(
          { storage: repo.storage, master: repo.master },
          {
            onDamaged: (id, err) =>
              io.stderr.write(`coffer: warning: snapshot ${id.slice(0, 8)}: ${err.message}\n`),
          },
        );
        let list = all.filter((s) =>
          matchesFilter(s.snapshot, {
            ...(flags.host ? { host: flags.host } : {}),
            tags: flags.tag,
            paths: flags.path,
          }),
        );
        if (flags.latest) list = list.slice(-flags.latest);
        if (globalOptions(self).json)
          return printJson(
            io,
            list.map((s) => ({ id: s.id, ...s.snapshot })),
          );
        printTable(
          io,
          ['ID', 'TIME', 'HOST', 'TAGS', 'PATHS', 'SIZE'],
          list.map((s) => [
            s.id.slice(0, 8),
            shortTime(s.snapshot.time),
            s.snapshot.host,
            s.snapshot.tags.join(','),
            s.snapshot.paths.join(', '),
            s.snapshot.summary ? formatBytes(s.snapshot.summary.totalBytes) : '',
          ]),
        );
        io.stdout.write(`${list.length} snapshot${list.length === 1 ? '' : 's'}\n`);
      },
    );
}

// coffer versions PATH: every distinct version of one file across snapshots.

import type { Command } from 'commander';
import { fileVersions, openBrowseSession } from '../../src/browse/index.js';
import { formatBytes } from '../../src/ui/index.js';
import { globalOptions, openRepositoryFor } from '../global-options.js';
import type { CliIo } from '../io.js';
import { printJson, printLine, printTable, shortTime } from '../render.js';

export function register(program: Command, io: CliIo): void {
  program
    .command('versions')
    .description('show every distinct version of a file across snapshots, and when it was deleted')
    .argument('<path>', 'the absolute path of the file, as it was on the computer backed up')
    .option('--host <name>', 'only snapshots of this host')
    .action(async (path: string, flags: { host?: string }, self: Command) => {
      const repo = await openRepositoryFor(self, io);
      const session = await openBrowseSession(repo, { signal: io.signal });
      const snapshots = flags.host
        ? session.snapshots.filter((s) => s.snapshot.host === flags.host)
        : undefined;
      const history = await fileVersions(session, path, snapshots);
      if (globalOptions(self).json) return printJson(io, history);
      if (history.versions.length === 0) {
        io.stderr.write(`coffer: no snapshot has a file at ${history.path}\n`);
        process.exitCode = 1;
        return;
      }
      printTable(
        io,
        ['#', 'SIZE', 'MODIFIED', 'FIRST SEEN', 'LAST SEEN', 'SNAPSHOTS', 'SHA-256'],
        history.versions.map((v, i) => [
          String(i + 1),
          formatBytes(v.size),
          v.mtime.slice(0, 19).replace('T', ' '),
          `${shortTime(v.first.time)} (${v.first.id.slice(0, 8)})`,
          `${shortTime(v.last.time)} (${v.last.id.slice(0, 8)})`,
          String(v.snapshotCount),
          v.sha256.slice(0, 16),
        ]),
      );
      if (history.deleted) {
        printLine(
          io,
          `deleted: last seen ${shortTime(history.deleted.lastSeen.time)} (${history.deleted.lastSeen.id.slice(0, 8)}), missing since ${shortTime(history.deleted.missingSince.time)} (${history.deleted.missingSince.id.slice(0, 8)})`,
        );
      }
      printLine(io, `restore a version with: coffer restore <LAST SEEN id>:${history.path} --target .`);
    });
}

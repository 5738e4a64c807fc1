// coffer ls SNAPSHOT [PATH]: what a snapshot holds, under a path.

import type { Command } from 'commander';
import { listSnapshot, openBrowseSession } from '../../src/browse/index.js';
import { formatBytes } from '../../src/ui/index.js';
import { globalOptions, openRepositoryFor } from '../global-options.js';
import type { CliIo } from '../io.js';
import { printLine } from '../render.js';
import { addSnapshotFilterOptions, filterFrom } from '../snapshot-spec.js';
import { modeString } from '../mode-string.js';

export function register(program: Command, io: CliIo): void {
  addSnapshotFilterOptions(
    program
      .command('ls')
      .description('list the files and folders in a snapshot, under a path')
      .argument('<snapshot>', 'a snapshot id (or "latest")')
      .argument('[path]', 'an absolute path inside the snapshot', '/')
      .option('-l, --long', 'show type and permissions, size and modification time'),
  ).action(
    async (
      spec: string,
      path: string,
      flags: { long?: boolean; host?: string; path: string[]; tag: string[] },
      self: Command,
    ) => {
      const json = Boolean(globalOptions(self).json);
      const repo = await openRepositoryFor(self, io);
      const session = await openBrowseSession(repo, { signal: io.signal });
      const snapshot = session.select(spec, filterFrom(flags));
      let count = 0;
      for await (const { path: p, node } of listSnapshot(session, snapshot, path)) {
        count++;
        if (json) {
          io.stdout.write(
            `${JSON.stringify({ path: p, type: node.type, mode: node.mode, size: node.size ?? null, mtime: node.mtime, sha256: node.sha256 ?? null })}\n`,
          );
        } else if (flags.long) {
          const size = node.type === 'file' ? formatBytes(node.size ?? 0) : '';
          printLine(
            io,
            `${modeString(node)}  ${size.padStart(10)}  ${node.mtime.slice(0, 19).replace('T', ' ')}  ${p}${node.type === 'dir' ? '/' : ''}`,
          );
        } else {
          printLine(io, `${p}${node.type === 'dir' ? '/' : ''}`);
        }
      }
      if (count === 0 && path !== '/') {
        io.stderr.write(`coffer: ${path} is not in snapshot ${snapshot.id.slice(0, 8)}\n`);
        process.exitCode = 1;
      }
    },
  );
}

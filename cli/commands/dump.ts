// coffer dump SNAPSHOT:PATH: one file to standard output, or a folder as a tar or zip archive.

import { type Command, Option } from 'commander';
import { type ArchiveFormat, dumpPath, openBrowseSession } from '../../src/browse/index.js';
import { UsageError } from '../../src/errors.js';
import { openRepositoryFor } from '../global-options.js';
import type { CliIo } from '../io.js';
import { addSnapshotFilterOptions, filterFrom, parseSnapshotSpec } from '../snapshot-spec.js';
import { describeDump } from '../../src/audit/index.js';
import { audited } from '../audit.js';

export function register(program: Command, io: CliIo): void {
  addSnapshotFilterOptions(
    program
      .command('dump')
      .description(
        'write a file from a snapshot to standard output (or a folder as a tar or zip archive), checked against its SHA-256',
      )
      .argument('<snapshot:path>', 'e.g. latest:/srv/council/Minutes/2026-01.txt')
      .addOption(
        new Option('--archive <format>', 'write a folder as an archive: tar, or zip for Windows').choices([
          'tar',
          'zip',
        ]),
      ),
  ).action(
    async (
      spec: string,
      flags: { archive?: ArchiveFormat; host?: string; path: string[]; tag: string[] },
      self: Command,
    ) => {
      const { snapshot, path } = parseSnapshotSpec(spec);
      if (!path)
        throw new UsageError(
          'say which file: SNAPSHOT:/path/to/file (for example latest:/srv/council/budget.xlsx)',
        );
      // An archive on a terminal helps nobody; a person almost certainly meant to redirect it.
      if (io.stdout.isTTY && flags.archive)
        throw new UsageError(
          'standard output is a terminal: redirect it to a file, e.g. > minutes.tar or > minutes.zip',
        );
      const repo = await openRepositoryFor(self, io);
      // File contents leave the repository, so a dump is recorded like a restore.
      const dump = async (): Promise<{ snapshot: string; files: number; bytes: number }> => {
        const session = await openBrowseSession(repo, { signal: io.signal });
        const chosen = session.select(snapshot, filterFrom(flags));
        const written = await dumpPath(session, chosen, path, io.stdout, {
          ...(flags.archive ? { archive: flags.archive } : {}),
          signal: io.signal,
        });
        return { snapshot: chosen.id, ...written };
      };
      await audited(repo, io, 'dump', dump, describeDump(spec, flags.archive));
    },
  );
}

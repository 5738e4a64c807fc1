// coffer init: create an encrypted repository at the location given by -r/--repo.

import { type Command, Option } from 'commander';
import { resolveNewPassword } from '../../src/config/index.js';
import { defaultKeyName, FORMAT_VERSION, initRepository } from '../../src/repository/index.js';
import { addKdfOptions, globalOptions, kdfCostFrom, storageFor } from '../global-options.js';
import type { CliIo } from '../io.js';
import { printJson, printLine } from '../render.js';

interface InitOptions {
  name?: string;
  role?: string;
  newPasswordFile?: string;
  compression?: 'zstd' | 'none';
  kdfMemory?: string;
  kdfPasses?: string;
}

export function register(program: Command, io: CliIo): void {
  const cmd = program
    .command('init')
    .description('create a new encrypted repository (refuses if one exists there already)')
    .option('--name <name>', 'who holds the first password (default: your user name)')
    .option('--role <role>', 'what the holder does, e.g. clerk or it-contractor', 'owner')
    .option(
      '--new-password-file <file>',
      'read the password from this file instead of COFFER_PASSWORD(_FILE) or a prompt',
    )
    .addOption(
      new Option('--compression <mode>', 'how new data is compressed')
        .choices(['zstd', 'none'])
        .default('zstd'),
    );
  addKdfOptions(cmd).action(async (opts: InitOptions, self: Command) => {
    const storage = storageFor(self, io);
    const password = await resolveNewPassword(
      { env: io.env, interactive: io.interactive },
      { ...(opts.newPasswordFile ? { file: opts.newPasswordFile } : {}), fallbackToRepositoryPassword: true },
    );
    const kdf = kdfCostFrom(opts);
    const repo = await initRepository(storage, {
      password,
      holder: { name: opts.name ?? defaultKeyName(), ...(opts.role ? { role: opts.role } : {}) },
      ...(kdf ? { kdf } : {}),
      ...(opts.compression ? { compression: opts.compression } : {}),
    });
    const result = {
      id: repo.config.id,
      location: storage.location,
      created: repo.config.created,
      formatVersion: FORMAT_VERSION,
      keyId: repo.keyId,
    };
    if (globalOptions(self).json) return printJson(io, result);
    printLine(io, `created coffer repository ${result.id.slice(0, 8)} at ${result.location}`);
    printLine(io, '');
    printLine(io, 'Keep the password safe: without it the backups cannot be read by anyone, including us.');
    printLine(io, 'Next: print a recovery sheet for the council safe with "coffer key recovery-sheet".');
  });
}

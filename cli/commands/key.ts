// coffer key list|add|remove|passwd|recovery-sheet: who can open the repository.

import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { resolveNewPassword } from '../../src/config/password.js';
import {
  addKey,
  changePassword,
  createRecoveryKey,
  formatRecoveryKey,
  type KeyInfo,
  listKeys,
  removeKey,
} from '../../src/repository/index.js';
import { addKdfOptions, globalOptions, kdfCostFrom, openRepositoryFor } from '../global-options.js';
import type { CliIo } from '../io.js';
import { printJson, printLine, printTable, shortTime } from '../render.js';
import { recoverySheet } from '../recovery-sheet.js';
import {
  describeKeyAdd,
  describeKeyPasswd,
  describeKeyRemove,
  describeRecoveryKey,
} from '../../src/audit/index.js';
import { audited } from '../audit.js';

interface NewKeyOptions {
  newPasswordFile?: string;
  kdfMemory?: string;
  kdfPasses?: string;
}

export function register(program: Command, io: CliIo): void {
  const key = program
    .command('key')
    .description('list, add, remove and change the passwords that open the repository');

  key
    .command('list')
    .description('list the keys (who can open the repository); * marks the one you used')
    .action(async (_opts: object, self: Command) => {
      const repo = await openRepositoryFor(self, io);
      const keys = await listKeys(repo);
      if (globalOptions(self).json) return printJson(io, keys);
      printTable(
        io,
        [' ', 'ID', 'NAME', 'ROLE', 'USER@HOST', 'CREATED'],
        keys.map((k) => [
          k.current ? '*' : '',
          k.id.slice(0, 8),
          k.name ?? `(unreadable: ${k.problem ?? 'damaged'})`,
          k.role ?? '',
          k.user || k.host ? `${k.user ?? ''}@${k.host ?? ''}` : '',
          shortTime(k.created),
        ]),
      );
    });

  addKdfOptions(
    key
      .command('add')
      .description(
        'add a password for another person or role (the new password is asked twice, or read from a file)',
      )
      .requiredOption('--name <name>', 'who will use the new password, e.g. chair or it-contractor')
      .option('--role <role>', 'what they do', '')
      .option('--new-password-file <file>', 'read the new password from this file'),
  ).action(async (opts: NewKeyOptions & { name: string; role: string }, self: Command) => {
    const repo = await openRepositoryFor(self, io);
    const password = await newPassword(io, opts);
    const kdf = kdfCostFrom(opts);
    const add = (): Promise<KeyInfo> =>
      addKey(repo, { password, holder: { name: opts.name, role: opts.role }, ...(kdf ? { kdf } : {}) });
    const added = await audited(repo, io, 'key-add', add, describeKeyAdd(opts.name));
    if (globalOptions(self).json) return printJson(io, added);
    printLine(io, `added key ${added.id.slice(0, 8)} for ${added.name ?? opts.name}`);
  });

  key
    .command('remove <key>')
    .description('remove a key by id (or id prefix) or by name; refuses the key in use and the last key')
    .action(async (which: string, _opts: object, self: Command) => {
      const repo = await openRepositoryFor(self, io);
      const remove = (): Promise<KeyInfo> => removeKey(repo, which);
      const removed = await audited(repo, io, 'key-remove', remove, describeKeyRemove(which));
      if (globalOptions(self).json) return printJson(io, removed);
      printLine(io, `removed key ${removed.id.slice(0, 8)}${removed.name ? ` (${removed.name})` : ''}`);
    });

  addKdfOptions(
    key
      .command('passwd')
      .description('change the password of the key you open the repository with')
      .option('--new-password-file <file>', 'read the new password from this file'),
  ).action(async (opts: NewKeyOptions, self: Command) => {
    const repo = await openRepositoryFor(self, io);
    const password = await newPassword(io, opts);
    const change = (): Promise<KeyInfo> => changePassword(repo, password, kdfCostFrom(opts));
    const changed = await audited(repo, io, 'key-passwd', change, describeKeyPasswd(repo.keyId));
    if (globalOptions(self).json) return printJson(io, changed);
    printLine(
      io,
      `changed the password of ${changed.name ?? 'the key'} (its key id is now ${changed.id.slice(0, 8)})`,
    );
  });

  addKdfOptions(
    key
      .command('recovery-sheet')
      .description('make a recovery key and print a sheet to keep in the council safe')
      .option('--replace', 'replace the existing recovery key (the old sheet stops working)')
      .option(
        '-o, --output <file>',
        'write the sheet to this file (readable only by you) instead of the screen',
      ),
  ).action(
    async (
      opts: { replace?: boolean; output?: string; kdfMemory?: string; kdfPasses?: string },
      self: Command,
    ) => {
      const repo = await openRepositoryFor(self, io);
      const kdf = kdfCostFrom(opts);
      const create = (): ReturnType<typeof createRecoveryKey> =>
        createRecoveryKey(repo, { ...(opts.replace ? { replace: true } : {}), ...(kdf ? { kdf } : {}) });
      const result = await audited(repo, io, 'recovery-key', create, describeRecoveryKey());
      const sheet = recoverySheet({
        location: repo.storage.location,
        repositoryId: repo.config.id,
        created: repo.config.created,
        recoveryKey: formatRecoveryKey(result.recoveryKey),
        issued: result.key.created ?? new Date().toISOString(),
      });
      if (opts.output) {
        await writeFile(opts.output, sheet, { mode: 0o600, flag: 'w' });
        io.stderr.write(
          `wrote the recovery sheet to ${opts.output}: print it, store it safely, then delete the file\n`,
        );
      }
      if (globalOptions(self).json) {
        return printJson(io, {
          recoveryKey: formatRecoveryKey(result.recoveryKey),
          keyId: result.key.id,
          repositoryId: repo.config.id,
          location: repo.storage.location,
          replaced: result.replaced.map((k: KeyInfo) => k.id),
        });
      }
      if (!opts.output) io.stdout.write(sheet);
    },
  );
}

function newPassword(io: CliIo, opts: NewKeyOptions): Promise<string> {
  return resolveNewPassword(
    { env: io.env, interactive: io.interactive },
    opts.newPasswordFile ? { file: opts.newPasswordFile } : {},
  );
}

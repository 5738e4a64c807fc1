// coffer init: create an encrypted repository at the location given by -r/--repo.

import { type Command, Option } from 'commander';
import { resolveNewPassword } from '../../src/config/password.js';
import { UsageError } from '../../src/errors.js';
import {
  ADMIN_ROLE,
  defaultKeyName,
  FORMAT_VERSION,
  initRepository,
  type LockPolicy,
  MAX_LOCK_DAYS,
} from '../../src/repository/index.js';
import {
  addKdfOptions,
  globalOptions,
  jobFor,
  kdfCostFrom,
  passwordFor,
  storageFor,
} from '../global-options.js';
import type { CliIo } from '../io.js';
import { printJson, printLine } from '../render.js';
import { recordInit } from '../../src/audit/index.js';
import { auditWarning } from '../audit.js';

interface InitOptions {
  name?: string;
  role?: string;
  newPasswordFile?: string;
  compression?: 'zstd' | 'none';
  kdfMemory?: string;
  kdfPasses?: string;
  objectLock?: LockPolicy['mode'];
  lockDays?: string;
  appendOnly?: boolean;
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
    )
    .addOption(
      new Option(
        '--object-lock <mode>',
        'S3 Object Lock on every object written (see docs/immutability.md); needs --lock-days',
      ).choices(['governance', 'compliance']),
    )
    .option('--lock-days <days>', 'how many days each object stays locked after it is written')
    .option(
      '--append-only',
      'forget, prune, rewrite and key removal need an admin key; the first key is the admin key',
    );
  addKdfOptions(cmd).action(async (opts: InitOptions, self: Command) => {
    // option mistakes are reported before anyone is asked for a password
    const objectLock = lockPolicyFrom(opts);
    if (opts.appendOnly && self.getOptionValueSource('role') === 'cli' && opts.role !== ADMIN_ROLE) {
      throw new UsageError(`--append-only makes the first key the "${ADMIN_ROLE}" key: leave out --role`);
    }
    const storage = await storageFor(self, io);
    // With --job the new repository gets the job's password, so the daemon can open what init made.
    const password =
      opts.newPasswordFile === undefined && (await jobFor(self, io))
        ? await passwordFor(self, io)
        : await resolveNewPassword(
            { env: io.env, interactive: io.interactive },
            {
              ...(opts.newPasswordFile ? { file: opts.newPasswordFile } : {}),
              fallbackToRepositoryPassword: true,
            },
          );
    const kdf = kdfCostFrom(opts);
    const holder = opts.name ?? defaultKeyName();
    const repo = await initRepository(storage, {
      password,
      holder: { name: holder, ...(opts.role ? { role: opts.role } : {}) },
      ...(kdf ? { kdf } : {}),
      ...(opts.compression ? { compression: opts.compression } : {}),
      ...(objectLock ? { objectLock } : {}),
      ...(opts.appendOnly ? { appendOnly: true } : {}),
    });
    await recordInit(repo, holder, { onWarning: auditWarning(io) });
    const result = {
      id: repo.config.id,
      location: storage.location,
      created: repo.config.created,
      formatVersion: FORMAT_VERSION,
      keyId: repo.keyId,
      ...(repo.config.objectLock ? { objectLock: repo.config.objectLock } : {}),
      appendOnly: Boolean(repo.config.appendOnly),
    };
    if (globalOptions(self).json) return printJson(io, result);
    printLine(io, `created coffer repository ${result.id.slice(0, 8)} at ${result.location}`);
    if (objectLock) {
      printLine(
        io,
        `Object Lock: every object is kept ${plural(objectLock.days, 'day')} after it is written (${objectLock.mode} mode); backups extend the locks of what they reuse.`,
      );
    }
    if (opts.appendOnly) {
      printLine(
        io,
        `Append-only: this is the ${ADMIN_ROLE} key; keys added with "coffer key add" cannot forget, prune, rewrite or remove keys.`,
      );
    }
    printLine(io, '');
    printLine(io, 'Keep the password safe: without it the backups cannot be read by anyone, including us.');
    printLine(io, 'Next: print a recovery sheet for the council safe with "coffer key recovery-sheet".');
  });
}

function lockPolicyFrom(opts: InitOptions): LockPolicy | undefined {
  if (opts.objectLock === undefined) {
    if (opts.lockDays !== undefined)
      throw new UsageError('--lock-days needs --object-lock governance|compliance');
    return undefined;
  }
  if (opts.lockDays === undefined) {
    throw new UsageError('--object-lock needs --lock-days N: how many days each object stays locked');
  }
  const days = Number(opts.lockDays);
  if (
    !/^\d+$/.test(opts.lockDays.trim()) ||
    !Number.isSafeInteger(days) ||
    days < 1 ||
    days > MAX_LOCK_DAYS
  ) {
    throw new UsageError(
      `--lock-days ${opts.lockDays}: give a whole number of days from 1 to ${MAX_LOCK_DAYS}`,
    );
  }
  return { mode: opts.objectLock, days };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

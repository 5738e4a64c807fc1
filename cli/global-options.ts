// Options every command shares, and the repository/password plumbing built on them.

import type { Command } from 'commander';
import { resolvePassword } from '../src/config/index.js';
import { UsageError } from '../src/errors.js';
import { openRepository, readConfigObject, type KdfCost, type Repository } from '../src/repository/index.js';
import { openStorage, type Storage } from '../src/storage/index.js';
import type { CliIo } from './io.js';

export interface GlobalOptions {
  readonly repo?: string;
  readonly json?: boolean;
  readonly verbose?: boolean;
}

export function globalOptions(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

/** The storage named by -r/--repo or COFFER_REPOSITORY. */
export function storageFor(cmd: Command, io: CliIo): Storage {
  const location = globalOptions(cmd).repo ?? io.env.COFFER_REPOSITORY;
  if (!location) {
    throw new UsageError('no repository given: use -r/--repo LOCATION or set COFFER_REPOSITORY');
  }
  return openStorage(location);
}

/** Opens the repository with the password from the environment or a prompt, and shows any warnings. */
export async function openRepositoryFor(cmd: Command, io: CliIo): Promise<Repository> {
  const storage = storageFor(cmd, io);
  // Say "no repository here" (and refuse newer formats) before asking anyone for a password.
  const config = await readConfigObject(storage);
  const password = await resolvePassword({ env: io.env, interactive: io.interactive });
  const repo = await openRepository(storage, password, { config });
  for (const warning of repo.warnings) io.stderr.write(`coffer: warning: ${warning}\n`);
  return repo;
}

/** `--kdf-memory` and `--kdf-passes`, for commands that write key files. */
export function addKdfOptions(cmd: Command): Command {
  return cmd
    .option('--kdf-memory <size>', 'Argon2id memory for the new key, e.g. 64MiB (default 64MiB)')
    .option('--kdf-passes <n>', 'Argon2id passes for the new key (default 3)');
}

export function kdfCostFrom(opts: { kdfMemory?: string; kdfPasses?: string }): KdfCost | undefined {
  if (opts.kdfMemory === undefined && opts.kdfPasses === undefined) return undefined;
  return {
    memoryKiB: opts.kdfMemory === undefined ? 64 * 1024 : parseKiB(opts.kdfMemory),
    passes: opts.kdfPasses === undefined ? 3 : parsePasses(opts.kdfPasses),
  };
}

function parseKiB(text: string): number {
  const m = /^(\d+)\s*(KiB|MiB|GiB)?$/i.exec(text.trim());
  const unit = m?.[2]?.toLowerCase() ?? 'mib';
  const kib = m ? Number(m[1]) * (unit === 'kib' ? 1 : unit === 'mib' ? 1024 : 1024 * 1024) : NaN;
  if (!Number.isSafeInteger(kib) || kib < 8 || kib > 4 * 1024 * 1024) {
    throw new UsageError(`--kdf-memory ${text}: give a size from 8KiB to 4GiB, such as 64MiB`);
  }
  return kib;
}

function parsePasses(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new UsageError(`--kdf-passes ${text}: give a whole number from 1 to 1000`);
  return n;
}

/** Commander's accumulator for repeatable options (`--tag a --tag b`). */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

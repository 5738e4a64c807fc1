// Options every command shares, and the repository/password plumbing built on them: -r/--repo and the
// environment, or --job NAME from the config file (its repository, password and S3 credentials).

import type { Command } from 'commander';
// The config modules one at a time, not their index: reading coffer.yaml needs a YAML parser and a schema
// library that commands run without --job or --config should not pay to load (see configFor).
import type { CofferConfig, JobConfig } from '../src/config/job-types.js';
import { defaultConfigPath, type UserContext } from '../src/config/config-paths.js';
import { didYouMean } from '../src/config/did-you-mean.js';
import { resolvePassword } from '../src/config/password.js';
import { credentialSource } from '../src/config/s3-credentials.js';
import { resolveSecret } from '../src/config/secret-ref.js';
import { UsageError } from '../src/errors.js';
import { openRepository, readConfigObject, type KdfCost, type Repository } from '../src/repository/index.js';
import { formatLocation, openStorage, parseLocation, type Storage } from '../src/storage/index.js';
import { LazyStorage } from '../src/storage/lazy.js';
import type { CliIo } from './io.js';

export interface GlobalOptions {
  readonly repo?: string;
  readonly json?: boolean;
  readonly verbose?: boolean;
  /** `--config FILE`: the config file instead of COFFER_CONFIG or the default place. */
  readonly config?: string;
  /** `--job NAME`: take repository, password and credentials from this job of the config file. */
  readonly job?: string;
  /** `--admin-credentials PROFILE`: the AWS profile forget, prune and rewrite use. */
  readonly adminCredentials?: string;
}

export interface RepositoryAccess {
  /** forget, prune, rewrite: use the credentials allowed to delete (the job's admin-credentials or the admin profile). */
  readonly admin?: boolean;
}

export function globalOptions(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

/** `--config`, else COFFER_CONFIG, else /etc/coffer/coffer.yaml (root) or ~/.config/coffer/coffer.yaml. */
export function configPathFor(cmd: Command, io: CliIo): string {
  return globalOptions(cmd).config ?? defaultConfigPath(io.env, userOf(io).uid);
}

// One read of the config file per run, however many helpers ask for it.
const loaded = new WeakMap<CliIo, Map<string, CofferConfig>>();

function cacheOf(io: CliIo): Map<string, CofferConfig> {
  let cache = loaded.get(io);
  if (!cache) loaded.set(io, (cache = new Map()));
  return cache;
}

/** The validated config file (ConfigError, exit 2, naming every problem if it is invalid or unsafe). */
export async function configFor(cmd: Command, io: CliIo): Promise<CofferConfig> {
  const path = configPathFor(cmd, io);
  const cached = cacheOf(io).get(path);
  if (cached) return cached;
  const { loadCofferConfig } = await import('../src/config/coffer-config.js');
  const config = await loadCofferConfig(path, { user: userOf(io) });
  cacheOf(io).set(path, config);
  return config;
}

/** The job named by --job, or undefined without --job. */
export async function jobFor(cmd: Command, io: CliIo): Promise<JobConfig | undefined> {
  const name = globalOptions(cmd).job;
  return name === undefined ? undefined : pickJob(await configFor(cmd, io), name);
}

function pickJob(config: CofferConfig, name: string): JobConfig {
  const job = config.jobs.find((j) => j.name === name);
  if (job) return job;
  const names = config.jobs.map((j) => j.name);
  throw new UsageError(
    `there is no job "${name}" in ${config.path}${didYouMean(name, names)}; its jobs are ${names.join(', ')}`,
  );
}

/**
 * The storage of the job (--job) or of -r/--repo / COFFER_REPOSITORY. S3 credentials come from the job
 * (or, with `admin`, from its admin-credentials or --admin-credentials PROFILE), read on first use;
 * without any, from the standard AWS places.
 */
export async function storageFor(cmd: Command, io: CliIo, access: RepositoryAccess = {}): Promise<Storage> {
  const options = globalOptions(cmd);
  if (options.job !== undefined && options.repo !== undefined)
    throw new UsageError('give either --job NAME or -r/--repo LOCATION, not both');
  const job = await jobFor(cmd, io);
  const location = job?.repository ?? options.repo ?? io.env.COFFER_REPOSITORY;
  if (!location) {
    throw new UsageError(
      'no repository given: use -r/--repo LOCATION, --job NAME (a job of the config file), or set COFFER_REPOSITORY',
    );
  }
  const parsed = parseLocation(location);
  const credentials =
    parsed.scheme === 's3'
      ? credentialSource({
          ...(job ? { job } : {}),
          admin: Boolean(access.admin),
          ...adminProfileOf(options, io),
          env: io.env,
        })
      : undefined;
  if (!credentials) return openStorage(parsed);
  // Secrets are read when the storage is first used, so they are read only by commands that need them.
  return new LazyStorage(formatLocation(parsed), async () => {
    const { credentials: keys, region } = await credentials();
    return openStorage(parsed, { s3: { credentials: keys, ...(region ? { region } : {}) } });
  });
}

/** The repository password: the job's `password` with --job, else COFFER_PASSWORD_FILE, COFFER_PASSWORD or a prompt. */
export async function passwordFor(cmd: Command, io: CliIo): Promise<string> {
  const job = await jobFor(cmd, io);
  if (job) return resolveSecret(job.password, io.env, `the password of job "${job.name}"`);
  return resolvePassword({ env: io.env, interactive: io.interactive });
}

/** Opens the repository with its password, and shows any warnings. */
export async function openRepositoryFor(
  cmd: Command,
  io: CliIo,
  access: RepositoryAccess = {},
): Promise<Repository> {
  const storage = await storageFor(cmd, io, access);
  // Say "no repository here" (and refuse newer formats) before asking anyone for a password.
  const config = await readConfigObject(storage);
  const password = await passwordFor(cmd, io);
  const repo = await openRepository(storage, password, { config });
  for (const warning of repo.warnings) io.stderr.write(`coffer: warning: ${warning}\n`);
  return repo;
}

function adminProfileOf(options: GlobalOptions, io: CliIo): { adminProfile?: string } {
  const profile = options.adminCredentials ?? io.env.COFFER_ADMIN_PROFILE;
  return profile ? { adminProfile: profile } : {};
}

function userOf(io: CliIo): UserContext {
  return { env: io.env, uid: process.getuid?.() ?? -1 };
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

// Reading coffer.yaml: YAML (with positions) -> schema -> CofferConfig, every problem reported at once
// with its file, line, column and field, and the file refused if its permissions expose it.

import { readFileSync, statSync, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { inlineSecrets, unsafePermissions } from './config-exposure.js';
import { currentUser, defaultStateDir, type UserContext } from './config-paths.js';
import { formatProblem, schemaProblems, yamlProblems, type ConfigProblem } from './config-problems.js';
import { cofferConfigSchema } from './config-schema.js';
import { describeInput } from './config-values.js';
import type { CofferConfig, JobConfig } from './job-types.js';

export interface LoadOptions {
  /** Environment and user for defaults (state-dir). Default: this process's. */
  readonly user?: UserContext;
}

/** Parses and validates the text of a config file; `path` is named in messages. Throws ConfigError. */
export function parseCofferConfig(text: string, path: string, opts: LoadOptions = {}): CofferConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) throw problemsError(path, yamlProblems(doc.errors, lines));
  if (doc.contents === null)
    throw new ConfigError(
      `${path} is empty; it needs at least a jobs: section (see "coffer config example")`,
    );
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ConfigError(`${path}: not valid YAML: ${(err as Error).message}`);
  }
  const result = cofferConfigSchema.safeParse(data, { error: fallbackMessage });
  if (!result.success) throw problemsError(path, schemaProblems(result.error.issues, doc, lines));
  const parsed = result.data;
  return {
    path,
    stateDir: parsed['state-dir'] ?? defaultStateDir(opts.user ?? currentUser()),
    jobs: Object.entries(parsed.jobs).map(([name, job]): JobConfig => ({
      name,
      repository: job.repository,
      password: job.password,
      ...(job.credentials ? { credentials: job.credentials } : {}),
      ...(job['admin-credentials'] ? { adminCredentials: job['admin-credentials'] } : {}),
      sources: job.sources,
      excludes: job.exclude ?? [],
      excludeIfPresent: job['exclude-if-present'] ?? [],
      oneFileSystem: job['one-file-system'] ?? false,
      tags: job.tags ?? [],
      ...(job.host ? { host: job.host } : {}),
      schedule: job.schedule,
      ...(job.retention ? { retention: job.retention } : {}),
      prune: job.prune,
      ...(job.check ? { check: job.check } : {}),
      rto: job.rto ?? [],
      drill: job.drill,
    })),
    notifications: parsed.notifications ?? [],
  };
}

/** Reads, validates and permission-checks a config file. Throws ConfigError. */
export async function loadCofferConfig(path: string, opts: LoadOptions = {}): Promise<CofferConfig> {
  let text: string;
  let stats: Stats;
  try {
    [text, stats] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
  } catch (err) {
    throw unreadable(path, err);
  }
  return checked(path, text, stats, opts);
}

/** The same, synchronously: for the few callers that must know a job's repository before anything awaits. */
export function loadCofferConfigSync(path: string, opts: LoadOptions = {}): CofferConfig {
  let text: string;
  let stats: Stats;
  try {
    text = readFileSync(path, 'utf8');
    stats = statSync(path);
  } catch (err) {
    throw unreadable(path, err);
  }
  return checked(path, text, stats, opts);
}

function checked(path: string, text: string, stats: Stats, opts: LoadOptions): CofferConfig {
  const config = parseCofferConfig(text, path, opts);
  const unsafe = unsafePermissions(path, stats, inlineSecrets(config));
  if (unsafe) throw new ConfigError(unsafe);
  return config;
}

function unreadable(path: string, err: unknown): ConfigError {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'does not exist; write one (start from "coffer config example") or name another with --config FILE'
      : code === 'EACCES'
        ? 'cannot be read (permission denied); run as the user the config belongs to'
        : code === 'EISDIR'
          ? 'is a folder, not a file'
          : `cannot be read (${code ?? String(err)})`;
  const known = code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR';
  return new ConfigError(`the config file ${path} ${why}`, known ? {} : { cause: err });
}

function problemsError(path: string, problems: readonly ConfigProblem[]): ConfigError {
  const lines = [...problems]
    .sort((a, b) => a.line - b.line || a.col - b.col)
    .map((p) => formatProblem(path, p));
  const message =
    lines.length === 1
      ? lines[0]!
      : `${path} has ${lines.length} problems:\n${lines.map((l) => `  ${l}`).join('\n')}`;
  return new ConfigError(message, { problems: lines });
}

/** Messages for issues the schema does not word itself. */
function fallbackMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? 'missing: this is required'
        : `expected ${issue.expected}, got ${describeInput(issue.input)}`;
    case 'too_small':
      return issue.origin === 'array'
        ? `give at least ${String(issue.minimum)}`
        : `expected at least ${String(issue.minimum)}, got ${describeInput(issue.input)}`;
    case 'too_big':
      return `expected at most ${String(issue.maximum)}, got ${describeInput(issue.input)}`;
    default:
      return undefined;
  }
}

// Where secrets come from: COFFER_PASSWORD_FILE, COFFER_PASSWORD, or a no-echo prompt; never a command-line flag.

import { readFile } from 'node:fs/promises';
import { read } from 'read';
import { PasswordUnavailableError, UsageError } from '../errors.js';
import { passwordFromFileText } from '../repository/index.js';

export interface SecretSources {
  readonly env: NodeJS.ProcessEnv;
  /** Whether a person is at a terminal to answer a prompt. */
  readonly interactive: boolean;
  /** Asks without echo; defaults to a prompt on the terminal. */
  readonly prompt?: (question: string) => Promise<string>;
}

/** The password that opens the repository. */
export async function resolvePassword(sources: SecretSources): Promise<string> {
  const fromEnv = await fromFileOrEnv(sources.env, 'COFFER_PASSWORD_FILE', 'COFFER_PASSWORD');
  if (fromEnv !== undefined) return requireNonEmpty(fromEnv, 'the repository password');
  if (!sources.interactive) {
    throw new PasswordUnavailableError(
      'no password: set COFFER_PASSWORD_FILE to a file that holds it (or COFFER_PASSWORD), or run coffer in a terminal to be asked',
    );
  }
  return requireNonEmpty(await ask(sources)('Repository password: '), 'the repository password');
}

/**
 * A new password (init, key add, key passwd): from `--new-password-file`, COFFER_NEW_PASSWORD_FILE or
 * COFFER_NEW_PASSWORD, else asked twice on a terminal. `fallbackToRepositoryPassword` lets init take
 * COFFER_PASSWORD(_FILE), as scripts that create a repository expect.
 */
export async function resolveNewPassword(
  sources: SecretSources,
  opts: { file?: string; fallbackToRepositoryPassword?: boolean } = {},
): Promise<string> {
  if (opts.file !== undefined) return requireNonEmpty(await readPasswordFile(opts.file), 'the new password');
  const fromEnv =
    (await fromFileOrEnv(sources.env, 'COFFER_NEW_PASSWORD_FILE', 'COFFER_NEW_PASSWORD')) ??
    (opts.fallbackToRepositoryPassword
      ? await fromFileOrEnv(sources.env, 'COFFER_PASSWORD_FILE', 'COFFER_PASSWORD')
      : undefined);
  if (fromEnv !== undefined) return requireNonEmpty(fromEnv, 'the new password');
  if (!sources.interactive) {
    throw new PasswordUnavailableError(
      'no new password: give --new-password-file FILE (or set COFFER_NEW_PASSWORD_FILE), or run coffer in a terminal to be asked',
    );
  }
  const prompt = ask(sources);
  const first = requireNonEmpty(await prompt('New password: '), 'the new password');
  const second = await prompt('Type the new password again: ');
  if (first !== second) throw new UsageError('the two passwords you typed differ; nothing was changed');
  return first;
}

async function fromFileOrEnv(
  env: NodeJS.ProcessEnv,
  fileVar: string,
  valueVar: string,
): Promise<string | undefined> {
  const file = env[fileVar];
  if (file) return readPasswordFile(file, fileVar);
  return env[valueVar];
}

async function readPasswordFile(path: string, variable?: string): Promise<string> {
  try {
    return passwordFromFileText(await readFile(path, 'utf8'));
  } catch (cause) {
    const via = variable ? ` (from ${variable})` : '';
    throw new PasswordUnavailableError(
      `cannot read the password file ${path}${via}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
}

function requireNonEmpty(password: string, what: string): string {
  if (password.length === 0) throw new UsageError(`${what} is empty; an empty password protects nothing`);
  return password;
}

function ask(sources: SecretSources): (question: string) => Promise<string> {
  return (
    sources.prompt ??
    ((question) => read({ prompt: question, silent: true, replace: '', output: process.stderr }))
  );
}

// Reading a secret a config file refers to (a file, an environment variable or a command's output).
// Error messages name where the secret should have come from, never what it is.

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { PasswordUnavailableError } from '../errors.js';
import { passwordFromFileText } from '../repository/index.js';
import type { SecretRef } from './job-types.js';

const COMMAND_TIMEOUT_MS = 30_000;

/** A human description of a reference, for messages: `file /etc/coffer/pass`, `environment variable X`. */
export function describeSecretRef(ref: SecretRef): string {
  if ('file' in ref) return `file ${ref.file}`;
  if ('env' in ref) return `environment variable ${ref.env}`;
  return `command "${ref.command}"`;
}

/** The secret's text: a file's or a command's output minus one trailing newline, or a variable's value. */
export async function resolveSecret(
  ref: SecretRef,
  env: NodeJS.ProcessEnv = process.env,
  what = 'a secret',
): Promise<string> {
  const value = await read(ref, env, what);
  if (value === '') throw new PasswordUnavailableError(`${what} from ${describeSecretRef(ref)} is empty`);
  return value;
}

async function read(ref: SecretRef, env: NodeJS.ProcessEnv, what: string): Promise<string> {
  if ('env' in ref) {
    const value = env[ref.env];
    if (value === undefined) {
      throw new PasswordUnavailableError(`${what}: environment variable ${ref.env} is not set`);
    }
    return value;
  }
  if ('file' in ref) {
    try {
      return passwordFromFileText(await readFile(ref.file, 'utf8'));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? 'does not exist'
          : code === 'EACCES'
            ? 'cannot be read (permission denied)'
            : `cannot be read (${code ?? 'error'})`;
      throw new PasswordUnavailableError(`${what}: file ${ref.file} ${why}`);
    }
  }
  return new Promise((resolve, reject) => {
    execFile(
      '/bin/sh',
      ['-c', ref.command],
      { env, timeout: COMMAND_TIMEOUT_MS, maxBuffer: 64 * 1024 },
      (err, stdout) => {
        // The command's stderr may echo what it was given; do not pass it on.
        if (err)
          reject(
            new PasswordUnavailableError(
              `${what}: command "${ref.command}" failed (${err.killed ? 'timed out' : `exit ${String(err.code)}`})`,
            ),
          );
        else resolve(passwordFromFileText(stdout));
      },
    );
  });
}

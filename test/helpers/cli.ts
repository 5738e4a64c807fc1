// Runs the built `coffer` executable (dist/cli/main.js) as a user would, capturing its output and exit code.

import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const COFFER_BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** Options that make key derivation nearly free in tests; real keys use the defaults. */
export const FAST_KDF_ARGS = ['--kdf-memory', '64KiB', '--kdf-passes', '1'];

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function coffer(
  args: readonly string[],
  env: Record<string, string> = {},
  input?: string,
  runAs?: { uid: number; gid: number },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [COFFER_BIN, ...args], {
      // A clean environment: only what the test gives, plus PATH and HOME so Node and the AWS SDK behave.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(runAs ?? {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** A temporary folder removed by the returned cleanup. */
export async function tempDir(
  prefix = 'coffer-test-',
): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

export async function writeSecret(dir: string, name: string, value: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `${value}\n`, { mode: 0o600 });
  return path;
}

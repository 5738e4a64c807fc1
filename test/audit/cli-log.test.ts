// coffer log and the audit records of every command, through the built CLI: a local folder and S3 (s3rver),
// plus the local-only cases (damaged records, read-only credentials).

import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coffer, FAST_KDF_ARGS, tempDir } from '../helpers/cli.js';
import { awsEnv, startS3rver, type S3TestServer } from '../servers/s3rver.js';
import { rawStorage, runCliAuditScenario } from './cli-audit-scenario.js';

let folders: { path: string; cleanup: () => Promise<void> };
let server: S3TestServer;
beforeAll(async () => {
  folders = await tempDir('coffer-audit-repos-');
  server = await startS3rver();
});
afterAll(async () => {
  await folders?.cleanup();
  await server?.stop();
});

let n = 0;
runCliAuditScenario('local folder', async () => ({
  location: () => join(folders.path, `repo-${++n}`),
  env: {},
  raw: (location) => rawStorage(location, {}),
}));

const run = randomBytes(4).toString('hex');
runCliAuditScenario('S3 (s3rver)', async () => ({
  location: () => `s3:${server.endpoint}/${server.bucket}/audit-${run}-${++n}`,
  get env() {
    return awsEnv(server);
  },
  raw: (location) => rawStorage(location, awsEnv(server)),
}));

describe('coffer log and the audit records, local folder specifics', () => {
  const PASSWORD = 'audit e2e password';
  const env = (repo: string): Record<string, string> => ({
    COFFER_PASSWORD: PASSWORD,
    COFFER_REPOSITORY: repo,
  });

  async function repoWithBackup(): Promise<{ repo: string; src: string }> {
    const repo = join(folders.path, `repo-${++n}`);
    const src = join(folders.path, `src-${n}`);
    await mkdir(src, { recursive: true });
    await writeFile(join(src, 'budget.txt'), 'precept 2026: 41,250');
    expect((await coffer(['init', '--name', 'clerk', ...FAST_KDF_ARGS], env(repo))).code).toBe(0);
    const backup = await coffer(['backup', src], env(repo));
    expect(backup.code, backup.stderr).toBe(0);
    return { repo, src };
  }

  async function logOf(repo: string): Promise<{ operation: string; outcome: string; summary: string }[]> {
    const r = await coffer(['log', '--json'], env(repo));
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { operation: string; outcome: string; summary: string }[];
  }

  it('a damaged record is skipped and counted by log, and reported by check', async () => {
    const { repo } = await repoWithBackup();
    const files = (await readdir(join(repo, 'audit'), { recursive: true, withFileTypes: true })).filter((f) =>
      f.isFile(),
    );
    expect(files).toHaveLength(2);
    const victim = join(files[0]!.parentPath, files[0]!.name);
    const bytes = await readFile(victim);
    bytes[bytes.length - 3]! ^= 0x01;
    await writeFile(victim, bytes);
    const r = await coffer(['log'], env(repo));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/1 damaged record skipped/);
    expect(r.stdout).toMatch(/^1 record$/m);
    const check = await coffer(['check'], env(repo));
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/error 1 of 1: audit\/[0-9a-f]{2}\/?[0-9a-f]*.*does not match its name/);
    expect(check.stdout).toMatch(/what to do: .*the log has a gap/);
  });

  it('restore with read-only access still restores, warning that the lock and the record could not be written', async () => {
    const { repo, src } = await repoWithBackup();
    const target = join(folders.path, `restored-${n}`);
    await mkdir(target, { mode: 0o777 });
    await chmod(target, 0o777);
    // root writes anywhere, so as root the restore runs as "nobody", for whom the repository is read-only
    const asNobody = process.getuid?.() === 0;
    await readOnlyTree(repo, asNobody);
    try {
      const r = await coffer(
        ['restore', 'latest', '--target', target],
        env(repo),
        undefined,
        asNobody ? { uid: 65534, gid: 65534 } : undefined,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/restored 1 file/);
      expect(await readFile(join(target, src, 'budget.txt'), 'utf8')).toBe('precept 2026: 41,250');
      expect(r.stderr).toMatch(/warning: could not take a lock .*going on without one/);
      expect(r.stderr).toMatch(
        /warning: this restore could not be added to the audit log .*the restore itself is not affected/,
      );
    } finally {
      await writableTree(repo);
    }
    expect((await logOf(repo)).map((l) => l.operation)).toEqual(['init', 'backup']);
  });

  it('a backup stopped by SIGTERM is recorded as interrupted', async () => {
    const { repo, src } = await repoWithBackup();
    await writeFile(join(src, 'big.bin'), randomBytes(48 * 1024 * 1024));
    const { spawn } = await import('node:child_process');
    const { COFFER_BIN } = await import('../helpers/cli.js');
    const child = spawn(process.execPath, [COFFER_BIN, 'backup', src], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env(repo) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const packsBefore = await countFiles(join(repo, 'data'));
    await waitFor(async () => (await countFiles(join(repo, 'data'))) > packsBefore, 30_000);
    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(130);
    expect((await logOf(repo)).map((l) => [l.operation, l.outcome])).toEqual([
      ['init', 'success'],
      ['backup', 'success'],
      ['backup', 'interrupted'],
    ]);
  });
});

/** Read-only for whoever runs coffer: for "nobody" (when we are root) by ownership, else by mode. */
async function readOnlyTree(dir: string, forNobody: boolean): Promise<void> {
  // the folders above must be passable for "nobody"
  if (forNobody) await chmod(folders.path, 0o755);
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true }))
    await chmod(join(e.parentPath, e.name), e.isDirectory() ? 0o555 : 0o444);
  await chmod(dir, 0o555);
}

async function writableTree(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true }))
    await chmod(join(e.parentPath, e.name), e.isDirectory() ? 0o755 : 0o644);
}

async function countFiles(dir: string): Promise<number> {
  try {
    return (await readdir(dir, { recursive: true, withFileTypes: true })).filter(
      (e) => e.isFile() && !e.name.startsWith('.tmp-'),
    ).length;
  } catch {
    return 0;
  }
}

async function waitFor(cond: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

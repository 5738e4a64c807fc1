// coffer backup and coffer snapshots, run as a user would: exit codes, excludes, dry run, interruption,
// two backups at once, and S3.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coffer, COFFER_BIN, FAST_KDF_ARGS, tempDir } from '../helpers/cli.js';
import { seededBytes } from '../helpers/repo.js';
import { awsEnv, startS3rver, type S3TestServer } from '../servers/s3rver.js';

const PASSWORD = 'backup test password';
let work: { path: string; cleanup: () => Promise<void> };
let n = 0;

beforeAll(async () => {
  work = await tempDir('coffer-backup-e2e-');
  await chmod(work.path, 0o755);
});
afterAll(() => work?.cleanup());

async function newRepo(): Promise<string> {
  const repo = join(work.path, `repo-${++n}`);
  const r = await coffer(['init', '-r', repo, ...FAST_KDF_ARGS], { COFFER_PASSWORD: PASSWORD });
  expect(r.code, r.stderr).toBe(0);
  return repo;
}

async function sourceTree(files: Record<string, string | Uint8Array>): Promise<string> {
  const root = join(work.path, `src-${++n}`);
  for (const [rel, body] of Object.entries(files)) {
    await mkdir(join(root, rel, '..'), { recursive: true });
    await writeFile(join(root, rel), body);
  }
  return root;
}

const env = (repo: string): Record<string, string> => ({
  COFFER_PASSWORD: PASSWORD,
  COFFER_REPOSITORY: repo,
});

async function snapshots(
  repo: string,
): Promise<{ id: string; paths: string[]; summary: { totalFiles: number } }[]> {
  const r = await coffer(['snapshots', '--json'], env(repo));
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { id: string; paths: string[]; summary: { totalFiles: number } }[];
}

describe('coffer backup (local folder)', () => {
  it('backs up, prints a one-line summary when not on a terminal, and snapshots lists it', async () => {
    const repo = await newRepo();
    const src = await sourceTree({ 'Minutes/a.txt': 'minutes', 'Finance/b.bin': seededBytes(1, 100_000) });
    const r = await coffer(['backup', src, '--tag', 'weekly'], env(repo));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toMatch(/^snapshot [0-9a-f]{8} saved: 2 files/);
    const list = await coffer(['snapshots'], env(repo));
    expect(list.stdout).toMatch(/weekly/);
    expect(list.stdout).toContain(src);
    const again = await coffer(['backup', src, '--json'], env(repo));
    const summary = JSON.parse(again.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(summary).toMatchObject({ type: 'summary', filesUnmodified: 2, bytesAdded: 0 });
    expect(await snapshots(repo)).toHaveLength(2);
    const latest = await coffer(['snapshots', '--latest', '1', '--tag', 'weekly', '--json'], env(repo));
    expect(JSON.parse(latest.stdout)).toHaveLength(1);
  });

  it('--dry-run stores no snapshot; --exclude and --exclude-file leave paths out', async () => {
    const repo = await newRepo();
    const src = await sourceTree({
      'keep.txt': 'k',
      'cache/x.tmp': 'c',
      'old.bak': 'b',
      'Private/.nobackup': '',
      'Private/p.txt': 'p',
    });
    const dry = await coffer(['backup', src, '--dry-run'], env(repo));
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/dry run: nothing was stored/);
    expect(await snapshots(repo)).toHaveLength(0);
    const excludeFile = join(work.path, `excludes-${++n}`);
    await writeFile(excludeFile, '# comment\n*.bak\n');
    const r = await coffer(
      [
        'backup',
        src,
        '--exclude',
        'cache/',
        '--exclude-file',
        excludeFile,
        '--exclude-if-present',
        '.nobackup',
        '--json',
      ],
      env(repo),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({ totalFiles: 1 });
  });

  it('exits 3, names the file and still writes the snapshot when a file cannot be read', async () => {
    const repo = await newRepo();
    const src = await sourceTree({ 'ok.txt': 'fine', 'locked.txt': 'secret' });
    await chmod(join(src, 'locked.txt'), 0o000);
    // root reads everything, so as root the backup runs as "nobody", for whom the file is unreadable.
    const asNobody = process.getuid?.() === 0;
    if (asNobody) await chmodTree(repo);
    const r = await coffer(
      ['backup', src],
      env(repo),
      undefined,
      asNobody ? { uid: 65534, gid: 65534 } : undefined,
    );
    expect(r.stderr + r.stdout, JSON.stringify(r)).toMatch(
      /warning: .*locked\.txt could not be read \(permission denied\)/,
    );
    expect(r.code).toBe(3);
    const list = await snapshots(repo);
    expect(list).toHaveLength(1);
    expect(list[0]!.summary.totalFiles).toBe(1);
  });

  it('a usage mistake exits 2, a missing source is reported', async () => {
    const repo = await newRepo();
    expect((await coffer(['backup'], env(repo))).code).toBe(2);
    const missing = await coffer(['backup', join(work.path, 'does-not-exist')], env(repo));
    expect(missing.stderr).toMatch(/does-not-exist disappeared|does-not-exist.*not/);
  });

  it('Ctrl-C/SIGTERM stops without a snapshot, and the next backup reuses the packs already uploaded', async () => {
    const repo = await newRepo();
    const src = await sourceTree(
      Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f${i}.bin`, randomBytes(15_000_000)])),
    );
    const child = spawn(process.execPath, [COFFER_BIN, 'backup', src], {
      env: { ...process.env, ...env(repo) },
      stdio: 'pipe',
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await waitFor(async () => (await countFiles(join(repo, 'data'))) >= 2, 30_000);
    child.kill('SIGTERM');
    const code = await exited;
    expect(stderr).toMatch(/stopping cleanly/);
    expect(code).toBe(130);
    expect(stderr).toMatch(/no snapshot was written/);
    expect(await snapshots(repo)).toHaveLength(0);
    const again = await coffer(['backup', src, '--json'], env(repo));
    expect(again.code, again.stderr).toBe(0);
    const summary = JSON.parse(again.stdout.trim().split('\n').at(-1)!) as {
      bytesStored: number;
      totalBytes: number;
    };
    expect(summary.bytesStored).toBeLessThan(summary.totalBytes - 16_000_000);
  });

  it('after kill -9 mid-backup the repository is consistent and the next backup succeeds', async () => {
    const repo = await newRepo();
    const src = await sourceTree(
      Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`g${i}.bin`, randomBytes(15_000_000)])),
    );
    const child = spawn(process.execPath, [COFFER_BIN, 'backup', src], {
      env: { ...process.env, ...env(repo) },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.on('close', resolve));
    await waitFor(async () => (await countFiles(join(repo, 'data'))) >= 1, 30_000);
    child.kill('SIGKILL');
    await exited;
    const again = await coffer(['backup', src], env(repo));
    expect(again.code, again.stderr).toBe(0);
    expect(await snapshots(repo)).toHaveLength(1);
  });

  it('two backups into the same repository at once both succeed', async () => {
    const repo = await newRepo();
    const a = await sourceTree({ 'a/1.bin': seededBytes(2, 3_000_000), 'shared.txt': 'same content' });
    const b = await sourceTree({ 'b/1.bin': seededBytes(3, 3_000_000), 'shared.txt': 'same content' });
    const [ra, rb] = await Promise.all([coffer(['backup', a], env(repo)), coffer(['backup', b], env(repo))]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);
    const list = await snapshots(repo);
    expect(list.map((s) => s.paths[0]).sort()).toEqual([a, b].sort());
  });
});

describe('coffer backup (S3, s3rver)', () => {
  let server: S3TestServer;
  beforeAll(async () => {
    server = await startS3rver();
  });
  afterAll(() => server?.stop());

  it('backs up to S3 and lists the snapshot; a second backup adds nothing', async () => {
    const aws = awsEnv(server);
    const repo = `s3:${server.endpoint}/${server.bucket}/backup-${randomBytes(4).toString('hex')}`;
    expect(
      (await coffer(['init', '-r', repo, ...FAST_KDF_ARGS], { ...aws, COFFER_PASSWORD: PASSWORD })).code,
    ).toBe(0);
    const src = await sourceTree({ 'doc.txt': 'x'.repeat(10_000), 'big.bin': seededBytes(4, 20_000_000) });
    const first = await coffer(['backup', src, '--json'], { ...aws, ...env(repo) });
    expect(first.code, first.stderr).toBe(0);
    const second = await coffer(['backup', src, '--json'], { ...aws, ...env(repo) });
    expect(JSON.parse(second.stdout.trim().split('\n').at(-1)!)).toMatchObject({
      bytesAdded: 0,
      filesUnmodified: 2,
    });
    const list = await coffer(['snapshots', '--json'], { ...aws, ...env(repo) });
    expect(JSON.parse(list.stdout)).toHaveLength(2);
  });
});

async function countFiles(dir: string): Promise<number> {
  try {
    // Complete objects only: the local backend writes a temporary .tmp- file first, then renames it.
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

/** Lets "nobody" write the repository (root-only test set-up); the sources stay readable through 0755/0644. */
async function chmodTree(dir: string): Promise<void> {
  await chmod(dir, 0o777);
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    await chmod(join(e.parentPath, e.name), e.isDirectory() ? 0o777 : 0o666);
  }
}

// coffer check run as a user would: exit 0 and "no errors" on a clean repository, exit 1 naming the damaged
// file, exit 2 for a mistyped subset; on a local folder and on S3 (s3rver).

import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/check/index.js';
import { coffer, FAST_KDF_ARGS, tempDir } from '../helpers/cli.js';
import { seededBytes } from '../helpers/repo.js';
import { awsEnv, startS3rver, type S3TestServer } from '../servers/s3rver.js';

const PASSWORD = 'check test password';
let work: { path: string; cleanup: () => Promise<void> };
let n = 0;

beforeAll(async () => {
  work = await tempDir('coffer-check-e2e-');
});
afterAll(() => work?.cleanup());

async function sourceTree(files: Record<string, string | Uint8Array>): Promise<string> {
  const root = join(work.path, `src-${++n}`);
  for (const [rel, body] of Object.entries(files)) {
    await mkdir(join(root, rel, '..'), { recursive: true });
    await writeFile(join(root, rel), body);
  }
  return root;
}

/** A repository with two snapshots of one folder; the second adds a file, budget.bin is in both. */
async function repoWithSnapshots(repo: string, env: Record<string, string>): Promise<string> {
  const init = await coffer(['init', '-r', repo, ...FAST_KDF_ARGS], { ...env, COFFER_PASSWORD: PASSWORD });
  expect(init.code, init.stderr).toBe(0);
  const src = await sourceTree({
    'Finance/budget.bin': seededBytes(3, 400_000),
    'Minutes/jan.txt': 'January',
  });
  const all = { ...env, COFFER_PASSWORD: PASSWORD, COFFER_REPOSITORY: repo };
  expect((await coffer(['backup', src], all)).code).toBe(0);
  await writeFile(join(src, 'Minutes/feb.txt'), 'February');
  expect((await coffer(['backup', src], all)).code).toBe(0);
  return src;
}

async function largestFile(dir: string): Promise<string> {
  const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  const sized = await Promise.all(
    files.map(async (e) => ({
      path: join(e.parentPath, e.name),
      size: (await stat(join(e.parentPath, e.name))).size,
    })),
  );
  return sized.sort((a, b) => b.size - a.size)[0]!.path;
}

describe('coffer check (local folder)', () => {
  it('exits 0 with "no errors were found" on a clean repository, with and without --read-data', async () => {
    const repo = join(work.path, `repo-${++n}`);
    await repoWithSnapshots(repo, {});
    const env = { COFFER_PASSWORD: PASSWORD, COFFER_REPOSITORY: repo };
    const plain = await coffer(['check'], env);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/checked 1 key file, 2 snapshots, 2 index files, 4 packs/);
    expect(plain.stdout).toMatch(/no errors were found\n$/);
    // no progress line when stderr is not a terminal
    expect(plain.stderr).toBe('');
    const full = await coffer(['check', '--read-data', '--json'], env);
    expect(full.code, full.stderr).toBe(0);
    expect(JSON.parse(full.stdout)).toMatchObject({ ok: true, readData: 'all', counts: { packsRead: 4 } });
  });

  it('exits 1 and names the damaged file in both snapshots when a pack has a flipped byte', async () => {
    const repo = join(work.path, `repo-${++n}`);
    const src = await repoWithSnapshots(repo, {});
    const pack = await largestFile(join(repo, 'data'));
    const bytes = await readFile(pack);
    bytes[1000]! ^= 0x01;
    await writeFile(pack, bytes);
    const env = { COFFER_PASSWORD: PASSWORD, COFFER_REPOSITORY: repo };
    const r = await coffer(['check', '--read-data'], env);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/error 1 of 1: data\/[0-9a-f]{2}\/[0-9a-f]{64} is damaged/);
    expect(r.stdout).toMatch(/affected: 1 file in 2 snapshots/);
    expect(r.stdout).toContain(`    ${src}/Finance/budget.bin\n`);
    expect(r.stdout).toMatch(/what to do: .*Keep the originals/);
    expect(r.stdout).toMatch(/1 error was found/);
    const json = await coffer(['check', '--read-data', '--json'], env);
    expect(json.code).toBe(1);
    const result = JSON.parse(json.stdout) as CheckResult;
    expect(result.errors.map((e) => e.kind)).toEqual(['pack-damaged']);
    expect(result.errors[0]!.affected.map((a) => a.paths)).toEqual([
      [`${src}/Finance/budget.bin`],
      [`${src}/Finance/budget.bin`],
    ]);
  });

  it('exits 2 with a clear message for a mistyped subset, before asking for a password', async () => {
    const repo = join(work.path, `repo-${++n}`);
    const bad = await coffer(['check', '--read-data-subset', '5/4'], { COFFER_REPOSITORY: repo });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--read-data-subset 5\/4: in N\/M, M must be from 1 to 256 and N from 1 to M/);
    const words = await coffer(['check', '--read-data-subset', 'half'], { COFFER_REPOSITORY: repo });
    expect(words.code).toBe(2);
    expect(words.stderr).toMatch(/give N\/M .* or a percentage/);
    const both = await coffer(['check', '--read-data', '--read-data-subset', '10%'], {
      COFFER_REPOSITORY: repo,
    });
    expect(both.code).toBe(2);
  });
});

describe('coffer check (S3, s3rver)', () => {
  let server: S3TestServer;
  beforeAll(async () => {
    server = await startS3rver();
  });
  afterAll(() => server?.stop());

  it('finds no errors in a clean repository, reading every pack', async () => {
    const aws = awsEnv(server);
    const repo = `s3:${server.endpoint}/${server.bucket}/check-${randomBytes(4).toString('hex')}`;
    await repoWithSnapshots(repo, aws);
    const r = await coffer(['check', '--read-data'], {
      ...aws,
      COFFER_PASSWORD: PASSWORD,
      COFFER_REPOSITORY: repo,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/2 snapshots, 2 index files, 4 packs .*read 4 packs whole/);
    expect(r.stdout).toMatch(/no errors were found/);
  });
});

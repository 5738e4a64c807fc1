// The clerk's restore journey through the built CLI: find what was lost, get it back, verified;
// plus ls, versions, diff, dump, and restore against S3.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coffer, FAST_KDF_ARGS, tempDir } from '../helpers/cli.js';
import { seededBytes } from '../helpers/repo.js';
import { awsEnv, startS3rver, type S3TestServer } from '../servers/s3rver.js';

const PASSWORD = 'restore test password';
let work: { path: string; cleanup: () => Promise<void> };
let n = 0;
beforeAll(async () => {
  work = await tempDir('coffer-restore-e2e-');
});
afterAll(() => work?.cleanup());

async function setup(
  extraEnv: Record<string, string> = {},
  repo?: string,
): Promise<{ repo: string; src: string; env: Record<string, string> }> {
  const r = repo ?? join(work.path, `repo-${++n}`);
  const env = { COFFER_PASSWORD: PASSWORD, COFFER_REPOSITORY: r, ...extraEnv };
  expect((await coffer(['init', ...FAST_KDF_ARGS], env)).code).toBe(0);
  const src = join(work.path, `council-${++n}`);
  await mkdir(join(src, 'Minutes'), { recursive: true });
  await mkdir(join(src, 'Finance'), { recursive: true });
  await writeFile(join(src, 'Minutes/2026-10.txt'), 'October minutes\n');
  await writeFile(join(src, 'Minutes/2026-11.txt'), 'November minutes\n');
  await writeFile(join(src, 'Finance/budget.xlsx'), seededBytes(9, 200_000));
  return { repo: r, src, env };
}

describe('the clerk restores a deleted file', () => {
  it('find --deleted shows it, restore brings it back verified, in two commands', async () => {
    const { src, env } = await setup();
    expect((await coffer(['backup', src], env)).code).toBe(0);
    await rm(join(src, 'Minutes/2026-10.txt'));
    expect((await coffer(['backup', src], env)).code).toBe(0);

    const lost = await coffer(['find', '--deleted'], env);
    expect(lost.code, lost.stderr).toBe(0);
    expect(lost.stdout).toContain(`${src}/Minutes/2026-10.txt`);
    const command = /coffer (restore \S+) --target/.exec(lost.stdout)?.[1];
    expect(command).toBeDefined();

    const back = await coffer(
      [...command!.split(' '), '--target', join(src, 'Minutes'), '--manifest', join(work.path, 'm.sha256')],
      env,
    );
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toMatch(/restored 1 file.*verified against (its|their) SHA-256/);
    expect(await readFile(join(src, 'Minutes/2026-10.txt'), 'utf8')).toBe('October minutes\n');
    expect(
      execFileSync('sha256sum', ['-c', join(work.path, 'm.sha256')], {
        cwd: join(src, 'Minutes'),
        encoding: 'utf8',
      }),
    ).toMatch(/2026-10.txt: OK/);

    const json = JSON.parse((await coffer(['find', '--deleted', '--json'], env)).stdout) as unknown[];
    expect(json).toHaveLength(1);
    expect(
      JSON.parse((await coffer(['find', '--deleted', '--since', '2999-01-01', '--json'], env)).stdout),
    ).toEqual([]);
  });

  it('restoring over the original never silently overwrites a newer file', async () => {
    const { src, env } = await setup();
    expect((await coffer(['backup', src], env)).code).toBe(0);
    await writeFile(join(src, 'Minutes/2026-11.txt'), 'November minutes, edited after the backup\n');
    const r = await coffer(['restore', `latest:${src}`, '--target', src], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not restored: Minutes\/2026-11\.txt/);
    expect(await readFile(join(src, 'Minutes/2026-11.txt'), 'utf8')).toMatch(/edited after/);
    const forced = await coffer(
      ['restore', `latest:${src}`, '--target', src, '--overwrite', 'if-changed'],
      env,
    );
    expect(forced.code, forced.stderr).toBe(0);
    expect(await readFile(join(src, 'Minutes/2026-11.txt'), 'utf8')).toBe('November minutes\n');
  });
});

describe('browsing snapshots', () => {
  it('ls, find, versions, diff and dump', async () => {
    const { src, env } = await setup();
    await coffer(['backup', src], env);
    await writeFile(join(src, 'Minutes/2026-11.txt'), 'November minutes v2\n');
    await writeFile(join(src, 'Minutes/2026-12.txt'), 'December\n');
    await coffer(['backup', src], env);
    const snaps = JSON.parse((await coffer(['snapshots', '--json'], env)).stdout) as { id: string }[];

    const ls = await coffer(['ls', 'latest', `${src}/Minutes`], env);
    expect(ls.stdout.trim().split('\n')).toEqual([
      `${src}/Minutes/`,
      `${src}/Minutes/2026-10.txt`,
      `${src}/Minutes/2026-11.txt`,
      `${src}/Minutes/2026-12.txt`,
    ]);
    expect((await coffer(['ls', 'latest', `${src}/Finance`, '--long'], env)).stdout).toMatch(
      /-rw-r--r--\s+195 KiB\s+\S+ \S+\s+.*budget\.xlsx/,
    );

    const found = await coffer(['find', '2026-11.TXT', '-i', '--json'], env);
    const f = JSON.parse(found.stdout) as { path: string; versions: unknown[] }[];
    expect(f.map((x) => [x.path, x.versions.length])).toEqual([[`${src}/Minutes/2026-11.txt`, 2]]);
    expect(JSON.parse((await coffer(['find', '2026-11.TXT', '--json'], env)).stdout)).toEqual([]);

    const versions = JSON.parse(
      (await coffer(['versions', `${src}/Minutes/2026-11.txt`, '--json'], env)).stdout,
    ) as { versions: { size: number; first: { id: string } }[] };
    expect(versions.versions.map((v) => v.size)).toEqual([17, 20]);
    expect(versions.versions[0]!.first.id).toBe(snaps[0]!.id);

    const diff = await coffer(['diff', snaps[0]!.id.slice(0, 8), 'latest'], env);
    expect(diff.stdout).toContain(`+  ${src}/Minutes/2026-12.txt`);
    expect(diff.stdout).toContain(`M  ${src}/Minutes/2026-11.txt`);
    expect(diff.stdout).toMatch(/1 added, 0 removed, 1 modified/);

    const dump = await coffer(['dump', `${snaps[0]!.id.slice(0, 8)}:${src}/Minutes/2026-11.txt`], env);
    expect(dump.stdout).toBe('November minutes\n');
    const tarFile = join(work.path, `minutes-${n}.tar`);
    const tar = execFileSync(
      process.execPath,
      [
        join(import.meta.dirname, '../../dist/cli/main.js'),
        'dump',
        `latest:${src}/Minutes`,
        '--archive',
        'tar',
      ],
      { env: { ...process.env, ...env } },
    );
    await writeFile(tarFile, tar);
    expect(execFileSync('tar', ['tf', tarFile], { encoding: 'utf8' }).trim().split('\n').sort()).toEqual([
      'Minutes',
      'Minutes/2026-10.txt',
      'Minutes/2026-11.txt',
      'Minutes/2026-12.txt',
    ]);

    expect((await coffer(['dump', `latest:${src}/Minutes`], env)).code).toBe(2);
    expect((await coffer(['ls', 'zzzz'], env)).stderr).toMatch(/not a snapshot id|no snapshot/);
  });
});

describe('restore from S3 (s3rver)', () => {
  let server: S3TestServer;
  beforeAll(async () => {
    server = await startS3rver();
  });
  afterAll(() => server?.stop());

  it('restores a whole snapshot identical to the source', async () => {
    const aws = awsEnv(server);
    const { src, env } = await setup(
      aws,
      `s3:${server.endpoint}/${server.bucket}/restore-${randomBytes(4).toString('hex')}`,
    );
    expect((await coffer(['backup', src], env)).code).toBe(0);
    const target = join(work.path, `s3-target-${++n}`);
    const r = await coffer(['restore', `latest:${src}`, '--target', target], env);
    expect(r.code, r.stderr).toBe(0);
    const sums = (dir: string): string =>
      execFileSync('sh', ['-c', 'find . -type f -print0 | sort -z | xargs -0 sha256sum'], {
        cwd: dir,
        encoding: 'utf8',
      });
    expect(sums(target)).toBe(sums(src));
  });
});

// coffer forget and coffer unlock through the built CLI.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRepository, saveObject } from '../../src/repository/index.js';
import { LocalStorage } from '../../src/storage/local.js';
import { coffer, FAST_KDF_ARGS, tempDir } from '../helpers/cli.js';

let work: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  work = await tempDir('coffer-forget-e2e-');
});
afterAll(() => work?.cleanup());

describe('coffer forget', () => {
  it('keeps what the policy says, shows why, and removes the rest; refuses to empty a group', async () => {
    const repo = join(work.path, 'repo');
    const env = { COFFER_PASSWORD: 'pw', COFFER_REPOSITORY: repo };
    expect((await coffer(['init', ...FAST_KDF_ARGS], env)).code).toBe(0);
    const src = join(work.path, 'src');
    await mkdir(src);
    for (let i = 0; i < 4; i++) {
      await writeFile(join(src, 'minutes.txt'), `version ${i}`);
      expect((await coffer(['backup', src, ...(i === 0 ? ['--tag', 'audit'] : [])], env)).code).toBe(0);
    }
    const dry = await coffer(['forget', '--keep-last', '2', '--keep-tag', 'audit', '--dry-run'], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/keep .*\(last 1 of 2\)/);
    expect(dry.stdout).toMatch(/keep .*\(tagged audit\)/);
    expect(dry.stdout).toMatch(/dry run: would remove 1 snapshot; nothing was removed/);
    expect(JSON.parse((await coffer(['snapshots', '--json'], env)).stdout)).toHaveLength(4);

    const empty = await coffer(['forget', '--keep-tag', 'nonexistent'], env);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/would remove every snapshot/);
    expect((await coffer(['forget'], env)).code).toBe(2);

    const real = await coffer(['forget', '--keep-last', '2', '--keep-tag', 'audit', '--json'], env);
    expect(real.code, real.stderr).toBe(0);
    expect(JSON.parse(real.stdout)).toMatchObject({ removed: 1, dryRun: false });
    expect(JSON.parse((await coffer(['snapshots', '--json'], env)).stdout)).toHaveLength(3);
    // (prune and forget --prune below)
    const pruneDry = await coffer(['prune', '--dry-run'], env);
    expect(pruneDry.code, pruneDry.stderr).toBe(0);
    expect(pruneDry.stdout).toMatch(/dry run: nothing was changed/);
    const pruned = await coffer(['forget', '--keep-last', '1', '--prune', '--max-unused', '0%'], env);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toMatch(/deleted \d+ unused packs and repacked \d+/);
    expect((await coffer(['check', '--read-data'], env)).code).toBe(0);
    expect((await coffer(['prune', '--max-unused', 'lots'], env)).code).toBe(2);
    // Checked before anything is opened: even where there is no repository, a mistyped option is a usage error.
    expect((await coffer(['prune', '--max-unused', 'lots', '-r', join(work.path, 'none')], {})).code).toBe(2);
    const unlock = await coffer(['unlock'], env);
    expect(unlock.stdout).toMatch(/0 locks removed, 0 left/);
  });
});

describe('locks through the CLI', () => {
  it('a backup meets an exclusive lock with exit 11 naming the holder; unlock --remove-all clears it', async () => {
    const repo = join(work.path, 'locked');
    const env = { COFFER_PASSWORD: 'pw', COFFER_REPOSITORY: repo };
    expect((await coffer(['init', ...FAST_KDF_ARGS], env)).code).toBe(0);
    const opened = await openRepository(new LocalStorage(repo), 'pw');
    const now = new Date().toISOString();
    const lock = {
      time: now,
      refreshed: now,
      exclusive: true,
      host: 'office-pc',
      pid: 4242,
      user: 'contractor',
      operation: 'prune',
    };
    await saveObject(opened, 'lock', new TextEncoder().encode(JSON.stringify(lock)));
    const src = join(work.path, 'locked-src');
    await mkdir(src);
    await writeFile(join(src, 'a.txt'), 'a');
    const blocked = await coffer(['backup', src], env);
    expect(blocked.code).toBe(11);
    expect(blocked.stderr).toMatch(/locked by "prune" \(exclusive\) of contractor@office-pc, process 4242/);
    expect((await coffer(['unlock'], env)).stdout).toMatch(/0 locks removed, 1 left/);
    expect((await coffer(['unlock', '--remove-all'], env)).stdout).toMatch(/1 lock removed, 0 left/);
    expect((await coffer(['backup', src], env)).code).toBe(0);
  });
});

describe('coffer rewrite', () => {
  it('removes matching files from snapshots through the CLI, then prune reclaims them', async () => {
    const repo = join(work.path, 'erase');
    const env = { COFFER_PASSWORD: 'pw', COFFER_REPOSITORY: repo };
    expect((await coffer(['init', ...FAST_KDF_ARGS], env)).code).toBe(0);
    const src = join(work.path, 'erase-src');
    await mkdir(join(src, 'HR'), { recursive: true });
    await writeFile(join(src, 'HR/smith.txt'), 'personal data');
    await writeFile(join(src, 'minutes.txt'), 'minutes');
    expect((await coffer(['backup', src], env)).code).toBe(0);
    const dry = await coffer(['rewrite', '--exclude', 'HR/smith.txt', '--dry-run'], env);
    expect(dry.stdout).toContain(`${src}/HR/smith.txt`);
    const r = await coffer(['rewrite', '--exclude', 'HR/smith.txt', '--forget'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/1 original snapshots removed/);
    expect((await coffer(['find', 'smith.txt', '--json'], env)).stdout.trim()).toBe('[]');
    expect((await coffer(['prune'], env)).code).toBe(0);
    expect((await coffer(['rewrite'], env)).code).toBe(2);
  });
});

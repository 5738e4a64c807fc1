// Append-only repositories on a local folder, through the built CLI: the first key is the admin key;
// ordinary keys back up and read, but every removal is refused with exit 13 until the admin key is used.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coffer, FAST_KDF_ARGS, tempDir, writeSecret } from '../helpers/cli.js';

const ADMIN = 'admin password 2026';
const CLERK = 'clerk password 2026';

describe('append-only repository (local folder, CLI)', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let repo: string;
  let source: string;
  const as = (password: string, extra: Record<string, string> = {}): Record<string, string> => ({
    COFFER_REPOSITORY: repo,
    COFFER_PASSWORD: password,
    ...extra,
  });

  beforeAll(async () => {
    dir = await tempDir('coffer-append-only-');
    repo = join(dir.path, 'repo');
    source = join(dir.path, 'minutes');
    await mkdir(source);
    await writeFile(join(source, 'march.txt'), 'minutes of the March meeting\n');
    const init = await coffer(['init', '--append-only', '--name', 'it', ...FAST_KDF_ARGS], as(ADMIN));
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/Append-only: this is the admin key/);
    const clerkPw = await writeSecret(dir.path, 'clerk-pw', CLERK);
    const add = await coffer(
      ['key', 'add', '--name', 'clerk', '--role', 'clerk', '--new-password-file', clerkPw, ...FAST_KDF_ARGS],
      as(ADMIN),
    );
    expect(add.code, add.stderr).toBe(0);
    for (let i = 0; i < 2; i++) {
      await writeFile(join(source, `note-${i}.txt`), `note ${i}\n`);
      const b = await coffer(['backup', source], as(CLERK));
      expect(b.code, b.stderr).toBe(0);
    }
  });
  afterAll(() => dir?.cleanup());

  it('init records append-only and makes the first key the admin key', async () => {
    const keys = await coffer(['key', 'list', '--json'], as(ADMIN));
    expect(keys.code, keys.stderr).toBe(0);
    const list = JSON.parse(keys.stdout) as { name: string; role: string }[];
    expect(list.find((k) => k.name === 'it')?.role).toBe('admin');
    expect(list.find((k) => k.name === 'clerk')?.role).toBe('clerk');
  });

  it('refuses --role other than admin with --append-only, before asking for a password', async () => {
    const r = await coffer(['init', '-r', join(dir.path, 'other'), '--append-only', '--role', 'clerk'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--append-only makes the first key the "admin" key/);
  });

  it.each([
    ['forget', ['forget', '--keep-last', '1']],
    ['prune', ['prune']],
    ['rewrite', ['rewrite', '--exclude', 'march.txt', '--forget']],
    ['key remove', ['key', 'remove', 'it']],
    ['unlock --remove-all', ['unlock', '--remove-all']],
    [
      'adding a key with the role "admin"',
      ['key', 'add', '--name', 'x', '--role', 'admin', ...FAST_KDF_ARGS],
    ],
    ['making a recovery key', ['key', 'recovery-sheet', ...FAST_KDF_ARGS]],
  ])('with the clerk key, "%s" is refused (exit 13, saying whose key is needed)', async (what, args) => {
    const before = await coffer(['snapshots', '--json'], as(CLERK));
    const r = await coffer(args, as(CLERK, { COFFER_NEW_PASSWORD: 'new admin pw' }));
    expect(r.code, r.stderr).toBe(13);
    expect(r.stderr).toContain(`${what} refused: this repository is append-only`);
    expect(r.stderr).toMatch(/opened with the "clerk" key/);
    const after = await coffer(['snapshots', '--json'], as(CLERK));
    expect(after.stdout).toBe(before.stdout);
  });

  it('the clerk key may still back up, read, check, and dry-run what it may not do', async () => {
    expect((await coffer(['check'], as(CLERK))).code).toBe(0);
    const dry = await coffer(['forget', '--keep-last', '1', '--dry-run'], as(CLERK));
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/would remove 1 snapshot/);
    expect((await coffer(['prune', '--dry-run'], as(CLERK))).code).toBe(0);
    expect((await coffer(['unlock'], as(CLERK))).code).toBe(0);
  });

  it('the admin key may forget, prune and remove keys', async () => {
    const forget = await coffer(['forget', '--keep-last', '1', '--prune'], as(ADMIN));
    expect(forget.code, forget.stderr).toBe(0);
    expect(forget.stdout).toMatch(/removed 1 snapshot/);
    const snaps = JSON.parse((await coffer(['snapshots', '--json'], as(CLERK))).stdout) as unknown[];
    expect(snaps).toHaveLength(1);
    const remove = await coffer(['key', 'remove', 'clerk'], as(ADMIN));
    expect(remove.code, remove.stderr).toBe(0);
    expect((await coffer(['snapshots'], as(CLERK))).code).toBe(12);
  });
});

describe('a repository that is not append-only', () => {
  it('lets any key forget, as before', async () => {
    const dir = await tempDir('coffer-not-append-only-');
    try {
      const env = { COFFER_REPOSITORY: join(dir.path, 'repo'), COFFER_PASSWORD: CLERK };
      expect((await coffer(['init', '--role', 'clerk', ...FAST_KDF_ARGS], env)).code).toBe(0);
      await writeFile(join(dir.path, 'a.txt'), 'a');
      expect((await coffer(['backup', join(dir.path, 'a.txt')], env)).code).toBe(0);
      const r = await coffer(['forget', '--keep-last', '1'], env);
      expect(r.code, r.stderr).toBe(0);
    } finally {
      await dir.cleanup();
    }
  });
});

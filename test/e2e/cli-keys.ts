// The CLI's repository and key commands, run against any location; called by one test file per backend.

import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coffer, FAST_KDF_ARGS, tempDir, writeSecret } from '../helpers/cli.js';

export interface CliTarget {
  /** A fresh, empty repository location for each call. */
  location(): string;
  /** Extra environment (storage credentials). */
  readonly env: Record<string, string>;
}

const PASSWORD = 'clerk password 2026';

export function runCliKeyTests(
  name: string,
  makeTarget: () => Promise<CliTarget & { cleanup(): Promise<void> }>,
): void {
  describe(`coffer init and key, ${name}`, () => {
    let target: CliTarget & { cleanup(): Promise<void> };
    let secrets: { path: string; cleanup: () => Promise<void> };

    beforeAll(async () => {
      target = await makeTarget();
      secrets = await tempDir('coffer-secrets-');
    });
    afterAll(async () => {
      await target?.cleanup();
      await secrets?.cleanup();
    });

    const env = (extra: Record<string, string> = {}): Record<string, string> => ({
      ...target.env,
      COFFER_PASSWORD: PASSWORD,
      ...extra,
    });

    async function initRepo(): Promise<string> {
      const repo = target.location();
      const r = await coffer(['init', '-r', repo, '--name', 'clerk', ...FAST_KDF_ARGS], env());
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      return repo;
    }

    it('init creates a repository, prints its id, and --json gives the details', async () => {
      const repo = target.location();
      const r = await coffer(
        ['init', '--json', '--name', 'clerk', ...FAST_KDF_ARGS],
        env({ COFFER_REPOSITORY: repo }),
      );
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as {
        id: string;
        formatVersion: number;
        keyId: string;
        location: string;
      };
      expect(out.id).toMatch(/^[0-9a-f]{64}$/);
      expect(out.formatVersion).toBe(1);
      expect(out.location).not.toMatch(/S3RVER|secret/i);
      const list = await coffer(['key', 'list', '--json', '-r', repo], env());
      expect(list.code, list.stderr).toBe(0);
      const keys = JSON.parse(list.stdout) as { id: string; name: string; current: boolean }[];
      expect(keys).toEqual([expect.objectContaining({ id: out.keyId, name: 'clerk', current: true })]);
    });

    it('init on an existing repository refuses (exit 1) and changes nothing', async () => {
      const repo = await initRepo();
      const again = await coffer(['init', '-r', repo, ...FAST_KDF_ARGS], env({ COFFER_PASSWORD: 'another' }));
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/already a coffer repository.*nothing was changed/);
      expect((await coffer(['key', 'list', '-r', repo], env())).code).toBe(0);
      expect((await coffer(['key', 'list', '-r', repo], env({ COFFER_PASSWORD: 'another' }))).code).toBe(12);
    });

    it('a wrong password exits 12 with a clear message and no stack trace', async () => {
      const repo = await initRepo();
      const r = await coffer(['key', 'list', '-r', repo], env({ COFFER_PASSWORD: 'wrong' }));
      expect(r.code).toBe(12);
      expect(r.stderr).toMatch(/^coffer: wrong password/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });

    it('key add, list, passwd and remove manage who can open the repository', async () => {
      const repo = await initRepo();
      const chairFile = await writeSecret(secrets.path, `chair-${Date.now()}`, 'chair password');
      const add = await coffer(
        [
          'key',
          'add',
          '-r',
          repo,
          '--name',
          'chair',
          '--role',
          'councillor',
          '--new-password-file',
          chairFile,
          ...FAST_KDF_ARGS,
        ],
        env(),
      );
      expect(add.code, add.stderr).toBe(0);
      expect(add.stdout).toMatch(/added key [0-9a-f]{8} for chair/);

      const table = await coffer(['key', 'list', '-r', repo], env());
      expect(table.stdout).toMatch(/\*\s+[0-9a-f]{8}\s+clerk\s+owner/);
      expect(table.stdout).toMatch(/\n\s+[0-9a-f]{8}\s+chair\s+councillor/);

      const asChair = env({ COFFER_PASSWORD_FILE: chairFile, COFFER_PASSWORD: '' });
      const passwd = await coffer(['key', 'passwd', '-r', repo, ...FAST_KDF_ARGS], {
        ...asChair,
        COFFER_NEW_PASSWORD: 'chair new password',
      });
      expect(passwd.code, passwd.stderr).toBe(0);
      expect((await coffer(['key', 'list', '-r', repo], asChair)).code).toBe(12);
      const asNewChair = env({ COFFER_PASSWORD: 'chair new password' });
      expect((await coffer(['key', 'list', '-r', repo], asNewChair)).code).toBe(0);

      const removeSelf = await coffer(['key', 'remove', 'chair', '-r', repo], asNewChair);
      expect(removeSelf.code).toBe(2);
      expect(removeSelf.stderr).toMatch(/the key you opened the repository with/);

      const remove = await coffer(['key', 'remove', 'chair', '-r', repo], env());
      expect(remove.code, remove.stderr).toBe(0);
      expect((await coffer(['key', 'list', '-r', repo], asNewChair)).code).toBe(12);
    });

    it('recovery-sheet prints a recovery key that opens the repository when typed back', async () => {
      const repo = await initRepo();
      const r = await coffer(['key', 'recovery-sheet', '-r', repo, ...FAST_KDF_ARGS], env());
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('COFFER RECOVERY SHEET');
      expect(r.stdout).toContain(repo.replace(/^local:/, ''));
      const key = /\n\s{4}((?:[0-9A-Z]{4}-){8}[0-9A-Z]{4})\n/.exec(r.stdout)?.[1];
      expect(key).toBeDefined();
      const typed = key!.toLowerCase().replaceAll('-', ' ');
      const list = await coffer(['key', 'list', '--json', '-r', repo], env({ COFFER_PASSWORD: typed }));
      expect(list.code, list.stderr).toBe(0);
      expect(
        (JSON.parse(list.stdout) as { name: string; current: boolean }[]).find((k) => k.current)?.name,
      ).toBe('recovery');
      const again = await coffer(['key', 'recovery-sheet', '-r', repo, ...FAST_KDF_ARGS], env());
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/--replace/);
    });

    it('a repository that does not exist exits 10', async () => {
      const r = await coffer(['key', 'list', '-r', target.location()], env());
      expect(r.code).toBe(10);
      expect(r.stderr).toMatch(/there is no coffer repository at/);
    });

    it('the password appears in no output', async () => {
      const repo = await initRepo();
      const outputs = await Promise.all([
        coffer(['key', 'list', '-r', repo, '--verbose'], env()),
        coffer(['key', 'list', '-r', repo, '--verbose'], env({ COFFER_PASSWORD: 'wrong-password-XYZ' })),
      ]);
      for (const o of outputs)
        expect(o.stdout + o.stderr).not.toMatch(/clerk password 2026|wrong-password-XYZ/);
    });
  });
}

/** Local-only: objects on disk are readable to us, so check damage handling and plaintext leaks there. */
export function runLocalOnlyCliTests(): void {
  describe('coffer CLI, local folder specifics', () => {
    it('a damaged config gives a message, exit 1, and --verbose names the cause', async () => {
      const dir = await tempDir();
      try {
        const repo = join(dir.path, 'repo');
        const env = { COFFER_PASSWORD: PASSWORD };
        expect((await coffer(['init', '-r', repo, ...FAST_KDF_ARGS], env)).code).toBe(0);
        await writeFile(join(repo, 'config'), 'not json at all');
        const r = await coffer(['key', 'list', '-r', repo], env);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/^coffer: the repository config is damaged/);
        expect(r.stderr).toMatch(/--verbose/);
        const verbose = await coffer(['key', 'list', '-r', repo, '--verbose'], env);
        expect(verbose.stderr).toMatch(/caused by: SyntaxError/);
      } finally {
        await dir.cleanup();
      }
    });

    it('nothing stored contains a key name, host or the password', async () => {
      const dir = await tempDir();
      try {
        const repo = join(dir.path, 'repo');
        expect(
          (
            await coffer(['init', '-r', repo, '--name', 'MrsTreasurer', ...FAST_KDF_ARGS], {
              COFFER_PASSWORD: PASSWORD,
            })
          ).code,
        ).toBe(0);
        const files = await readdir(repo, { recursive: true, withFileTypes: true });
        const bodies = await Promise.all(
          files.filter((f) => f.isFile()).map((f) => readFile(join(f.parentPath, f.name), 'utf8')),
        );
        expect(bodies.length).toBeGreaterThanOrEqual(2);
        for (const b of bodies) expect(b).not.toMatch(/MrsTreasurer|clerk password|owner|created/);
      } finally {
        await dir.cleanup();
      }
    });

    it('usage errors exit 2: no repository, unknown command, unknown option', async () => {
      const noRepo = await coffer(['key', 'list'], { COFFER_PASSWORD: 'x' });
      expect(noRepo.code).toBe(2);
      expect(noRepo.stderr).toMatch(/no repository given/);
      expect((await coffer(['frobnicate'], {})).code).toBe(2);
      expect((await coffer(['init', '--bogus'], {})).code).toBe(2);
      expect(
        (await coffer(['init', '--kdf-memory', 'lots', '-r', '/tmp/x'], { COFFER_PASSWORD: 'x' })).code,
      ).toBe(2);
    });

    it('without a password and without a terminal it says where a password can come from', async () => {
      const dir = await tempDir();
      try {
        const r = await coffer(['key', 'list', '-r', dir.path], {});
        // No repository there, so the location check comes first; make one to reach the password step.
        expect(r.code).toBe(10);
        const repo = join(dir.path, 'repo');
        await coffer(['init', '-r', repo, ...FAST_KDF_ARGS], { COFFER_PASSWORD: PASSWORD });
        const noPw = await coffer(['key', 'list', '-r', repo], {});
        expect(noPw.code).toBe(1);
        expect(noPw.stderr).toMatch(/COFFER_PASSWORD_FILE/);
      } finally {
        await dir.cleanup();
      }
    });

    it('version and --help work without a repository', async () => {
      const v = await coffer(['version', '--json'], {});
      expect(JSON.parse(v.stdout)).toMatchObject({ formatVersion: 1 });
      const help = await coffer(['--help'], {});
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/init[\s\S]*key[\s\S]*COFFER_PASSWORD_FILE/);
    });
  });
}

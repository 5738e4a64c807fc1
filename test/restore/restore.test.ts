import { execFileSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { runBackup } from '../../src/backup/index.js';
import { CorruptObjectError } from '../../src/errors.js';
import {
  BlobWriter,
  blobIdOf,
  encodeSnapshot,
  loadMasterIndex,
  type Repository,
  saveObject,
  sealBlob,
} from '../../src/repository/index.js';
import { runRestore } from '../../src/restore/index.js';
import { memRepo, seededBytes } from '../helpers/repo.js';
import { diskContents } from '../helpers/snapshot-contents.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function tmp(prefix = 'coffer-restore-'): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** What a restore must reproduce: content, type, mode and mtime (to the microsecond). */
async function fingerprintNs(root: string): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const [rel, e] of await diskContents(root)) {
    const st = await lstat(Buffer.concat([Buffer.from(`${root}/`), Buffer.from(rel, 'latin1')]), {
      bigint: true,
    });
    out.set(rel, {
      type: e.type,
      mode: e.mode,
      sha256: e.sha256,
      target: e.target,
      mtimeUs: e.type === 'symlink' ? undefined : st.mtimeNs / 1000n,
    });
  }
  return out;
}

describe('restore', () => {
  it('round-trips random trees: same bytes, types, modes and modification times', async () => {
    const name = fc.stringMatching(/^[a-zA-Z0-9 _.\-é]{1,12}$/).filter((n) => n !== '.' && n !== '..');
    const file = fc.record({
      name,
      size: fc.integer({ min: 0, max: 300_000 }),
      seed: fc.integer({ min: 1, max: 1e6 }),
      mode: fc.constantFrom(0o644, 0o600, 0o755, 0o640),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ dir: fc.constantFrom('', 'a', 'a/b', 'c d'), file }), {
          minLength: 1,
          maxLength: 12,
        }),
        async (entries) => {
          const src = await tmp('coffer-prop-src-');
          for (const { dir, file: f } of entries) {
            await mkdir(join(src, dir), { recursive: true });
            const p = join(src, dir, f.name);
            if ((await lstat(p).catch(() => undefined))?.isDirectory()) continue;
            await writeFile(p, seededBytes(f.seed, f.size), { mode: f.mode });
            execFileSync('chmod', [f.mode.toString(8), p]);
          }
          await symlink('a/../somewhere', join(src, 'link'));
          const repo = await memRepo();
          await runBackup(repo, { paths: [src] });
          const target = await tmp('coffer-prop-dst-');
          const result = await runRestore(repo, { snapshot: 'latest', path: src, target });
          expect(result.outcome!.errors).toEqual([]);
          const [got, want] = [await fingerprintNs(target), await fingerprintNs(src)];
          const withoutTime = (m: Map<string, Record<string, unknown>>): Map<string, unknown> =>
            new Map([...m].map(([k, v]) => [k, { ...v, mtimeUs: undefined }]));
          expect(withoutTime(got)).toEqual(withoutTime(want));
          // utimes takes seconds as a double: at today's dates that is exact to about a quarter of a microsecond.
          for (const [k, v] of want) {
            const a = v.mtimeUs as bigint | undefined;
            const b = got.get(k)?.mtimeUs as bigint | undefined;
            if (a !== undefined) expect(b !== undefined && a - b <= 1n && b - a <= 1n, k).toBe(true);
          }
        },
      ),
      { numRuns: 8 },
    );
  });

  it('restores one file, or one folder, directly into the target', async () => {
    const src = await tmp();
    await mkdir(join(src, 'Minutes/2026'), { recursive: true });
    await writeFile(join(src, 'Minutes/2026/jan.txt'), 'january');
    await writeFile(join(src, 'other.txt'), 'other');
    const repo = await memRepo();
    await runBackup(repo, { paths: [src] });
    const t1 = await tmp();
    await runRestore(repo, { snapshot: 'latest', path: `${src}/Minutes/2026/jan.txt`, target: t1 });
    expect(await readFile(join(t1, 'jan.txt'), 'utf8')).toBe('january');
    const t2 = await tmp();
    await runRestore(repo, { snapshot: 'latest', path: `${src}/Minutes`, target: t2 });
    expect(await readFile(join(t2, '2026/jan.txt'), 'utf8')).toBe('january');
    const t3 = await tmp();
    await runRestore(repo, { snapshot: 'latest', target: t3 });
    expect(await readFile(join(t3, src, 'other.txt'), 'utf8')).toBe('other');
    await expect(runRestore(repo, { snapshot: 'latest', path: `${src}/nope`, target: t3 })).rejects.toThrow(
      /is not in snapshot/,
    );
  });

  it('never overwrites a different existing file by default; if-changed replaces it; identical files are left alone', async () => {
    const src = await tmp();
    await writeFile(join(src, 'budget.csv'), 'old budget');
    await writeFile(join(src, 'same.txt'), 'same');
    const repo = await memRepo();
    await runBackup(repo, { paths: [src] });
    await writeFile(join(src, 'budget.csv'), 'NEWER budget, edited after the backup');
    const never = await runRestore(repo, { snapshot: 'latest', path: src, target: src });
    expect(never.outcome!.conflicts.map((c) => c.path)).toEqual(['budget.csv']);
    expect(never.outcome!.identical).toBe(1);
    expect(await readFile(join(src, 'budget.csv'), 'utf8')).toMatch(/^NEWER/);
    const replaced = await runRestore(repo, {
      snapshot: 'latest',
      path: src,
      target: src,
      overwrite: 'if-changed',
    });
    expect(replaced.outcome!.filesRestored).toBe(1);
    expect(await readFile(join(src, 'budget.csv'), 'utf8')).toBe('old budget');
  });

  it('a dry run plans and writes nothing', async () => {
    const src = await tmp();
    await writeFile(join(src, 'a.txt'), 'a');
    const repo = await memRepo();
    await runBackup(repo, { paths: [src] });
    const target = join(await tmp(), 'not-yet');
    const r = await runRestore(repo, { snapshot: 'latest', path: src, target, dryRun: true });
    expect(r.plan.items.map((i) => [i.rel.toString(), i.action])).toEqual([['a.txt', 'create']]);
    await expect(stat(target)).rejects.toThrow();
  });

  it('--include and --exclude choose what is restored', async () => {
    const src = await tmp();
    await mkdir(join(src, 'Finance'));
    await mkdir(join(src, 'HR'));
    await writeFile(join(src, 'Finance/a.xlsx'), 'a');
    await writeFile(join(src, 'Finance/b.tmp'), 'b');
    await writeFile(join(src, 'HR/c.txt'), 'c');
    const repo = await memRepo();
    await runBackup(repo, { paths: [src] });
    const target = await tmp();
    await runRestore(repo, {
      snapshot: 'latest',
      path: src,
      target,
      include: ['Finance/'],
      exclude: ['*.tmp'],
    });
    expect([...(await diskContents(target)).keys()].sort()).toEqual(['Finance', 'Finance/a.xlsx']);
  });

  it('does not follow a symlink planted in the target', async () => {
    const src = await tmp();
    await mkdir(join(src, 'docs'));
    await writeFile(join(src, 'docs/a.txt'), 'a');
    const repo = await memRepo();
    await runBackup(repo, { paths: [src] });
    const target = await tmp();
    const outside = await tmp('coffer-outside-');
    await symlink(outside, join(target, 'docs'));
    const r = await runRestore(repo, { snapshot: 'latest', path: src, target });
    expect(r.outcome!.conflicts.map((c) => c.path)).toEqual(['docs']);
    expect(await readFile(join(outside, 'a.txt')).catch(() => 'absent')).toBe('absent');
    expect((await lstat(join(target, 'docs'))).isSymbolicLink()).toBe(true);
  });

  it('refuses tree entries named "..", with "/" or NUL, so a damaged or malicious repository cannot write outside the target', async () => {
    for (const bad of ['..', 'a/b', 'x\u0000y', '.']) {
      const repo = await memRepo();
      await forgeSnapshot(repo, bad);
      const target = await tmp();
      const err = await runRestore(repo, { snapshot: 'latest', target }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CorruptObjectError);
      expect((err as Error).message).toMatch(/unsafe entry name/);
      expect(await diskContents(target)).toEqual(new Map());
    }
  });

  it('a file whose content does not match its recorded SHA-256 is not put in place, and is named', async () => {
    const repo = await memRepo();
    await forgeSnapshot(repo, 'minutes.txt', '0'.repeat(64));
    const target = await tmp();
    const r = await runRestore(repo, { snapshot: 'latest', target });
    expect(r.outcome!.errors).toEqual([
      expect.objectContaining({ path: 'minutes.txt', message: expect.stringMatching(/did not verify/) }),
    ]);
    expect(await diskContents(target)).toEqual(new Map());
  });

  it('writes a manifest that sha256sum -c accepts', async () => {
    const src = await tmp();
    await writeFile(join(src, 'a b.txt'), 'with space');
    await writeFile(join(src, 'back\\slash.txt'), 'escaped');
    const repo = await memRepo();
    await runBackup(repo, { paths: [src] });
    const target = await tmp();
    const manifest = join(await tmp(), 'restored.sha256');
    await runRestore(repo, { snapshot: 'latest', path: src, target, manifest });
    const out = execFileSync('sha256sum', ['-c', manifest], { cwd: target, encoding: 'utf8' });
    expect(out).toMatch(/a b\.txt: OK/);
    expect(out).toMatch(/slash\.txt: OK/);
  });

  it('restores a symlink as a link and keeps the link target text', async () => {
    const src = await tmp();
    await symlink('/etc/passwd', join(src, 'absolute-link'));
    const repo = await memRepo();
    await runBackup(repo, { paths: [src] });
    const target = await tmp();
    await runRestore(repo, { snapshot: 'latest', path: src, target });
    expect(await readlink(join(target, 'absolute-link'))).toBe('/etc/passwd');
  });
});

/** Writes a snapshot whose root tree holds one file node with the given (possibly unsafe) name. */
async function forgeSnapshot(repo: Repository, name: string, sha256?: string): Promise<void> {
  const index = await loadMasterIndex({ storage: repo.storage, master: repo.master });
  const writer = new BlobWriter(repo, index, { packSize: 1 << 20 });
  const content = new TextEncoder().encode('forged content');
  const data = sealBlob(repo.master, 'data', content);
  await writer.add(data);
  const treeJson = new TextEncoder().encode(
    JSON.stringify({
      nodes: [
        {
          name,
          type: 'file',
          mode: 0o644,
          mtime: '2026-01-01T00:00:00.000000000Z',
          size: content.length,
          sha256: sha256 ?? (await sha(content)),
          content: [data.id],
        },
      ],
    }),
  );
  const tree = sealBlob(repo.master, 'tree', treeJson);
  expect(tree.id).toBe(blobIdOf(repo.master, treeJson));
  await writer.add(tree);
  await writer.flush();
  const snap = {
    version: 1 as const,
    time: new Date().toISOString(),
    tree: tree.id,
    paths: ['/forged'],
    host: 'h',
    user: 'u',
    tags: [],
    program: 'test',
  };
  await saveObject({ storage: repo.storage, master: repo.master }, 'snapshot', encodeSnapshot(snap));
}

async function sha(b: Uint8Array): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(b).digest('hex');
}

// coffer dump --archive zip through the built CLI: a folder comes out as a zip that unzip tools read back
// byte for byte (read here with yauzl), with modes, times, links and empty folders; damage fails the dump.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, cp, mkdir, readdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { COFFER_BIN, coffer, FAST_KDF_ARGS, tempDir } from '../helpers/cli.js';
import { seededBytes } from '../helpers/repo.js';

interface ZipEntry {
  readonly name: string;
  readonly mode: number;
  readonly method: number;
  readonly mtime: Date;
  readonly data: Buffer;
}

function readZip(zip: Buffer): Promise<ZipEntry[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true, strictFileNames: true }, (err, file) => {
      if (err) return reject(err);
      const entries: ZipEntry[] = [];
      file.on('error', reject);
      file.on('end', () => resolve(entries));
      file.on('entry', (e: yauzl.Entry) => {
        file.openReadStream(e, (err2, stream) => {
          if (err2) return reject(err2);
          const parts: Buffer[] = [];
          stream.on('data', (d: Buffer) => parts.push(d));
          stream.on('error', reject);
          stream.on('end', () => {
            entries.push({
              name: e.fileName,
              mode: e.externalFileAttributes >>> 16,
              method: e.compressionMethod,
              mtime: e.getLastModDate({ forceDosFormat: false }),
              data: Buffer.concat(parts),
            });
            file.readEntry();
          });
        });
      });
      file.readEntry();
    });
  });
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

let work: { path: string; cleanup: () => Promise<void> };
let env: Record<string, string>;
let src: string;
const minutes = 'Minutes of the parish council meeting held on 3 November 2026.\n'.repeat(2000);
const scan = seededBytes(41, 300_000);

beforeAll(async () => {
  work = await tempDir('coffer-dump-zip-');
  env = { COFFER_PASSWORD: 'zip test password', COFFER_REPOSITORY: join(work.path, 'repo') };
  expect((await coffer(['init', ...FAST_KDF_ARGS], env)).code).toBe(0);
  src = join(work.path, 'council');
  await mkdir(join(src, 'Minutes/2026'), { recursive: true });
  await mkdir(join(src, 'Empty folder'));
  await writeFile(join(src, 'Minutes/2026/november.txt'), minutes);
  await writeFile(join(src, 'Minutes/2026/scan é.pdf'), scan);
  await writeFile(join(src, 'Minutes/empty.txt'), '');
  await chmod(join(src, 'Minutes/2026/scan é.pdf'), 0o640);
  await symlink('2026/november.txt', join(src, 'Minutes/latest.txt'));
  await utimes(
    join(src, 'Minutes/2026/november.txt'),
    new Date('2026-11-03T19:30:02Z'),
    new Date('2026-11-03T19:30:02Z'),
  );
  expect((await coffer(['backup', src], env)).code).toBe(0);
});
afterAll(() => work?.cleanup());

function dump(args: string[]): { code: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [COFFER_BIN, 'dump', ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

describe('coffer dump --archive zip', () => {
  it('writes the folder as a zip whose every file matches the original', async () => {
    const r = dump([`latest:${src}/Minutes`, '--archive', 'zip']);
    expect(r.code, r.stderr).toBe(0);
    const entries = await readZip(r.stdout);
    expect(entries.map((e) => e.name).sort()).toEqual([
      'Minutes/',
      'Minutes/2026/',
      'Minutes/2026/november.txt',
      'Minutes/2026/scan é.pdf',
      'Minutes/empty.txt',
      'Minutes/latest.txt',
    ]);
    const byName = new Map(entries.map((e) => [e.name, e]));
    const text = byName.get('Minutes/2026/november.txt')!;
    expect(sha256(text.data)).toBe(sha256(Buffer.from(minutes)));
    expect(text.method).toBe(8); // text is deflated
    expect(text.mtime.toISOString()).toBe('2026-11-03T19:30:02.000Z');
    const pdf = byName.get('Minutes/2026/scan é.pdf')!;
    expect(sha256(pdf.data)).toBe(sha256(scan));
    expect(pdf.method).toBe(0); // incompressible data is stored as it is
    expect(pdf.mode).toBe(0o100640);
    expect(byName.get('Minutes/empty.txt')!.data.length).toBe(0);
    const link = byName.get('Minutes/latest.txt')!;
    expect(link.mode & 0o170000).toBe(0o120000);
    expect(link.data.toString()).toBe('2026/november.txt');
    expect(byName.get('Minutes/2026/')!.mode & 0o170000).toBe(0o040000);
  });

  it('puts empty folders in, and a whole snapshot under its absolute path', async () => {
    const r = dump([`latest:${src}`, '--archive', 'zip']);
    expect(r.code, r.stderr).toBe(0);
    const names = (await readZip(r.stdout)).map((e) => e.name);
    expect(names).toContain('council/Empty folder/');
    expect(names).toContain('council/Minutes/2026/november.txt');
  });

  it('refuses to write an archive to a terminal-less folder without --archive, with exit 2', () => {
    const r = dump([`latest:${src}/Minutes`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--archive tar \(or --archive zip\)/);
    expect(dump([`latest:${src}/Minutes`, '--archive', 'rar']).code).toBe(2);
  });

  it('fails with exit 1 and names the problem when the data is damaged', async () => {
    const damaged = join(work.path, 'damaged');
    await cp(join(work.path, 'repo'), damaged, { recursive: true });
    // Flip one byte in the middle of every data pack.
    for (const dir of await readdir(join(damaged, 'data'))) {
      for (const pack of await readdir(join(damaged, 'data', dir))) {
        const p = join(damaged, 'data', dir, pack);
        const bytes = await readFile(p);
        bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
        await writeFile(p, bytes);
      }
    }
    const r = spawnSync(process.execPath, [COFFER_BIN, 'dump', `latest:${src}/Minutes`, '--archive', 'zip'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        ...env,
        COFFER_REPOSITORY: damaged,
      },
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(r.status).toBe(1);
    expect(r.stderr.toString()).toMatch(/damaged/);
  });
});

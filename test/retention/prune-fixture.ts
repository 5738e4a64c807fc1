// A local repository for the prune process tests: many small packs and blobs (a repository config with
// 32 KiB packs and an 8 KiB chunker, which the format allows), several snapshots of a folder whose files
// change between them, and what each snapshot holds, to compare restores with.

import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { runBackup } from '../../src/backup/index.js';
import { encodeConfig } from '../../src/repository/config.js';
import { CONFIG_KEY, initRepository, type Repository } from '../../src/repository/index.js';
import { runRestore } from '../../src/restore/index.js';
import { LocalStorage } from '../../src/storage/local.js';
import { COFFER_BIN } from '../helpers/cli.js';
import { fastKdf, seededBytes } from '../helpers/repo.js';
import { diskContents } from '../helpers/snapshot-contents.js';

const execFileAsync = promisify(execFile);

export const FIXTURE_PASSWORD = 'prune fixture password';

/** path (relative to the backed-up folder) -> SHA-256 of its content. */
export type FolderDigest = ReadonlyMap<string, string>;

export interface FixtureSnapshot {
  readonly id: string;
  readonly files: FolderDigest;
}

export interface Fixture {
  /** The repository folder. */
  readonly repo: string;
  /** The backed-up folder (its path is what the snapshots record). */
  readonly source: string;
  readonly snapshots: readonly FixtureSnapshot[];
}

export interface FixtureShape {
  readonly files: number;
  readonly generations: number;
  /** Each generation after the first rewrites this share of the files. */
  readonly churn: number;
  readonly minFileBytes: number;
  readonly maxFileBytes: number;
  /** The repository's pack size (default 32 KiB). */
  readonly packSize?: number;
}

/** A repository whose config asks for small packs and chunks, so a few MiB make hundreds of each. */
export async function smallPackRepository(dir: string, packSize = 32 * 1024): Promise<Repository> {
  const storage = new LocalStorage(dir);
  const created = await initRepository(storage, { password: FIXTURE_PASSWORD, kdf: fastKdf });
  const config = {
    ...created.config,
    packSize,
    chunker: { ...created.config.chunker, minSize: 2 * 1024, avgSize: 8 * 1024, maxSize: 32 * 1024 },
  };
  await storage.put(CONFIG_KEY, encodeConfig(config, created.master.encryption));
  return { ...created, config };
}

/** Backs up `shape.generations` versions of a folder; deterministic for a given seed. */
export async function buildFixture(work: string, shape: FixtureShape, seed: number): Promise<Fixture> {
  const repoDir = join(work, 'repo');
  const source = join(work, 'source');
  await mkdir(source, { recursive: true });
  const repo = await smallPackRepository(repoDir, shape.packSize);
  const random = mulberry32(seed);
  const current = new Map<string, string>();
  const snapshots: FixtureSnapshot[] = [];
  for (let gen = 0; gen < shape.generations; gen++) {
    for (let f = 0; f < shape.files; f++) {
      if (gen > 0 && random() >= shape.churn) continue;
      const name = `${String(f % 7).padStart(2, '0')}/file-${f}.bin`;
      const size = shape.minFileBytes + Math.floor(random() * (shape.maxFileBytes - shape.minFileBytes));
      const content = seededBytes(Math.floor(random() * 2 ** 31) + 1, size);
      await mkdir(join(source, name, '..'), { recursive: true });
      await writeFile(join(source, name), content);
      current.set(name, sha256(content));
    }
    const result = await runBackup(repo, { paths: [source] });
    snapshots.push({ id: result.snapshotId!, files: new Map(current) });
  }
  return { repo: repoDir, source, snapshots };
}

/**
 * A fresh copy of a repository folder, so each run starts from the same state: hard links, made in an
 * instant, which is safe because coffer never changes a stored file (it writes a new file and renames
 * it into place, and deletes by unlinking), so nothing a run does reaches the original.
 */
export async function copyRepository(from: string, to: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  await execFileAsync('cp', ['-al', from, to]);
}

/** Restores snapshot `id` (its backed-up folder) into `target` and returns what landed there. */
export async function restoredDigest(
  repo: Repository,
  id: string,
  source: string,
  target: string,
): Promise<{ errors: readonly unknown[]; files: FolderDigest }> {
  const result = await runRestore(repo, { snapshot: id, path: source, target });
  const files = new Map<string, string>();
  for (const [path, entry] of await diskContents(target))
    if (entry.type === 'file') files.set(path, entry.sha256!);
  return { errors: result.outcome!.errors, files };
}

/** Every object in a repository folder but locks (storage keys, sorted), to tell what a run changed. */
export async function objectsIn(repoDir: string): Promise<string[]> {
  const entries = await readdir(repoDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => join(e.parentPath, e.name).slice(repoDir.length + 1))
    .filter((key) => !key.startsWith('locks/'))
    .sort();
}

export interface RunningCoffer {
  readonly pid: number;
  kill(signal: NodeJS.Signals): void;
  /** Resolves when the process has exited and its output is closed. */
  readonly done: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>;
}

/** Starts the built coffer as a process (as test/helpers/cli.ts does) without waiting for it. */
export function startCoffer(args: readonly string[], env: Record<string, string>): RunningCoffer {
  const child = spawn(process.execPath, [COFFER_BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Awaited<RunningCoffer['done']>>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { pid: child.pid!, kill: (signal) => child.kill(signal), done };
}

/**
 * Counts what happens to the objects of a repository folder: each object that appears (its temporary
 * file renamed into place) or disappears is one step. A prune's steps are the same from run to run, so
 * "after step k" is a point in its work that does not depend on how busy the machine is.
 */
export class ObjectSteps {
  readonly #watcher: FSWatcher;
  #count = 0;
  #at: { step: number; then: () => void } | undefined;

  constructor(repoDir: string) {
    this.#watcher = watch(repoDir, { recursive: true }, (event, name) => {
      if (event !== 'rename' || !name || basename(name).startsWith('.')) return;
      this.#count++;
      if (this.#at && this.#count >= this.#at.step) {
        const { then } = this.#at;
        this.#at = undefined;
        then();
      }
    });
  }

  get count(): number {
    return this.#count;
  }

  /** Calls `then` (once) as soon as step `step` has happened. */
  at(step: number, then: () => void): void {
    this.#at = { step, then };
  }

  close(): void {
    this.#watcher.close();
  }
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** A small seeded PRNG (mulberry32): the same seed gives the same run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

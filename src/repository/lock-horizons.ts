// A local cache of how long objects are known to be locked, so a weekly backup of a large repository
// need not ask the storage about every pack each time. Only an optimisation: lost, it costs HEAD
// requests; wrong (a lock shortened behind its back), it is corrected by the next check, which reads
// the real retention of everything and writes it here.

import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** The cache folder: COFFER_CACHE_DIR, else $XDG_CACHE_HOME/coffer, else ~/.cache/coffer. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COFFER_CACHE_DIR) return env.COFFER_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'coffer');
}

/** Storage key -> the time (ms) until which its object is known to be retained. */
export class LockHorizons {
  readonly #file: string | undefined;
  readonly #repositoryId: string;
  readonly #until = new Map<string, number>();

  private constructor(file: string | undefined, repositoryId: string) {
    this.#file = file;
    this.#repositoryId = repositoryId;
  }

  /**
   * The cache of one repository at one location (a copy of it elsewhere has the same id but its own
   * locks) in `dir`; an empty one when there is none yet or it cannot be read.
   */
  static async load(dir: string | false, repositoryId: string, location: string): Promise<LockHorizons> {
    const place = createHash('sha256').update(location).digest('hex').slice(0, 16);
    const file = dir === false ? undefined : path.join(dir, repositoryId, `lock-horizons-${place}.json`);
    const cache = new LockHorizons(file, repositoryId);
    if (!file) return cache;
    try {
      const data: unknown = JSON.parse(await readFile(file, 'utf8'));
      cache.#fill(data);
    } catch {
      // missing or damaged: start empty, the storage is asked instead
    }
    return cache;
  }

  /** Known retention end of `key` (ms since the epoch), 0 when unknown. */
  get(key: string): number {
    return this.#until.get(key) ?? 0;
  }

  set(key: string, until: Date): void {
    this.#until.set(key, until.getTime());
  }

  /** Writes the entries of `keys` (objects gone since are dropped); failures are ignored. */
  async save(keys: Iterable<string>): Promise<void> {
    if (!this.#file) return;
    // grouped by horizon: objects extended together share one, which keeps the file small
    const groups: Record<string, string[]> = {};
    for (const key of keys) {
      const until = this.#until.get(key);
      if (until !== undefined) (groups[String(until)] ??= []).push(key);
    }
    const text = JSON.stringify({ version: 1, repository: this.#repositoryId, horizons: groups });
    try {
      await mkdir(path.dirname(this.#file), { recursive: true, mode: 0o700 });
      const temp = `${this.#file}.${process.pid}.tmp`;
      await writeFile(temp, text, { mode: 0o600 });
      await rename(temp, this.#file);
    } catch {
      // a read-only home folder only means asking the storage again next time
    }
  }

  #fill(data: unknown): void {
    if (typeof data !== 'object' || data === null) return;
    const { version, repository, horizons } = data as Record<string, unknown>;
    if (version !== 1 || repository !== this.#repositoryId) return;
    if (typeof horizons !== 'object' || horizons === null) return;
    for (const [until, keys] of Object.entries(horizons)) {
      const ms = Number(until);
      if (!Number.isFinite(ms) || !Array.isArray(keys)) continue;
      for (const key of keys) if (typeof key === 'string') this.#until.set(key, ms);
    }
  }
}

// Listing a folder: its names, sorted, and the lstat of each, read ahead of the walk. With one promise per
// lstat awaited in turn, a backup with little to read spent its time in round trips to the thread pool;
// here a folder's entries are statted all at once through node's callback API, and folders the walk will
// enter next are listed meanwhile (on a network share, where each call can take a millisecond, that
// matters most).

import { type BigIntStats, lstat, readdir } from 'node:fs';
import { compareNames } from '../repository/index.js';

export interface DirListing {
  /** Entry names in tree order. */
  readonly names: readonly Buffer[];
  /** Each name's lstat, or the error lstat gave (reported when the walk reaches the entry). */
  readonly stats: readonly (BigIntStats | NodeJS.ErrnoException)[];
}

/** Lists `dir` and lstats every entry at once; rejects with readdir's error. */
export function listDir(dir: Buffer): Promise<DirListing> {
  return new Promise((resolve, reject) => {
    readdir(dir, { encoding: 'buffer' }, (err, names) => {
      if (err) return reject(err);
      names.sort(compareNames);
      const stats = new Array<BigIntStats | NodeJS.ErrnoException>(names.length);
      let left = names.length;
      if (left === 0) return resolve({ names, stats });
      names.forEach((name, i) => {
        lstat(joinPath(dir, name), { bigint: true }, (e, st) => {
          stats[i] = e ?? st;
          if (--left === 0) resolve({ names, stats });
        });
      });
    });
  });
}

/** Folder listings started ahead of the walk, at most `limit` at once, each taken once. */
export class DirPrefetcher {
  readonly #ahead = new Map<string, Promise<DirListing>>();
  readonly #limit: number;

  constructor(limit = 64) {
    this.#limit = limit;
  }

  /** Starts listing `dir` unless enough listings are waiting already. */
  prefetch(dir: Buffer): void {
    const key = dir.toString('latin1');
    if (this.#ahead.size >= this.#limit || this.#ahead.has(key)) return;
    const listing = listDir(dir);
    listing.catch(() => undefined); // reported when taken
    this.#ahead.set(key, listing);
  }

  /** The listing of `dir`: the one started ahead, or a new one. */
  take(dir: Buffer): Promise<DirListing> {
    const key = dir.toString('latin1');
    const ahead = this.#ahead.get(key);
    if (!ahead) return listDir(dir);
    this.#ahead.delete(key);
    return ahead;
  }
}

const SLASH = Buffer.from('/');

export function joinPath(dir: Buffer, name: Buffer): Buffer {
  return dir.length === 1 && dir[0] === 0x2f
    ? Buffer.concat([SLASH, name])
    : Buffer.concat([dir, SLASH, name]);
}

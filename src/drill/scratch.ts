// The scratch folder a drill restores into: new or empty, never inside the folders the snapshot was taken
// from (a drill must never touch the live files), and removed afterwards unless it is to be kept.

import { mkdir, mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../errors.js';

export interface Scratch {
  readonly path: string;
  /** Removes what the drill put there (and the folder, if the drill made it). */
  remove(): Promise<void>;
}

/**
 * Makes (or takes, if empty) the folder; `target` undefined means a new folder under the system's
 * temporary folder. Refuses one inside (or equal to) any of `sources`, or one that holds anything.
 */
export async function prepareScratch(
  target: string | undefined,
  sources: readonly string[],
): Promise<Scratch> {
  if (target === undefined) {
    const base = await realpath(os.tmpdir());
    await refuseInsideSources([base], sources, 'the temporary folder (use --target to choose another place)');
    const made = await mkdtemp(path.join(base, 'coffer-drill-'));
    return { path: made, remove: () => rm(made, { recursive: true, force: true }) };
  }
  const wanted = path.resolve(target);
  const real = await realPathOfNearest(wanted);
  await refuseInsideSources([wanted, real], sources, wanted);
  const existing = await readdir(wanted).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    if (err.code === 'ENOTDIR') throw new UsageError(`--target ${wanted} is a file, not a folder`);
    throw err;
  });
  if (existing && existing.length > 0) {
    throw new UsageError(
      `--target ${wanted} is not empty: a drill restores into a new or empty folder, so give one that does not exist yet`,
    );
  }
  if (!existing) {
    await mkdir(wanted, { recursive: true, mode: 0o700 });
    return { path: wanted, remove: () => rm(wanted, { recursive: true, force: true }) };
  }
  return {
    path: wanted,
    remove: async () => {
      for (const entry of await readdir(wanted))
        await rm(path.join(wanted, entry), { recursive: true, force: true });
    },
  };
}

async function refuseInsideSources(
  candidates: readonly string[],
  sources: readonly string[],
  shown: string,
): Promise<void> {
  for (const source of sources) {
    const src = path.resolve(source);
    // As recorded, and as it is on this computer now (the backed-up folder may be reached through a link).
    const forms = new Set([src, await realPathOfNearest(src)]);
    if ([...forms].some((form) => candidates.some((c) => isInside(c, form)))) {
      throw new UsageError(
        `a drill must not restore into ${shown}: it is inside ${src}, which the snapshot was taken from; choose a folder outside the backed-up folders`,
      );
    }
  }
}

function isInside(candidate: string, folder: string): boolean {
  const rel = path.relative(folder, candidate);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** The real path of `p`, resolving links in the part of it that exists (the rest may not exist yet). */
async function realPathOfNearest(p: string): Promise<string> {
  const missing: string[] = [];
  let at = p;
  for (;;) {
    try {
      return path.join(await realpath(at), ...missing.reverse());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const parent = path.dirname(at);
      if (parent === at) return p;
      missing.push(path.basename(at));
      at = parent;
    }
  }
}

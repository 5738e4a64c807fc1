// Object Lock horizons: a snapshot is protected only as long as every object it needs. Each snapshot still
// inside its lock period (taken + the policy's days) must not depend on an object whose lock ends sooner:
// the config, the key files, the index files and the packs its trees and files are stored in.

import {
  type BlobReader,
  CONFIG_KEY,
  defaultCacheDir,
  loadTree,
  LockHorizons,
  lockPeriodMs,
  mapLimit,
  type MasterIndex,
  objectKey,
  RETENTION_REQUESTS_AT_ONCE,
  type RepositoryConfig,
  type StoredSnapshot,
} from '../repository/index.js';
import { NotFoundError, type ObjectLock, type Storage } from '../storage/index.js';
import { classify } from './failures.js';
import type { Findings } from './findings.js';
import { PATH_LIMIT } from './result.js';

export interface LockHorizonContext {
  readonly storage: Storage;
  readonly config: RepositoryConfig;
  readonly reader: BlobReader;
  readonly index: MasterIndex;
  readonly indexIds: readonly string[];
  /** Every blob the snapshots use (from the tree walk). */
  readonly used: ReadonlySet<string>;
  readonly findings: Findings;
  readonly now: Date;
  readonly signal?: AbortSignal;
  /** The lock horizon cache backups consult (default {@link defaultCacheDir}); `false` for none. */
  readonly cacheDir?: string | false;
}

/** A snapshot whose lock period outlasts the lock of something it needs. */
interface ShortSnapshot {
  readonly snapshot: StoredSnapshot;
  readonly objects: readonly { readonly key: string; readonly until: number }[];
}

const NONE: ReadonlySet<string> = new Set();

/**
 * Adds a `lock-short` note naming such snapshots and objects; costs one HEAD per object when locked.
 * A storage that fails to say is recorded as a `read-failed` error: the rest of the check stands.
 */
export async function checkLockHorizons(
  ctx: LockHorizonContext,
  snapshots: readonly StoredSnapshot[],
): Promise<void> {
  try {
    await lockHorizons(ctx, snapshots);
  } catch (err) {
    const failure = classify(err, ctx.signal);
    ctx.findings.error(
      'read-failed',
      'Object Lock retention',
      `the lock periods could not be read: ${failure.message}`,
    );
  }
}

async function lockHorizons(ctx: LockHorizonContext, snapshots: readonly StoredSnapshot[]): Promise<void> {
  const policy = ctx.config.objectLock;
  const lock = ctx.storage.objectLock;
  if (!policy || !lock) return;
  const period = lockPeriodMs(policy);
  const requiredOf = (s: StoredSnapshot): number => Date.parse(s.snapshot.time) + period;
  const active = snapshots.filter((s) => requiredOf(s) > ctx.now.getTime());
  if (active.length === 0) return;
  const strictest = Math.max(...active.map(requiredOf));

  const signal = ctx.signal ? { signal: ctx.signal } : {};
  const global = [CONFIG_KEY, ...ctx.indexIds.map((id) => objectKey('index', id))];
  for await (const { key } of ctx.storage.list('keys/', signal)) global.push(key);
  const packs = new Set<string>();
  for (const blob of ctx.used) {
    const at = ctx.index.lookup(blob);
    if (at) packs.add(at.packId);
  }
  const horizons = await horizonsOf(
    lock,
    [...global, ...[...packs].map((id) => objectKey('pack', id))],
    signal,
  );
  // what backups believe is corrected with what the storage says, so the next one extends what is short
  const cache = await LockHorizons.load(
    ctx.cacheDir ?? defaultCacheDir(),
    ctx.config.id,
    ctx.storage.location,
  );
  for (const [key, until] of horizons) cache.set(key, new Date(until));
  await cache.save(horizons.keys());
  const shortPacks = new Map<string, number>();
  for (const id of packs) {
    const until = horizons.get(objectKey('pack', id));
    if (until !== undefined && until < strictest) shortPacks.set(id, until);
  }

  const walker = new ShortPackWalker(ctx, shortPacks);
  const short: ShortSnapshot[] = [];
  for (const s of active) {
    const required = requiredOf(s);
    const objects: { key: string; until: number }[] = [];
    for (const key of global) {
      const until = horizons.get(key);
      if (until !== undefined && until < required) objects.push({ key, until });
    }
    if (shortPacks.size > 0) {
      for (const id of await walker.shortPacksUnder(s.snapshot.tree)) {
        const until = shortPacks.get(id)!;
        if (until < required) objects.push({ key: objectKey('pack', id), until });
      }
    }
    if (objects.length > 0) short.push({ snapshot: s, objects });
  }
  if (short.length > 0) note(ctx.findings, short, policy.days);
}

/** Retention end (ms) of each key, 0 for an object without a lock; keys that are gone are left out. */
async function horizonsOf(
  lock: ObjectLock,
  keys: readonly string[],
  opts: { signal?: AbortSignal },
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  await mapLimit(keys, RETENTION_REQUESTS_AT_ONCE, async (key) => {
    try {
      out.set(key, (await lock.retention(key, opts))?.until.getTime() ?? 0);
    } catch (err) {
      // a missing pack is an error the check reports on its own
      if (!(err instanceof NotFoundError)) throw err;
    }
  });
  return out;
}

/** Which short-locked packs each tree depends on, once per distinct tree. */
class ShortPackWalker {
  readonly #ctx: LockHorizonContext;
  readonly #short: ReadonlyMap<string, number>;
  readonly #memo = new Map<string, Promise<ReadonlySet<string>>>();

  constructor(ctx: LockHorizonContext, short: ReadonlyMap<string, number>) {
    this.#ctx = ctx;
    this.#short = short;
  }

  shortPacksUnder(treeId: string): Promise<ReadonlySet<string>> {
    let found = this.#memo.get(treeId);
    if (!found) {
      found = this.#walk(treeId);
      this.#memo.set(treeId, found);
    }
    return found;
  }

  async #walk(treeId: string): Promise<ReadonlySet<string>> {
    const out = new Set<string>();
    this.#add(treeId, out);
    let nodes;
    try {
      nodes = (await loadTree(this.#ctx.reader, treeId, this.#ctx.signal ? { signal: this.#ctx.signal } : {}))
        .nodes;
    } catch {
      return out; // an unreadable tree is an error the walk of the check reports already
    }
    for (const node of nodes) {
      for (const blob of node.content ?? []) this.#add(blob, out);
      if (node.type === 'dir' && node.subtree) {
        for (const id of await this.shortPacksUnder(node.subtree)) out.add(id);
      }
    }
    return out.size > 0 ? out : NONE;
  }

  #add(blob: string, into: Set<string>): void {
    const pack = this.#ctx.index.lookup(blob)?.packId;
    if (pack !== undefined && this.#short.has(pack)) into.add(pack);
  }
}

function note(findings: Findings, short: readonly ShortSnapshot[], days: number): void {
  const lines = short.slice(0, 20).map(({ snapshot, objects }) => {
    const worst = [...objects].sort((a, b) => a.until - b.until);
    const first = worst
      .slice(0, 3)
      .map((o) => `${o.key} ${o.until === 0 ? 'is not locked' : `is locked only until ${iso(o.until)}`}`)
      .join(', ');
    const more = worst.length > 3 ? ` and ${worst.length - 3} more` : '';
    return `${snapshot.id.slice(0, 8)} (${snapshot.snapshot.time}): ${first}${more}`;
  });
  const extra = short.length > 20 ? `; and ${short.length - 20} more snapshots` : '';
  const objects = [...new Set(short.flatMap((s) => s.objects.map((o) => o.key)))].sort();
  findings.note(
    'lock-short',
    `${short.length} snapshot${short.length === 1 ? '' : 's'} taken within the lock period (${days} days) depend${short.length === 1 ? 's' : ''} on objects whose Object Lock ends sooner, so they could be deleted before the snapshot's protection ends: ${lines.join('; ')}${extra}. The next "coffer backup" extends the locks of everything it reuses.`,
    objects.slice(0, PATH_LIMIT),
    short.map((s) => s.snapshot.id),
  );
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

// Audit summaries of the operations that change who can get in or what is kept: keys, forget, prune, rewrite,
// unlock.

import type { KeyInfo, StoredLock } from '../repository/index.js';
import type { ForgetResult, PruneResult, RewriteResult } from '../retention/index.js';
import { formatBytes } from '../ui/index.js';
import { type Describe, describing } from './audit-operation.js';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const short = (id: string | undefined): string => (id ?? '').slice(0, 8);
/** Listings in details stop here: a record stays one small object however big the operation. */
const LIST_LIMIT = 100;

export function describeKeyAdd(name: string): Describe<KeyInfo> {
  return describing(`adding a key for ${name}`, { name }, (k) => ({
    summary: `key ${short(k.id)} added for ${k.name ?? name}${k.role ? ` (${k.role})` : ''}`,
    details: { addedKeyId: k.id, addedKeyName: k.name ?? name, ...(k.role ? { role: k.role } : {}) },
  }));
}

export function describeKeyRemove(which: string): Describe<KeyInfo> {
  return describing(`removing key "${which}"`, { which }, (k) => ({
    summary: `key ${short(k.id)}${k.name ? ` (${k.name})` : ''} removed: its password no longer opens the repository`,
    details: { removedKeyId: k.id, removedKeyName: k.name ?? null },
  }));
}

export function describeKeyPasswd(oldKeyId: string): Describe<KeyInfo> {
  return describing('changing the password', {}, (k) => ({
    summary: `password of ${k.name ?? 'the key'} changed (key ${short(oldKeyId)} replaced by ${short(k.id)})`,
    details: { oldKeyId, newKeyId: k.id },
  }));
}

/** Takes only the key infos of a recovery-key result: the recovery key itself must never reach a record. */
export function describeRecoveryKey(): Describe<{ key: KeyInfo; replaced: readonly KeyInfo[] }> {
  return describing('creating a recovery key', {}, ({ key, replaced }) => ({
    summary:
      `recovery key ${short(key.id)} created` +
      (replaced.length > 0
        ? `, replacing ${replaced.map((k) => short(k.id)).join(', ')} (the old sheet no longer opens the repository)`
        : ''),
    details: { recoveryKeyId: key.id, replaced: replaced.map((k) => k.id) },
  }));
}

export function describeForget(policy: Readonly<Record<string, unknown>>): Describe<ForgetResult> {
  return describing('forget', { policy }, (r) => {
    const removed = r.groups.flatMap((g) => g.remove.map((s) => s.id));
    const kept = r.groups.reduce((n, g) => n + g.keep.length, 0);
    return {
      summary: `forget removed ${plural(r.removed, 'snapshot')} and kept ${kept} by the retention policy`,
      details: {
        policy,
        removed: removed.slice(0, LIST_LIMIT),
        ...(removed.length > LIST_LIMIT ? { removedCount: removed.length } : {}),
        kept,
      },
    };
  });
}

export function describePrune(): Describe<PruneResult> {
  return describing('prune', {}, ({ plan, packsWritten }) => ({
    summary: `prune deleted ${plural(plan.deletePacks.length, 'unused pack')} and repacked ${plan.repackPacks.length}, freeing ${formatBytes(plan.bytesFreed)}`,
    details: {
      deletedPacks: plan.deletePacks.length,
      repackedPacks: plan.repackPacks.length,
      bytesFreed: plan.bytesFreed,
      packsWritten,
      snapshots: plan.snapshots,
    },
  }));
}

export function describeRewrite(exclude: readonly string[], forget: boolean): Describe<RewriteResult> {
  const what = `rewrite without ${exclude.join(', ')}`;
  return describing(what, { exclude }, (r) => {
    const paths = r.snapshots.reduce((n, s) => n + s.removedPaths.length, 0);
    return {
      summary:
        r.snapshots.length === 0
          ? `${what}: no snapshot held a matching path; nothing was changed`
          : `${what}: ${plural(r.snapshots.length, 'snapshot')} rewritten, ${plural(paths, 'path')} removed, ${forget ? `${r.forgotten} originals forgotten` : 'originals kept'}`,
      details: {
        exclude,
        snapshots: r.snapshots.slice(0, LIST_LIMIT).map((s) => ({
          original: s.original,
          rewritten: s.rewritten,
          removedPaths: s.removedPaths.length,
        })),
        forgotten: r.forgotten,
      },
    };
  });
}

export function describeUnlock(all: boolean): Describe<readonly StoredLock[]> {
  return describing('unlock', { all }, (removed) => ({
    summary:
      `unlock${all ? ' --remove-all' : ''} removed ${plural(removed.length, 'lock')}` +
      (removed.length > 0
        ? `: ${removed.map((l) => `${l.lock.operation} of ${l.lock.user}@${l.lock.host}`).join(', ')}`
        : ''),
    details: {
      all,
      removed: removed.slice(0, LIST_LIMIT).map((l) => ({
        operation: l.lock.operation,
        user: l.lock.user,
        host: l.lock.host,
        pid: l.lock.pid,
        since: l.lock.time,
      })),
    },
  }));
}

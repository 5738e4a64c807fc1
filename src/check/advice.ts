// The words a clerk reads: how much an error affects, and what to do about it.

import type { AffectedSnapshot, CheckErrorKind } from './result.js';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "affected: 3 files in 2 snapshots", counting a path kept by several snapshots once; '' when nothing is. */
export function describeAffected(affected: readonly AffectedSnapshot[]): string {
  if (affected.length === 0) return '';
  const whole = affected.filter((a) => a.paths.includes('/')).length;
  const partial = affected.filter((a) => !a.paths.includes('/'));
  const parts: string[] = [];
  if (partial.length > 0) {
    const complete = partial.every((a) => a.paths.length === a.files + a.folders);
    const distinct = new Set(partial.flatMap((a) => a.paths));
    const files = complete
      ? [...distinct].filter((p) => !p.endsWith('/')).length
      : sum(partial, (a) => a.files);
    const folders = complete ? distinct.size - files : sum(partial, (a) => a.folders);
    const what = [
      ...(files > 0 ? [plural(files, 'file')] : []),
      ...(folders > 0
        ? [`${plural(folders, 'folder')} (with everything in ${folders === 1 ? 'it' : 'them'})`]
        : []),
    ].join(' and ');
    parts.push(`${what} in ${plural(partial.length, 'snapshot')}`);
  }
  if (whole > 0) parts.push(`the whole of ${plural(whole, 'snapshot')}`);
  return `affected: ${parts.join(', and ')}`;
}

/** What to do about one error. */
export function adviceFor(
  kind: CheckErrorKind,
  object: string,
  affected: readonly AffectedSnapshot[],
): string {
  const short = object.slice(object.lastIndexOf('/') + 1, object.lastIndexOf('/') + 9);
  switch (kind) {
    case 'key-damaged':
      return `nobody can open the repository with this key file. If someone relied on it, give them a new key ("coffer key add"), then remove this one ("coffer key remove ${short}").`;
    case 'key-foreign':
      return `this key file was made for another repository (copied here by mistake, or planted): its password does not open this repository. Remove it ("coffer key remove ${short}"); if someone relied on it, give them a key for this repository ("coffer key add").`;
    case 'snapshot-damaged':
      return `this snapshot cannot be read; other snapshots are not affected by this error. Once a newer snapshot holds what you need, remove it ("coffer forget ${short}").`;
    case 'index-damaged':
      return 'the packs this index file lists are still stored, but coffer cannot find the data in them until the index is rebuilt. Do not run "coffer prune" until then: it would delete those packs.';
    case 'record-damaged':
      return 'this record of the audit or drill log cannot be read, so the log has a gap here: it was damaged in storage, or altered by someone with access to it. Backups and restores are not affected. Leave it in place and tell whoever looks after coffer (and your auditor); "coffer log" skips it and says so.';
    case 'read-failed':
      return 'the storage could not be read, so this part of the repository was not checked: run "coffer check" again when the storage is reachable.';
    default:
      return dataAdvice(kind, affected);
  }
}

function dataAdvice(kind: CheckErrorKind, affected: readonly AffectedSnapshot[]): string {
  const missing =
    kind === 'pack-missing'
      ? 'If your storage keeps deleted or old versions of objects, or you have a copy of the repository, put this pack back and run "coffer check" again. '
      : '';
  if (affected.length === 0) {
    return `${missing}No backed-up file is affected: every blob the snapshots use from it still verifies.`;
  }
  return (
    `${missing}The files listed cannot be restored from the snapshots listed. Keep the originals of these files, ` +
    'and restore older versions from snapshots not listed here. A new backup does not repair this by itself ' +
    '(it reuses the data the index lists), so ask whoever looks after coffer to repair the repository.'
  );
}

function sum<T>(items: readonly T[], f: (item: T) => number): number {
  return items.reduce((n, item) => n + f(item), 0);
}

// Audit summaries of the operations that put data in or take it out: backup, restore, dump, check.

import { resolve } from 'node:path';
import type { BackupResult } from '../backup/index.js';
import type { CheckResult } from '../check/index.js';
import type { RestoreResult } from '../restore/index.js';
import { formatBytes } from '../ui/index.js';
import { type Describe, describing, firstLine } from './audit-operation.js';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const short = (id: string | undefined): string => (id ?? '').slice(0, 8);

/** `paths` as typed; the record holds them absolute, as the snapshot does. */
export function describeBackup(typed: readonly string[]): Describe<BackupResult> {
  const paths = typed.map((p) => resolve(p));
  const what = `backup of ${paths.join(', ')}`;
  return describing(what, { paths }, (r) => {
    const s = r.summary;
    const unreadable = r.warnings.filter((w) => w.kind === 'unreadable').length;
    return {
      outcome: r.incomplete ? 'partial' : 'success',
      summary:
        `${what}: snapshot ${short(r.snapshotId)} saved, ${s.filesNew} new and ${s.filesChanged} changed of ${plural(s.totalFiles, 'file')}, ${formatBytes(s.bytesAdded)} added` +
        (unreadable > 0
          ? `; ${plural(unreadable, 'file')} could not be read and ${unreadable === 1 ? 'is' : 'are'} missing from it`
          : ''),
      details: {
        paths,
        snapshot: r.snapshotId,
        ...(r.parentId ? { parent: r.parentId } : {}),
        files: s.totalFiles,
        filesNew: s.filesNew,
        filesChanged: s.filesChanged,
        bytesAdded: s.bytesAdded,
        bytesStored: s.bytesStored,
        ...(unreadable > 0 ? { unreadable } : {}),
      },
    };
  });
}

export interface RestoreRequest {
  /** As typed: "latest:/srv/council/Minutes". */
  readonly spec: string;
  readonly target: string;
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
}

export function describeRestore(req: RestoreRequest): Describe<RestoreResult> {
  const what = `restore of ${req.spec} to ${req.target}`;
  const asked = {
    spec: req.spec,
    target: req.target,
    ...(req.include?.length ? { include: req.include } : {}),
    ...(req.exclude?.length ? { exclude: req.exclude } : {}),
  };
  return describing(what, asked, ({ snapshot, outcome: out }) => {
    const failed = out?.errors.length ?? 0;
    const leftAlone = out?.conflicts.length ?? 0;
    const problems = [
      ...(failed > 0 ? [`${plural(failed, 'file')} failed`] : []),
      ...(leftAlone > 0 ? [`${leftAlone} left alone because something different was there`] : []),
    ];
    return {
      outcome: problems.length > 0 ? 'partial' : 'success',
      summary:
        `${what}: ${plural(out?.filesRestored ?? 0, 'file')} (${formatBytes(out?.bytesRestored ?? 0)}) from snapshot ${short(snapshot.id)} restored and verified` +
        (problems.length > 0 ? `; ${problems.join(', ')}` : ''),
      details: {
        ...asked,
        snapshot: snapshot.id,
        snapshotTime: snapshot.snapshot.time,
        filesRestored: out?.filesRestored ?? 0,
        bytesRestored: out?.bytesRestored ?? 0,
        ...(out && out.identical > 0 ? { identical: out.identical } : {}),
        ...(failed > 0 ? { failed } : {}),
        ...(leftAlone > 0 ? { leftAlone } : {}),
      },
    };
  });
}

export function describeDump(
  spec: string,
  archive: 'tar' | 'zip' | undefined,
): Describe<{ snapshot: string; files: number; bytes: number }> {
  const what = `dump of ${spec}${archive ? ` as a ${archive} archive` : ''} to standard output`;
  return describing(what, { spec }, (r) => ({
    summary: `${what}: ${plural(r.files, 'file')} (${formatBytes(r.bytes)}) from snapshot ${short(r.snapshot)}, verified`,
    details: { spec, snapshot: r.snapshot, files: r.files, bytes: r.bytes, ...(archive ? { archive } : {}) },
  }));
}

export function describeCheck(readData: CheckResult['readData']): Describe<CheckResult> {
  const depth =
    readData === 'none' ? '' : readData === 'all' ? ' --read-data' : ` --read-data-subset ${readData.subset}`;
  const what = `check${depth}`;
  return (end) => {
    if (!end.ok)
      return { summary: `${what} could not finish: ${firstLine(end.error)}`, details: { readData } };
    const r = end.result;
    const c = r.counts;
    const scope = `${plural(c.snapshots, 'snapshot')}, ${plural(c.packs, 'pack')}${c.packsRead > 0 ? ` (${c.packsRead} read whole)` : ''}`;
    return {
      outcome: r.ok ? 'success' : 'failure',
      summary: r.ok
        ? `${what}: no errors in ${scope}`
        : `${what} found ${plural(r.errors.length, 'error')} in ${scope}: ${firstLine(r.errors[0]?.message)}`,
      details: {
        ok: r.ok,
        readData,
        errors: r.errors.length,
        ...(r.ok ? {} : { errorKinds: [...new Set(r.errors.map((e) => e.kind))] }),
        snapshots: c.snapshots,
        packs: c.packs,
        packsRead: c.packsRead,
      },
    };
  };
}

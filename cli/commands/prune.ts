// coffer prune: reclaim the space of data no snapshot uses any more.

import type { Command } from 'commander';
import { UsageError } from '../../src/errors.js';
import { type PruneResult, runPrune } from '../../src/retention/index.js';
import { formatBytes } from '../../src/ui/index.js';
import { globalOptions, openRepositoryFor } from '../global-options.js';
import type { CliIo } from '../io.js';
import { printJson, printLine, shortTime } from '../render.js';
import { describePrune } from '../../src/audit/index.js';
import { audited } from '../audit.js';
import { addRetryLockOption, retryLockFrom, whileLocked } from '../retry-lock.js';

export interface PruneFlags {
  maxUnused: string;
  maxRepackSize?: string;
  dryRun?: boolean;
  retryLock?: string;
}

export function register(program: Command, io: CliIo): void {
  addRetryLockOption(
    addPruneOptions(
      program
        .command('prune')
        .description(
          'delete data no snapshot uses (after forget); repacks partly used packs; shows what it frees first',
        )
        .option('--dry-run', 'show what would be freed; change nothing'),
    ),
  ).action(async (flags: PruneFlags, self: Command) => {
    const options = pruneOptionsFrom(flags); // a mistyped option is reported before a password is asked for
    const retryForMs = retryLockFrom(flags);
    const repo = await openRepositoryFor(self, io, { admin: true }); // it deletes: the admin credentials
    const prune = (): Promise<PruneResult> =>
      whileLocked(io, retryForMs, () =>
        runPrune(repo, { ...options, dryRun: Boolean(flags.dryRun), signal: io.signal }),
      );
    // A dry run changes nothing, so it is not recorded.
    const result = await audited(repo, io, 'prune', prune, describePrune(), { record: !flags.dryRun });
    renderPrune(io, result, Boolean(globalOptions(self).json));
  });
}

export function addPruneOptions(cmd: Command): Command {
  return cmd
    .option(
      '--max-unused <percent>',
      'leave up to this share of unused data in partly used packs rather than repack them',
      '5%',
    )
    .option('--max-repack-size <size>', 'repack at most this much in one run, e.g. 2GiB');
}

export function pruneOptionsFrom(flags: { maxUnused: string; maxRepackSize?: string }): {
  maxUnused: number;
  maxRepackBytes?: number;
} {
  const m = /^(\d+(?:\.\d+)?)%$/.exec(flags.maxUnused.trim());
  if (!m || Number(m[1]) > 100)
    throw new UsageError(`--max-unused ${flags.maxUnused}: give a percentage such as 5%`);
  return {
    maxUnused: Number(m[1]) / 100,
    ...(flags.maxRepackSize ? { maxRepackBytes: parseSize(flags.maxRepackSize) } : {}),
  };
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|TiB)?$/i.exec(text.trim());
  const units: Record<string, number> = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };
  if (!m) throw new UsageError(`--max-repack-size ${text}: give a size such as 500MiB or 2GiB`);
  return Math.floor(Number(m[1]) * units[(m[2] ?? 'b').toLowerCase()]!);
}

export function renderPrune(io: CliIo, r: PruneResult, json: boolean): void {
  const p = r.plan;
  if (json) {
    printJson(io, {
      dryRun: r.dryRun,
      ...p,
      deletePacks: p.deletePacks.length,
      repackPacks: p.repackPacks.length,
      packsWritten: r.packsWritten,
    });
    return;
  }
  printLine(
    io,
    `${p.snapshots} snapshots use ${formatBytes(p.usedBytes)}; ${formatBytes(p.unusedBytes)} in ${p.packs} packs is unused`,
  );
  printLine(
    io,
    `${r.dryRun ? 'would delete' : 'deleted'} ${p.deletePacks.length} unused packs and ${r.dryRun ? 'would repack' : 'repacked'} ${p.repackPacks.length} partly used ones, freeing ${formatBytes(p.bytesFreed)} before rewriting what is still used`,
  );
  const held = p.retained;
  if (held.packs.length > 0 || held.indexFiles.length > 0) {
    const bytes = held.packs.reduce((n, x) => n + x.size, 0);
    const last = [...held.packs, ...held.indexFiles]
      .map((x) => x.until)
      .sort()
      .at(-1)!;
    const what = [
      ...(held.packs.length > 0 ? [`${count(held.packs.length, 'pack')} (${formatBytes(bytes)})`] : []),
      ...(held.indexFiles.length > 0 ? [count(held.indexFiles.length, 'index file')] : []),
    ].join(' and ');
    printLine(
      io,
      `${r.dryRun ? 'would keep' : 'kept'} ${what} that Object Lock still protects; a prune after ${shortTime(last)} deletes what is no longer needed`,
    );
  }
  if (r.dryRun) printLine(io, 'dry run: nothing was changed');
}

// coffer forget: remove snapshots the retention policy does not keep (prune then reclaims their space).

import { type Command, InvalidArgumentError } from 'commander';
import { UsageError } from '../../src/errors.js';
import {
  type ForgetResult,
  type GroupBy,
  parseDuration,
  type RetentionPolicy,
  runForget,
  runPrune,
} from '../../src/retention/index.js';
import { addPruneOptions, pruneOptionsFrom, renderPrune } from './prune.js';
import { collect, globalOptions, openRepositoryFor } from '../global-options.js';
import type { CliIo } from '../io.js';
import { printJson, printLine, shortTime } from '../render.js';
import { describeForget, describePrune } from '../../src/audit/index.js';
import { audited } from '../audit.js';
import { addRetryLockOption, retryLockFrom, whileLocked } from '../retry-lock.js';

interface ForgetFlags {
  keepLast?: number;
  keepHourly?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  keepYearly?: number;
  keepWithin?: string;
  keepTag: string[];
  groupBy: string;
  dryRun?: boolean;
  allowEmpty?: boolean;
  prune?: boolean;
  maxUnused: string;
  maxRepackSize?: string;
  retryLock?: string;
}

const count = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`give a whole number, not ${value}`);
  return n;
};
export function register(program: Command, io: CliIo): void {
  const cmd = program
    .command('forget')
    .description(
      'remove snapshots the retention policy does not keep (per host and paths); data is reclaimed by prune',
    )
    .option('--keep-last <n>', 'keep the newest N snapshots', count)
    .option('--keep-hourly <n>', 'keep the newest snapshot of each of the last N hours that have one', count)
    .option('--keep-daily <n>', 'likewise for days', count)
    .option('--keep-weekly <n>', 'likewise for weeks (Monday to Sunday)', count)
    .option('--keep-monthly <n>', 'likewise for months', count)
    .option('--keep-yearly <n>', 'likewise for years', count)
    .option(
      '--keep-within <duration>',
      'keep every snapshot within this time of the newest, e.g. 30d, 6m, 1y',
    )
    .option('--keep-tag <tag>', 'keep snapshots with this tag (repeatable)', collect, [])
    .option(
      '--group-by <fields>',
      'group snapshots by host, paths and/or tags, comma separated',
      'host,paths',
    )
    .option('--dry-run', 'show what would be kept and removed; remove nothing')
    .option('--allow-empty', 'allow removing every snapshot of a group')
    .option('--prune', 'then reclaim the space the removed snapshots alone used (see coffer prune)');
  addRetryLockOption(addPruneOptions(cmd)).action(async (flags: ForgetFlags, self: Command) => {
    const groupBy = flags.groupBy.split(',').filter(Boolean);
    if (groupBy.some((g) => g !== 'host' && g !== 'paths' && g !== 'tags')) {
      throw new UsageError(`--group-by ${flags.groupBy}: use host, paths and tags, comma separated`);
    }
    const policy: RetentionPolicy = {
      ...(flags.keepLast !== undefined ? { last: flags.keepLast } : {}),
      ...(flags.keepHourly !== undefined ? { hourly: flags.keepHourly } : {}),
      ...(flags.keepDaily !== undefined ? { daily: flags.keepDaily } : {}),
      ...(flags.keepWeekly !== undefined ? { weekly: flags.keepWeekly } : {}),
      ...(flags.keepMonthly !== undefined ? { monthly: flags.keepMonthly } : {}),
      ...(flags.keepYearly !== undefined ? { yearly: flags.keepYearly } : {}),
      ...(flags.keepWithin ? { withinMs: parseDuration(flags.keepWithin) } : {}),
      tags: flags.keepTag,
    };
    const pruneOptions = flags.prune ? pruneOptionsFrom(flags) : undefined; // checked before the password
    const retryForMs = retryLockFrom(flags);
    const repo = await openRepositoryFor(self, io, { admin: true }); // it deletes: the admin credentials
    const forget = (): Promise<ForgetResult> =>
      whileLocked(io, retryForMs, () =>
        runForget(repo, {
          policy,
          groupBy: groupBy as GroupBy,
          dryRun: Boolean(flags.dryRun),
          allowEmpty: Boolean(flags.allowEmpty),
        }),
      );
    // Dry runs change nothing, so they are not recorded.
    const record = { record: !flags.dryRun };
    const result = await audited(repo, io, 'forget', forget, describeForget({ ...policy, groupBy }), record);
    const pruned =
      pruneOptions && !result.dryRun
        ? await audited(
            repo,
            io,
            'prune',
            () => whileLocked(io, retryForMs, () => runPrune(repo, { ...pruneOptions, signal: io.signal })),
            describePrune(),
          )
        : undefined;
    if (globalOptions(self).json) {
      return printJson(io, {
        dryRun: result.dryRun,
        removed: result.removed,
        retained: result.retained,
        ...(pruned
          ? {
              prune: {
                ...pruned.plan,
                deletePacks: pruned.plan.deletePacks.length,
                repackPacks: pruned.plan.repackPacks.length,
              },
            }
          : {}),
        groups: result.groups.map((g) => ({
          ...g.key,
          keep: g.keep.map((k) => ({
            id: k.snapshot.id,
            time: k.snapshot.snapshot.time,
            reasons: k.reasons,
          })),
          remove: g.remove.map((s) => ({ id: s.id, time: s.snapshot.time })),
        })),
      });
    }
    const lockedUntil = new Map(result.retained.map((r) => [r.id, r.until]));
    for (const g of result.groups) {
      printLine(
        io,
        `snapshots of ${[g.key.host, g.key.paths?.join(', '), g.key.tags?.join(',')].filter(Boolean).join(' ')}:`,
      );
      for (const k of g.keep)
        printLine(
          io,
          `  keep    ${k.snapshot.id.slice(0, 8)}  ${shortTime(k.snapshot.snapshot.time)}  (${k.reasons.join(', ')})`,
        );
      for (const s of g.remove) {
        const until = lockedUntil.get(s.id);
        printLine(
          io,
          until
            ? `  locked  ${s.id.slice(0, 8)}  ${shortTime(s.snapshot.time)}  (Object Lock keeps it until ${shortTime(until)})`
            : `  remove  ${s.id.slice(0, 8)}  ${shortTime(s.snapshot.time)}`,
        );
      }
    }
    const total = result.groups.reduce((n, g) => n + g.remove.length, 0) - result.retained.length;
    printLine(
      io,
      result.dryRun
        ? `dry run: would remove ${total} snapshot${total === 1 ? '' : 's'}; nothing was removed`
        : `removed ${result.removed} snapshot${result.removed === 1 ? '' : 's'}${flags.prune ? '' : '; their data stays until prune reclaims it'}`,
    );
    if (result.retained.length > 0) {
      const last = result.retained
        .map((r) => r.until)
        .sort()
        .at(-1)!;
      printLine(
        io,
        `${result.retained.length === 1 ? '1 snapshot the policy would remove is' : `${result.retained.length} snapshots the policy would remove are`} still under Object Lock and ${result.dryRun ? 'would be kept' : result.retained.length === 1 ? 'stays' : 'stay'}; a forget after ${shortTime(last)} removes ${result.retained.length === 1 ? 'it' : 'them'}`,
      );
    }
    if (pruned) renderPrune(io, pruned, false);
  });
}

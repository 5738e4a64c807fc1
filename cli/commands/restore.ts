// coffer restore SNAPSHOT[:PATH] --target DIR: bring files back, each verified against its SHA-256.

import { type Command, Option } from 'commander';
import {
  type OverwriteMode,
  type RestorePlan,
  type RestoreResult,
  runRestore,
} from '../../src/restore/index.js';
import { formatBytes } from '../../src/ui/index.js';
import { collect, globalOptions, openRepositoryFor } from '../global-options.js';
import type { CliIo } from '../io.js';
import { printJson, printLine } from '../render.js';
import { type ProgressCounters, terminalProgress } from '../progress-line.js';
import { addSnapshotFilterOptions, filterFrom, parseSnapshotSpec } from '../snapshot-spec.js';
import { describeRestore } from '../../src/audit/index.js';
import { audited, auditWarning } from '../audit.js';

interface RestoreFlags {
  target: string;
  include: string[];
  exclude: string[];
  overwrite: OverwriteMode;
  dryRun?: boolean;
  manifest?: string;
  host?: string;
  path: string[];
  tag: string[];
}

export function register(program: Command, io: CliIo): void {
  addSnapshotFilterOptions(
    program
      .command('restore')
      .description(
        'restore a whole snapshot, a folder or one file; every file is checked against its recorded SHA-256',
      )
      .argument('<snapshot[:path]>', 'a snapshot id (or "latest"), optionally followed by :/path/inside/it')
      .requiredOption(
        '-t, --target <dir>',
        'where to restore (use the original folder, or / , to restore in place)',
      )
      .option(
        '--include <pattern>',
        'restore only paths matching this .gitignore-style pattern (repeatable)',
        collect,
        [],
      )
      .option('--exclude <pattern>', 'leave out paths matching this pattern (repeatable)', collect, [])
      .addOption(
        new Option('--overwrite <mode>', 'what to do with existing files that differ')
          .choices(['never', 'if-changed', 'always'])
          .default('never'),
      )
      .option('--dry-run', 'show what would be restored, write nothing')
      .option('--manifest <file>', 'write a sha256sum -c compatible list of the restored files'),
  ).action(async (spec: string, flags: RestoreFlags, self: Command) => {
    const json = Boolean(globalOptions(self).json);
    const repo = await openRepositoryFor(self, io);
    const { snapshot, path } = parseSnapshotSpec(spec);
    const progress = terminalProgress(io);
    const counters: ProgressCounters = { filesDone: 0, bytesDone: 0, bytesRead: 0, totalBytes: 0 };
    const restore = (): Promise<RestoreResult> =>
      runRestore(repo, {
        snapshot,
        ...(path ? { path } : {}),
        filter: filterFrom(flags),
        target: flags.target,
        overwrite: flags.overwrite,
        include: flags.include,
        exclude: flags.exclude,
        dryRun: Boolean(flags.dryRun),
        ...(flags.manifest ? { manifest: flags.manifest } : {}),
        signal: io.signal,
        onPlan: (plan) => {
          counters.totalBytes = plan.bytes;
          if (!flags.dryRun && !json) progress.start(counters);
        },
        onBytes: (n) => {
          counters.bytesDone += n;
          counters.bytesRead += n;
        },
        onFileDone: () => {
          counters.filesDone++;
        },
        onWarning: auditWarning(io),
      }).finally(() => progress.stop());
    // A dry run takes nothing out of the repository, so it is not recorded.
    const asked = { spec, target: flags.target, include: flags.include, exclude: flags.exclude };
    const result = await audited(repo, io, 'restore', restore, describeRestore(asked), {
      record: !flags.dryRun,
    });
    const out = result.outcome;
    if (json) {
      printJson(io, {
        snapshot: result.snapshot.id,
        target: result.plan.target,
        dryRun: !out,
        plan: { files: result.plan.files, bytes: result.plan.bytes, conflicts: result.plan.conflicts },
        ...(out
          ? {
              filesRestored: out.filesRestored,
              bytesRestored: out.bytesRestored,
              identical: out.identical,
              verified: out.verified.length,
              conflicts: out.conflicts,
              errors: out.errors,
            }
          : {
              items: result.plan.items.map((i) => ({
                path: i.rel.toString(),
                type: i.node.type,
                action: i.action,
                ...(i.reason ? { reason: i.reason } : {}),
              })),
            }),
      });
    } else if (!out) {
      renderPlan(io, result.plan);
    } else {
      printLine(
        io,
        `restored ${plural(out.filesRestored, 'file')} (${formatBytes(out.bytesRestored)}) from snapshot ${result.snapshot.id.slice(0, 8)} to ${result.plan.target}; ${out.verified.length === 1 ? 'it was' : `all ${out.verified.length} were`} verified against ${out.verified.length === 1 ? 'its' : 'their'} SHA-256`,
      );
      if (out.identical > 0)
        printLine(
          io,
          `${out.identical} files were already there with the same content and were left as they are`,
        );
      for (const c of out.conflicts) io.stderr.write(`not restored: ${c.path}: ${c.message}\n`);
      for (const e of out.errors) io.stderr.write(`FAILED: ${e.path}: ${e.message}\n`);
    }
    if (out && (out.errors.length > 0 || out.conflicts.length > 0)) {
      io.stderr.write(
        `coffer: the restore is incomplete: ${out.errors.length} failed, ${out.conflicts.length} left alone because something different is there\n`,
      );
      process.exitCode = 1;
    }
  });
}

function renderPlan(io: CliIo, plan: RestorePlan): void {
  for (const item of plan.items) {
    if (item.action === 'identical' && item.node.type === 'dir') continue;
    const suffix = item.node.type === 'dir' ? '/' : '';
    printLine(
      io,
      `${item.action.padEnd(9)} ${item.rel.toString()}${suffix}${item.reason ? `  (${item.reason})` : ''}`,
    );
  }
  printLine(
    io,
    `dry run: would restore ${plan.files} files (${formatBytes(plan.bytes)}) to ${plan.target}; ${plan.conflicts} conflicts; nothing was written`,
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

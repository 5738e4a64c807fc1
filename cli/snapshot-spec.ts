// Parsing `SNAPSHOT[:PATH]` and the --host/--path/--tag options that narrow `latest`.

import { type Command, Option } from 'commander';
import type { SnapshotFilter } from '../src/repository/index.js';
import { collect } from './global-options.js';

export function parseSnapshotSpec(spec: string): { snapshot: string; path?: string } {
  const colon = spec.indexOf(':');
  if (colon < 0) return { snapshot: spec };
  return { snapshot: spec.slice(0, colon), path: spec.slice(colon + 1) || '/' };
}

/** --host, --path and --tag, which choose among snapshots when `latest` is asked for. */
export function addSnapshotFilterOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--host <name>', 'with "latest": the newest snapshot of this host'))
    .addOption(
      new Option('--path <path>', 'with "latest": the newest snapshot that includes this path (repeatable)')
        .argParser(collect)
        .default([]),
    )
    .addOption(
      new Option('--tag <tag>', 'with "latest": the newest snapshot with this tag (repeatable)')
        .argParser(collect)
        .default([]),
    );
}

export function filterFrom(opts: { host?: string; path?: string[]; tag?: string[] }): SnapshotFilter {
  return { ...(opts.host ? { host: opts.host } : {}), paths: opts.path ?? [], tags: opts.tag ?? [] };
}

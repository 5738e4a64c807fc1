// The two peers every benchmark runs, described once: the commands for each step and how to read
// their summaries. Each tool gets a clean environment holding only its own password.

import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { COFFER_CLI } from './workspace.mjs';

const PASSWORD = 'bench-password-not-secret';

const baseEnv = { ...process.env, NO_COLOR: '1' };
for (const k of Object.keys(baseEnv)) {
  if (/^(RESTIC|COFFER)_/.test(k)) delete baseEnv[k];
}

/**
 * `--scale`, `--seed`, `--keep` and `--rounds` (how many times each timed step runs per tool, the order
 * alternating; the report takes the median), checked; exits 2 with a usage line when they are wrong. An
 * even number of rounds puts each tool first as often as second: the one that runs right after the other
 * has written a whole repository is slower (both tools, by 5-15% here), so an odd number favours one.
 */
export function benchArgs(name) {
  const { values } = parseArgs({
    args: process.argv.slice(3),
    options: {
      scale: { type: 'string', default: '1.0' },
      seed: { type: 'string', default: '1' },
      keep: { type: 'boolean', default: false },
      rounds: { type: 'string', default: '4' },
    },
  });
  const scale = Number(values.scale);
  const seed = Number(values.seed);
  const rounds = Number(values.rounds);
  if (
    !(scale > 0 && scale <= 10) ||
    !Number.isInteger(seed) ||
    seed < 0 ||
    !Number.isInteger(rounds) ||
    rounds < 1 ||
    rounds > 20
  ) {
    console.error(
      `usage: node bench/run.mjs ${name} [--scale 1.0 (0 < scale <= 10)] [--seed 1] [--rounds 4 (1-20)] [--keep]`,
    );
    process.exit(2);
  }
  if (!existsSync(COFFER_CLI)) {
    console.error(
      `bench/${name}: ${COFFER_CLI} is missing; run \`npm run build\` first (npm run bench does).`,
    );
    process.exit(1);
  }
  return { scale, seed, keep: values.keep, rounds };
}

export function resticTool(repo, cacheDir) {
  const common = ['-r', repo, '--cache-dir', cacheDir];
  return {
    name: 'restic',
    repo,
    env: { ...baseEnv, RESTIC_PASSWORD: PASSWORD },
    backupOk: [0, 3],
    init: ['restic', [...common, 'init', '--repository-version', '2']],
    backup: (path) => ['restic', [...common, 'backup', '--json', path]],
    restoreAll: (target) => ['restic', [...common, 'restore', 'latest', '--target', target]],
    restoreOne: (file, target) => [
      'restic',
      [...common, 'restore', 'latest', '--target', target, '--include', file],
    ],
    /** Where a one-file restore puts the file: restic keeps the snapshot's absolute path under the target. */
    oneFileAt: (file, target) => join(target, file),
    check: () => ['restic', [...common, 'check', '--read-data']],
    snapshots: () => ['restic', [...common, 'snapshots', '--json']],
    /** restic's summary line as { filesNew, filesChanged, filesUnmodified, bytesAdded }. */
    summary(stdout) {
      const s = lastJson(stdout, (o) => o.message_type === 'summary');
      return (
        s && {
          filesNew: s.files_new,
          filesChanged: s.files_changed,
          filesUnmodified: s.files_unmodified,
          bytesAdded: s.data_added,
        }
      );
    },
  };
}

export function cofferTool(repo) {
  const cli = (...args) => [process.execPath, [COFFER_CLI, ...args]];
  return {
    name: 'coffer',
    repo,
    env: { ...baseEnv, COFFER_PASSWORD: PASSWORD },
    backupOk: [0, 3],
    init: cli('init', '-r', repo),
    backup: (path) => cli('backup', '-r', repo, '--json', path),
    restoreAll: (target) => cli('restore', '-r', repo, 'latest', '--target', target),
    restoreOne: (file, target) => cli('restore', '-r', repo, `latest:${file}`, '--target', target),
    /** `latest:/abs/file --target DIR` puts the file directly into DIR. */
    oneFileAt: (file, target) => join(target, basename(file)),
    check: () => cli('check', '-r', repo, '--read-data'),
    snapshots: () => cli('snapshots', '-r', repo, '--json'),
    summary(stdout) {
      const s = lastJson(stdout, (o) => o.type === 'summary');
      return (
        s && {
          filesNew: s.filesNew,
          filesChanged: s.filesChanged,
          filesUnmodified: s.filesUnmodified,
          bytesAdded: s.bytesAdded,
        }
      );
    },
  };
}

/** The last line of JSON output that `match` accepts. */
function lastJson(stdout, match) {
  const lines = stdout.trim().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const o = JSON.parse(lines[i]);
      if (o && match(o)) return o;
    } catch {
      // progress text or a partial line
    }
  }
  return undefined;
}

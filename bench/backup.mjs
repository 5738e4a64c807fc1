// Backup benchmark against restic: `node bench/run.mjs backup [--scale 1.0] [--seed 1] [--keep]`.
//
// Generates the council-like dataset once into .bench-data/dataset-<seed>-<scale>/ (reused while its
// marker file .bench-data/dataset-<seed>-<scale>.complete is there), copies it to a working folder,
// reads every file once to warm the page cache, then backs the working folder up with restic and
// coffer step by step into fresh local repositories: (1) first backup, (2) backup with nothing
// changed, then one ~2% change (bench/dataset/mutate.mjs), (3) backup after that change. Each step
// runs --rounds times (default 4) for each tool, which one goes first alternating from round to round
// (a first backup into fresh repositories each round; a new ~2% change each round), and the report
// takes each tool's median time and its highest peak RSS. Every timed command starts after a `sync`, so
// neither tool pays for writing back the other's repository. Each backup is timed whole under GNU time
// (wall seconds, peak RSS, CPU seconds), key derivation included for both tools, as a user would wait.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { dirStats, dirSize, ensureGnuTime, ensureRestic, measure, table } from './lib/measure.mjs';
import { benchArgs, cofferTool, resticTool } from './lib/tools.mjs';
import {
  BENCH_DATA,
  COFFER_CLI,
  dataset,
  MiB,
  must,
  removeStaleRuns,
  ROOT,
  warmCache,
} from './lib/workspace.mjs';

const MUTATE_SEED = 7;
const MUTATE_FRACTION = 0.02;
// The issue's targets, as coffer/restic ratios (and an absolute RSS ceiling).
const TARGETS = { firstBackup: 1.0, unchanged: 1.0, changed: 1.0, repoSize: 1.05, rss: 1.0, rssMiB: 300 };

const { scale, seed, keep, rounds } = benchArgs('backup');

// ---- tools -------------------------------------------------------------------------------------

// ---- dataset -----------------------------------------------------------------------------------

// ---- run ---------------------------------------------------------------------------------------

ensureGnuTime();
const resticVersion = ensureRestic();
const cofferVersion = must(process.execPath, [COFFER_CLI, 'version']).trim();
const commit = spawnSync('git', ['-C', ROOT, 'describe', '--always', '--dirty'], { encoding: 'utf8' });
const cpu = os.cpus();
console.log(cofferVersion);
console.log(`node ${process.version} (${process.execPath})`);
console.log(`coffer tree: ${commit.status === 0 ? commit.stdout.trim() : 'unknown'}`);
console.log(
  `machine: ${cpu.length} cores (${cpu[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
);

const source = dataset(seed, scale);
removeStaleRuns();
const runDir = join(BENCH_DATA, `run-${process.pid}`);
const data = join(runDir, 'data');
rmSync(runDir, { recursive: true, force: true });
mkdirSync(runDir, { recursive: true });

const tools = {
  restic: resticTool(join(runDir, 'repo-restic'), join(runDir, 'restic-cache')),
  coffer: cofferTool(join(runDir, 'repo-coffer')),
};
const failures = [];
/** results[tool][step]: the median round by wall time, with the highest peak RSS of all rounds. */
const results = { restic: {}, coffer: {} };
/** rounds[tool][step]: every round's measurement. */
const roundsOf = { restic: {}, coffer: {} };
const repoSizes = { restic: {}, coffer: {} };

function runStep(step, toolName) {
  const tool = tools[toolName];
  if (tool.failed) return;
  const [command, args] = tool.backup(data);
  // The other tool's repository writes must not be written back inside this one's time.
  must('sync', []);
  const r = measure(command, args, { env: tool.env });
  const line = `${step.padEnd(16)} ${toolName.padEnd(6)} ${r.wallSeconds.toFixed(2)} s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB, CPU ${(r.userSeconds + r.sysSeconds).toFixed(2)} s, exit ${r.code}`;
  if (!tool.backupOk.includes(r.code)) {
    tool.failed = true;
    failures.push({ tool: toolName, step, command: [command, ...args].join(' '), ...r });
    console.log(`${line}: FAILED`);
    console.error(
      `bench/backup: ${toolName} failed in "${step}" with exit code ${r.code}${r.signal ? ` (signal ${r.signal})` : ''}:`,
    );
    console.error(`  ${[command, ...args].join(' ')}`);
    console.error(`--- stderr ---\n${r.stderr.trimEnd()}\n--- end of stderr ---`);
    const tail = r.stdout.trimEnd().split('\n').slice(-5).join('\n');
    if (tail) console.error(`--- last lines of stdout ---\n${tail}\n--- end of stdout ---`);
    return;
  }
  if (r.code === 3) console.log(`${line}: warning: exit 3, some files could not be read`);
  else console.log(line);
  const all = (roundsOf[toolName][step] ??= []);
  all.push({ ...r, summary: tool.summary(r.stdout) });
  const byWall = [...all].sort((a, b) => a.wallSeconds - b.wallSeconds);
  results[toolName][step] = {
    ...byWall[Math.floor((byWall.length - 1) / 2)],
    peakRssMiB: Math.max(...all.map((x) => x.peakRssMiB)),
  };
  repoSizes[toolName][step] = dirSize(tool.repo);
}

/** A fresh, empty repository for each tool (the first backup's later rounds). */
function reinit() {
  for (const tool of Object.values(tools)) {
    rmSync(tool.repo, { recursive: true, force: true });
    const [command, args] = tool.init;
    must(command, args, { env: tool.env });
  }
}

const STEPS = ['first backup', 'nothing changed', '2% changed'];
let datasetBefore;
let datasetAfter;
let mutation;
try {
  console.log(`working copy: ${data}`);
  let t = Date.now();
  must('cp', ['-a', source, data]);
  console.log(`working copy: made in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  datasetBefore = dirStats(data);
  warmCache(data);

  for (const tool of Object.values(tools)) {
    const [command, args] = tool.init;
    must(command, args, { env: tool.env });
  }
  const resticConfig = JSON.parse(
    must('restic', ['-r', tools.restic.repo, '--cache-dir', join(runDir, 'restic-cache'), 'cat', 'config'], {
      env: tools.restic.env,
    }),
  );
  console.log(`restic repository version ${resticConfig.version} (compression: restic's default, auto)`);
  console.log(
    'key derivation: inside every timed command for both tools ' +
      '(restic: scrypt as restic calibrates it; coffer: Argon2id at its default cost), as a user waits for it',
  );
  console.log('');

  for (const step of STEPS) {
    for (let r = 0; r < rounds; r++) {
      if (step === 'first backup' && r > 0) reinit();
      if (step === '2% changed') {
        t = Date.now();
        const mutate = join(ROOT, 'bench', 'dataset', 'mutate.mjs');
        mutation = JSON.parse(
          must(process.execPath, [mutate, data, String(MUTATE_SEED + r), String(MUTATE_FRACTION)]),
        );
        datasetAfter = dirStats(data);
        console.log(
          `mutate: ${mutation.touched} of ${mutation.filesBefore} files touched (append ${mutation.append}, ` +
            `overwrite ${mutation.editMiddle}, insert ${mutation.insertMiddle}, deleted ${mutation.deleted}, ` +
            `added ${mutation.added}), ${(mutation.bytesWritten / MiB).toFixed(1)} MiB written, ` +
            `${((Date.now() - t) / 1000).toFixed(1)} s`,
        );
      }
      const order = r % 2 === 0 ? ['restic', 'coffer'] : ['coffer', 'restic'];
      for (const name of order) runStep(step, name);
    }
  }
} finally {
  report();
  if (keep) console.log(`\nkept: ${runDir} (repositories, restic cache, working copy)`);
  else rmSync(runDir, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(
    `\nbench/backup: ${failures.map((f) => `${f.tool} failed in "${f.step}" (exit ${f.code})`).join('; ')}`,
  );
  process.exit(1);
}

// ---- report ------------------------------------------------------------------------------------

function report() {
  const fmt = (n, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : '-');
  const ratio = (a, b) =>
    Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : '-';
  const cores = (r) => (r ? fmt((r.userSeconds + r.sysSeconds) / Math.max(r.wallSeconds, 0.01)) : '-');
  const failedMark = (name, step) => {
    const f = failures.find((x) => x.tool === name);
    if (!f) return undefined;
    return f.step === step ? 'FAILED' : STEPS.indexOf(step) > STEPS.indexOf(f.step) ? 'skipped' : undefined;
  };

  console.log('');
  console.log(
    `each step: ${rounds} round${rounds === 1 ? '' : 's'} per tool; times are medians, peak RSS the highest of the rounds`,
  );
  if (datasetBefore) {
    console.log(
      `dataset: ${datasetBefore.files} files, ${(datasetBefore.bytes / MiB).toFixed(1)} MiB` +
        (datasetAfter
          ? `; after the change ${datasetAfter.files} files, ${(datasetAfter.bytes / MiB).toFixed(1)} MiB`
          : ''),
    );
  }
  const rows = [
    [
      'scenario',
      'restic s',
      'coffer s',
      'ratio (coffer/restic)',
      'restic peak RSS MiB',
      'coffer peak RSS MiB',
      'RSS ratio',
      'restic CPU cores',
      'coffer CPU cores',
    ],
  ];
  for (const step of STEPS) {
    const r = results.restic[step];
    const c = results.coffer[step];
    rows.push([
      step,
      failedMark('restic', step) ?? fmt(r?.wallSeconds),
      failedMark('coffer', step) ?? fmt(c?.wallSeconds),
      ratio(c?.wallSeconds, r?.wallSeconds),
      fmt(r?.peakRssMiB, 0),
      fmt(c?.peakRssMiB, 0),
      ratio(c?.peakRssMiB, r?.peakRssMiB),
      cores(r),
      cores(c),
    ]);
  }
  table(rows);

  console.log('');
  const sizeRows = [
    ['repository after', 'restic MiB', 'coffer MiB', 'ratio (coffer/restic)', 'restic/data', 'coffer/data'],
  ];
  for (const step of STEPS) {
    const r = repoSizes.restic[step];
    const c = repoSizes.coffer[step];
    if (r === undefined && c === undefined) continue;
    const dataBytes = step === '2% changed' ? datasetAfter?.bytes : datasetBefore?.bytes;
    sizeRows.push([
      step,
      fmt(r / MiB, 1),
      fmt(c / MiB, 1),
      ratio(c, r),
      ratio(r, dataBytes),
      ratio(c, dataBytes),
    ]);
  }
  if (sizeRows.length > 1) table(sizeRows);

  console.log('');
  const what = (s) => (s ? `${s.filesNew}/${s.filesChanged}/${s.filesUnmodified}` : '-');
  const added = (s) => (s && Number.isFinite(s.bytesAdded) ? fmt(s.bytesAdded / MiB, 1) : '-');
  const sumRows = [
    [
      'scenario',
      'restic new/changed/unmodified',
      'coffer new/changed/unmodified',
      'restic added MiB',
      'coffer added MiB',
    ],
  ];
  for (const step of STEPS) {
    const r = results.restic[step]?.summary;
    const c = results.coffer[step]?.summary;
    sumRows.push([step, what(r), what(c), added(r), added(c)]);
  }
  table(sumRows);
  console.log('(added: new plaintext data as each tool reports it, before compression)');

  console.log('');
  const last = STEPS[STEPS.length - 1];
  const check = (label, got, target, unit = 'x') =>
    `  ${label.padEnd(30)} ${got === undefined ? 'not measured' : `${got.toFixed(2)}${unit} (target <= ${target.toFixed(2)}${unit}): ${got <= target ? 'met' : 'NOT met'}`}`;
  const ratioOf = (field, step) => {
    const r = results.restic[step]?.[field];
    const c = results.coffer[step]?.[field];
    return Number.isFinite(r) && Number.isFinite(c) && r > 0 ? c / r : undefined;
  };
  const maxOf = (xs) => (xs.some((x) => x === undefined) ? undefined : Math.max(...xs));
  console.log('targets (coffer against restic):');
  console.log(check('first backup time', ratioOf('wallSeconds', 'first backup'), TARGETS.firstBackup));
  console.log(
    check('nothing-changed backup time', ratioOf('wallSeconds', 'nothing changed'), TARGETS.unchanged),
  );
  console.log(check('2%-change backup time', ratioOf('wallSeconds', '2% changed'), TARGETS.changed));
  const rs = repoSizes.restic[last];
  const cs = repoSizes.coffer[last];
  console.log(check('repository size', rs && cs ? cs / rs : undefined, TARGETS.repoSize));
  console.log(check('peak RSS (worst step)', maxOf(STEPS.map((s) => ratioOf('peakRssMiB', s))), TARGETS.rss));
  console.log(
    check(
      'peak RSS MiB (worst step)',
      maxOf(STEPS.map((s) => results.coffer[s]?.peakRssMiB)),
      TARGETS.rssMiB,
      ' MiB',
    ),
  );
  console.log('');
  console.log(`versions: ${resticVersion}; ${cofferVersion}`);
  console.log(
    `load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (on ${os.cpus().length} cores: above ~1 means other work shared the machine)`,
  );
}

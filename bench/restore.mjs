// Restore benchmark against restic: `node bench/run.mjs restore [--scale 1.0] [--seed 1] [--keep]`.
//
// Uses the same generated dataset as bench/backup.mjs (.bench-data/dataset-<seed>-<scale>/, generated
// once), copies it to a working folder, backs it up once with each tool into fresh local
// repositories, then measures, each tool under GNU time (wall seconds, peak RSS, CPU seconds, key
// derivation included as a user waits for it), the tool that goes first alternating from step to step:
//   1. full restore of the latest snapshot into a fresh empty folder (both restored trees are then
//      checked, outside the timing, against the SHA-256 of every file of the dataset);
//   2. `check --read-data`;
//   3. one file from a long history: 51 more backups, three small text files appended to before each
//      (52 snapshots in all), then one named file (changed in every snapshot) restored from the latest
//      snapshot into an empty folder, three times per tool, and checked against the working copy.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
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

/** Snapshots in the repository when the one-file restore is timed (the first backup included). */
const HISTORY_SNAPSHOTS = 52;
/** Times each tool restores the one file (order alternating); the median goes in the table. */
const ONE_FILE_ROUNDS = 3;
// The issue's targets: coffer/restic ratios, an absolute RSS ceiling and an absolute time.
const TARGETS = { fullRestore: 1.0, fullRestoreRssMiB: 300, check: 1.0, oneFileSeconds: 2.0 };

const { scale, seed, keep, rounds } = benchArgs('restore');

// ---- tools -------------------------------------------------------------------------------------

/** Flushes dirty pages (earlier restores, backups) so that they are not written during the next timed command. */
function flush() {
  spawnSync('sync');
}

// ---- dataset and files -------------------------------------------------------------------------

/** Regular files under `dir` (symbolic links not followed), as paths relative to `dir`, sorted. */
function listFiles(dir) {
  const out = [];
  const walk = (p) => {
    const st = lstatSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p)) walk(join(p, name));
    } else {
      out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

const sha256 = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** relative path -> SHA-256 of every entry under `dir` (a non-file entry maps to its kind). */
function hashTree(dir) {
  const map = new Map();
  for (const rel of listFiles(dir)) {
    const p = join(dir, rel);
    const st = lstatSync(p);
    map.set(rel, st.isFile() ? sha256(p) : st.isSymbolicLink() ? 'symlink' : 'other');
  }
  return map;
}

/** Differences between two hashTree maps: { missing, extra, differ } lists of relative paths. */
function compareTrees(expected, actual) {
  const missing = [];
  const differ = [];
  for (const [rel, h] of expected) {
    if (!actual.has(rel)) missing.push(rel);
    else if (actual.get(rel) !== h) differ.push(rel);
  }
  const extra = [...actual.keys()].filter((rel) => !expected.has(rel));
  return { missing, extra, differ };
}

// ---- run ---------------------------------------------------------------------------------------

ensureGnuTime();
const resticVersion = ensureRestic();
const cofferVersion = must(process.execPath, [COFFER_CLI, 'version']).trim();
const commit = spawnSync('git', ['-C', ROOT, 'describe', '--always', '--dirty'], { encoding: 'utf8' });
const cpu = os.cpus();
const loadAtStart = os.loadavg();
console.log(cofferVersion);
console.log(`node ${process.version} (${process.execPath})`);
console.log(`coffer tree: ${commit.status === 0 ? commit.stdout.trim() : 'unknown'}`);
console.log(
  `machine: ${cpu.length} cores (${cpu[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
    `load average ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}`,
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
/** { tool, step, command, code, signal, stderr } for a failed command; { tool, step, message } for a bad result. */
const failures = [];
/** results[tool][step] = measure() result; for the one-file step, the list of rounds. */
const results = { restic: {}, coffer: {} };
const extra = {}; // restic --verify restore, backup times, repository sizes, verification outcomes
let datasetStats;
let namedFile;

/**
 * Runs one timed command of a tool (`toolName` is the label printed and recorded, e.g. "restic --verify";
 * its first word names the tool); returns the measurement, or undefined (and records it) if it failed.
 */
function timed(step, toolName, [command, args], okCodes = [0]) {
  const tool = tools[toolName.split(' ')[0]];
  flush();
  const r = measure(command, args, { env: tool.env });
  const line = `${step.padEnd(26)} ${toolName.padEnd(6)} ${r.wallSeconds.toFixed(2)} s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB, CPU ${(r.userSeconds + r.sysSeconds).toFixed(2)} s, exit ${r.code}`;
  if (!okCodes.includes(r.code)) {
    failures.push({ tool: toolName, step, command: [command, ...args].join(' '), ...r });
    console.log(`${line}: FAILED`);
    console.error(
      `bench/restore: ${toolName} failed in "${step}" with exit code ${r.code}${r.signal ? ` (signal ${r.signal})` : ''}:`,
    );
    console.error(`  ${[command, ...args].join(' ')}`);
    console.error(`--- stderr ---\n${r.stderr.trimEnd()}\n--- end of stderr ---`);
    const tail = r.stdout.trimEnd().split('\n').slice(-5).join('\n');
    if (tail) console.error(`--- last lines of stdout ---\n${tail}\n--- end of stdout ---`);
    return undefined;
  }
  console.log(r.code === 0 ? line : `${line}: warning: exit ${r.code}`);
  return r;
}

/** Records a wrong result (not a failed command) loudly. */
function wrong(toolName, step, message) {
  failures.push({ tool: toolName, step, message });
  console.error(`bench/restore: ${toolName}, "${step}": WRONG RESULT: ${message}`);
}

const orderFor = (i) => (i % 2 === 0 ? ['restic', 'coffer'] : ['coffer', 'restic']);

try {
  console.log(`working copy: ${data}`);
  let t = Date.now();
  must('cp', ['-a', source, data]);
  console.log(`working copy: made in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  datasetStats = dirStats(data);
  warmCache(data, 'the working copy');
  t = Date.now();
  const expected = hashTree(data);
  console.log(
    `SHA-256 of ${expected.size} files of the working copy in ${((Date.now() - t) / 1000).toFixed(1)} s`,
  );

  for (const tool of Object.values(tools)) must(tool.init[0], tool.init[1], { env: tool.env });
  const resticConfig = JSON.parse(
    must('restic', ['-r', tools.restic.repo, '--cache-dir', join(runDir, 'restic-cache'), 'cat', 'config'], {
      env: tools.restic.env,
    }),
  );
  console.log(`restic repository version ${resticConfig.version} (compression: restic's default, auto)`);
  console.log('');

  // The one backup the restores start from (timed for the record only).
  extra.firstBackup = {};
  for (const name of orderFor(0)) {
    const tool = tools[name];
    const r = timed('first backup', name, tool.backup(data), tool.backupOk);
    if (r) extra.firstBackup[name] = r;
    else tool.broken = true;
  }
  const live = (name) => !tools[name].broken;
  extra.repoAfterFirst = Object.fromEntries(Object.values(tools).map((tl) => [tl.name, dirSize(tl.repo)]));
  warmCache(tools.restic.repo, 'the restic repository');
  warmCache(tools.coffer.repo, 'the coffer repository');

  // 1. Full restore, each into a fresh empty folder; then restic with --verify (it reads the restored
  // files back and checks them, as coffer always does), for reference.
  const verifyRestore = (name, step, target) => {
    const tree = join(target, data); // both tools restore the snapshot's absolute paths under the target
    if (!existsSync(tree)) {
      wrong(name, step, `nothing restored at ${tree}`);
      return 'nothing restored';
    }
    const got = hashTree(tree);
    const top = listFiles(target).filter((rel) => !join(target, rel).startsWith(`${tree}/`));
    const d = compareTrees(expected, got);
    const bad = d.missing.length + d.extra.length + d.differ.length + top.length;
    if (bad > 0) {
      const show = (label, xs) =>
        xs.length
          ? `${label} ${xs.length} (${xs.slice(0, 5).join(', ')}${xs.length > 5 ? ', ...' : ''})`
          : '';
      wrong(
        name,
        step,
        `restored tree does not match the dataset: ${[
          show('missing', d.missing),
          show('extra', d.extra),
          show('different content', d.differ),
          show('outside the snapshot path', top),
        ]
          .filter(Boolean)
          .join('; ')}`,
      );
      return 'MISMATCH';
    }
    return `all ${got.size} files match (SHA-256)`;
  };
  extra.verified = {};
  // --rounds times each, the order alternating; restic --verify once, for reference.
  const fullRuns = [];
  for (let round = 0; round < rounds; round++)
    fullRuns.push(...orderFor(round).map((name) => ({ name, label: name, cmd: tools[name].restoreAll })));
  fullRuns.push({
    name: 'restic',
    label: 'restic --verify',
    cmd: (target) => {
      const [c, a] = tools.restic.restoreAll(target);
      return [c, [...a, '--verify']];
    },
  });
  // Each run restores into a folder of its own, all removed only after the last run. Deleting the previous
  // run's tree just before the next one would put both tools on a disk that is busy freeing a gigabyte,
  // and on an ext4 without a journal (this machine's) every new file then scans past the inodes deleted
  // in the last minute (\`recently_deleted\`): a third of both tools' time, which no clerk's disk has.
  const fullTargets = [];
  for (const [i, run] of fullRuns.entries()) {
    if (!live(run.name)) continue;
    const target = join(runDir, `restore-${i}-${run.label.replace(/\W+/g, '-')}`);
    fullTargets.push(target);
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target);
    const r = timed('full restore', run.label, run.cmd(target));
    if (r) {
      if (run.label === 'restic --verify') extra.resticVerify = r;
      else (results[run.name]['full restore'] ??= []).push(r);
      t = Date.now();
      extra.verified[run.label] = verifyRestore(run.label, 'full restore', target);
      console.log(
        `  verify ${run.label}: ${extra.verified[run.label]} (${((Date.now() - t) / 1000).toFixed(1)} s, not timed)`,
      );
    }
    flush(); // the restored tree is on disk now, not written back inside the next timed command
  }
  for (const target of fullTargets) rmSync(target, { recursive: true, force: true });
  flush();

  // 2. check --read-data.
  for (let round = 0; round < rounds; round++) {
    for (const name of orderFor(round + 1)) {
      if (!live(name)) continue;
      const r = timed('check --read-data', name, tools[name].check());
      if (r) (results[name]['check --read-data'] ??= []).push(r);
    }
  }

  // 3. A long history: 51 more backups, three small text files appended to before each; the named
  // file is appended to every time, so that each snapshot has a different version of it.
  const small = listFiles(data).filter(
    (rel) => /\.(txt|md|csv)$/.test(rel) && statSync(join(data, rel)).size < 64 * 1024,
  );
  if (small.length < 3) throw new Error('the dataset has fewer than 3 small text files');
  namedFile = join(data, small[Math.floor(small.length / 2)]);
  console.log('');
  console.log(`history: ${HISTORY_SNAPSHOTS - 1} more backups; named file ${namedFile}`);
  extra.history = { restic: [], coffer: [] };
  t = Date.now();
  for (let i = 1; i < HISTORY_SNAPSHOTS; i++) {
    const touched = new Set([namedFile]);
    for (let k = 1; touched.size < 3; k++) touched.add(join(data, small[(i * 7 + k * 13) % small.length]));
    for (const p of touched)
      appendFileSync(p, `\nweek ${i}: item ${p.length % 97} carried forward, see the clerk's note.\n`);
    for (const name of orderFor(i)) {
      if (!live(name)) continue;
      const tool = tools[name];
      flush();
      const [command, args] = tool.backup(data);
      const r = measure(command, args, { env: tool.env });
      if (!tool.backupOk.includes(r.code)) {
        failures.push({
          tool: name,
          step: `history backup ${i + 1}`,
          command: [command, ...args].join(' '),
          ...r,
        });
        console.error(`bench/restore: ${name} backup ${i + 1} failed with exit code ${r.code}:`);
        console.error(`  ${[command, ...args].join(' ')}`);
        console.error(`--- stderr ---\n${r.stderr.trimEnd()}\n--- end of stderr ---`);
        tool.broken = true;
        continue;
      }
      extra.history[name].push(r);
    }
    if (i % 10 === 0 || i === HISTORY_SNAPSHOTS - 1) {
      console.log(`  ${i + 1} snapshots (${((Date.now() - t) / 1000).toFixed(0)} s)`);
    }
  }
  extra.snapshots = {};
  for (const name of ['restic', 'coffer']) {
    if (!live(name)) continue;
    const [c, a] = tools[name].snapshots();
    const n = JSON.parse(must(c, a, { env: tools[name].env })).length;
    extra.snapshots[name] = n;
    if (n !== HISTORY_SNAPSHOTS)
      wrong(name, 'history', `${n} snapshots in the repository, expected ${HISTORY_SNAPSHOTS}`);
  }
  extra.repoAfterHistory = Object.fromEntries(Object.values(tools).map((tl) => [tl.name, dirSize(tl.repo)]));
  console.log(`snapshots: restic ${extra.snapshots.restic ?? '-'}, coffer ${extra.snapshots.coffer ?? '-'}`);

  // The one-file restore, ONE_FILE_ROUNDS times per tool, each into a fresh empty folder.
  const namedHash = sha256(namedFile);
  const step = `one file (${HISTORY_SNAPSHOTS} snapshots)`;
  for (let round = 0; round < ONE_FILE_ROUNDS; round++) {
    for (const name of orderFor(round)) {
      if (!live(name)) continue;
      const tool = tools[name];
      const target = join(runDir, `one-${name}-${round}`);
      rmSync(target, { recursive: true, force: true });
      mkdirSync(target);
      const r = timed(`${step} #${round + 1}`, name, tool.restoreOne(namedFile, target));
      if (r) {
        (results[name][step] ??= []).push(r);
        const at = tool.oneFileAt(namedFile, target);
        const files = listFiles(target);
        if (!existsSync(at))
          wrong(name, step, `the file is not at ${at} (restored: ${files.join(', ') || 'nothing'})`);
        else if (sha256(at) !== namedHash)
          wrong(name, step, `${at} differs from the latest version (SHA-256)`);
        else if (files.length !== 1)
          wrong(name, step, `${files.length} files restored, expected 1: ${files.slice(0, 5).join(', ')}`);
      }
      rmSync(target, { recursive: true, force: true });
    }
  }
} finally {
  report();
  if (keep) console.log(`\nkept: ${runDir} (repositories, restic cache, working copy)`);
  else rmSync(runDir, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(
    `\nbench/restore: ${failures.map((f) => `${f.tool} ${f.message ? 'gave a wrong result' : `failed (exit ${f.code})`} in "${f.step}"`).join('; ')}`,
  );
  process.exit(1);
}

// ---- report ------------------------------------------------------------------------------------

function report() {
  const fmt = (n, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : '-');
  const ratio = (a, b) =>
    Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : '-';
  const cores = (r) => (r ? fmt((r.userSeconds + r.sysSeconds) / Math.max(r.wallSeconds, 0.01)) : '-');
  // The median round by time, with the highest peak RSS of all rounds.
  const median = (rs) => {
    if (!rs || rs.length === 0) return undefined;
    const s = [...rs].sort((a, b) => a.wallSeconds - b.wallSeconds);
    return { ...s[(s.length - 1) >> 1], peakRssMiB: Math.max(...rs.map((r) => r.peakRssMiB)) };
  };
  const oneStep = `one file (${HISTORY_SNAPSHOTS} snapshots)`;
  const pick = (name, step) => median(results[name][step]);
  const mark = (name, step, r) =>
    r
      ? undefined
      : failures.some((f) => f.tool === name && f.step.startsWith(step) && !f.message)
        ? 'FAILED'
        : '-';

  console.log('');
  if (datasetStats)
    console.log(`dataset: ${datasetStats.files} files, ${(datasetStats.bytes / MiB).toFixed(1)} MiB`);
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
  for (const step of ['full restore', 'check --read-data', oneStep]) {
    const r = pick('restic', step);
    const c = pick('coffer', step);
    rows.push([
      step === oneStep ? `${step}, median of ${ONE_FILE_ROUNDS}` : `${step}, median of ${rounds}`,
      mark('restic', step, r) ?? fmt(r.wallSeconds),
      mark('coffer', step, c) ?? fmt(c.wallSeconds),
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
  const cFull = pick('coffer', 'full restore');
  const rv = extra.resticVerify;
  if (rv) {
    console.log(
      `full restore, restic with --verify (reads the restored files back and checks them, as coffer always does): ` +
        `${fmt(rv.wallSeconds)} s, peak RSS ${fmt(rv.peakRssMiB, 0)} MiB, ${cores(rv)} cores; coffer/that ${ratio(cFull?.wallSeconds, rv.wallSeconds)}`,
    );
  }
  if (extra.verified) {
    console.log(
      `restored trees against the dataset (SHA-256 of every file): ${Object.entries(extra.verified)
        .map(([k, v]) => `${k}: ${v}`)
        .join('; ')}`,
    );
  }
  for (const name of ['restic', 'coffer']) {
    const rs = results[name][oneStep];
    if (rs?.length)
      console.log(`one file, ${name}, every round: ${rs.map((r) => `${fmt(r.wallSeconds)} s`).join(', ')}`);
  }
  if (namedFile)
    console.log(
      `(the file: ${namedFile}; ${extra.snapshots ? `snapshots: restic ${extra.snapshots.restic ?? '-'}, coffer ${extra.snapshots.coffer ?? '-'}` : ''})`,
    );
  if (extra.firstBackup) {
    const fb = extra.firstBackup;
    console.log(
      `first backup (not a target here): restic ${fmt(fb.restic?.wallSeconds)} s, coffer ${fmt(fb.coffer?.wallSeconds)} s (${ratio(fb.coffer?.wallSeconds, fb.restic?.wallSeconds)})`,
    );
  }
  if (extra.history) {
    const sum = (rs) => rs.reduce((a, r) => a + r.wallSeconds, 0);
    const h = extra.history;
    const med = (rs) => fmt(median(rs)?.wallSeconds);
    console.log(
      `${h.restic.length}/${h.coffer.length} history backups (3 small files appended each): ` +
        `restic median ${med(h.restic)} s, total ${fmt(sum(h.restic), 1)} s; coffer median ${med(h.coffer)} s, total ${fmt(sum(h.coffer), 1)} s`,
    );
  }
  const sizes = (s) =>
    s
      ? `restic ${fmt(s.restic / MiB, 1)} MiB, coffer ${fmt(s.coffer / MiB, 1)} MiB (${ratio(s.coffer, s.restic)})`
      : '-';
  if (extra.repoAfterFirst) console.log(`repository after the first backup: ${sizes(extra.repoAfterFirst)}`);
  if (extra.repoAfterHistory)
    console.log(`repository after ${HISTORY_SNAPSHOTS} snapshots: ${sizes(extra.repoAfterHistory)}`);

  console.log('');
  const check = (label, got, target, unit = 'x', strict = false) =>
    `  ${label.padEnd(44)} ${got === undefined ? 'not measured' : `${got.toFixed(2)}${unit} (target ${strict ? '<' : '<='} ${target.toFixed(2)}${unit}): ${(strict ? got < target : got <= target) ? 'met' : 'NOT met'}`}`;
  const ratioOf = (field, step) => {
    const r = pick('restic', step)?.[field];
    const c = pick('coffer', step)?.[field];
    return Number.isFinite(r) && Number.isFinite(c) && r > 0 ? c / r : undefined;
  };
  console.log('targets:');
  console.log(
    check('full restore time (coffer/restic)', ratioOf('wallSeconds', 'full restore'), TARGETS.fullRestore),
  );
  console.log(
    check('full restore peak RSS, coffer', cFull?.peakRssMiB, TARGETS.fullRestoreRssMiB, ' MiB', true),
  );
  console.log(
    check(
      'check --read-data time (coffer/restic)',
      ratioOf('wallSeconds', 'check --read-data'),
      TARGETS.check,
    ),
  );
  console.log(
    check(
      `one file of ${HISTORY_SNAPSHOTS} snapshots, coffer (median)`,
      pick('coffer', oneStep)?.wallSeconds,
      TARGETS.oneFileSeconds,
      ' s',
      true,
    ),
  );
  console.log('');
  console.log(`versions: ${resticVersion}; ${cofferVersion}`);
  console.log(
    `load average at the start: ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}, at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (on ${os.cpus().length} cores: above ~1 means other work shared the machine)`,
  );
}

// What every benchmark shares: where its data lives, the generated dataset, a warm page cache, and
// running commands that must succeed.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BENCH_DATA = join(ROOT, '.bench-data');
export const COFFER_CLI = join(ROOT, 'dist', 'cli', 'main.js');
export const MiB = 1024 * 1024;

/** Runs a command that must succeed (not timed): returns its stdout, or prints everything and throws. */
export function must(command, args, opts = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 * MiB, ...opts });
  if (r.error || r.status !== 0) {
    console.error(`bench: command failed (exit ${r.status ?? r.signal ?? r.error?.message}):`);
    console.error(`  ${[command, ...args].join(' ')}`);
    if (r.stderr) console.error(r.stderr.trimEnd());
    if (r.stdout) console.error(r.stdout.trimEnd().slice(-4000));
    throw new Error(`${command} failed`);
  }
  return r.stdout;
}

/** The generated dataset for this seed and scale, generated now unless a complete one is there. */
export function dataset(seed, scale) {
  const dir = join(BENCH_DATA, `dataset-${seed}-${scale}`);
  const marker = `${dir}.complete`;
  if (existsSync(marker) && existsSync(dir)) {
    console.log(`dataset: reusing ${dir}`);
    return dir;
  }
  rmSync(dir, { recursive: true, force: true });
  rmSync(marker, { force: true });
  mkdirSync(BENCH_DATA, { recursive: true });
  console.log(`dataset: generating ${dir} (seed ${seed}, scale ${scale}) ...`);
  const t = Date.now();
  const gen = join(ROOT, 'bench', 'dataset', 'gen-dataset.mjs');
  const out = must(process.execPath, [gen, dir, String(seed), String(scale)]);
  writeFileSync(marker, out);
  console.log(`dataset: generated in ${((Date.now() - t) / 1000).toFixed(1)} s: ${out.trim()}`);
  return dir;
}

/** Reads every file under `dir` once, so that both tools find the data in the page cache. */
export function warmCache(dir, what = 'the dataset') {
  const t = Date.now();
  let bytes = 0;
  const walk = (p) => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p)) walk(join(p, name));
    } else if (st.isFile()) {
      bytes += readFileSync(p).length;
    }
  };
  walk(dir);
  console.log(
    `page cache: read ${what}, ${(bytes / MiB).toFixed(1)} MiB in ${((Date.now() - t) / 1000).toFixed(1)} s`,
  );
}

/** Deletes the run folders of earlier runs that were interrupted (their process is gone). */
export function removeStaleRuns() {
  if (!existsSync(BENCH_DATA)) return;
  for (const name of readdirSync(BENCH_DATA)) {
    const m = /^run-(\d+)$/.exec(name);
    if (!m) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch (err) {
      if (err.code !== 'ESRCH') continue;
      console.log(`removing ${name}, left by an interrupted run`);
      rmSync(join(BENCH_DATA, name), { recursive: true, force: true });
    }
  }
}

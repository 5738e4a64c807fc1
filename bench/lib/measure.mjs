// Helpers shared by the benchmarks that run whole programs: time and peak memory of one command
// (GNU time), the size of a folder, an aligned text table, and making sure restic is installed.
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';
const MiB = 1024 * 1024;

/** Runs `apt-get install -y <pkg>` (as root, with one `apt-get update` if the first try fails); throws if it cannot. */
function aptInstall(pkg, why) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
  if (!isRoot || !hasApt) {
    throw new Error(
      `${why}, and it cannot be installed from here (${isRoot ? 'no apt-get' : 'not root'}): ` +
        `install the Debian package "${pkg}" (apt-get install -y ${pkg}) and run the benchmark again`,
    );
  }
  console.error(`bench: ${why}; installing it: apt-get install -y ${pkg}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '-qq', pkg], { stdio: 'inherit', env });
  if (install().status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    if (install().status !== 0) {
      throw new Error(`${why}, and "apt-get install -y ${pkg}" failed: install it by hand and run again`);
    }
  }
}

let timeChecked = false;

/** Makes sure GNU time is at /usr/bin/time (it gives peak RSS; the shell's `time` keyword does not). */
export function ensureGnuTime() {
  if (timeChecked) return;
  const probe = () => spawnSync(GNU_TIME, ['--version'], { encoding: 'utf8' });
  let v = probe();
  if (v.error || !/GNU/.test(`${v.stdout}${v.stderr}`)) {
    aptInstall('time', `GNU time (${GNU_TIME}) is missing`);
    v = probe();
    if (v.error || !/GNU/.test(`${v.stdout}${v.stderr}`)) {
      throw new Error(`${GNU_TIME} is still not GNU time after installing the "time" package`);
    }
  }
  timeChecked = true;
}

/**
 * Runs `command args...` under GNU time and returns
 * { wallSeconds, peakRssMiB, userSeconds, sysSeconds, code, stdout, stderr }.
 * Peak RSS is the largest resident set of the process (GNU time's %M, of the biggest process in
 * the tree it waited for); CPU seconds are user and system time of the command and its children.
 * A command that cannot be started, or is killed by a signal, has a non-zero code.
 */
export function measure(command, args = [], opts = {}) {
  ensureGnuTime();
  const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-'));
  const out = join(dir, 'time.txt');
  try {
    const r = spawnSync(GNU_TIME, ['-o', out, '-f', '%e %M %U %S', command, ...args], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      encoding: 'utf8',
      maxBuffer: 256 * MiB,
    });
    if (r.error) throw r.error;
    // With -o, GNU time writes its line to the file; a "Command exited with non-zero status"
    // line may come first, so the numbers are on the last line.
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    const [wall, rssKiB, user, sys] = lines[lines.length - 1].trim().split(/\s+/).map(Number);
    const code = r.status ?? (r.signal ? 128 : 1);
    return {
      wallSeconds: wall,
      peakRssMiB: rssKiB / 1024,
      userSeconds: user,
      sysSeconds: sys,
      code,
      signal: r.signal ?? undefined,
      stdout: r.stdout,
      stderr: r.stderr,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Bytes and regular files under `path` (symbolic links are not followed), like `du -sb` minus folders. */
export function dirStats(path) {
  let bytes = 0;
  let files = 0;
  const walk = (p) => {
    const st = lstatSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p)) walk(join(p, name));
    } else if (st.isFile()) {
      bytes += st.size;
      files++;
    }
  };
  walk(path);
  return { bytes, files };
}

/** The sum of the sizes of the files under `path`, in bytes. */
export function dirSize(path) {
  return dirStats(path).bytes;
}

/**
 * Prints rows (the first is the header) as an aligned text table: text to the left, numbers to the
 * right. Returns the text printed.
 */
export function table(rows) {
  const cells = rows.map((row) => row.map((c) => (c === undefined || c === null ? '' : String(c))));
  const widths = [];
  for (const row of cells) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  const numeric = (c) => /^[-+]?[\d.,]+(x|%| s| MiB)?$/.test(c);
  const line = (row) =>
    row
      .map((c, i) => (numeric(c) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join(' | ')
      .trimEnd();
  const out = [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.slice(1).map(line)];
  const text = out.join('\n');
  console.log(text);
  return text;
}

/** Makes sure restic is on PATH (installing the Debian package if not), prints and returns `restic version`. */
export function ensureRestic() {
  const probe = () => spawnSync('restic', ['version'], { encoding: 'utf8' });
  let v = probe();
  if (v.error || v.status !== 0) {
    aptInstall('restic', 'restic is not installed');
    v = probe();
    if (v.error || v.status !== 0) throw new Error('restic is still not runnable after installing it');
  }
  const version = v.stdout.trim();
  console.log(version);
  return version;
}

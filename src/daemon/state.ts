// <state-dir>/state.json: written atomically (temp file, fsync, rename, fsync of the folder) so a power
// cut leaves the old file or the new one, never half of one; read tolerantly, so a missing or damaged
// file means "start fresh" (and is said in the log), never a daemon that will not start.
//
// Both the daemon and `coffer drill run` write it, so every change is a read-modify-write under a
// short lock file (state.lock), and the daemon never writes back a copy it read long ago.

import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { silentLog, type DaemonLog } from './log.js';
import { withStateLock } from './state-lock.js';
import { jobStateSchema, stateFileSchema } from './state-schema.js';
import { EMPTY_STATE, type DaemonState, type DrillRecord, type JobState } from './state-types.js';

export function stateFilePath(stateDir: string): string {
  return path.join(stateDir, 'state.json');
}

/** The state in `stateDir`; an empty state when there is none, or when it is unreadable (logged). */
export async function readState(stateDir: string, log: DaemonLog = silentLog): Promise<DaemonState> {
  const loaded = await loadState(stateDir, log);
  if (loaded.damaged)
    log.warn(`the state file ${stateFilePath(stateDir)} is damaged (${loaded.damaged}); reading it as empty`);
  return loaded.state;
}

interface LoadedState {
  readonly state: DaemonState;
  /** Why the file could not be used, when it exists but is damaged. */
  readonly damaged?: string;
}

async function loadState(stateDir: string, log: DaemonLog): Promise<LoadedState> {
  const file = stateFilePath(stateDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: EMPTY_STATE };
    return { state: EMPTY_STATE, damaged: `it cannot be read: ${(err as Error).message}` };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { state: EMPTY_STATE, damaged: 'it is not valid JSON' };
  }
  const parsed = stateFileSchema.safeParse(data);
  if (!parsed.success) return { state: EMPTY_STATE, damaged: 'it does not have the expected shape' };
  const jobs: Record<string, JobState> = {};
  for (const [name, value] of Object.entries(parsed.data.jobs)) {
    const job = jobStateSchema.safeParse(value);
    if (job.success) jobs[name] = job.data;
    else log.warn(`the state file's entry for job "${name}" is damaged; that job's state starts afresh`);
  }
  const state: DaemonState = {
    version: 1,
    jobs,
    ...(parsed.data.updatedAt ? { updatedAt: parsed.data.updatedAt } : {}),
    ...(parsed.data.lastDigest ? { lastDigest: parsed.data.lastDigest } : {}),
  };
  return { state };
}

/** Replaces the state file atomically. */
export async function writeState(stateDir: string, state: DaemonState): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const file = stateFilePath(stateDir);
  const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(state, null, 2)}\n`);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await unlink(temp).catch(() => {});
    throw err;
  }
  await handle.close();
  await rename(temp, file);
  await syncFolder(stateDir);
}

/** Applies `change` to the current state file under the state lock, writes it, and returns the result. */
export async function updateState(
  stateDir: string,
  change: (state: DaemonState) => DaemonState,
  opts: { log?: DaemonLog; now?: () => Date } = {},
): Promise<DaemonState> {
  return withStateLock(stateDir, async () => {
    const log = opts.log ?? silentLog;
    const loaded = await loadState(stateDir, log);
    if (loaded.damaged) await setAside(stateFilePath(stateDir), loaded.damaged, log);
    const next = change(loaded.state);
    const stamped: DaemonState = { ...next, updatedAt: (opts.now?.() ?? new Date()).toISOString() };
    await writeState(stateDir, stamped);
    return stamped;
  });
}

/** Changes one job's entry. */
export function updateJobState(
  stateDir: string,
  job: string,
  change: (job: JobState) => JobState,
  opts: { log?: DaemonLog; now?: () => Date } = {},
): Promise<DaemonState> {
  return updateState(
    stateDir,
    (s) => ({ ...s, jobs: { ...s.jobs, [job]: change(s.jobs[job] ?? {}) } }),
    opts,
  );
}

/** For `coffer drill run --job`: records a drill's outcome, so status and the reminder see it. */
export async function recordDrillInState(
  stateDir: string,
  job: string,
  result: { readonly time: Date; readonly passed: boolean; readonly summary: string },
): Promise<void> {
  const record: DrillRecord = {
    time: result.time.toISOString(),
    passed: result.passed,
    summary: result.summary,
  };
  await updateJobState(stateDir, job, (s) => ({
    ...s,
    lastDrill: record,
    ...(result.passed ? { lastPassedDrill: record.time, drillReminderAt: undefined } : {}),
  }));
}

// A damaged file is kept beside the new one (state.json.damaged) for whoever wants to look at it.
async function setAside(file: string, why: string, log: DaemonLog): Promise<void> {
  const aside = `${file}.damaged`;
  await rename(file, aside).catch(() => {});
  log.warn(`the state file ${file} is damaged (${why}); it was kept as ${aside} and coffer starts afresh`);
}

async function syncFolder(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some file systems cannot fsync a folder; the rename is still atomic.
  }
}

// The state file: atomic replacement, a missing or damaged file read as a fresh start (the damaged one
// kept aside), damaged job entries dropped alone, and concurrent writers losing no update.

import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  readState,
  recordDrillInState,
  stateFilePath,
  updateState,
  writeState,
  type DaemonLog,
} from '../../src/daemon/index.js';
import { tempDir } from '../helpers/cli.js';

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir('coffer-state-');
});
afterEach(() => dir.cleanup());

function recordingLog(): DaemonLog & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    error: (m) => lines.push(`E ${m}`),
    warn: (m) => lines.push(`W ${m}`),
    info: (m) => lines.push(`I ${m}`),
  };
}

describe('state file', () => {
  it('reads a missing file as an empty state, without complaint', async () => {
    const log = recordingLog();
    expect(await readState(join(dir.path, 'nowhere'), log)).toEqual({ version: 1, jobs: {} });
    expect(log.lines).toEqual([]);
  });

  it('writes atomically: the new content is whole and no temporary file is left', async () => {
    const state = { version: 1 as const, jobs: { documents: { firstSeen: '2026-01-01T00:00:00.000Z' } } };
    await writeState(dir.path, state);
    await writeState(dir.path, { ...state, lastDigest: '2026-01-05T08:00:00.000Z' });
    expect(await readdir(dir.path)).toEqual(['state.json']);
    expect(JSON.parse(await readFile(stateFilePath(dir.path), 'utf8'))).toEqual({
      ...state,
      lastDigest: '2026-01-05T08:00:00.000Z',
    });
    expect(await readState(dir.path)).toEqual({ ...state, lastDigest: '2026-01-05T08:00:00.000Z' });
  });

  it('a damaged file (half written by some other tool) means a fresh start, and is kept for inspection', async () => {
    await writeFile(stateFilePath(dir.path), '{"version": 1, "jobs": {"documents": {"firstSe');
    const log = recordingLog();
    expect(await readState(dir.path, log)).toEqual({ version: 1, jobs: {} });
    expect(log.lines.join('\n')).toMatch(/W .*damaged.*not valid JSON/);
    // reading alone changes nothing; the next update sets the damaged file aside
    expect(await readdir(dir.path)).toEqual(['state.json']);
    await updateState(dir.path, (s) => ({ ...s, lastDigest: '2026-01-05T08:00:00.000Z' }), { log });
    expect((await readdir(dir.path)).sort()).toEqual(['state.json', 'state.json.damaged']);
    expect((await readState(dir.path)).lastDigest).toBe('2026-01-05T08:00:00.000Z');
  });

  it('a file of the wrong shape is treated the same way', async () => {
    await writeFile(stateFilePath(dir.path), JSON.stringify({ version: 7, jobs: [] }));
    const log = recordingLog();
    expect(await readState(dir.path, log)).toEqual({ version: 1, jobs: {} });
    expect(log.lines.join('\n')).toMatch(/expected shape/);
  });

  it('drops only the damaged entry of one job', async () => {
    await writeFile(
      stateFilePath(dir.path),
      JSON.stringify({
        version: 1,
        jobs: {
          good: { firstSeen: '2026-01-01T00:00:00Z' },
          bad: { lastSuccess: { time: 'yesterday', snapshot: 5 } },
        },
      }),
    );
    const log = recordingLog();
    const state = await readState(dir.path, log);
    expect(Object.keys(state.jobs)).toEqual(['good']);
    expect(log.lines.join('\n')).toMatch(/job "bad" is damaged/);
  });

  it('loses no update when many writers change it at once', async () => {
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        updateState(dir.path, (s) => ({
          ...s,
          jobs: { ...s.jobs, [`job-${i}`]: { firstSeen: new Date(i).toISOString() } },
        })),
      ),
    );
    const state = await readState(dir.path);
    expect(Object.keys(state.jobs)).toHaveLength(25);
    expect(await readdir(dir.path)).toEqual(['state.json']); // the lock file is gone too
  });

  it('breaks a state lock left by a process that died', async () => {
    await mkdir(dir.path, { recursive: true });
    await writeFile(join(dir.path, 'state.lock'), '999999999\n');
    await updateState(dir.path, (s) => ({ ...s, lastDigest: '2026-01-05T08:00:00.000Z' }));
    expect((await readState(dir.path)).lastDigest).toBe('2026-01-05T08:00:00.000Z');
  });

  it('recordDrillInState (for coffer drill run) records the drill and, when it passed, resets the reminder', async () => {
    await updateState(dir.path, (s) => ({
      ...s,
      jobs: {
        documents: { firstSeen: '2025-01-01T00:00:00.000Z', drillReminderAt: '2026-01-01T00:00:00.000Z' },
      },
    }));
    await recordDrillInState(dir.path, 'documents', {
      time: new Date('2026-02-01T10:00:00Z'),
      passed: false,
      summary: 'RTO missed',
    });
    let job = (await readState(dir.path)).jobs.documents!;
    expect(job.lastDrill).toEqual({ time: '2026-02-01T10:00:00.000Z', passed: false, summary: 'RTO missed' });
    expect(job.lastPassedDrill).toBeUndefined();
    expect(job.drillReminderAt).toBe('2026-01-01T00:00:00.000Z');
    await recordDrillInState(dir.path, 'documents', {
      time: new Date('2026-02-02T10:00:00Z'),
      passed: true,
      summary: 'restored in 2h',
    });
    job = (await readState(dir.path)).jobs.documents!;
    expect(job.lastPassedDrill).toBe('2026-02-02T10:00:00.000Z');
    expect(job.drillReminderAt).toBeUndefined();
    expect(job.firstSeen).toBe('2025-01-01T00:00:00.000Z');
  });
});

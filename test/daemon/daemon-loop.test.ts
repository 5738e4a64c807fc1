// The daemon's loop with a fast-forwarding clock and a stand-in coffer (fake-coffer.mjs): catch-up once
// after downtime, the weekly rhythm, backup -> forget/prune -> check, retries then one notice, no retry
// for a wrong password, SIGHUP reloads (and an invalid config kept out), and a clean stop mid-step.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CofferConfig, JobConfig } from '../../src/config/index.js';
import {
  Daemon,
  readState,
  updateState,
  type DaemonLog,
  type DaemonNotice,
  type DaemonOptions,
} from '../../src/daemon/index.js';
import { ConfigError } from '../../src/errors.js';
import { tempDir } from '../helpers/cli.js';
import { at, fastClock, makeConfig, makeJob } from './fixtures.js';

const FAKE = fileURLToPath(new URL('./fake-coffer.mjs', import.meta.url));
const DAY = 86_400_000;

let dir: { path: string; cleanup: () => Promise<void> };
let callsLog: string;
beforeEach(async () => {
  dir = await tempDir('coffer-loop-');
  callsLog = join(dir.path, 'calls.log');
});
afterEach(() => dir.cleanup());

interface Harness {
  readonly daemon: Daemon;
  readonly notices: DaemonNotice[];
  readonly lines: string[];
  readonly stop: AbortController;
}

function harness(
  config: CofferConfig | (() => Promise<CofferConfig>),
  options: { start: Date; until?: Date; env?: Record<string, string> } & Partial<Omit<DaemonOptions, 'env'>>,
): Harness {
  const { start, until, env, ...opts } = options;
  const stop = new AbortController();
  const notices: DaemonNotice[] = [];
  const lines: string[] = [];
  const log: DaemonLog = {
    error: (m) => lines.push(`<3>${m}`),
    warn: (m) => lines.push(`<4>${m}`),
    info: (m) => lines.push(`<6>${m}`),
  };
  const clock = fastClock(start, (now) => {
    if (until && now >= until) stop.abort();
  });
  const daemon = new Daemon({
    configPath: '/etc/coffer/coffer.yaml',
    loadConfig: typeof config === 'function' ? config : async () => config,
    coffer: { execPath: process.execPath, prefixArgs: [FAKE] },
    env: { PATH: process.env.PATH, FAKE_COFFER_LOG: callsLog, ...env },
    log,
    notify: async (_config, notice) => {
      notices.push(notice);
    },
    signal: stop.signal,
    clock,
    random: () => 0.5,
    catchUpMaxDelayMs: 10 * 60_000,
    measure: async () => ({ bytes: 999, objects: 9 }),
    ...opts,
  });
  return { daemon, notices, lines, stop };
}

async function calls(): Promise<string[][]> {
  const text = await readFile(callsLog, 'utf8').catch(() => '');
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { args: string[] }).args);
}

const commandOf = (args: string[]): string => args.slice(args.indexOf('--json') + 1).join(' ');

function seed(stateDir: string, job: string, state: object): Promise<unknown> {
  return updateState(stateDir, (s) => ({ ...s, jobs: { ...s.jobs, [job]: state } }));
}

describe('daemon loop', () => {
  it('catches up a run missed during three weeks of downtime once, then keeps the weekly rhythm', async () => {
    const job = makeJob({
      retention: { last: 4 },
      prune: { cron: '0 3 1 * *' },
      check: { afterBackup: true },
    });
    const config = makeConfig(dir.path, [job]);
    await seed(dir.path, 'documents', {
      firstSeen: '2026-01-01T00:00:00.000Z',
      lastAttempt: '2026-03-01T02:00:00.000Z',
      lastPrune: { time: '2026-03-01T02:00:00.000Z', summary: '' },
    });
    // started Tuesday 24 March; run until the Monday after the next Sunday
    const h = harness(config, { start: at('2026-03-24T09:00:00Z'), until: at('2026-03-30T12:00:00Z') });
    await h.daemon.run();
    const commands = (await calls()).map(commandOf);
    // the catch-up run (with prune: 1 March 03:00 was missed too), then Sunday 29 March's run (no prune)
    expect(commands).toEqual([
      'backup',
      'forget --keep-last 4 --prune',
      'check',
      'backup',
      'forget --keep-last 4',
      'check',
    ]);
    const state = (await readState(dir.path)).jobs.documents!;
    expect(state.lastAttempt).toBe('2026-03-29T01:00:00.000Z');
    expect(state.lastSuccess).toMatchObject({ bytesAdded: 2048, filesNew: 2, filesChanged: 1 });
    expect(state.lastCheck).toMatchObject({ ok: true });
    expect(state.lastPrune?.time).toBe('2026-03-24T09:05:00.000Z');
    expect(state.repositorySize).toMatchObject({ bytes: 999, objects: 9 });
    expect(state.nextRun).toBe('2026-04-05T01:00:00.000Z');
    expect(state.running).toBeUndefined();
    expect(
      h.lines.some((l) => /^<6>job documents: next backup Tue 24 Mar 2026 09:05 GMT \(catching up/.test(l)),
    ).toBe(true);
    expect(h.notices.map((n) => n.kind)).toEqual(['success', 'success']);
    expect(h.lines.at(-1)).toBe('<6>coffer daemon stopped');
  });

  it('retries a transient failure twice, then tells people once, and runs again at the next scheduled time', async () => {
    const config = makeConfig(dir.path, [makeJob()]);
    await seed(dir.path, 'documents', {
      firstSeen: '2026-01-01T00:00:00.000Z',
      lastAttempt: '2026-03-22T02:00:00.000Z',
    });
    const h = harness(config, {
      start: at('2026-03-28T12:00:00Z'),
      until: at('2026-04-05T12:00:00Z'),
      env: { FAKE_BACKUP_EXIT: '1' },
    });
    await h.daemon.run();
    expect((await calls()).map(commandOf)).toEqual([
      'backup',
      'backup',
      'backup',
      'backup',
      'backup',
      'backup',
    ]);
    const failures = h.notices.filter((n) => n.kind === 'failure');
    expect(failures).toHaveLength(2); // one per scheduled run, after its third attempt
    expect(failures[0]).toMatchObject({
      attempts: 3,
      failure: { step: 'backup', exitCode: 1, message: 'fake backup failed with 1' },
    });
    expect(h.lines.filter((l) => l.includes('will try again'))).toHaveLength(4);
    expect(
      h.lines.some((l) =>
        l.startsWith('<3>job documents: backup failed (exit 1): fake backup failed with 1'),
      ),
    ).toBe(true);
  });

  it('does not retry a wrong password: one attempt, one notice', async () => {
    const config = makeConfig(dir.path, [makeJob()]);
    await seed(dir.path, 'documents', {
      firstSeen: '2026-01-01T00:00:00.000Z',
      lastAttempt: '2026-03-22T02:00:00.000Z',
      lastSuccess: {
        time: '2026-03-22T02:10:00.000Z',
        snapshot: 'good',
        bytesAdded: 0,
        filesNew: 0,
        filesChanged: 0,
      },
    });
    const h = harness(config, {
      start: at('2026-03-28T12:00:00Z'),
      until: at('2026-03-29T12:00:00Z'),
      env: { FAKE_BACKUP_EXIT: '12' },
    });
    await h.daemon.run();
    expect(await calls()).toHaveLength(1);
    expect(h.notices.map((n) => n.kind)).toEqual(['failure']);
    expect((await readState(dir.path)).jobs.documents?.lastFailure).toMatchObject({ exitCode: 12 });
  });

  it('tells about an overdue job once at start and runs scheduled drills on their own cron', async () => {
    const job = makeJob({ drill: { cron: '0 4 * * 3', samplePercent: 5, remindAfterMs: 365 * DAY } });
    await seed(dir.path, 'documents', {
      firstSeen: '2026-01-01T00:00:00.000Z',
      lastAttempt: '2026-03-22T02:00:00.000Z',
      lastDrillAttempt: '2026-03-20T00:00:00.000Z',
      lastSuccess: {
        time: '2026-03-08T01:05:00.000Z',
        snapshot: 'old',
        bytesAdded: 0,
        filesNew: 0,
        filesChanged: 0,
      },
    });
    const h = harness(makeConfig(dir.path, [job]), {
      start: at('2026-03-24T12:00:00Z'),
      until: at('2026-03-26T12:00:00Z'),
    });
    await h.daemon.run();
    expect((await calls()).map(commandOf)).toEqual(['drill run --sample 5%']);
    expect(h.notices.map((n) => n.kind)).toEqual(['overdue']);
    const state = (await readState(dir.path)).jobs.documents!;
    expect(state.lastDrill).toMatchObject({ passed: true, summary: 'restored 5% in 1 min' });
    expect(state.overdueNotifiedAt).toBe('2026-03-24T12:00:00.000Z');
  });

  it('SIGHUP re-reads the config; an invalid one is logged and the old one kept', async () => {
    const first = makeConfig(dir.path, [makeJob()]);
    const second = makeConfig(dir.path, [
      makeJob(),
      makeJob({ name: 'mail', schedule: { cron: '30 1 * * 6', timezone: 'Europe/London', graceMs: DAY } }),
    ]);
    const answers: (CofferConfig | Error)[] = [
      first,
      new ConfigError('bad', { problems: ['coffer.yaml:3:5: jobs.x.sources: required'] }),
      second,
    ];
    const h = harness(
      async () => {
        const next = answers.shift() ?? second;
        if (next instanceof Error) throw next;
        return next;
      },
      { start: at('2026-03-24T12:00:00Z') },
    );
    const running = h.daemon.run();
    await waitFor(() => h.lines.some((l) => l.includes('started')));
    h.daemon.reload();
    await waitFor(() => h.lines.some((l) => l.includes('was not reloaded')));
    expect(h.lines.find((l) => l.includes('was not reloaded'))).toMatch(/^<3>.*jobs\.x\.sources: required/);
    h.daemon.reload();
    await waitFor(() => h.lines.some((l) => l.includes('config reloaded')));
    h.stop.abort();
    await running;
    expect(h.lines.find((l) => l.includes('config reloaded'))).toMatch(/2 jobs: documents .*, mail/);
    expect(Object.keys((await readState(dir.path)).jobs).sort()).toEqual(['documents', 'mail']);
  });

  it('a stop during a backup stops the step cleanly; the run stays due and is caught up after restart', async () => {
    const config = makeConfig(dir.path, [makeJob()]);
    await seed(dir.path, 'documents', {
      firstSeen: '2026-01-01T00:00:00.000Z',
      lastAttempt: '2026-03-01T01:00:00.000Z',
    });
    const h = harness(config, {
      start: at('2026-03-24T12:00:00Z'),
      env: { FAKE_BACKUP_SLEEP_MS: '60000' },
      catchUpMaxDelayMs: 0,
    });
    const running = h.daemon.run();
    await waitFor(async () => (await calls()).length === 1);
    const stoppedAt = Date.now();
    h.stop.abort();
    await running;
    expect(Date.now() - stoppedAt).toBeLessThan(5000);
    const state = (await readState(dir.path)).jobs.documents!;
    expect(state.lastAttempt).toBe('2026-03-01T01:00:00.000Z');
    expect(state.lastFailure).toBeUndefined();
    expect(h.notices).toEqual([]);
    expect(
      h.lines.some((l) => l.startsWith('<4>job documents: the backup was interrupted by the shutdown')),
    ).toBe(true);
    // a second daemon (as after a restart) catches it up
    const again = harness(config, { start: at('2026-03-24T13:00:00Z'), until: at('2026-03-24T14:00:00Z') });
    await again.daemon.run();
    expect((await readState(dir.path)).jobs.documents?.lastAttempt).toBe('2026-03-24T13:05:00.000Z');
  });

  it('--once runs what is due now without the catch-up delay, and counts failures', async () => {
    const jobs: JobConfig[] = [makeJob(), makeJob({ name: 'fresh' })];
    await seed(dir.path, 'documents', {
      firstSeen: '2026-01-01T00:00:00.000Z',
      lastAttempt: '2026-03-01T01:00:00.000Z',
    });
    const h = harness(makeConfig(dir.path, jobs), { start: at('2026-03-24T12:00:00Z') });
    expect(await h.daemon.runOnce()).toEqual({ ran: 1, failed: 0 });
    const state = await readState(dir.path);
    expect(state.jobs.documents?.lastAttempt).toBe('2026-03-24T12:00:00.000Z');
    expect(state.jobs.fresh?.firstSeen).toBe('2026-03-24T12:00:00.000Z'); // seen now, first run next Sunday
    const failing = harness(makeConfig(dir.path, jobs), {
      start: at('2026-03-29T03:00:00Z'),
      env: { FAKE_BACKUP_EXIT: '10' },
    });
    expect(await failing.daemon.runOnce()).toEqual({ ran: 2, failed: 2 });
  });
});

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

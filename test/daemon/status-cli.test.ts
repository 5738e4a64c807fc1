// `coffer status` from a prepared state file: what it says, and its exit code for monitoring (0 all is
// well, 1 overdue, failing or a drill due). It reads only the config and the state: an unreachable
// repository does not matter.

import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Cron } from 'croner';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pidFilePath, writeState, type JobState } from '../../src/daemon/index.js';
import { coffer, tempDir } from '../helpers/cli.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ago = (ms: number): string => new Date(Date.now() - ms).toISOString();

let dir: { path: string; cleanup: () => Promise<void> };
let config: string;
let stateDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await tempDir('coffer-status-');
  stateDir = join(dir.path, 'state');
  config = join(dir.path, 'coffer.yaml');
  // The repositories point at a port nothing listens on: status must not need them.
  await writeFile(
    config,
    `state-dir: ${stateDir}
jobs:
  documents:
    repository: s3:http://127.0.0.1:9/council/documents
    password: { file: ${join(dir.path, 'documents.pass')} }
    sources: [/srv/council/documents]
    schedule: { cron: "0 2 * * 0", timezone: Europe/London, grace: 1d }
    drill: { remind-after: 365d }
  mail:
    repository: ${join(dir.path, 'mail-repo')}
    password: { file: ${join(dir.path, 'mail.pass')} }
    sources: [/srv/council/mail]
`,
    { mode: 0o644 },
  );
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await dir.cleanup();
});

/**
 * The jobs' last scheduled run (Sunday 02:00 London): a healthy job ran then. Times fixed relative to now
 * instead would make a scheduled run look missed on the day it is due.
 */
const lastScheduled = (): number =>
  new Cron('0 2 * * 0', { timezone: 'Europe/London' }).previousRuns(1)[0]!.getTime();
const afterLastScheduled = (): string => {
  const at = lastScheduled();
  return new Date(at + Math.min(HOUR, (Date.now() - at) / 2)).toISOString();
};

const healthy = (): JobState => ({
  firstSeen: ago(60 * DAY),
  lastAttempt: new Date(lastScheduled()).toISOString(),
  lastSuccess: {
    time: afterLastScheduled(),
    snapshot: '5a1f0c3e9b7d2a4c',
    bytesAdded: 3 * 1024 * 1024,
    filesNew: 12,
    filesChanged: 3,
  },
  lastCheck: {
    time: ago(DAY - 2 * HOUR),
    ok: true,
    summary: 'no errors in 8 snapshots and 40 packs (2 read in full)',
  },
  repositorySize: { time: ago(DAY - 2 * HOUR), bytes: 5 * 1024 * 1024 * 1024, objects: 420 },
  lastDrill: { time: ago(30 * DAY), passed: true, summary: 'restored 5% in 4 min; RTO 24h met' },
  lastPassedDrill: ago(30 * DAY),
});

async function prepare(jobs: Record<string, JobState>): Promise<void> {
  await writeState(stateDir, { version: 1, jobs });
}

interface StatusJson {
  ok: boolean;
  daemon: { running: boolean; pid?: number };
  jobs: {
    job: string;
    condition: string;
    problems: string[];
    overdue: boolean;
    failing: boolean;
    drillDue: boolean;
    nextRun?: string;
    lastSuccess?: { snapshot: string };
  }[];
}

async function status(
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string; json?: StatusJson }> {
  const r = await coffer(['status', '--config', config, ...args]);
  return {
    ...r,
    ...(args.includes('--json') && r.code !== 2 ? { json: JSON.parse(r.stdout) as StatusJson } : {}),
  };
}

describe('coffer status', () => {
  beforeEach(async () => {
    await prepare({ documents: healthy(), mail: healthy() });
  });

  it('all well: exit 0, with the last backup, next run, size, check and drill of each job', async () => {
    const r = await status();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('daemon: not running');
    expect(r.stdout).toMatch(/^documents: OK$/m);
    expect(r.stdout).toMatch(
      /last backup: +.*\((\d+ (hours?|days?|minutes?)|less than a minute) ago\), snapshot 5a1f0c3e, 3.00 MiB added \(12 new files, 3 changed\)/,
    );
    expect(r.stdout).toMatch(/next run: +Sun .* 02:00 (GMT|BST) .*\("0 2 \* \* 0", Europe\/London\)/);
    expect(r.stdout).toMatch(/on schedule: +yes/);
    expect(r.stdout).toMatch(/repository: +5.00 GiB in 420 objects, measured/);
    expect(r.stdout).toMatch(/last check: +passed, .*no errors in 8 snapshots/);
    expect(r.stdout).toMatch(/last drill: +passed, .*RTO 24h met; next due by/);
    const json = (await status('--json')).json!;
    expect(json.ok).toBe(true);
    expect(json.jobs.map((j) => [j.job, j.condition])).toEqual([
      ['documents', 'ok'],
      ['mail', 'ok'],
    ]);
    expect(new Date(json.jobs[0]!.nextRun!).getTime()).toBeGreaterThan(Date.now());
  });

  it('OVERDUE when the last success is older than a week plus the grace: exit 1', async () => {
    await prepare({
      documents: { ...healthy(), lastSuccess: { ...healthy().lastSuccess!, time: ago(8 * DAY + HOUR) } },
      mail: healthy(),
    });
    const r = await status();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^documents: OVERDUE$/m);
    expect(r.stdout).toMatch(/on schedule: +OVERDUE since/);
    expect(r.stdout).toMatch(/! OVERDUE: no successful backup since/);
    expect(r.stdout).toMatch(/^mail: OK$/m);
    const json = (await status('--json')).json!;
    expect(json.ok).toBe(false);
    expect(json.jobs[0]).toMatchObject({ condition: 'overdue', overdue: true });
  });

  it('FAILING when the last attempt failed, saying why: exit 1', async () => {
    const failure = {
      time: ago(HOUR),
      step: 'backup' as const,
      message: 'the storage rejected the access key',
      exitCode: 1,
    };
    await prepare({ documents: { ...healthy(), lastFailure: failure }, mail: healthy() });
    const r = await status('--job', 'documents');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^documents: FAILING$/m);
    expect(r.stdout).toMatch(/last failure: +.*backup: the storage rejected the access key \(exit 1\)/);
    expect(r.stdout).not.toContain('mail:');
  });

  it('a drill is due when none passed within remind-after: exit 1', async () => {
    await prepare({
      documents: {
        ...healthy(),
        lastPassedDrill: ago(400 * DAY),
        lastDrill: { time: ago(400 * DAY), passed: true, summary: 'ok' },
      },
      mail: healthy(),
    });
    const json = (await status('--json', '--job', 'documents')).json!;
    expect(json.ok).toBe(false);
    expect(json.jobs[0]).toMatchObject({ condition: 'drill-due', drillDue: true });
    expect(json.jobs[0]!.problems.join('\n')).toContain('coffer drill run --job documents');
    expect((await status('--job', 'documents')).code).toBe(1);
  });

  it('a damaged check result counts as failing', async () => {
    await prepare({
      documents: {
        ...healthy(),
        lastCheck: { time: ago(HOUR), ok: false, summary: '1 error found: pack damaged' },
      },
      mail: healthy(),
    });
    const r = await status('--job', 'documents');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/last check: +DAMAGE FOUND/);
  });

  it('with no state file, says the daemon has not run the jobs: exit 1', async () => {
    await writeFile(join(stateDir, 'state.json'), '');
    const r = await status();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^documents: NOT STARTED$/m);
    expect(r.stdout).toContain('coffer daemon --once');
  });

  it('shows a running daemon by its pid', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'daemon'], {
      stdio: 'ignore',
    });
    children.push(child);
    await new Promise((r) => child.once('spawn', r));
    await writeFile(pidFilePath(stateDir), `${child.pid}\n`);
    try {
      const json = (await status('--json')).json!;
      expect(json.daemon).toEqual({ running: true, pid: child.pid });
    } finally {
      child.kill('SIGKILL');
      await writeFile(pidFilePath(stateDir), '');
    }
  });

  it('an unknown job is a usage error (exit 2) naming the jobs there are', async () => {
    const r = await status('--job', 'documnets');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no job "documnets".*documents/);
  });
});

// `coffer daemon` as a process (the built binary) against a real S3 server (s3rver): a missed run is
// caught up and its snapshot shows in `coffer status`; a second daemon is refused; SIGTERM during a
// backup stops it cleanly (no snapshot, `check` clean); a failing job reaches a real webhook server.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readState, writeState } from '../../src/daemon/index.js';
import { coffer, COFFER_BIN, FAST_KDF_ARGS, tempDir, writeSecret } from '../helpers/cli.js';
import { awsEnv, startS3rver, type S3TestServer } from '../servers/s3rver.js';

const PASSWORD = 'council daemon password';
let server: S3TestServer;
let work: { path: string; cleanup: () => Promise<void> };
let env: Record<string, string>;
let passwordFile: string;
const daemons: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  [server, work] = await Promise.all([startS3rver(), tempDir('coffer-daemon-e2e-')]);
  env = { ...awsEnv(server), COFFER_RETRY_ATTEMPTS: '2', COFFER_RETRY_BASE_MS: '10' };
  passwordFile = await writeSecret(work.path, 'job.pass', PASSWORD);
}, 60_000);
afterAll(async () => {
  for (const d of daemons) d.kill('SIGKILL');
  await Promise.all([server?.stop(), work?.cleanup()]);
});

interface JobSetup {
  readonly name: string;
  readonly config: string;
  readonly stateDir: string;
  readonly sources: string;
}

/** A config with one job on its own repository (initialised) and state folder, and the job already overdue for a run. */
async function setUpJob(
  name: string,
  opts: { extra?: string; fill?: (dir: string) => Promise<void>; sources?: string } = {},
): Promise<JobSetup> {
  const base = join(work.path, name);
  await mkdir(base, { recursive: true });
  const sources = opts.sources ?? join(base, 'documents');
  if (!opts.sources) {
    await mkdir(sources, { recursive: true });
    const fill =
      opts.fill ?? ((d) => writeFile(join(d, 'minutes.txt'), 'Minutes of the parish council meeting'));
    await fill(sources);
  }
  const stateDir = join(base, 'state');
  const config = join(base, 'coffer.yaml');
  await writeFile(
    config,
    `state-dir: ${stateDir}
jobs:
  ${name}:
    repository: s3:${server.endpoint}/${server.bucket}/${name}-${randomBytes(3).toString('hex')}
    password: { file: ${passwordFile} }
    sources: [${sources}]
    schedule: { cron: "0 2 * * 0", timezone: Europe/London, grace: 1d }
${opts.extra ?? ''}`,
    { mode: 0o600 },
  );
  const init = await coffer(['init', '--config', config, '--job', name, ...FAST_KDF_ARGS], {
    ...env,
    COFFER_PASSWORD: PASSWORD,
  });
  expect(init.code, init.stderr).toBe(0);
  // The daemon first saw the job a month ago and it has never run: a run was missed.
  await writeState(stateDir, {
    version: 1,
    jobs: { [name]: { firstSeen: new Date(Date.now() - 30 * 86_400_000).toISOString() } },
  });
  return { name, config, stateDir, sources };
}

interface RunningDaemon {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: string[];
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startDaemon(config: string, args: string[] = []): RunningDaemon {
  const child = spawn(
    process.execPath,
    [COFFER_BIN, 'daemon', '--config', config, '--catch-up-delay', '0', ...args],
    {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', ...env },
    },
  );
  daemons.push(child);
  const lines: string[] = [];
  let partial = '';
  const onData = (d: Buffer): void => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    lines,
    exited,
    async waitFor(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.find((l) => pattern.test(l));
        if (found) return found;
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`no line matching ${pattern} in:\n${lines.join('\n')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

describe('coffer daemon (process, against s3rver)', () => {
  it('catches up a missed run: the snapshot appears and status --json shows it; SIGTERM stops it', async () => {
    const job = await setUpJob('docs', {
      extra: '    check: { after-backup: true, read-data-subset: 100% }\n',
    });
    const daemon = startDaemon(job.config);
    await daemon.waitFor(/^<6>coffer daemon started \(pid \d+\) with 1 job: docs/);
    const saved = await daemon.waitFor(/^<6>job docs: backup saved snapshot ([0-9a-f]{8})/);
    await daemon.waitFor(/^<6>job docs: check passed: no errors/);
    await daemon.waitFor(/^<6>job docs: next backup Sun .* 02:00/);
    const snapshotPrefix = /snapshot ([0-9a-f]{8})/.exec(saved)![1]!;

    const snapshots = await coffer(['snapshots', '--config', job.config, '--job', 'docs', '--json'], env);
    expect(snapshots.code, snapshots.stderr).toBe(0);
    const listed = JSON.parse(snapshots.stdout) as { id: string }[];
    expect(listed.map((s) => s.id.slice(0, 8))).toEqual([snapshotPrefix]);

    const status = await coffer(['status', '--config', job.config, '--json']);
    expect(status.code, status.stdout).toBe(0);
    const report = JSON.parse(status.stdout) as {
      ok: boolean;
      daemon: { running: boolean; pid?: number };
      jobs: {
        condition: string;
        lastSuccess: { snapshot: string; filesNew: number };
        lastCheck: { ok: boolean };
        repositorySize: { bytes: number };
      }[];
    };
    expect(report.daemon).toEqual({ running: true, pid: daemon.child.pid });
    expect(report.jobs[0]).toMatchObject({
      condition: 'ok',
      lastSuccess: { snapshot: listed[0]!.id, filesNew: 1 },
      lastCheck: { ok: true },
    });
    expect(report.jobs[0]!.repositorySize.bytes).toBeGreaterThan(0);

    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toEqual({ code: 0, signal: null });
    expect(daemon.lines).toContain('<6>coffer daemon stopped');
    // every log line carries a syslog priority (the CLI's own note about stopping aside)
    expect(
      daemon.lines.filter((l) => l && !l.startsWith('coffer: terminated')).every((l) => /^<[346]>/.test(l)),
    ).toBe(true);
    expect((await coffer(['status', '--config', job.config, '--json'])).stdout).toContain('"running": false');
  });

  it('refuses a second daemon for the same config (exit 11, naming the first one’s pid)', async () => {
    const job = await setUpJob('twice');
    const first = startDaemon(job.config);
    await first.waitFor(/^<6>coffer daemon started/);
    const second = await coffer(['daemon', '--config', job.config], env);
    expect(second.code).toBe(11);
    expect(second.stderr).toContain(`another coffer daemon (pid ${first.child.pid}) is already running`);
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
  });

  it('SIGHUP re-reads the config; an invalid one is logged and the old one kept', async () => {
    const base = join(work.path, 'reload');
    await mkdir(base, { recursive: true });
    const config = join(base, 'coffer.yaml');
    const job = (name: string): string =>
      `  ${name}:\n    repository: ${join(base, name)}\n    password: { file: ${passwordFile} }\n    sources: [${base}]\n`;
    await writeFile(config, `state-dir: ${join(base, 'state')}\njobs:\n${job('minutes')}`);
    const daemon = startDaemon(config);
    await daemon.waitFor(/^<6>coffer daemon started .* 1 job: minutes/);
    await writeFile(config, `state-dir: ${join(base, 'state')}\njobs:\n${job('minutes')}${job('finance')}`);
    daemon.child.kill('SIGHUP');
    await daemon.waitFor(/^<6>config reloaded from .*: 2 jobs: minutes .*, finance/);
    await writeFile(config, `state-dir: ${join(base, 'state')}\njobs:\n  minutes:\n    sources: nowhere\n`);
    daemon.child.kill('SIGHUP');
    const refused = await daemon.waitFor(/was not reloaded/);
    expect(refused).toMatch(
      /^<3>the config .* was not reloaded, the daemon keeps the one it had: .*coffer\.yaml:\d+/,
    );
    expect(daemon.child.exitCode).toBeNull();
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
    expect(Object.keys((await readState(join(base, 'state'))).jobs).sort()).toEqual(['finance', 'minutes']);
  });

  it('SIGTERM during a backup: the daemon exits within the limit, writes no snapshot, and check is clean', async () => {
    const job = await setUpJob('big', {
      // enough data that the backup is still uploading when the signal comes
      fill: async (dir) => {
        for (let i = 0; i < 10; i++)
          await writeFile(join(dir, `archive-${i}.bin`), randomBytes(32 * 1024 * 1024));
      },
    });
    const before = (await readState(job.stateDir)).jobs.big!;
    const daemon = startDaemon(job.config);
    await daemon.waitFor(/^<6>job big: backup started \(pid \d+\)/);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await readState(job.stateDir)).jobs.big?.running?.step).toBe('backup');
    const signalled = Date.now();
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(60_000); // the documented limit
    expect(
      daemon.lines.some((l) => l.startsWith('<4>job big: backup stopped because coffer is shutting down')),
    ).toBe(true);
    expect(
      daemon.lines.some((l) =>
        l.startsWith('<4>job big: the backup was interrupted by the shutdown and wrote no snapshot'),
      ),
    ).toBe(true);

    const snapshots = await coffer(['snapshots', '--config', job.config, '--job', 'big', '--json'], env);
    expect(snapshots.code, snapshots.stderr).toBe(0);
    expect(JSON.parse(snapshots.stdout)).toEqual([]);
    const check = await coffer(['check', '--config', job.config, '--job', 'big'], env);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    // not an attempt: the run is still due and will be caught up at the next start
    const after = (await readState(job.stateDir)).jobs.big!;
    expect(after.lastAttempt).toBe(before.lastAttempt);
    expect(after.running).toBeUndefined();
    expect(after.lastFailure).toBeUndefined();
  }, 180_000);

  it('a failing job (wrong password) is told to a webhook at once, without retries; --once exits 1', async () => {
    const received: { path: string; body: Record<string, unknown> }[] = [];
    const hook = await listen(
      createServer((req, res) => {
        let body = '';
        req.on('data', (d: Buffer) => (body += d.toString()));
        req.on('end', () => {
          received.push({ path: req.url ?? '', body: JSON.parse(body) as Record<string, unknown> });
          res.writeHead(204).end();
        });
      }),
    );
    try {
      const wrong = await writeSecret(work.path, 'wrong.pass', 'not the password');
      const job = await setUpJob('locked-out');
      // the password file named in the config is changed after the repository was made
      const text = await readFile(job.config, 'utf8');
      await writeFile(job.config, text.replace(`{ file: ${passwordFile} }`, `{ file: ${wrong} }`));
      await writeFile(
        job.config,
        `notifications:\n  - webhook: { url: "http://127.0.0.1:${(hook.address() as AddressInfo).port}/coffer-hook" }\n    on: [failure, overdue]\n`,
        { flag: 'a' },
      );
      const once = await coffer(['daemon', '--config', job.config, '--once'], env);
      expect(once.code, once.stdout + once.stderr).toBe(1);
      expect(once.stdout).toMatch(/^<3>job locked-out: backup failed \(exit 12\): /m);
      expect(once.stdout).toMatch(/^<6>notice "failure" for job locked-out sent by webhook/m);
      // the failure at once (no retries for a wrong password), then, since no backup has ever succeeded, OVERDUE
      expect(received.map((r) => r.body.kind)).toEqual(['failure', 'overdue']);
      expect(received[0]!.path).toBe('/coffer-hook');
      expect(received[0]!.body).toMatchObject({
        source: 'coffer',
        kind: 'failure',
        job: 'locked-out',
        facts: { step: 'backup', exitCode: 12 },
      });
      expect(String(received[0]!.body.text)).toMatch(/password/i);
      expect(JSON.stringify(received[0]!.body)).not.toContain('not the password');
      const state = (await readState(job.stateDir)).jobs['locked-out']!;
      expect(state.lastFailure).toMatchObject({ step: 'backup', exitCode: 12 });
      expect(state.retry).toBeUndefined();
    } finally {
      await new Promise((r) => hook.close(r));
    }
  });
});

function listen(server: Server): Promise<Server> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// Steps as child processes: their --json output read, their error line kept, and a shutdown forwarded
// as one SIGTERM, with SIGKILL after the limit for a step that does not stop.

import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backupSummary, checkVerdict, forgetSummary } from '../../src/daemon/step-outcomes.js';
import { isProcessAlive } from '../../src/daemon/process-alive.js';
import { lastError, parseDocuments, runStep } from '../../src/daemon/step-runner.js';
import { backupArgs, checkArgs, drillArgs, forgetArgs } from '../../src/daemon/step-args.js';
import { tempDir } from '../helpers/cli.js';
import { makeJob } from './fixtures.js';

const FAKE = fileURLToPath(new URL('./fake-coffer.mjs', import.meta.url));
const coffer = { execPath: process.execPath, prefixArgs: [FAKE] };
let dir: { path: string; cleanup: () => Promise<void> };
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  dir = await tempDir('coffer-step-');
  env = { PATH: process.env.PATH, FAKE_COFFER_LOG: join(dir.path, 'calls.log') };
});
afterEach(() => dir.cleanup());

describe('step command lines', () => {
  const job = makeJob({
    retention: { last: 4, weekly: 52, withinMs: 30 * 86_400_000, tags: ['keep'] },
    prune: { cron: '0 3 1 * *', maxUnused: '10%' },
    check: { afterBackup: true, readDataSubset: '5%' },
    drill: { remindAfterMs: 1, samplePercent: 5 },
  });

  it('name the config and the job, never a secret', () => {
    expect(backupArgs('/etc/coffer/coffer.yaml', job)).toEqual([
      '--config',
      '/etc/coffer/coffer.yaml',
      '--job',
      'documents',
      '--json',
      'backup',
    ]);
    expect(checkArgs('/c.yaml', job).slice(-3)).toEqual(['check', '--read-data-subset', '5%']);
    expect(drillArgs('/c.yaml', job).slice(-4)).toEqual(['drill', 'run', '--sample', '5%']);
  });

  it('turn the retention policy into forget flags, with prune only when asked', () => {
    expect(forgetArgs('/c.yaml', job, false).slice(5)).toEqual([
      'forget',
      '--keep-last',
      '4',
      '--keep-weekly',
      '52',
      '--keep-within',
      '720h',
      '--keep-tag',
      'keep',
    ]);
    expect(forgetArgs('/c.yaml', job, true).slice(-3)).toEqual(['--prune', '--max-unused', '10%']);
  });
});

describe('running a step', () => {
  it('reads the JSON lines of a backup and the single document of a check', async () => {
    const backup = await runStep(coffer, ['--json', 'backup'], { env, stopTimeoutMs: 1000 });
    expect(backup.exitCode).toBe(0);
    expect(backupSummary(backup)).toMatchObject({
      bytesAdded: 2048,
      filesNew: 2,
      filesChanged: 1,
      incomplete: false,
    });
    const check = await runStep(coffer, ['check'], { env, stopTimeoutMs: 1000 });
    expect(checkVerdict(check)).toEqual({
      ok: true,
      summary: 'no errors in 3 snapshots and 4 packs (0 read in full)',
    });
    const forget = await runStep(coffer, ['forget', '--prune'], { env, stopTimeoutMs: 1000 });
    expect(forgetSummary(forget)?.pruned).toBe(true);
  });

  it('keeps the failing step’s own error line, not its warnings', async () => {
    const result = await runStep(coffer, ['backup'], {
      env: { ...env, FAKE_BACKUP_EXIT: '12' },
      stopTimeoutMs: 1000,
    });
    expect(result.exitCode).toBe(12);
    expect(result.message).toBe('fake backup failed with 12');
    expect(backupSummary(result)).toBeUndefined();
  });

  it('asks a running step to stop with one SIGTERM when the daemon stops', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = runStep(coffer, ['backup'], {
      env: { ...env, FAKE_BACKUP_SLEEP_MS: '30000' },
      signal: controller.signal,
      stopTimeoutMs: 10_000,
      onStart: () => setTimeout(() => controller.abort(), 200),
    });
    const result = await pending;
    expect(result).toMatchObject({ exitCode: 130, stopped: true, killed: false });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.message).toBe('backup interrupted; no snapshot was written');
  });

  it('kills a step that does not stop within the limit', async () => {
    const controller = new AbortController();
    const result = await runStep(coffer, ['backup'], {
      env: { ...env, FAKE_BACKUP_SLEEP_MS: '30000', FAKE_IGNORE_TERM: '1' },
      signal: controller.signal,
      stopTimeoutMs: 300,
      onStart: () => setTimeout(() => controller.abort(), 200),
    });
    expect(result).toMatchObject({ exitCode: null, exitSignal: 'SIGKILL', stopped: true, killed: true });
    expect((await readFile(env.FAKE_COFFER_LOG!, 'utf8')).trim().split('\n')).toHaveLength(1);
  });

  it('a daemon that exits at once (a second Ctrl-C) takes its running steps with it', async () => {
    // The built module, in a process of its own that then exits mid-step.
    const runner = fileURLToPath(new URL('../../dist/src/daemon/step-runner.js', import.meta.url));
    const script = `
      const { runStep } = await import(${JSON.stringify(runner)});
      runStep({ execPath: process.execPath, prefixArgs: [${JSON.stringify(FAKE)}] }, ['backup'], {
        env: ${JSON.stringify({ ...env, FAKE_BACKUP_SLEEP_MS: '30000', FAKE_IGNORE_TERM: '1' })},
        stopTimeoutMs: 10000,
        onStart: (pid) => { process.stdout.write(String(pid)); setTimeout(() => process.exit(130), 200); },
      });`;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script]);
    let out = '';
    parent.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise((r) => parent.once('exit', r));
    expect(code).toBe(130);
    const stepPid = Number(out);
    expect(stepPid).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(isProcessAlive(stepPid)).toBe(false);
  });

  it('parses pretty JSON, JSON lines, and ignores other text', () => {
    expect(parseDocuments(['{', '  "ok": true', '}'])).toEqual([{ ok: true }]);
    expect(parseDocuments(['{"a":1}', 'text', '{"b":2}', '{"trunc'])).toEqual([{ a: 1 }, { b: 2 }]);
    expect(
      lastError('coffer: warning: x\ncoffer: real problem\n\ncoffer: terminated, stopping cleanly\n'),
    ).toBe('real problem');
  });
});

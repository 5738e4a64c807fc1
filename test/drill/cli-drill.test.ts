// coffer drill run | list | report as a user runs them: on a local folder and on S3 (s3rver), with --job,
// a tampered repository, a missed RTO, usage errors, and the scratch folder removed or kept.

import { randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillResult } from '../../src/drill/index.js';
import { coffer, FAST_KDF_ARGS, tempDir, writeSecret } from '../helpers/cli.js';
import { awsEnv, startS3rver, type S3TestServer } from '../servers/s3rver.js';
import { openRepository } from '../../src/repository/index.js';
import { LocalStorage } from '../../src/storage/index.js';
import { COUNCIL_FILES, damageStoredFile, writeCouncilFolder } from './fixture.js';

const PASSWORD = 'drill test password';
let work: { path: string; cleanup: () => Promise<void> };
let n = 0;
beforeAll(async () => {
  work = await tempDir('coffer-drill-cli-');
});
afterAll(() => work?.cleanup());

type DrillJson = DrillResult & { id?: string; summary: string };

/** A repository (at `location`) with one backup of a council folder; returns the folder. */
async function backedUp(location: string, env: Record<string, string> = {}): Promise<string> {
  const source = join(work.path, `council-${++n}`);
  await writeCouncilFolder(source);
  const all = { ...env, COFFER_PASSWORD: PASSWORD, COFFER_REPOSITORY: location };
  const init = await coffer(['init', ...FAST_KDF_ARGS], all);
  expect(init.code, init.stderr).toBe(0);
  const backup = await coffer(['backup', source], all);
  expect(backup.code, backup.stderr).toBe(0);
  return source;
}

const fileCount = Object.keys(COUNCIL_FILES).length;

describe('coffer drill (local folder)', () => {
  it('passes a clean repository with a clear block, records it, and lists it', async () => {
    const repo = join(work.path, `repo-${++n}`);
    await backedUp(repo);
    const env = { COFFER_PASSWORD: PASSWORD, COFFER_REPOSITORY: repo };
    const r = await coffer(['drill', 'run', '--rto', '4h'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^=+\n {2}DRILL PASSED\n=+\n/);
    expect(r.stdout).toMatch(
      new RegExp(`Restored {4}${fileCount} files, .*, every one verified against its SHA-256`),
    );
    expect(r.stdout).toMatch(/ {2}whole snapshot {2}target 4h {5}achieved \S+ \(measured\) {2}MET\n/);
    expect(r.stdout).toMatch(/Recorded in the repository as drill [0-9a-f]{8}/);
    const scratch = /The scratch folder (\S+) was removed\./.exec(r.stdout)?.[1];
    await expect(stat(scratch!)).rejects.toMatchObject({ code: 'ENOENT' });

    const json = await coffer(['drill', 'run', '--json', '--sample', '50%', '--rto', '1d'], env);
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout) as DrillJson;
    expect(doc).toMatchObject({ passed: true, scope: { kind: 'sample', percent: 50 } });
    expect(doc.summary).toMatch(/^drill of snapshot [0-9a-f]{8} \(50% sample \(seed [0-9a-f]{16}\)\) passed/);
    expect(doc.targets[0]).toMatchObject({ basis: 'estimate', met: true });

    const list = await coffer(['drill', 'list'], env);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^ID +WHEN +SNAPSHOT +SCOPE +TIME +RESULT +RTO\n/);
    expect(list.stdout).toMatch(/whole snapshot +\S+ +PASS +whole snapshot 4h: \S+ met\n/);
    expect(list.stdout).toMatch(/2 drills, 2 passed\n$/);
    const listed = JSON.parse((await coffer(['drill', 'list', '--json'], env)).stdout) as DrillJson[];
    expect(listed.map((d) => d.id)).toContain(doc.id);

    const log = JSON.parse((await coffer(['log', '--json'], env)).stdout) as {
      operation: string;
      outcome: string;
      details?: { drill?: string };
    }[];
    const drills = log.filter((e) => e.operation === 'drill');
    expect(drills).toHaveLength(2);
    expect(drills.map((e) => e.details?.drill)).toContain(doc.id);
  });

  it('fails (exit 1) on a tampered pack, naming the damaged file and the pack', async () => {
    const repo = join(work.path, `repo-${++n}`);
    const source = await backedUp(repo);
    const opened = await openRepository(new LocalStorage(repo), PASSWORD);
    const packKey = await damageStoredFile(opened, repo, `${source}/Finance/budget-2026.xlsx`);
    const env = { COFFER_PASSWORD: PASSWORD, COFFER_REPOSITORY: repo };
    const r = await coffer(['drill', 'run'], env);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('DRILL FAILED');
    expect(r.stdout).toContain(
      `Files that failed (1)\n  ${source}/Finance/budget-2026.xlsx\n      recorded SHA-256 `,
    );
    expect(r.stdout).toContain(`Damaged in the repository\n  ${packKey}: `);
    expect(r.stdout).toMatch(/Why it failed\n {2}- 1 file could not be restored and verified/);
    const list = await coffer(['drill', 'list'], env);
    expect(list.stdout).toMatch(/ FAIL\b/);
  });

  it('fails when the RTO is missed, and the report says so', async () => {
    const repo = join(work.path, `repo-${++n}`);
    await backedUp(repo);
    const env = { COFFER_PASSWORD: PASSWORD, COFFER_REPOSITORY: repo };
    const r = await coffer(['drill', 'run', '--rto', '1ms'], env);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/whole snapshot {2}target 1ms {4}achieved \S+ \(measured\) {2}NOT MET/);
    expect(r.stdout).toMatch(/- the RTO "whole snapshot" \(1ms\) was not met: a measured /);
    const md = await coffer(['drill', 'report'], env);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toContain('### Serious: Recovery time objective "whole snapshot" (1ms) not met');
    expect(md.stdout).toMatch(/\| whole snapshot \| 1ms \| \S+ \| measured, .* \| \*\*NOT MET\*\* \|/);
    const file = join(work.path, `report-${n}.html`);
    const html = await coffer(['drill', 'report', '-o', file], env);
    expect(html.code, html.stderr).toBe(0);
    expect(html.stdout).toMatch(/the \d{4} report was written to .*report-\d+\.html: \d+ open problems?\n/);
    const page = await readFile(file, 'utf8');
    expect(XMLValidator.validate(page)).toBe(true);
    expect(page).toContain('NOT MET');
    const json = await coffer(['drill', 'report', '--format', 'json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({ drills: [{ passed: false }] });
  });

  it('keeps the restored files with --keep, and refuses a target inside the backed-up folder', async () => {
    const repo = join(work.path, `repo-${++n}`);
    const source = await backedUp(repo);
    const env = { COFFER_PASSWORD: PASSWORD, COFFER_REPOSITORY: repo };
    const target = join(work.path, `kept-${n}`);
    const kept = await coffer(['drill', 'run', '--keep', '--target', target], env);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stdout).toContain(`The restored files were kept in ${target}.`);
    expect(await readFile(join(target, source, 'Minutes/2026-02.txt'))).toEqual(
      await readFile(join(source, 'Minutes/2026-02.txt')),
    );
    const inside = await coffer(['drill', 'run', '--target', join(source, 'drill')], env);
    expect(inside.code).toBe(2);
    expect(inside.stderr).toMatch(
      /a drill must not restore into .*: it is inside .*, which the snapshot was taken from/,
    );
    await expect(stat(join(source, 'drill'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses bad options with exit 2 before asking for a password', async () => {
    const env = { COFFER_REPOSITORY: join(work.path, 'nowhere') };
    const cases: [string[], RegExp][] = [
      [
        ['--sample', '5%', '--paths', '/srv'],
        /give one of --scope full, --sample N% and --paths P\.\.\., not several/,
      ],
      [['--sample', '0%'], /--sample 0%: give a percentage/],
      [['--sample', '150'], /--sample 150: give a percentage/],
      [['--seed', 'abc'], /--seed goes with --sample/],
      [['--rto', '30m'], /--rto 30m: "30m" is ambiguous/],
      [['--rto', 'soon'], /--rto soon: expected a duration/],
      [['--paths', 'Finance'], /--paths Finance: give paths as the snapshot holds them, from \//],
      [['--scope', 'half'], /argument 'half' is invalid/],
    ];
    for (const [args, message] of cases) {
      const r = await coffer(['drill', 'run', ...args], env);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const year = await coffer(['drill', 'report', '--year', '26'], env);
    expect(year.code).toBe(2);
    expect(year.stderr).toMatch(/--year 26: give a year such as 2026/);
  });
});

describe('coffer drill --job', () => {
  it('takes the RTO targets from the job, and notes the drill in the state file for coffer status', async () => {
    const repo = join(work.path, `repo-${++n}`);
    const source = await backedUp(repo);
    const stateDir = join(work.path, `state-${n}`);
    const passwordFile = await writeSecret(work.path, `job-${n}.pass`, PASSWORD);
    const config = join(work.path, `coffer-${n}.yaml`);
    await writeFile(
      config,
      `state-dir: ${stateDir}
jobs:
  council:
    repository: ${repo}
    password: { file: ${passwordFile} }
    sources: [${source}]
    retention: { keep-weekly: 8, keep-monthly: 12 }
    rto:
      all documents: 1d
      finance: { target: 4h, paths: [${source}/Finance] }
`,
      { mode: 0o600 },
    );
    const r = await coffer(['--config', config, 'drill', 'run', '--job', 'council', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as DrillJson;
    expect(doc.targets.map((t) => [t.name, t.target, t.basis, t.met])).toEqual([
      ['all documents', '1d', 'measured', true],
      ['finance', '4h', 'upper-bound', true],
    ]);
    const state = JSON.parse(await readFile(join(stateDir, 'state.json'), 'utf8')) as {
      jobs: Record<string, { lastDrill?: { passed: boolean; summary: string }; lastPassedDrill?: string }>;
    };
    expect(state.jobs.council!.lastDrill).toMatchObject({ passed: true, summary: doc.summary });
    expect(state.jobs.council!.lastPassedDrill).toBe(doc.finishedAt);
    const md = await coffer(['--config', config, 'drill', 'report', '--job', 'council']);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toContain('- one a week for the last 8 weeks that have a snapshot');
    expect(md.stdout).toMatch(
      /\| finance \(.*\/Finance\) \| 4h \| \S+ \| at most \(measured\), .* \| MET \|/,
    );
  });
});

describe('coffer drill (S3, s3rver)', () => {
  let server: S3TestServer;
  beforeAll(async () => {
    server = await startS3rver();
  });
  afterAll(() => server?.stop());

  it('passes on S3, records the drill, and reports it', async () => {
    const location = `s3:${server.endpoint}/${server.bucket}/drill-${randomBytes(4).toString('hex')}`;
    await backedUp(location, awsEnv(server));
    const env = { ...awsEnv(server), COFFER_PASSWORD: PASSWORD, COFFER_REPOSITORY: location };
    const r = await coffer(['drill', 'run', '--rto', '1h', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as DrillJson;
    expect(doc).toMatchObject({ passed: true, restored: { files: fileCount }, failedFileCount: 0 });
    const list = JSON.parse((await coffer(['drill', 'list', '--json'], env)).stdout) as DrillJson[];
    expect(list.map((d) => d.id)).toEqual([doc.id]);
    const md = await coffer(['drill', 'report'], env);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toContain('Drills in');
    expect(md.stdout).toMatch(/\| whole snapshot \| 1h \| \S+ \| measured, .* \| MET \|/);
  });
});

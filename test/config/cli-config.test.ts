// `coffer config check|example` and `--job` against a local repository, run as a user would run them.

import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coffer, FAST_KDF_ARGS, tempDir, writeSecret } from '../helpers/cli.js';

const PASSWORD = 'council job password';
let work: { path: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  work = await tempDir('coffer-config-cli-');
});
afterAll(() => work?.cleanup());

async function writeConfig(name: string, text: string, mode = 0o600): Promise<string> {
  const file = join(work.path, name);
  await writeFile(file, text);
  await chmod(file, mode);
  return file;
}

describe('coffer config example and check', () => {
  it('the example, saved with mode 600, passes config check, which shows each job and its next runs', async () => {
    const example = await coffer(['config', 'example']);
    expect(example.code, example.stderr).toBe(0);
    expect(example.stdout).toMatch(/^# coffer\.yaml/);
    const file = await writeConfig('example.yaml', example.stdout);

    const check = await coffer(['config', 'check', '--config', file]);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain(
      `${file} is valid: 2 jobs, 2 notification channels; state in /var/lib/coffer`,
    );
    expect(check.stdout).toContain('job documents: s3:https://s3.example.net/council-backups/documents');
    expect(check.stdout).toMatch(
      / {2}backup: {3}"0 2 \* \* 0" \(Europe\/London\), next Sun, \d+ \w+ \d{4}, 02:00 Europe\/London/,
    );
    expect(check.stdout).toMatch(/ {2}prune: {4}"0 3 1 \* \*", next \w+, 1 \w+ \d{4}, 03:00 Europe\/London/);
    expect(check.stdout).toContain('job mail-archive: /mnt/backup-drive/mail');
    expect(check.stdout).toContain('  prune:    never');
    // the secret files it names do not exist here: warned about, not refused
    expect(check.stderr).toContain(
      'coffer: warning: jobs.documents.password: /etc/coffer/documents.pass does not exist yet',
    );
  });

  it('--json gives the next runs as instants, in the job’s time zone', async () => {
    const file = await writeConfig('example-json.yaml', (await coffer(['config', 'example'])).stdout);
    const r = await coffer(['config', 'check', '--json'], { COFFER_CONFIG: file });
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as {
      path: string;
      jobs: { name: string; schedule: { nextRun: string } }[];
      warnings: string[];
    };
    expect(summary.path).toBe(file);
    const next = new Date(summary.jobs[0]!.schedule.nextRun);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
    const london = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(next);
    expect(london).toBe('Sun 02:00');
    expect(summary.warnings.length).toBeGreaterThan(0);
  });

  it('an invalid config exits 2 and names every problem by line', async () => {
    const file = await writeConfig(
      'bad.yaml',
      'jobs:\n  docs:\n    repository: /srv/x\n    password: hunter2\n    sources: [/srv/a]\n    retention: { keep-weekly: fifty }\n',
    );
    const r = await coffer(['config', 'check', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`coffer: ${file} has 2 problems:`);
    expect(r.stderr).toContain(
      `${file}:4:15: jobs.docs.password: a secret must not be written in the config file`,
    );
    expect(r.stderr).toContain(
      `${file}:6:31: jobs.docs.retention.keep-weekly: expected a whole number, got "fifty"`,
    );
    expect(r.stderr).not.toContain('hunter2');
    expect(r.stdout).toBe('');
  });

  it('a config everyone can change is refused with the fix', async () => {
    const file = await writeConfig('open.yaml', (await coffer(['config', 'example'])).stdout, 0o666);
    const r = await coffer(['config', 'check', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Fix: chmod 600 ${file}`);
  });

  it('a missing config file says how to start one', async () => {
    const r = await coffer(['config', 'check', '--config', join(work.path, 'none.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('does not exist; write one (start from "coffer config example")');
  });
});

describe('--job with a local repository', () => {
  let repo: string;
  let data: string;
  let config: string;

  beforeAll(async () => {
    repo = join(work.path, 'repo');
    data = join(work.path, 'documents');
    await mkdir(join(data, 'Minutes'), { recursive: true });
    await mkdir(join(data, 'Scratch'), { recursive: true });
    await writeFile(join(data, 'Minutes', '2026-01.txt'), 'minutes of January');
    await writeFile(join(data, 'draft.tmp'), 'temporary');
    await writeFile(join(data, 'Scratch', '.nobackup'), '');
    await writeFile(join(data, 'Scratch', 'junk.txt'), 'junk');
    const passwordFile = await writeSecret(work.path, 'docs.pass', PASSWORD);
    config = await writeConfig(
      'coffer.yaml',
      `jobs:
  docs:
    repository: ${repo}
    password: { file: ${passwordFile} }
    sources: [${data}]
    exclude: ["*.tmp"]
    exclude-if-present: [.nobackup]
    tags: [weekly]
    host: town-hall-pc
  broken:
    repository: ${repo}
    password: { file: ${join(work.path, 'missing.pass')} }
    sources: [${data}]
`,
      0o644,
    );
    // init --job takes the job's password (no COFFER_PASSWORD), so the jobs below can open the repository
    const init = await coffer(['--config', config, 'init', '--job', 'docs', ...FAST_KDF_ARGS]);
    expect(init.code, init.stderr).toBe(0);
  });

  it("backup --job backs up the job's sources with its excludes, tags and host, using its password", async () => {
    // no COFFER_PASSWORD and no repository in the environment: everything comes from the job
    const backup = await coffer(['--config', config, 'backup', '--job', 'docs']);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/snapshot [0-9a-f]{8} saved/);

    const snapshots = await coffer(['snapshots', '--job', 'docs', '--json'], { COFFER_CONFIG: config });
    expect(snapshots.code, snapshots.stderr).toBe(0);
    const list = JSON.parse(snapshots.stdout) as { host: string; tags: string[]; paths: string[] }[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ host: 'town-hall-pc', tags: ['weekly'], paths: [data] });

    const ls = await coffer(['ls', 'latest', '--job', 'docs', '--config', config]);
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout).toContain(`${data}/Minutes/2026-01.txt`);
    expect(ls.stdout).not.toContain('draft.tmp');
    expect(ls.stdout).not.toContain('junk.txt');
  });

  it('paths and tags given on the command line add to the job', async () => {
    const r = await coffer([
      'backup',
      '--job',
      'docs',
      '--config',
      config,
      '--tag',
      'manual',
      join(data, 'Minutes'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const snapshots = await coffer([
      'snapshots',
      '--job',
      'docs',
      '--config',
      config,
      '--tag',
      'manual',
      '--json',
    ]);
    const list = JSON.parse(snapshots.stdout) as { tags: string[]; paths: string[] }[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ tags: ['weekly', 'manual'], paths: [join(data, 'Minutes')] });
  });

  it('an unknown job is refused with a suggestion', async () => {
    const r = await coffer(['snapshots', '--job', 'doc', '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `coffer: there is no job "doc" in ${config} (did you mean "docs"?); its jobs are docs, broken\n`,
    );
  });

  it('--job and -r together are refused', async () => {
    const r = await coffer(['snapshots', '--job', 'docs', '-r', repo, '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('give either --job NAME or -r/--repo LOCATION, not both');
  });

  it("the job's password file, when missing, is named in the error (and COFFER_PASSWORD does not stand in)", async () => {
    const r = await coffer(['snapshots', '--job', 'broken', '--config', config], {
      COFFER_PASSWORD: PASSWORD,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `the password of job "broken": file ${join(work.path, 'missing.pass')} does not exist`,
    );
  });

  it('backup without paths or --job is a usage error, before any password is asked for', async () => {
    const r = await coffer(['backup', '-r', repo]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('give the folders or files to back up, or --job NAME');
  });

  it('without --job the config file is not read at all', async () => {
    const r = await coffer(['snapshots', '-r', repo, '--config', join(work.path, 'none.yaml')], {
      COFFER_PASSWORD: PASSWORD,
    });
    expect(r.code, r.stderr).toBe(0);
  });
});

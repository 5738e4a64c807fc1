// parseCofferConfig: a full file, the defaults, and every kind of problem with its line, column and field.

import { describe, expect, it } from 'vitest';
import { parseCofferConfig } from '../../src/config/index.js';
import { ConfigError } from '../../src/errors.js';

const USER = { env: {}, uid: 1000, homedir: '/home/clerk' };
const parse = (text: string) => parseCofferConfig(text, 'coffer.yaml', { user: USER });

/** The problem lines of a config that must be refused. */
function problemsOf(text: string): string[] {
  try {
    parse(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(2);
    expect((err as ConfigError).code).toBe('COFFER_E_CONFIG');
    return [...(err as ConfigError).problems];
  }
  throw new Error('the config was accepted');
}

const MINIMAL = `jobs:
  documents:
    repository: /srv/backup/council
    password: { file: /etc/coffer/documents.pass }
    sources: [/srv/council/documents]
`;

/** MINIMAL with extra lines added to the job (indented 4). */
const job = (...lines: string[]): string => MINIMAL + lines.map((l) => `    ${l}\n`).join('');

describe('a valid config', () => {
  it('maps every option of the documented shape to the resolved config', () => {
    const config = parse(`state-dir: /var/lib/coffer-test
jobs:
  documents:
    repository: s3:https://s3.example.net/council-backups/documents
    password: { file: /etc/coffer/documents.pass }
    credentials: { access-key-id: { env: COFFER_S3_KEY }, secret-access-key: { file: /etc/coffer/s3.secret }, region: eu-west-2 }
    admin-credentials:
      access-key-id: { env: ADMIN_KEY }
      secret-access-key: { command: "pass show s3-admin" }
      session-token: { env: ADMIN_TOKEN }
    sources: [/srv/council/documents, /srv/council/mail/]
    exclude: ["*.tmp", "~$*"]
    exclude-if-present: [.nobackup]
    one-file-system: true
    tags: [weekly]
    host: town-hall-pc
    schedule: { cron: "0 3 * * 1", timezone: UTC, grace: 1d12h }
    retention: { keep-last: 4, keep-weekly: 52, keep-monthly: 24, keep-yearly: 7, keep-within: 6m, keep-tag: [keep] }
    prune: { cron: "0 3 1 * *", max-unused: 10% }
    check: { after-backup: false, read-data-subset: 1/12 }
    rto: { all documents: 24h, finance: { target: 90min, paths: [/srv/council/documents/finance] } }
    drill: { cron: "0 4 1 1,7 *", sample: 5%, remind-after: 26w }
notifications:
  - email: { to: clerk@council.gov.uk, from: coffer@council.gov.uk, smtp: { host: smtp.example.net, secure: true, user: coffer, password: { file: /etc/coffer/smtp.pass } } }
    on: [failure, success]
    jobs: [documents]
  - webhook: { url: https://hooks.example.net/coffer, headers: { Authorization: { env: HOOK_TOKEN }, X-Council: town } }
`);
    expect(config.path).toBe('coffer.yaml');
    expect(config.stateDir).toBe('/var/lib/coffer-test');
    expect(config.jobs).toHaveLength(1);
    const j = config.jobs[0]!;
    expect(j).toEqual({
      name: 'documents',
      repository: 's3:https://s3.example.net/council-backups/documents',
      password: { file: '/etc/coffer/documents.pass' },
      credentials: {
        accessKeyId: { env: 'COFFER_S3_KEY' },
        secretAccessKey: { file: '/etc/coffer/s3.secret' },
        region: 'eu-west-2',
      },
      adminCredentials: {
        accessKeyId: { env: 'ADMIN_KEY' },
        secretAccessKey: { command: 'pass show s3-admin' },
        sessionToken: { env: 'ADMIN_TOKEN' },
      },
      sources: ['/srv/council/documents', '/srv/council/mail'],
      excludes: ['*.tmp', '~$*'],
      excludeIfPresent: ['.nobackup'],
      oneFileSystem: true,
      tags: ['weekly'],
      host: 'town-hall-pc',
      schedule: { cron: '0 3 * * 1', timezone: 'UTC', graceMs: 36 * 3_600_000 },
      retention: {
        last: 4,
        weekly: 52,
        monthly: 24,
        yearly: 7,
        withinMs: 6 * 30 * 86_400_000,
        tags: ['keep'],
      },
      prune: { cron: '0 3 1 * *', maxUnused: '10%' },
      check: { afterBackup: false, readDataSubset: '1/12' },
      rto: [
        { name: 'all documents', target: '24h', targetMs: 86_400_000 },
        {
          name: 'finance',
          target: '90min',
          targetMs: 90 * 60_000,
          paths: ['/srv/council/documents/finance'],
        },
      ],
      drill: { cron: '0 4 1 1,7 *', samplePercent: 5, remindAfterMs: 26 * 7 * 86_400_000 },
    });
    expect(config.notifications).toEqual([
      {
        channel: {
          type: 'email',
          to: ['clerk@council.gov.uk'],
          from: 'coffer@council.gov.uk',
          smtp: {
            host: 'smtp.example.net',
            port: 465,
            secure: true,
            user: 'coffer',
            password: { file: '/etc/coffer/smtp.pass' },
          },
        },
        on: ['failure', 'success'],
        jobs: ['documents'],
      },
      {
        channel: {
          type: 'webhook',
          url: 'https://hooks.example.net/coffer',
          headers: { Authorization: { env: 'HOOK_TOKEN' }, 'X-Council': 'town' },
        },
        on: ['failure', 'overdue', 'check-failed', 'drill-failed', 'drill-due'],
      },
    ]);
  });

  it('fills in the defaults: weekly on Sunday 02:00 London, monthly prune, drills by hand, per-user state', () => {
    const config = parse(MINIMAL);
    expect(config.stateDir).toBe('/home/clerk/.local/state/coffer');
    expect(config.notifications).toEqual([]);
    const j = config.jobs[0]!;
    expect(j.schedule).toEqual({ cron: '0 2 * * 0', timezone: 'Europe/London', graceMs: 86_400_000 });
    expect(j.prune).toEqual({ cron: '0 3 1 * *', maxUnused: '5%' });
    expect(j.drill).toEqual({ remindAfterMs: 365 * 86_400_000 });
    expect(j.retention).toBeUndefined();
    expect(j.check).toBeUndefined();
    expect(j.credentials).toBeUndefined();
    expect(j.host).toBeUndefined();
    expect(j.rto).toEqual([]);
    expect([j.excludes, j.excludeIfPresent, j.tags, j.oneFileSystem]).toEqual([[], [], [], false]);
  });

  it('state-dir defaults to /var/lib/coffer for root and follows XDG_STATE_HOME for others', () => {
    const asRoot = parseCofferConfig(MINIMAL, 'c.yaml', { user: { env: {}, uid: 0 } });
    expect(asRoot.stateDir).toBe('/var/lib/coffer');
    const xdg = parseCofferConfig(MINIMAL, 'c.yaml', {
      user: { env: { XDG_STATE_HOME: '/home/clerk/state' }, uid: 1000, homedir: '/home/clerk' },
    });
    expect(xdg.stateDir).toBe('/home/clerk/state/coffer');
  });

  it('takes a bare string as the cron expression, "prune: false" as never, and a port 465 as implicit TLS', () => {
    const config = parse(
      `${job('schedule: "15 1 * * 6"', 'prune: false', 'check: {}')}notifications:
  - email: { to: [a@b.example], from: c@d.example, smtp: { host: smtp.example, port: 465 } }
`,
    );
    const j = config.jobs[0]!;
    expect(j.schedule.cron).toBe('15 1 * * 6');
    expect(j.schedule.timezone).toBe('Europe/London');
    expect(j.prune).toEqual({});
    expect(j.check).toEqual({ afterBackup: true });
    const channel = config.notifications[0]!.channel;
    expect(channel.type === 'email' && channel.smtp).toEqual({
      host: 'smtp.example',
      port: 465,
      secure: true,
    });
  });

  it('keeps jobs in file order with their names', () => {
    const config = parse(`${MINIMAL}  finance_2:
    repository: /srv/backup/finance
    password: { env: FINANCE_PASS }
    sources: [/srv/finance]
`);
    expect(config.jobs.map((j) => j.name)).toEqual(['documents', 'finance_2']);
  });
});

describe('problems are named by file, line, column and field', () => {
  it('a wrong type, with the value it got', () => {
    expect(problemsOf(job('retention:', '  keep-weekly: fifty'))).toEqual([
      'coffer.yaml:7:20: jobs.documents.retention.keep-weekly: expected a whole number, got "fifty"',
    ]);
  });

  it('unknown keys, with a suggestion when one is close', () => {
    expect(
      problemsOf(job('schedul: "0 2 * * 0"', 'retention: { keep_monthly: 3, keep-fortnightly: 2 }')),
    ).toEqual([
      'coffer.yaml:6:5: jobs.documents.schedul: unknown option (did you mean "schedule"?)',
      'coffer.yaml:7:18: jobs.documents.retention.keep_monthly: unknown option (did you mean "keep-monthly"?)',
      'coffer.yaml:7:35: jobs.documents.retention.keep-fortnightly: unknown option',
    ]);
    expect(problemsOf(`${MINIMAL}notifcations: []\n`)).toEqual([
      'coffer.yaml:6:1: notifcations: unknown option (did you mean "notifications"?)',
    ]);
  });

  it('a missing required field points at the job that lacks it', () => {
    expect(problemsOf('jobs:\n  documents:\n    repository: /srv/backup\n    sources: [/srv/a]\n')).toEqual([
      'coffer.yaml:2:3: jobs.documents.password: missing: give { file: ... }, { env: ... } or { command: ... }',
    ]);
  });

  it('cron expressions, time zones and durations are checked', () => {
    expect(problemsOf(job('schedule: { cron: "0 2 * * 8", timezone: Europe/Londn, grace: 30m }'))).toEqual([
      expect.stringMatching(
        /^coffer\.yaml:6:23: jobs\.documents\.schedule\.cron: "0 2 \* \* 8" is not a valid cron expression \(.*dayOfWeek.*\); the form is/,
      ),
      'coffer.yaml:6:46: jobs.documents.schedule.timezone: unknown time zone "Europe/Londn"; use a name such as Europe/London or UTC',
      'coffer.yaml:6:67: jobs.documents.schedule.grace: "30m" is ambiguous: write min for minutes (30min) or d for days (30d, a month)',
    ]);
    expect(problemsOf(job('prune: { cron: "0 3 31 2 *" }'))).toEqual([
      'coffer.yaml:6:20: jobs.documents.prune.cron: the cron expression "0 3 31 2 *" never runs',
    ]);
    expect(problemsOf(job('rto: { all: 4x }'))).toEqual([
      'coffer.yaml:6:17: jobs.documents.rto.all: expected a duration such as 90min, 24h, 30d, 12w or 1y, got "4x"',
    ]);
  });

  it('percentages, shares, email addresses, ports and events are checked', () => {
    expect(
      problemsOf(`${job('prune: { max-unused: 150% }', 'check: { read-data-subset: 13/12 }', 'drill: { sample: lots }')}notifications:
  - email: { to: [clerk], from: coffer@council.gov.uk, smtp: { host: smtp.example.net, port: 99999 } }
    on: [failure, explosion]
`),
    ).toEqual([
      'coffer.yaml:6:26: jobs.documents.prune.max-unused: expected a percentage from 0% to 100%, such as 5%, got "150%"',
      'coffer.yaml:7:32: jobs.documents.check.read-data-subset: expected a share of the data such as 5% or 1/12, got "13/12"',
      'coffer.yaml:8:22: jobs.documents.drill.sample: expected a percentage such as 5%, or full, got "lots"',
      'coffer.yaml:10:19: notifications[0].email.to[0]: expected an email address such as clerk@council.gov.uk, got "clerk"',
      'coffer.yaml:10:94: notifications[0].email.smtp.port: expected at most 65535, got 99999',
      'coffer.yaml:11:19: notifications[0].on[1]: unknown event "explosion"; the events are failure, overdue, check-failed, drill-failed, drill-due, success, digest',
    ]);
  });

  it('sources must be full paths, and at least one', () => {
    expect(problemsOf(MINIMAL.replace('[/srv/council/documents]', '[srv/council, /srv/ok]'))).toEqual([
      'coffer.yaml:5:15: jobs.documents.sources[0]: expected a full path starting with /, got "srv/council"',
    ]);
    expect(problemsOf(MINIMAL.replace('[/srv/council/documents]', '[]'))).toEqual([
      'coffer.yaml:5:14: jobs.documents.sources: give at least one folder or file to back up',
    ]);
  });

  it('job names must be lower-case words, and there must be a job', () => {
    expect(problemsOf(MINIMAL.replace('  documents:', '  Council Documents:'))).toEqual([
      'coffer.yaml:2:3: jobs["Council Documents"]: job name "Council Documents" may hold only lower-case letters, digits, "-" and "_" (e.g. documents or finance-mail)',
    ]);
    expect(problemsOf('jobs: {}\n')).toEqual(['coffer.yaml:1:7: jobs: give at least one job']);
    expect(problemsOf('state-dir: /var/lib/coffer\n')).toEqual([
      'coffer.yaml:1:1: jobs: missing: give a mapping of jobs by name, such as jobs: { documents: {...} }',
    ]);
  });

  it('the repository location is parsed as -r would parse it', () => {
    const [problem] = problemsOf(MINIMAL.replace('/srv/backup/council', 'https://s3.example.net/bucket'));
    expect(problem).toMatch(
      /^coffer\.yaml:3:17: jobs\.documents\.repository: invalid repository location "https:\/\/s3\.example\.net\/bucket": unknown location type "https:" \(an S3-compatible service is written s3:https:\/\/host\/bucket\)/,
    );
  });

  it('an RTO for paths outside the job, and a notification for an unknown job', () => {
    expect(problemsOf(job('rto: { finance: { target: 4h, paths: [/srv/finance] } }'))).toEqual([
      "coffer.yaml:6:43: jobs.documents.rto.finance.paths[0]: /srv/finance is not under any of this job's sources (/srv/council/documents)",
    ]);
    expect(
      problemsOf(`${MINIMAL}notifications:
  - webhook: { url: https://hooks.example.net/x }
    jobs: [documents, documnets]
`),
    ).toEqual([
      'coffer.yaml:8:23: notifications[0].jobs[1]: no job is named "documnets"; the jobs are documents',
    ]);
  });

  it('a notification entry has exactly one channel', () => {
    expect(
      problemsOf(`${MINIMAL}notifications:
  - on: [failure]
  - webhook: { url: https://hooks.example.net/x }
    email: { to: a@b.example, from: c@d.example, smtp: { host: h } }
  - webhook: { url: "ftp://hooks.example.net/x" }
`),
    ).toEqual([
      'coffer.yaml:7:5: notifications[0]: give exactly one of email or webhook in each notification entry',
      'coffer.yaml:8:5: notifications[1]: give exactly one of email or webhook in each notification entry',
      'coffer.yaml:10:21: notifications[2].webhook.url: expected an http:// or https:// URL',
    ]);
  });

  it('an empty retention policy is refused rather than read as "forget everything"', () => {
    expect(problemsOf(job('retention: { keep-last: 0 }'))).toEqual([
      'coffer.yaml:6:16: jobs.documents.retention: this policy keeps no snapshot at all; give at least one keep- rule, or leave retention out to keep every snapshot',
    ]);
  });

  it('reports every problem at once, in file order, in one message', () => {
    let error: ConfigError | undefined;
    try {
      parse(job('schedule: { cron: nonsense }', 'tags: weekly', 'one-file-system: yes please'));
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error?.problems).toEqual([
      expect.stringMatching(
        /^coffer\.yaml:6:23: jobs\.documents\.schedule\.cron: "nonsense" is not a valid cron/,
      ),
      'coffer.yaml:7:11: jobs.documents.tags: expected a list of tags, such as [a, b], got "weekly"',
      'coffer.yaml:8:22: jobs.documents.one-file-system: expected true or false, got "yes please"',
    ]);
    expect(error?.message).toBe(
      `coffer.yaml has 3 problems:\n${error!.problems.map((p) => `  ${p}`).join('\n')}`,
    );
  });
});

describe('YAML itself', () => {
  it('syntax errors and duplicate keys are named by line and column, without quoting the line', () => {
    expect(problemsOf('jobs:\n  documents: [1\n')).toEqual([
      expect.stringMatching(/^coffer\.yaml:\d+:\d+: not valid YAML: /),
    ]);
    const [dup] = problemsOf(`${MINIMAL}  documents:\n    repository: /x\n`);
    expect(dup).toMatch(/^coffer\.yaml:6:3: not valid YAML: Map keys must be unique/);
    const [quoted] = problemsOf('jobs:\n  a: { password: "hunter2 }\n');
    expect(quoted).not.toContain('hunter2');
  });

  it('an empty file says what it needs', () => {
    expect(problemsOf('# nothing yet\n')).toEqual([
      'coffer.yaml is empty; it needs at least a jobs: section (see "coffer config example")',
    ]);
  });
});

describe('secrets are references, never values', () => {
  it('refuses an inline password, S3 secret or SMTP password without repeating it', () => {
    const problems = problemsOf(
      MINIMAL.replace('{ file: /etc/coffer/documents.pass }', 'hunter2') +
        `    credentials: { access-key-id: AKIAEXAMPLEKEYID, secret-access-key: "wJalrXUtnFEMI/K7MDENG" }
notifications:
  - email: { to: a@b.example, from: c@d.example, smtp: { host: h, user: u, password: 123456 } }
`,
    );
    const advice =
      'a secret must not be written in the config file; refer to it with { file: /etc/coffer/name.secret }, { env: VARIABLE_NAME } or { command: "..." }';
    expect(problems).toEqual([
      `coffer.yaml:4:15: jobs.documents.password: ${advice}`,
      `coffer.yaml:6:35: jobs.documents.credentials.access-key-id: ${advice}`,
      `coffer.yaml:6:72: jobs.documents.credentials.secret-access-key: ${advice}`,
      `coffer.yaml:8:86: notifications[0].email.smtp.password: ${advice}`,
    ]);
    const all = problems.join('\n');
    for (const secret of ['hunter2', 'AKIAEXAMPLEKEYID', 'wJalrXUtnFEMI', '123456'])
      expect(all).not.toContain(secret);
  });

  it('does not echo a value written inside a reference by mistake', () => {
    const problems = problemsOf(MINIMAL.replace('{ file: /etc/coffer/documents.pass }', '{ file: hunter2 }'));
    expect(problems).toEqual([
      'coffer.yaml:4:23: jobs.documents.password.file: expected a full path starting with /, such as /etc/coffer/name.secret',
    ]);
    expect(problemsOf(MINIMAL.replace('{ file: /etc/coffer/documents.pass }', '{ env: "pa ss" }'))).toEqual([
      'coffer.yaml:4:22: jobs.documents.password.env: expected an environment variable name such as COFFER_PASSWORD',
    ]);
  });

  it('a reference names exactly one place', () => {
    expect(
      problemsOf(MINIMAL.replace('{ file: /etc/coffer/documents.pass }', '{ file: /etc/x, env: X }')),
    ).toEqual([
      'coffer.yaml:4:15: jobs.documents.password: give only one of file, env: a secret comes from one place',
    ]);
    expect(problemsOf(MINIMAL.replace('{ file: /etc/coffer/documents.pass }', '{ fil: /etc/x }'))).toEqual(
      [
        'coffer.yaml:4:17: jobs.documents.password.fil: unknown option (did you mean "file"?)',
        'coffer.yaml:4:15: jobs.documents.password: give one of file, env or command',
      ].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })),
    );
  });
});

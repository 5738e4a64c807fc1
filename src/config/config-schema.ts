// The schema of coffer.yaml in its own spelling (kebab-case keys), with defaults, producing the shapes of
// job-types.ts. Unknown keys are errors (strict objects): a mistyped option must never be silently ignored.

import { z } from 'zod';
import type {
  CheckPolicy,
  DrillPolicy,
  NotificationChannelConfig,
  NotificationEventKind,
  PrunePolicy,
  RtoTarget,
  S3Credentials,
  ScheduleConfig,
} from './job-types.js';
import type { RetentionPolicy } from '../retention/policy.js';
import {
  absolutePath,
  cronExpression,
  dataSubset,
  describeInput,
  duration,
  durationText,
  emailAddress,
  expected,
  flag,
  jobName,
  listOf,
  percent,
  percentOf,
  repositoryLocation,
  retentionDuration,
  secretRef,
  text,
  timeZone,
  wholeNumber,
} from './config-values.js';
import { parseConfigDuration } from './config-duration.js';

export const DEFAULT_SCHEDULE = { cron: '0 2 * * 0', timezone: 'Europe/London', grace: '1d' } as const;
export const DEFAULT_PRUNE_CRON = '0 3 1 * *';
export const DEFAULT_MAX_UNUSED = '5%';
export const DEFAULT_DRILL_REMIND_AFTER = '365d';
export const DEFAULT_EVENTS: readonly NotificationEventKind[] = [
  'failure',
  'overdue',
  'check-failed',
  'drill-failed',
  'drill-due',
];
export const ALL_EVENTS: readonly NotificationEventKind[] = [...DEFAULT_EVENTS, 'success', 'digest'];
const DAY_MS = 86_400_000;

function mapping<T extends z.core.$ZodLooseShape>(shape: T, what: string) {
  return z.strictObject(shape, expected(what));
}

const s3Credentials = mapping(
  {
    'access-key-id': secretRef,
    'secret-access-key': secretRef,
    'session-token': secretRef.optional(),
    region: text.optional(),
  },
  'S3 credentials { access-key-id: {...}, secret-access-key: {...} }',
).transform((c): S3Credentials => ({
  accessKeyId: c['access-key-id'],
  secretAccessKey: c['secret-access-key'],
  ...(c['session-token'] ? { sessionToken: c['session-token'] } : {}),
  ...(c.region ? { region: c.region } : {}),
}));

const schedule = z
  .union(
    [
      cronExpression,
      mapping(
        { cron: cronExpression.optional(), timezone: timeZone.optional(), grace: duration.optional() },
        'a schedule',
      ),
    ],
    {
      error: (i) => `expected a cron expression or { cron, timezone, grace }, got ${describeInput(i.input)}`,
    },
  )
  .optional()
  .transform((s): ScheduleConfig => {
    const given = typeof s === 'string' ? { cron: s } : (s ?? {});
    return {
      cron: given.cron ?? DEFAULT_SCHEDULE.cron,
      timezone: given.timezone ?? DEFAULT_SCHEDULE.timezone,
      graceMs: given.grace ?? DAY_MS,
    };
  });

const retention = mapping(
  {
    'keep-last': wholeNumber.optional(),
    'keep-hourly': wholeNumber.optional(),
    'keep-daily': wholeNumber.optional(),
    'keep-weekly': wholeNumber.optional(),
    'keep-monthly': wholeNumber.optional(),
    'keep-yearly': wholeNumber.optional(),
    'keep-within': retentionDuration.optional(),
    'keep-tag': listOf(text, 'tags').optional(),
  },
  'a retention policy such as { keep-weekly: 52 }',
)
  .transform((r): RetentionPolicy => ({
    ...(r['keep-last'] !== undefined ? { last: r['keep-last'] } : {}),
    ...(r['keep-hourly'] !== undefined ? { hourly: r['keep-hourly'] } : {}),
    ...(r['keep-daily'] !== undefined ? { daily: r['keep-daily'] } : {}),
    ...(r['keep-weekly'] !== undefined ? { weekly: r['keep-weekly'] } : {}),
    ...(r['keep-monthly'] !== undefined ? { monthly: r['keep-monthly'] } : {}),
    ...(r['keep-yearly'] !== undefined ? { yearly: r['keep-yearly'] } : {}),
    ...(r['keep-within'] !== undefined ? { withinMs: r['keep-within'] } : {}),
    tags: r['keep-tag'] ?? [],
  }))
  .refine(
    (policy) =>
      Object.entries(policy).some(([k, v]) => k !== 'tags' && typeof v === 'number' && v > 0) ||
      (policy.tags?.length ?? 0) > 0,
    {
      error:
        'this policy keeps no snapshot at all; give at least one keep- rule, or leave retention out to keep every snapshot',
      // only once its own fields are right: a misspelt keep- rule is reported as that, not as "keeps nothing"
      when: (payload) => payload.issues.length === 0,
    },
  );

const prune = z
  .union(
    [
      z.literal(false),
      mapping({ cron: cronExpression.optional(), 'max-unused': percent.optional() }, 'a prune policy'),
    ],
    { error: (i) => `expected { cron, max-unused } or false (never prune), got ${describeInput(i.input)}` },
  )
  .optional()
  .transform((p): PrunePolicy =>
    p === false
      ? {}
      : {
          cron: p?.cron ?? DEFAULT_PRUNE_CRON,
          maxUnused: p?.['max-unused'] !== undefined ? `${p['max-unused']}%` : DEFAULT_MAX_UNUSED,
        },
  );

const check = mapping(
  { 'after-backup': flag.optional(), 'read-data-subset': dataSubset.optional() },
  'a check policy such as { after-backup: true, read-data-subset: 5% }',
).transform((c): CheckPolicy => ({
  afterBackup: c['after-backup'] ?? true,
  ...(c['read-data-subset'] ? { readDataSubset: c['read-data-subset'] } : {}),
}));

const rto = z
  .record(
    z.string().min(1, 'an RTO needs a name'),
    z.union(
      [
        durationText.transform((target) => ({ target, paths: undefined })),
        mapping(
          { target: durationText, paths: listOf(absolutePath, 'full paths').optional() },
          'an RTO { target: 4h, paths: [...] }',
        ),
      ],
      {
        error: (i) =>
          `expected a duration such as 4h, or { target: 4h, paths: [...] }, got ${describeInput(i.input)}`,
      },
    ),
    expected('named recovery time objectives such as { all documents: 24h }'),
  )
  .transform((targets): RtoTarget[] =>
    Object.entries(targets).map(([name, t]) => ({
      name,
      target: t.target,
      targetMs: parseConfigDuration(t.target),
      ...(t.paths ? { paths: t.paths } : {}),
    })),
  );

const drill = mapping(
  {
    cron: cronExpression.optional(),
    sample: z
      .string(expected('a percentage such as 5%, or full'))
      .transform((s, ctx) => {
        if (s === 'full') return undefined;
        const pct = percentOf(s);
        if (pct === undefined) {
          ctx.issues.push({
            code: 'custom',
            message: `expected a percentage such as 5%, or full, got ${describeInput(s)}`,
            input: s,
          });
          return z.NEVER;
        }
        return pct;
      })
      .optional(),
    'remind-after': duration.optional(),
  },
  'a drill policy such as { cron: "0 4 1 1,7 *", sample: 5% }',
)
  .optional()
  .transform((d): DrillPolicy => ({
    ...(d?.cron ? { cron: d.cron } : {}),
    ...(typeof d?.sample === 'number' ? { samplePercent: d.sample } : {}),
    remindAfterMs: d?.['remind-after'] ?? 365 * DAY_MS,
  }));

export const jobSchema = mapping(
  {
    repository: repositoryLocation,
    password: secretRef,
    credentials: s3Credentials.optional(),
    'admin-credentials': s3Credentials.optional(),
    sources: listOf(absolutePath, 'full paths').min(1, 'give at least one folder or file to back up'),
    exclude: listOf(text, 'patterns').optional(),
    'exclude-if-present': listOf(
      text.refine((n) => !n.includes('/'), { error: 'a file name, not a path' }),
      'file names',
    ).optional(),
    'one-file-system': flag.optional(),
    tags: listOf(
      text.refine((t) => !t.includes(','), { error: 'a tag may not hold a comma' }),
      'tags',
    ).optional(),
    host: text.optional(),
    schedule,
    retention: retention.optional(),
    prune,
    check: check.optional(),
    rto: rto.optional(),
    drill,
  },
  'a job: { repository, password, sources, ... }',
).superRefine((job, ctx) => {
  // An RTO for paths the job does not back up could never be met by a drill.
  for (const t of job.rto ?? []) {
    t.paths?.forEach((p, i) => {
      if (!job.sources.some((s) => p === s || p.startsWith(s === '/' ? '/' : `${s}/`)))
        ctx.issues.push({
          code: 'custom',
          message: `${p} is not under any of this job's sources (${job.sources.join(', ')})`,
          path: ['rto', t.name, 'paths', i],
          input: undefined,
        });
    });
  }
});

const email = mapping(
  {
    to: z.union([emailAddress.transform((a) => [a]), listOf(emailAddress, 'email addresses')], {
      error: (i) => `expected an email address or a list of them, got ${describeInput(i.input)}`,
    }),
    from: emailAddress,
    smtp: mapping(
      {
        host: text,
        port: z.int(expected('a port number such as 587')).min(1).max(65535).optional(),
        secure: flag.optional(),
        user: text.optional(),
        password: secretRef.optional(),
      },
      'SMTP settings { host, port, secure, user, password }',
    ),
  },
  'email settings { to, from, smtp }',
);

const webhookUrl = z.string(expected('an http:// or https:// URL')).refine(
  (s) => {
    try {
      return ['http:', 'https:'].includes(new URL(s).protocol);
    } catch {
      return false;
    }
  },
  // no echo: a webhook URL often carries a token
  { error: 'expected an http:// or https:// URL' },
);

const webhook = mapping(
  {
    url: webhookUrl,
    headers: z
      .record(
        z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { error: 'not a valid HTTP header name' }),
        z.union([z.string(), secretRef], {
          error:
            'expected a header value, or a secret reference { env: ... }, { file: ... } or { command: ... }',
        }),
        expected('headers such as { Authorization: { env: HOOK_TOKEN } }'),
      )
      .optional(),
  },
  'webhook settings { url, headers }',
);

const notification = mapping(
  {
    email: email.optional(),
    webhook: webhook.optional(),
    on: listOf(
      z.enum(ALL_EVENTS as [NotificationEventKind, ...NotificationEventKind[]], {
        error: (i) => `unknown event ${describeInput(i.input)}; the events are ${ALL_EVENTS.join(', ')}`,
      }),
      'events',
    ).optional(),
    jobs: listOf(text, 'job names').optional(),
  },
  'a notification channel { email: ... } or { webhook: ... }',
)
  .superRefine((n, ctx) => {
    if ((n.email === undefined) === (n.webhook === undefined))
      ctx.issues.push({
        code: 'custom',
        message: 'give exactly one of email or webhook in each notification entry',
        input: undefined,
      });
  })
  .transform((n): NotificationChannelConfig => ({
    channel: n.email
      ? {
          type: 'email',
          to: n.email.to,
          from: n.email.from,
          smtp: {
            host: n.email.smtp.host,
            port: n.email.smtp.port ?? (n.email.smtp.secure ? 465 : 587),
            secure: n.email.smtp.secure ?? n.email.smtp.port === 465,
            ...(n.email.smtp.user ? { user: n.email.smtp.user } : {}),
            ...(n.email.smtp.password ? { password: n.email.smtp.password } : {}),
          },
        }
      : {
          type: 'webhook',
          url: n.webhook!.url,
          ...(n.webhook!.headers ? { headers: n.webhook!.headers } : {}),
        },
    on: n.on ?? DEFAULT_EVENTS,
    ...(n.jobs ? { jobs: n.jobs } : {}),
  }));

export const cofferConfigSchema = mapping(
  {
    'state-dir': absolutePath.optional(),
    jobs: z
      .record(jobName, jobSchema, expected('a mapping of jobs by name, such as jobs: { documents: {...} }'))
      .refine((jobs) => Object.keys(jobs).length > 0, { error: 'give at least one job' }),
    notifications: listOf(notification, 'notification channels').optional(),
  },
  'a mapping with jobs: (and optionally state-dir: and notifications:)',
).superRefine((config, ctx) => {
  const names = new Set(Object.keys(config.jobs));
  (config.notifications ?? []).forEach((n, i) =>
    (n.jobs ?? []).forEach((job, j) => {
      if (!names.has(job))
        ctx.issues.push({
          code: 'custom',
          message: `no job is named ${describeInput(job)}; the jobs are ${[...names].join(', ')}`,
          path: ['notifications', i, 'jobs', j],
          input: undefined,
        });
    }),
  );
});

export type ParsedConfig = z.output<typeof cofferConfigSchema>;

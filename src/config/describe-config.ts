// What `coffer config check` reports about a valid config: each job with its next runs, the notification
// channels, and warnings about secret files that are missing or readable by everyone.

import { stat } from 'node:fs/promises';
import { Cron } from 'croner';
import { redactLocation } from '../storage/location.js';
import type { CofferConfig, JobConfig, SecretRef } from './job-types.js';

export interface JobSummary {
  readonly name: string;
  readonly repository: string;
  readonly sources: readonly string[];
  readonly schedule: { readonly cron: string; readonly timezone: string; readonly nextRun?: string };
  readonly prune?: { readonly cron: string; readonly nextRun?: string };
  readonly drill?: { readonly cron: string; readonly nextRun?: string };
  readonly retention: boolean;
  readonly check: boolean;
  readonly rto: readonly string[];
}

export interface ConfigSummary {
  readonly path: string;
  readonly stateDir: string;
  readonly jobs: readonly JobSummary[];
  /** `email to clerk@council.gov.uk`, `webhook https://hooks.example.net/coffer`. */
  readonly notifications: readonly string[];
  readonly warnings: readonly string[];
}

export async function describeConfig(config: CofferConfig, now: Date = new Date()): Promise<ConfigSummary> {
  return {
    path: config.path,
    stateDir: config.stateDir,
    jobs: config.jobs.map((job) => describeJob(job, now)),
    notifications: config.notifications.map((n) => {
      const c = n.channel;
      const target = c.type === 'email' ? `email to ${c.to.join(', ')}` : `webhook ${safeUrl(c.url)}`;
      return `${target} on ${n.on.join(', ')}${n.jobs ? ` for ${n.jobs.join(', ')}` : ''}`;
    }),
    warnings: await secretFileWarnings(config),
  };
}

function describeJob(job: JobConfig, now: Date): JobSummary {
  const tz = job.schedule.timezone;
  return {
    name: job.name,
    repository: redactLocation(job.repository),
    sources: job.sources,
    schedule: { cron: job.schedule.cron, timezone: tz, ...nextRun(job.schedule.cron, tz, now) },
    ...(job.prune.cron ? { prune: { cron: job.prune.cron, ...nextRun(job.prune.cron, tz, now) } } : {}),
    ...(job.drill.cron ? { drill: { cron: job.drill.cron, ...nextRun(job.drill.cron, tz, now) } } : {}),
    retention: job.retention !== undefined,
    check: job.check?.afterBackup ?? false,
    rto: job.rto.map((r) => `${r.name} ${r.target}`),
  };
}

function nextRun(cron: string, timezone: string, now: Date): { nextRun?: string } {
  const next = new Cron(cron, { paused: true, timezone }).nextRun(now);
  return next ? { nextRun: next.toISOString() } : {};
}

/** The URL without user info or query string, where tokens live. */
function safeUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
}

function secretRefs(config: CofferConfig): { ref: SecretRef; what: string }[] {
  const refs: { ref: SecretRef; what: string }[] = [];
  for (const job of config.jobs) {
    refs.push({ ref: job.password, what: `jobs.${job.name}.password` });
    for (const [key, creds] of [
      ['credentials', job.credentials],
      ['admin-credentials', job.adminCredentials],
    ] as const) {
      if (!creds) continue;
      refs.push({ ref: creds.accessKeyId, what: `jobs.${job.name}.${key}.access-key-id` });
      refs.push({ ref: creds.secretAccessKey, what: `jobs.${job.name}.${key}.secret-access-key` });
      if (creds.sessionToken)
        refs.push({ ref: creds.sessionToken, what: `jobs.${job.name}.${key}.session-token` });
    }
  }
  config.notifications.forEach((n, i) => {
    const c = n.channel;
    if (c.type === 'email' && c.smtp.password)
      refs.push({ ref: c.smtp.password, what: `notifications[${i}].email.smtp.password` });
    if (c.type === 'webhook')
      for (const [name, value] of Object.entries(c.headers ?? {}))
        if (typeof value !== 'string')
          refs.push({ ref: value, what: `notifications[${i}].webhook.headers.${name}` });
  });
  return refs;
}

/**
 * Problems with secret files that the daemon would meet later. Warnings, not errors: `config check` may
 * run as another user, or before the files are put in place.
 */
async function secretFileWarnings(config: CofferConfig): Promise<string[]> {
  const warnings: string[] = [];
  for (const { ref, what } of secretRefs(config)) {
    if (!('file' in ref)) continue;
    try {
      const s = await stat(ref.file);
      if (s.mode & 0o004)
        warnings.push(
          `${what}: ${ref.file} can be read by every user of this computer; chmod 600 ${ref.file}`,
        );
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      warnings.push(
        `${what}: ${ref.file} ${code === 'ENOENT' ? 'does not exist yet' : `cannot be checked (${code ?? 'error'})`}`,
      );
    }
  }
  return warnings;
}

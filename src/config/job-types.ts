// The validated, resolved shape of a coffer.yaml config file: what the daemon, status, drills and
// `--job` work from. The YAML spelling (kebab-case keys) and its schema live in coffer-config.ts;
// secrets stay references here and are read only when a job runs (secret-ref.ts).

import type { RetentionPolicy } from '../retention/policy.js';

/** Where a secret comes from; never the secret itself. */
export type SecretRef = { readonly file: string } | { readonly env: string } | { readonly command: string };

export interface S3Credentials {
  readonly accessKeyId: SecretRef;
  readonly secretAccessKey: SecretRef;
  /** Optional: for temporary credentials. */
  readonly sessionToken?: SecretRef;
  readonly region?: string;
}

export interface ScheduleConfig {
  /** Five-field cron expression (croner), e.g. "0 2 * * 0" = Sundays 02:00. */
  readonly cron: string;
  /** IANA zone, e.g. "Europe/London". */
  readonly timezone: string;
  /** How late a success may be, beyond one schedule period, before the job is OVERDUE. */
  readonly graceMs: number;
}

export interface PrunePolicy {
  /** Cron expression for when forget is followed by prune (e.g. monthly: "0 3 1 * *"); undefined = never. */
  readonly cron?: string;
  /** `--max-unused`, as given (e.g. "5%"). */
  readonly maxUnused?: string;
}

export interface CheckPolicy {
  /** Run `check` after each successful backup. */
  readonly afterBackup: boolean;
  /** `--read-data-subset` value (e.g. "5%" or "1/12"); undefined = structure only. */
  readonly readDataSubset?: string;
}

/** A recovery time objective: the whole snapshot (no paths) or a named critical set of paths. */
export interface RtoTarget {
  /** e.g. "finance" or "all documents". */
  readonly name: string;
  /** Absolute source paths the set covers; undefined = everything the job backs up. */
  readonly paths?: readonly string[];
  /** As written, e.g. "4h". */
  readonly target: string;
  readonly targetMs: number;
}

export interface DrillPolicy {
  /** Cron expression for a scheduled sample drill; undefined = drills are run by hand. */
  readonly cron?: string;
  /** Scope of a scheduled drill: a percentage sample, e.g. 5. Undefined = full. */
  readonly samplePercent?: number;
  /** Remind when no drill has passed for this long (default 365 days). */
  readonly remindAfterMs: number;
}

export type NotificationEventKind =
  'failure' | 'overdue' | 'check-failed' | 'drill-failed' | 'drill-due' | 'success' | 'digest';

export interface EmailChannel {
  readonly type: 'email';
  readonly to: readonly string[];
  readonly from: string;
  readonly smtp: {
    readonly host: string;
    readonly port: number;
    /** Implicit TLS (port 465). Otherwise STARTTLS is used when offered. */
    readonly secure: boolean;
    readonly user?: string;
    readonly password?: SecretRef;
  };
}

export interface WebhookChannel {
  readonly type: 'webhook';
  readonly url: string;
  /** Extra headers; values that are secrets are references. */
  readonly headers?: Readonly<Record<string, SecretRef | string>>;
}

export interface NotificationChannelConfig {
  readonly channel: EmailChannel | WebhookChannel;
  /** Which events go to this channel (default: failure, overdue, check-failed, drill-failed, drill-due). */
  readonly on: readonly NotificationEventKind[];
  /** Only these jobs (default: all). */
  readonly jobs?: readonly string[];
}

export interface JobConfig {
  readonly name: string;
  /** A repository location as -r/--repo takes it. */
  readonly repository: string;
  readonly password: SecretRef;
  /** S3 credentials for everyday work (backup, check, restore, drills). */
  readonly credentials?: S3Credentials;
  /** S3 credentials for forget/prune/rewrite (split credentials: the everyday key cannot delete). */
  readonly adminCredentials?: S3Credentials;
  readonly sources: readonly string[];
  readonly excludes: readonly string[];
  readonly excludeIfPresent: readonly string[];
  readonly oneFileSystem: boolean;
  readonly tags: readonly string[];
  readonly host?: string;
  readonly schedule: ScheduleConfig;
  /** Undefined = the daemon never forgets snapshots. */
  readonly retention?: RetentionPolicy;
  readonly prune: PrunePolicy;
  readonly check?: CheckPolicy;
  readonly rto: readonly RtoTarget[];
  readonly drill: DrillPolicy;
}

export interface CofferConfig {
  /** The file it was read from. */
  readonly path: string;
  /** Where the daemon keeps state.json and its pid lock. */
  readonly stateDir: string;
  readonly jobs: readonly JobConfig[];
  readonly notifications: readonly NotificationChannelConfig[];
}

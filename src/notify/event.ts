// What a notification says, independent of how it travels (email, webhook): built by events.ts from
// what the daemon knows, rendered by message.ts, delivered by notify.ts.

import type { NotificationEventKind } from '../config/index.js';

export interface NotificationEvent {
  readonly kind: NotificationEventKind;
  /** The job's name; `*` for a digest, which covers every job. */
  readonly job: string;
  readonly time: Date;
  /** One line for a subject: `FAILED: weekly backup "documents"`. */
  readonly title: string;
  /** What happened and what it means for the council's data, in plain sentences. */
  readonly lines: readonly string[];
  /** What to do about it, if anything. */
  readonly advice?: string;
  /** Machine-readable details for webhooks and the email's "Details" block. */
  readonly facts?: Readonly<Record<string, string | number>>;
}

/** The `job` of an event about every job (no job name can be `*`). */
export const ALL_JOBS = '*';

/** How one channel fared with one event. */
export interface NotifyResult {
  /** Position of the channel in the config's `notifications` list. */
  readonly index: number;
  /** `email to clerk@council.gov.uk`, `webhook https://hooks.example.net/coffer`: safe to show. */
  readonly channel: string;
  readonly ok: boolean;
  /** Why delivery failed, without secrets. */
  readonly error?: string;
}

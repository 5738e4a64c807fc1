// Sends one event to every channel that wants it, all at once, each within its own time limit. Never
// throws: a channel that fails is logged (without secrets) and reported, and the others still go out.
// Needs nothing from the repository, so it works when the repository cannot be opened at all.

import { hostname } from 'node:os';
import type { NotificationChannelConfig } from '../config/index.js';
import { channelLabel } from './channel-label.js';
import { withDeadline } from './deadline.js';
import { sendEmail } from './email.js';
import { ALL_JOBS, type NotificationEvent, type NotifyResult } from './event.js';
import { sendWebhook } from './webhook.js';

export const DEFAULT_NOTIFY_TIMEOUT_MS = 30_000;

/** Secrets shorter than this are not searched for in log lines: they would blank out ordinary words. */
const MIN_REDACTED_LENGTH = 4;

export interface NotifyOptions {
  /** Where secret references of kind `env` are read (default: process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Told about each delivery that failed, one line, no secrets. */
  readonly log: (line: string) => void;
  /** Told about each delivery that succeeded. */
  readonly sent?: (line: string) => void;
  /** Per channel (default 30 s). */
  readonly timeoutMs?: number;
  /** Aborting gives up on deliveries still under way (the daemon is stopping). */
  readonly signal?: AbortSignal;
  /** The computer's name in subjects and payloads (default: os.hostname()). */
  readonly host?: string;
  /** Accept an SMTP server's self-signed certificate. Off by default; meant for tests and closed networks. */
  readonly smtpAllowSelfSigned?: boolean;
}

/** Whether a channel wants an event: its `on` lists the kind and its `jobs` (if any) the job. */
export function channelWants(config: NotificationChannelConfig, event: NotificationEvent): boolean {
  if (!config.on.includes(event.kind)) return false;
  // A digest speaks of every job, so a channel limited to some jobs still gets it.
  return event.job === ALL_JOBS || config.jobs === undefined || config.jobs.includes(event.job);
}

export async function notify(
  channels: readonly NotificationChannelConfig[],
  event: NotificationEvent,
  opts: NotifyOptions,
): Promise<NotifyResult[]> {
  const wanted = channels.flatMap((config, index) => {
    try {
      return channelWants(config, event) ? [{ config, index }] : [];
    } catch {
      return [];
    }
  });
  return Promise.all(wanted.map(({ config, index }) => deliverSafely(config, index, event, opts)));
}

async function deliverSafely(
  config: NotificationChannelConfig,
  index: number,
  event: NotificationEvent,
  opts: NotifyOptions,
): Promise<NotifyResult> {
  const secrets: string[] = [];
  let channel = `notification channel ${index + 1}`;
  try {
    channel = channelLabel(config.channel);
    await withDeadline(
      (signal) => deliver(config.channel, event, signal, opts, secrets),
      opts.timeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS,
      opts.signal,
    );
    tell(opts.sent, `${describe(event)} sent by ${channel}`);
    return { index, channel, ok: true };
  } catch (err) {
    const error = redact(oneLine(err instanceof Error ? err.message : String(err)), secrets);
    tell(opts.log, `${describe(event)} could not be sent by ${channel}: ${error}`);
    return { index, channel, ok: false, error };
  }
}

function deliver(
  channel: NotificationChannelConfig['channel'],
  event: NotificationEvent,
  signal: AbortSignal,
  opts: NotifyOptions,
  secrets: string[],
): Promise<void> {
  const common = { env: opts.env ?? process.env, host: opts.host ?? hostname(), secrets };
  return channel.type === 'email'
    ? sendEmail(channel, event, signal, {
        ...common,
        timeoutMs: opts.timeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS,
        allowSelfSigned: opts.smtpAllowSelfSigned ?? false,
      })
    : sendWebhook(channel, event, signal, common);
}

/** `notice "failure" for job documents`. */
function describe(event: NotificationEvent): string {
  return `notice "${event.kind}"${event.job === ALL_JOBS ? '' : ` for job ${event.job}`}`;
}

/** A logger that throws must not turn a failed delivery into a thrown notify(). */
function tell(sink: ((line: string) => void) | undefined, line: string): void {
  try {
    sink?.(line);
  } catch {
    // nowhere left to report it
  }
}

function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  // longest first, so a secret that contains another is replaced whole
  for (const secret of [...secrets].sort((a, b) => b.length - a.length))
    if (secret.length >= MIN_REDACTED_LENGTH) out = out.split(secret).join('[hidden]');
  return out;
}

/** Server answers may hold line breaks or control characters that would garble a journal line. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\s*[\r\n]+\s*/g, ' / ').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
}

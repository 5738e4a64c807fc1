// Delivery as a JSON POST (node's fetch). Any 2xx is delivered (303 too: the POST was taken); other
// statuses are failures. Redirects are followed only on the same host and never from https to http,
// so the headers, which often carry a token, go nowhere the config did not name.

import { resolveSecret, type WebhookChannel } from '../config/index.js';
import { PROGRAM_VERSION } from '../version.js';
import { safeUrl } from './channel-label.js';
import type { NotificationEvent } from './event.js';
import { webhookPayload } from './message.js';

const MAX_REDIRECTS = 5;
const SHOWN_BODY_CHARS = 200;

export interface WebhookOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly host: string;
  /** Every secret read is added here, so the caller can keep it out of log lines. */
  readonly secrets: string[];
}

export async function sendWebhook(
  channel: WebhookChannel,
  event: NotificationEvent,
  signal: AbortSignal,
  opts: WebhookOptions,
): Promise<void> {
  const headers = await webhookHeaders(channel, opts);
  const body = JSON.stringify(webhookPayload(event, opts.host));
  const first = new URL(channel.url);
  // A token in the URL (query string, user info) must not reach a log line either.
  for (const part of [first.search.slice(1), first.password, first.username])
    if (part) opts.secrets.push(part);
  moveUserInfoToHeader(first, headers);
  let url = first;
  for (let hop = 0; ; hop++) {
    const response = await post(url, headers, body, signal);
    const location = response.headers.get('location');
    if (isRedirect(response.status) && response.status !== 303 && location) {
      await response.body?.cancel();
      const next = new URL(location, url);
      if (next.hostname !== first.hostname || (url.protocol === 'https:' && next.protocol !== 'https:'))
        throw new Error(
          `${safeUrl(url)} redirected to ${safeUrl(next)}, which was not followed (another host, or from https to http): put the final address in the config`,
        );
      if (hop >= MAX_REDIRECTS)
        throw new Error(`${safeUrl(first)} redirected more than ${MAX_REDIRECTS} times`);
      url = next;
      continue;
    }
    if ((response.status >= 200 && response.status < 300) || response.status === 303) {
      await response.body?.cancel();
      return;
    }
    const text = (await response.text().catch(() => '')).slice(0, SHOWN_BODY_CHARS);
    throw new Error(
      `${safeUrl(url)} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${text ? `: ${text}` : ''}`,
    );
  }
}

async function post(url: URL, headers: Headers, body: string, signal: AbortSignal): Promise<Response> {
  try {
    return await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal });
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(
      `cannot reach ${safeUrl(url)}: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

async function webhookHeaders(channel: WebhookChannel, opts: WebhookOptions): Promise<Headers> {
  const headers = new Headers({
    'content-type': 'application/json',
    'user-agent': `coffer/${PROGRAM_VERSION}`,
  });
  for (const [name, value] of Object.entries(channel.headers ?? {})) {
    const text =
      typeof value === 'string' ? value : await resolveSecret(value, opts.env, `the webhook header ${name}`);
    opts.secrets.push(text);
    headers.set(name, text);
  }
  return headers;
}

/** fetch refuses URLs with user info; `https://user:pass@host/` means HTTP Basic authentication. */
function moveUserInfoToHeader(url: URL, headers: Headers): void {
  if (!url.username && !url.password) return;
  if (!headers.has('authorization')) {
    const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.set('authorization', `Basic ${Buffer.from(pair).toString('base64')}`);
  }
  url.username = '';
  url.password = '';
}

function isRedirect(status: number): boolean {
  return status >= 300 && status < 400;
}

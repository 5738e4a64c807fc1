// How a channel is named in logs and results: never with a password, a header or a URL's token.

import type { NotificationChannelConfig } from '../config/index.js';

/** `email to clerk@council.gov.uk`, `webhook https://hooks.example.net/coffer`. */
export function channelLabel(channel: NotificationChannelConfig['channel']): string {
  return channel.type === 'email' ? `email to ${channel.to.join(', ')}` : `webhook ${safeUrl(channel.url)}`;
}

/** The URL without user info or query string, where services put their tokens. */
export function safeUrl(url: string | URL): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '(an invalid URL)';
  }
}

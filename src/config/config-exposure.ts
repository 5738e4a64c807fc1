// Whether a config file may be read by everyone on the computer: it may, unless it holds a secret itself.
// Secrets are normally references (read from other files), but a webhook header written inline, or a
// webhook URL carrying a token in its query string or user info, is a secret in the file.

import type { Stats } from 'node:fs';
import type { CofferConfig } from './job-types.js';

/** Where the config holds secrets in its own text, e.g. `notifications[1].webhook.headers.Authorization`. */
export function inlineSecrets(config: Pick<CofferConfig, 'notifications'>): string[] {
  const found: string[] = [];
  config.notifications.forEach((n, i) => {
    const c = n.channel;
    if (c.type !== 'webhook') return;
    const url = new URL(c.url);
    if (url.username || url.password) found.push(`notifications[${i}].webhook.url (user name or password)`);
    if (url.search) found.push(`notifications[${i}].webhook.url (query string)`);
    for (const [name, value] of Object.entries(c.headers ?? {}))
      if (typeof value === 'string') found.push(`notifications[${i}].webhook.headers.${name}`);
  });
  return found;
}

/**
 * Why the file's permissions are unsafe, or undefined. World-writable is always refused (anyone could
 * point the backups elsewhere or run a `command:` secret as the daemon's user); world-readable only
 * when the file holds a secret.
 */
export function unsafePermissions(
  path: string,
  stats: Pick<Stats, 'mode'>,
  secrets: readonly string[],
): string | undefined {
  const mode = (stats.mode & 0o777).toString(8).padStart(3, '0');
  if (stats.mode & 0o002)
    return `refusing ${path}: every user of this computer can change it (mode ${mode}), so anyone could redirect the backups or run commands through it. Fix: chmod 600 ${path} (or 644 if it holds no secrets)`;
  if (stats.mode & 0o004 && secrets.length > 0)
    return `refusing ${path}: every user of this computer can read it (mode ${mode}) and it holds secrets in ${secrets.join(', ')}. Fix: chmod 600 ${path}, or move the secrets into files referred to with { file: ... }`;
  return undefined;
}

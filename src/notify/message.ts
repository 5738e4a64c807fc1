// One event as a person reads it (email subject, plain text, a simple HTML alternative) and as a
// program reads it (the webhook's JSON body).

import { PROGRAM_VERSION } from '../version.js';
import type { NotificationEvent } from './event.js';

/** `[coffer] FAILED: weekly backup "documents" on town-hall-pc`. */
export function subjectLine(event: NotificationEvent, host: string): string {
  return `[coffer] ${event.title} on ${host}`;
}

export function plainText(event: NotificationEvent, host: string): string {
  const parts = [`${event.title} on ${host}`, event.lines.join('\n')];
  if (event.advice) parts.push(`What to do: ${event.advice}`);
  const facts = Object.entries(event.facts ?? {});
  if (facts.length > 0) parts.push(['Details:', ...facts.map(([k, v]) => `  ${k}: ${v}`)].join('\n'));
  parts.push(`-- \n${footer(host)}`);
  return `${parts.join('\n\n')}\n`;
}

export function htmlText(event: NotificationEvent, host: string): string {
  const facts = Object.entries(event.facts ?? {});
  return [
    '<!DOCTYPE html><html><body style="font-family: sans-serif">',
    `<h2>${escapeHtml(`${event.title} on ${host}`)}</h2>`,
    ...event.lines.map((line) => `<p>${escapeHtml(line)}</p>`),
    event.advice ? `<p><strong>What to do:</strong> ${escapeHtml(event.advice)}</p>` : '',
    facts.length > 0
      ? `<table>${facts.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(String(v))}</td></tr>`).join('')}</table>`
      : '',
    `<p style="color: #666">${escapeHtml(footer(host))}</p>`,
    '</body></html>',
  ].join('\n');
}

/** The webhook's body (docs/notifications.md, "Webhook"). */
export interface WebhookPayload {
  readonly source: 'coffer';
  readonly version: string;
  readonly kind: NotificationEvent['kind'];
  readonly job: string;
  readonly host: string;
  readonly time: string;
  readonly title: string;
  readonly text: string;
  readonly advice: string | null;
  readonly facts: Readonly<Record<string, string | number>>;
}

export function webhookPayload(event: NotificationEvent, host: string): WebhookPayload {
  return {
    source: 'coffer',
    version: PROGRAM_VERSION,
    kind: event.kind,
    job: event.job,
    host,
    time: event.time.toISOString(),
    title: event.title,
    text: event.lines.join('\n'),
    advice: event.advice ?? null,
    facts: event.facts ?? {},
  };
}

function footer(host: string): string {
  return `Sent by coffer ${PROGRAM_VERSION} on ${host}. Run \`coffer status\` there to see every job's state.`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

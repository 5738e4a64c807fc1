// Shared pieces of the notification tests: one event of each kind, channel configs, a closed port.

import { createServer } from 'node:net';
import type {
  EmailChannel,
  NotificationChannelConfig,
  NotificationEventKind,
  WebhookChannel,
} from '../../src/config/index.js';
import {
  checkFailedEvent,
  digestEvent,
  drillDueEvent,
  drillFailedEvent,
  failureEvent,
  overdueEvent,
  successEvent,
  type NotificationEvent,
} from '../../src/notify/index.js';

export const HOST = 'town-hall-pc';
export const ALL_KINDS: readonly NotificationEventKind[] = [
  'failure',
  'overdue',
  'check-failed',
  'drill-failed',
  'drill-due',
  'success',
  'digest',
];

const WEEK = 7 * 86_400_000;
const TIME = new Date('2026-05-10T01:04:00Z');
const wording = { timeZone: 'Europe/London', periodMs: WEEK, configPath: '/etc/coffer/coffer.yaml' };

export function sampleEvent(kind: NotificationEventKind, job = 'documents'): NotificationEvent {
  switch (kind) {
    case 'failure':
      return failureEvent({
        job,
        step: 'backup',
        message: 'get config at s3.example.net: the credentials were refused (InvalidAccessKeyId)',
        exitCode: 1,
        time: TIME,
        attempts: 2,
        ...wording,
      });
    case 'overdue':
      return overdueEvent({ job, due: new Date('2026-05-04T01:00:00Z'), time: TIME, ...wording });
    case 'check-failed':
      return checkFailedEvent({ job, summary: '2 packs damaged', time: TIME, ...wording });
    case 'drill-failed':
      return drillFailedEvent({ job, summary: 'restore took 6h, target 4h', time: TIME, ...wording });
    case 'drill-due':
      return drillDueEvent({ job, time: TIME, ...wording });
    case 'success':
      return successEvent({
        job,
        snapshot: '4f3a2b1c9d8e7f60',
        filesNew: 3,
        filesChanged: 2,
        bytesAdded: 2048,
        durationMs: 61_000,
        time: TIME,
        ...wording,
      });
    case 'digest':
      return digestEvent({ jobs: [{ job, overdue: true }], time: TIME, ...wording });
  }
}

export function emailChannel(
  port: number,
  smtp: Partial<EmailChannel['smtp']> = {},
  to: readonly string[] = ['clerk@council.gov.uk', 'chair@council.gov.uk'],
): EmailChannel {
  return {
    type: 'email',
    to,
    from: 'coffer@council.gov.uk',
    smtp: { host: '127.0.0.1', port, secure: false, user: 'coffer', password: { env: 'SMTP_PASS' }, ...smtp },
  };
}

export function webhookChannel(url: string, headers?: WebhookChannel['headers']): WebhookChannel {
  return { type: 'webhook', url, ...(headers ? { headers } : {}) };
}

export function on(
  channel: NotificationChannelConfig['channel'],
  kinds: readonly NotificationEventKind[] = ALL_KINDS,
  jobs?: readonly string[],
): NotificationChannelConfig {
  return { channel, on: kinds, ...(jobs ? { jobs } : {}) };
}

/** A loopback port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A log that keeps its lines. */
export function memoryLog(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line) };
}

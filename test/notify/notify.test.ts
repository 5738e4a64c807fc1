// notify(): which channels get an event (`on`, `jobs`), and that one failing channel (refused login,
// error status, a server that never answers) is logged and reported while the others still deliver,
// without notify() ever throwing or a secret reaching the log.

import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { channelWants, notify } from '../../src/notify/index.js';
import { closedPort, emailChannel, HOST, memoryLog, on, sampleEvent, webhookChannel } from './fixtures.js';
import { startSmtpServer, type SmtpTestServer } from './smtp-test-server.js';
import { neverAnswer, startWebhookServer, type WebhookTestServer } from './webhook-test-server.js';

const SMTP_PASSWORD = 'smtp-Pw-for-notify-314';
const TOKEN = 'tok-abcdef-271828';
const env = { SMTP_PASS: SMTP_PASSWORD, HOOK_TOKEN: TOKEN };
const auth = { Authorization: { env: 'HOOK_TOKEN' } };

let smtp: SmtpTestServer;
let hook: WebhookTestServer;
/** Accepts SMTP connections and never says a word. */
let silentSmtp: Server;
const silentSockets = new Set<Socket>();

beforeAll(async () => {
  [smtp, hook] = await Promise.all([
    startSmtpServer({ user: 'coffer', password: SMTP_PASSWORD }),
    startWebhookServer(),
  ]);
  silentSmtp = createServer((socket) => {
    silentSockets.add(socket);
    socket.on('close', () => silentSockets.delete(socket));
  });
  await new Promise<void>((resolve) => silentSmtp.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  for (const s of silentSockets) s.destroy();
  await Promise.all([smtp?.close(), hook?.close(), new Promise((resolve) => silentSmtp?.close(resolve))]);
});
beforeEach(() => {
  hook.received.length = 0;
  hook.routes.clear();
});

const opts = (log: (line: string) => void, extra: object = {}) => ({
  env,
  log,
  host: HOST,
  smtpAllowSelfSigned: true,
  ...extra,
});

describe('which channels get an event', () => {
  it('sends only to channels whose `on` lists the kind and whose `jobs` (if any) name the job', async () => {
    const channels = [
      on(webhookChannel(`${hook.origin}/failures`), ['failure']),
      on(webhookChannel(`${hook.origin}/successes`), ['success']),
      on(webhookChannel(`${hook.origin}/finance-only`), ['failure'], ['finance']),
      on(webhookChannel(`${hook.origin}/documents-too`), ['failure', 'overdue'], ['finance', 'documents']),
    ];
    const results = await notify(
      channels,
      sampleEvent('failure', 'documents'),
      opts(() => {}),
    );
    expect(results.map((r) => [r.index, r.ok])).toEqual([
      [0, true],
      [3, true],
    ]);
    expect(hook.received.map((r) => r.path).sort()).toEqual(['/documents-too', '/failures']);
  });

  it('sends a digest to every channel that asks for digests, whatever its job list', () => {
    const digest = sampleEvent('digest');
    expect(channelWants(on(webhookChannel('http://h/'), ['digest'], ['finance']), digest)).toBe(true);
    expect(channelWants(on(webhookChannel('http://h/'), ['failure']), digest)).toBe(false);
  });

  it('sends nothing, and logs nothing, when no channel wants the event', async () => {
    const { lines, log } = memoryLog();
    expect(
      await notify([on(webhookChannel(`${hook.origin}/x`), ['failure'])], sampleEvent('success'), opts(log)),
    ).toEqual([]);
    expect(await notify([], sampleEvent('failure'), opts(log))).toEqual([]);
    expect(lines).toEqual([]);
    expect(hook.received).toEqual([]);
  });
});

describe('a channel that fails does not stop the others', () => {
  it('delivers by email and the good webhook while a refused login, an error status and a dead server are logged', async () => {
    hook.routes.set('/broken', (_req, res) => res.writeHead(500).end());
    const dead = await closedPort();
    const channels = [
      on(emailChannel(smtp.port, { user: 'somebody-else' })),
      on(webhookChannel(`${hook.origin}/broken`, auth)),
      on(webhookChannel(`http://127.0.0.1:${dead}/`, auth)),
      on(emailChannel(smtp.port)),
      on(webhookChannel(`${hook.origin}/good`, auth)),
    ];
    const { lines, log } = memoryLog();
    const sent: string[] = [];
    const results = await notify(
      channels,
      sampleEvent('failure'),
      opts(log, { sent: (l: string) => sent.push(l) }),
    );
    expect(results.map((r) => r.ok)).toEqual([false, false, false, true, true]);
    expect(lines).toHaveLength(3);
    // lines come in the order deliveries end, which is not the config's order
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/refused the user name or password/),
        expect.stringMatching(/answered HTTP 500/),
        expect.stringMatching(/ECONNREFUSED/),
      ]),
    );
    expect(results[0]?.error).toMatch(/refused the user name or password/);
    expect(sent.sort()).toEqual([
      'notice "failure" for job documents sent by email to clerk@council.gov.uk, chair@council.gov.uk',
      `notice "failure" for job documents sent by webhook ${hook.origin}/good`,
    ]);
    expect((await smtp.nextMail()).parsed.subject).toMatch(/FAILED/);
    expect(hook.received.map((r) => r.path).sort()).toEqual(['/broken', '/good']);
    for (const line of [...lines, ...sent, ...results.map((r) => r.error ?? '')]) {
      expect(line).not.toContain(SMTP_PASSWORD);
      expect(line).not.toContain(TOKEN);
    }
  });

  it('gives up on silent servers within the time limit, all channels at once', async () => {
    hook.routes.set('/slow', neverAnswer);
    const silentPort = (silentSmtp.address() as { port: number }).port;
    const channels = [
      on(emailChannel(silentPort)),
      on(webhookChannel(`${hook.origin}/slow`)),
      on(webhookChannel(`${hook.origin}/good`)),
    ];
    const { lines, log } = memoryLog();
    const started = Date.now();
    const results = await notify(channels, sampleEvent('overdue'), opts(log, { timeoutMs: 1000 }));
    // concurrent: one time limit, not two in a row
    expect(Date.now() - started).toBeLessThan(1900);
    expect(results.map((r) => r.ok)).toEqual([false, false, true]);
    expect(lines).toHaveLength(2);
    for (const line of lines)
      expect(line).toMatch(/no answer within 1 s|cannot reach the mail server|timed? ?out/i);
  });

  it('never throws, even when the logger does or a channel is malformed', async () => {
    const broken = { channel: { type: 'webhook', url: 'not a url' }, on: ['failure'] } as const;
    const results = await notify([broken], sampleEvent('failure'), {
      env,
      log: () => {
        throw new Error('log is broken');
      },
      host: HOST,
    });
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ ok: false, channel: 'webhook (an invalid URL)' });
  });
});

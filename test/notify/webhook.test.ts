// Webhook notifications against a local node:http server: the JSON body and headers as received, and
// every way delivery can fail (error status, no answer, redirects elsewhere, nothing listening), logged
// without the tokens the config holds.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { notify, type WebhookPayload } from '../../src/notify/index.js';
import { PROGRAM_VERSION } from '../../src/version.js';
import { closedPort, HOST, memoryLog, on, sampleEvent, webhookChannel } from './fixtures.js';
import { neverAnswer, startWebhookServer, type WebhookTestServer } from './webhook-test-server.js';

const TOKEN = 'Bearer hook-T0ken-5f8e2a';
const env = { HOOK_TOKEN: TOKEN };

let hook: WebhookTestServer;
let elsewhere: WebhookTestServer;
beforeAll(async () => {
  [hook, elsewhere] = await Promise.all([startWebhookServer(), startWebhookServer()]);
});
afterAll(async () => {
  await Promise.all([hook?.close(), elsewhere?.close()]);
});
beforeEach(() => {
  hook.received.length = 0;
  elsewhere.received.length = 0;
  hook.routes.clear();
});

describe('webhook notifications', () => {
  it('POSTs the event as JSON with the configured headers, secrets resolved', async () => {
    const event = sampleEvent('failure');
    const channel = webhookChannel(`${hook.origin}/coffer`, {
      Authorization: { env: 'HOOK_TOKEN' },
      'X-Council': 'Little Snoring',
    });
    const { lines, log } = memoryLog();
    const results = await notify([on(channel)], event, { env, log, host: HOST });
    expect(results).toEqual([{ index: 0, channel: `webhook ${hook.origin}/coffer`, ok: true }]);
    expect(lines).toEqual([]);
    expect(hook.received).toHaveLength(1);
    const request = hook.received[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/coffer');
    expect(request.headers.authorization).toBe(TOKEN);
    expect(request.headers['x-council']).toBe('Little Snoring');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toBe(`coffer/${PROGRAM_VERSION}`);
    const payload = JSON.parse(request.body) as WebhookPayload;
    expect(payload).toEqual({
      source: 'coffer',
      version: PROGRAM_VERSION,
      kind: 'failure',
      job: 'documents',
      host: HOST,
      time: '2026-05-10T01:04:00.000Z',
      title: 'FAILED: weekly backup "documents"',
      text: event.lines.join('\n'),
      advice: event.advice,
      facts: {
        job: 'documents',
        step: 'backup',
        cause: 'credentials-refused',
        exitCode: 1,
        attempts: 2,
      },
    });
  });

  it('sends null advice and the digest as job "*"', async () => {
    await notify([on(webhookChannel(`${hook.origin}/`))], sampleEvent('success'), {
      env,
      log: () => {},
      host: HOST,
    });
    await notify([on(webhookChannel(`${hook.origin}/`))], sampleEvent('digest'), {
      env,
      log: () => {},
      host: HOST,
    });
    const [success, digest] = hook.received.map((r) => JSON.parse(r.body) as WebhookPayload);
    expect(success).toMatchObject({ kind: 'success', advice: null, facts: { snapshot: '4f3a2b1c9d8e7f60' } });
    expect(digest).toMatchObject({ kind: 'digest', job: '*', facts: { jobs: 1, needingAttention: 1 } });
  });

  it('logs an error status with the answer, hiding the token even when the server echoes it', async () => {
    hook.routes.set('/broken', (req, res) => {
      res
        .writeHead(500, { 'content-type': 'text/plain' })
        .end(`boom; you sent ${String(req.headers.authorization)}`);
    });
    const { lines, log } = memoryLog();
    const results = await notify(
      [on(webhookChannel(`${hook.origin}/broken`, { Authorization: { env: 'HOOK_TOKEN' } }))],
      sampleEvent('failure'),
      { env, log, host: HOST },
    );
    expect(results[0]).toMatchObject({ ok: false });
    expect(lines).toEqual([
      `notice "failure" for job documents could not be sent by webhook ${hook.origin}/broken: ${hook.origin}/broken answered HTTP 500 Internal Server Error: boom; you sent [hidden]`,
    ]);
    expect(results[0]?.error).not.toContain('hook-T0ken');
  });

  it('gives up on a server that does not answer within the time limit', async () => {
    hook.routes.set('/slow', neverAnswer);
    const { lines, log } = memoryLog();
    const started = Date.now();
    const results = await notify([on(webhookChannel(`${hook.origin}/slow`))], sampleEvent('overdue'), {
      env,
      log,
      host: HOST,
      timeoutMs: 300,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(results[0]).toMatchObject({ ok: false, error: 'no answer within 0.3 s' });
    expect(lines[0]).toMatch(/could not be sent by webhook .*\/slow: no answer within 0\.3 s$/);
  });

  it('stops when the daemon is stopping', async () => {
    hook.routes.set('/slow', neverAnswer);
    const controller = new AbortController();
    const pending = notify([on(webhookChannel(`${hook.origin}/slow`))], sampleEvent('overdue'), {
      env,
      log: () => {},
      host: HOST,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    expect((await pending)[0]).toMatchObject({ ok: false, error: 'cancelled: coffer is stopping' });
  });

  it('follows a redirect on the same host, re-posting with the headers', async () => {
    hook.routes.set('/old', (_req, res) => res.writeHead(308, { location: '/new' }).end());
    hook.routes.set('/new', (_req, res) => res.writeHead(200).end('ok'));
    const results = await notify(
      [on(webhookChannel(`${hook.origin}/old`, { Authorization: { env: 'HOOK_TOKEN' } }))],
      sampleEvent('failure'),
      { env, log: () => {}, host: HOST },
    );
    expect(results[0]?.ok).toBe(true);
    expect(hook.received.map((r) => [r.method, r.path])).toEqual([
      ['POST', '/old'],
      ['POST', '/new'],
    ]);
    expect(hook.received[1]?.headers.authorization).toBe(TOKEN);
    expect(JSON.parse(hook.received[1]!.body)).toMatchObject({ kind: 'failure' });
  });

  it('does not follow a redirect to another host, so the token does not travel', async () => {
    const otherHost = elsewhere.origin.replace('127.0.0.1', 'localhost');
    hook.routes.set('/moved', (_req, res) => res.writeHead(307, { location: `${otherHost}/steal` }).end());
    const { lines, log } = memoryLog();
    const results = await notify(
      [on(webhookChannel(`${hook.origin}/moved`, { Authorization: { env: 'HOOK_TOKEN' } }))],
      sampleEvent('failure'),
      { env, log, host: HOST },
    );
    expect(results[0]?.ok).toBe(false);
    expect(lines[0]).toContain(`redirected to ${otherHost}/steal, which was not followed`);
    expect(elsewhere.received).toEqual([]);
  });

  it('reports a server that is not running', async () => {
    const port = await closedPort();
    const { lines, log } = memoryLog();
    const results = await notify([on(webhookChannel(`http://127.0.0.1:${port}/x`))], sampleEvent('failure'), {
      env,
      log,
      host: HOST,
    });
    expect(results[0]?.ok).toBe(false);
    expect(lines[0]).toMatch(new RegExp(`cannot reach http://127\\.0\\.0\\.1:${port}/x: ECONNREFUSED`));
  });

  it('keeps a token in the URL out of the log, and turns user info into Basic authentication', async () => {
    hook.routes.set('/q', (_req, res) => res.writeHead(403).end());
    const url = new URL(`${hook.origin}/q?token=qs-Secret-4411`);
    url.username = 'coffer';
    url.password = 'basic-Pass-9090';
    const { lines, log } = memoryLog();
    const results = await notify([on(webhookChannel(url.href))], sampleEvent('failure'), {
      env,
      log,
      host: HOST,
    });
    expect(results[0]?.channel).toBe(`webhook ${hook.origin}/q?…`);
    expect(hook.received[0]?.path).toBe('/q?token=qs-Secret-4411');
    expect(hook.received[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('coffer:basic-Pass-9090').toString('base64')}`,
    );
    expect(lines[0]).toContain('answered HTTP 403');
    expect(lines[0]).not.toMatch(/qs-Secret-4411|basic-Pass-9090/);
  });
});

// Alerts when the repository cannot even be opened: the built `coffer` fails the way it really does
// (credentials refused by a real S3 server, an endpoint nobody answers at, no repository, a wrong
// password), and the failure notice built from its exit code and message reaches a real SMTP server and
// a webhook with the advice that fits. Nothing here opens the repository.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureEvent, notify, type FailureCause, type WebhookPayload } from '../../src/notify/index.js';
import { coffer, FAST_KDF_ARGS, type CliResult } from '../helpers/cli.js';
import { awsEnv, startS3rver, type S3TestServer } from '../servers/s3rver.js';
import { closedPort, emailChannel, HOST, memoryLog, on, webhookChannel } from './fixtures.js';
import { startSmtpServer, type SmtpTestServer } from './smtp-test-server.js';
import { startWebhookServer, type WebhookTestServer } from './webhook-test-server.js';

const SMTP_PASSWORD = 'smtp-Pw-unreachable-5';
const FAST_RETRY = { COFFER_RETRY_ATTEMPTS: '2', COFFER_RETRY_BASE_MS: '1' };

let s3: S3TestServer;
let smtp: SmtpTestServer;
let hook: WebhookTestServer;
let dir: string;

beforeAll(async () => {
  [s3, smtp, hook, dir] = await Promise.all([
    startS3rver(),
    startSmtpServer({ user: 'coffer', password: SMTP_PASSWORD }),
    startWebhookServer(),
    mkdtemp(join(tmpdir(), 'coffer-notify-repo-')),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([
    s3?.stop(),
    smtp?.close(),
    hook?.close(),
    dir && rm(dir, { recursive: true, force: true }),
  ]);
});

/** What the daemon has after a failed step: the exit code and coffer's message without its prefix. */
function failureFrom(result: CliResult) {
  const message = result.stderr.split('\n')[0]!.replace(/^coffer: /, '');
  return failureEvent({
    job: 'documents',
    step: 'backup',
    message,
    exitCode: result.code,
    time: new Date(),
    periodMs: 7 * 86_400_000,
    configPath: '/etc/coffer/coffer.yaml',
  });
}

async function alertFor(result: CliResult, cause: FailureCause, advice: RegExp): Promise<void> {
  const event = failureFrom(result);
  expect(event.facts?.cause, result.stderr).toBe(cause);
  const { lines, log } = memoryLog();
  const before = hook.received.length;
  const results = await notify(
    [on(emailChannel(smtp.port), ['failure']), on(webhookChannel(`${hook.origin}/alerts`), ['failure'])],
    event,
    { env: { SMTP_PASS: SMTP_PASSWORD }, log, host: HOST, smtpAllowSelfSigned: true },
  );
  expect(lines).toEqual([]);
  expect(results.map((r) => r.ok)).toEqual([true, true]);
  const mail = await smtp.nextMail();
  expect(mail.parsed.subject).toBe('[coffer] FAILED: weekly backup "documents" on town-hall-pc');
  expect(mail.parsed.text).toMatch(advice);
  const payload = JSON.parse(hook.received[before]!.body) as WebhookPayload;
  expect(payload.facts.cause).toBe(cause);
  expect(payload.advice).toMatch(advice);
}

describe('alerts when the repository cannot be opened', () => {
  it('credentials the storage refuses', async () => {
    const result = await coffer(['snapshots', '-r', `s3:${s3.endpoint}/${s3.bucket}/council`], {
      ...awsEnv(s3),
      AWS_ACCESS_KEY_ID: 'REVOKEDKEYID',
      COFFER_PASSWORD: 'pw',
      ...FAST_RETRY,
    });
    expect(result.code).toBe(1);
    await alertFor(
      result,
      'credentials-refused',
      /check the access key for job "documents" in \/etc\/coffer\/coffer\.yaml/,
    );
  });

  it('an endpoint nobody answers at', async () => {
    const port = await closedPort();
    const result = await coffer(['snapshots', '-r', `s3:http://127.0.0.1:${port}/council`], {
      ...awsEnv(s3),
      COFFER_PASSWORD: 'pw',
      ...FAST_RETRY,
    });
    expect(result.code).toBe(1);
    await alertFor(result, 'storage-unreachable', /connected to the internet/);
  });

  it('no repository at the location', async () => {
    const result = await coffer(['snapshots', '-r', join(dir, 'gone')], { COFFER_PASSWORD: 'pw' });
    expect(result.code).toBe(10);
    await alertFor(result, 'no-repository', /Do not create a new repository until you know what happened/);
  });

  it('a password that no longer opens the repository', async () => {
    const repo = join(dir, 'repo');
    expect((await coffer(['init', '-r', repo, ...FAST_KDF_ARGS], { COFFER_PASSWORD: 'right' })).code).toBe(0);
    const result = await coffer(['snapshots', '-r', repo], { COFFER_PASSWORD: 'changed-since' });
    expect(result.code).toBe(12);
    await alertFor(result, 'wrong-password', /check the repository password for job "documents"/);
  });
});

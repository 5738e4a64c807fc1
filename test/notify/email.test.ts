// Email notifications through a real SMTP server (smtp-server) with authentication: each event kind is
// sent, received, parsed, and its subject, recipients and body checked; TLS and login failures are
// reported, never thrown.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpTransportOptions } from '../../src/notify/email.js';
import { notify } from '../../src/notify/index.js';
import { closedPort, emailChannel, HOST, memoryLog, on, sampleEvent, ALL_KINDS } from './fixtures.js';
import { startSmtpServer, type SmtpTestServer } from './smtp-test-server.js';

const PASSWORD = 'smtp-S3cret-pw-91';
const env = { SMTP_PASS: PASSWORD };

let smtp: SmtpTestServer;
beforeAll(async () => {
  smtp = await startSmtpServer({ user: 'coffer', password: PASSWORD });
});
afterAll(() => smtp?.close());

describe('email notifications', () => {
  it.each(ALL_KINDS)(
    'delivers a %s notice over STARTTLS, logged in, with the right subject and words',
    async (kind) => {
      const event = sampleEvent(kind);
      const { lines, log } = memoryLog();
      const results = await notify([on(emailChannel(smtp.port))], event, {
        env,
        log,
        host: HOST,
        smtpAllowSelfSigned: true,
      });
      expect(results).toEqual([
        { index: 0, channel: 'email to clerk@council.gov.uk, chair@council.gov.uk', ok: true },
      ]);
      expect(lines).toEqual([]);
      const mail = await smtp.nextMail();
      expect(mail.secure).toBe(true);
      expect(mail.user).toBe('coffer');
      expect(mail.from).toBe('coffer@council.gov.uk');
      expect(mail.to).toEqual(['clerk@council.gov.uk', 'chair@council.gov.uk']);
      expect(mail.parsed.subject).toBe(`[coffer] ${event.title} on ${HOST}`);
      expect(mail.parsed.headers.get('x-coffer-event')).toBe(kind);
      expect(mail.parsed.headers.get('auto-submitted')).toBe('auto-generated');
      const text = mail.parsed.text ?? '';
      for (const line of event.lines) expect(text).toContain(line);
      if (event.advice) expect(text).toContain(`What to do: ${event.advice}`);
      expect(mail.parsed.html || '').toContain('<h2>');
      expect(mail.raw).not.toContain(PASSWORD);
    },
  );

  it('says in the failure mail what happened, what it means and what to do', async () => {
    await notify([on(emailChannel(smtp.port))], sampleEvent('failure'), {
      env,
      log: () => {},
      host: HOST,
      smtpAllowSelfSigned: true,
    });
    const mail = await smtp.nextMail();
    expect(mail.parsed.subject).toBe('[coffer] FAILED: weekly backup "documents" on town-hall-pc');
    const text = mail.parsed.text ?? '';
    expect(text).toContain(
      'The weekly backup "documents" failed on Sun 10 May 2026 02:04 BST after 2 attempts.',
    );
    expect(text).toContain("The storage rejected coffer's access key");
    expect(text).toContain(
      'What to do: Ask whoever set up coffer to check the access key for job "documents" in /etc/coffer/coffer.yaml',
    );
    expect(text).toMatch(/Details:\n {2}job: documents\n {2}step: backup\n {2}cause: credentials-refused/);
  });

  it('reads the password from a file reference too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coffer-notify-'));
    try {
      await writeFile(join(dir, 'smtp.pass'), `${PASSWORD}\n`, { mode: 0o600 });
      const channel = emailChannel(smtp.port, { password: { file: join(dir, 'smtp.pass') } });
      const results = await notify([on(channel)], sampleEvent('overdue'), {
        env: {},
        log: () => {},
        host: HOST,
        smtpAllowSelfSigned: true,
      });
      expect(results[0]?.ok).toBe(true);
      expect((await smtp.nextMail()).parsed.subject).toMatch(/^\[coffer\] OVERDUE:/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a self-signed certificate unless told to accept it', async () => {
    const before = smtp.received.length;
    const { lines, log } = memoryLog();
    const results = await notify([on(emailChannel(smtp.port))], sampleEvent('failure'), {
      env,
      log,
      host: HOST,
    });
    expect(results[0]?.ok).toBe(false);
    expect(results[0]?.error).toMatch(/certificate this computer does not trust/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^notice "failure" for job documents could not be sent by email to clerk@council\.gov\.uk, chair@council\.gov\.uk: the mail server 127\.0\.0\.1:\d+ has a certificate/,
    );
    expect(smtp.received.length).toBe(before);
  });

  it('reports a refused login without the password', async () => {
    const wrong = 'not-the-Right-one-77';
    const { lines, log } = memoryLog();
    const refusedBefore = smtp.refusedLogins.length;
    const results = await notify([on(emailChannel(smtp.port))], sampleEvent('failure'), {
      env: { SMTP_PASS: wrong },
      log,
      host: HOST,
      smtpAllowSelfSigned: true,
    });
    expect(results[0]?.ok).toBe(false);
    expect(smtp.refusedLogins.slice(refusedBefore)).toContain('coffer');
    expect(lines[0]).toMatch(
      /refused the user name or password \(535[^)]*\): check smtp\.user and smtp\.password/,
    );
    expect(lines.join('\n')).not.toContain(wrong);
  });

  it('reports a mail server that is not running', async () => {
    const { lines, log } = memoryLog();
    const port = await closedPort();
    const results = await notify([on(emailChannel(port))], sampleEvent('failure'), { env, log, host: HOST });
    expect(results[0]).toMatchObject({ ok: false });
    expect(lines[0]).toMatch(
      new RegExp(`cannot reach the mail server 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
    );
  });

  it('reports a missing password secret by where it should have come from', async () => {
    const { lines, log } = memoryLog();
    const results = await notify([on(emailChannel(smtp.port))], sampleEvent('failure'), {
      env: {},
      log,
      host: HOST,
    });
    expect(results[0]?.ok).toBe(false);
    expect(lines[0]).toMatch(/the SMTP password: environment variable SMTP_PASS is not set/);
  });
});

describe('email without STARTTLS', () => {
  let plain: SmtpTestServer;
  beforeAll(async () => {
    plain = await startSmtpServer({ user: 'coffer', password: PASSWORD, plainOnly: true });
  });
  afterAll(() => plain?.close());

  it('logs in without encryption only to this computer itself', async () => {
    const results = await notify([on(emailChannel(plain.port))], sampleEvent('success'), {
      env,
      log: () => {},
      host: HOST,
    });
    expect(results[0]?.ok).toBe(true);
    const mail = await plain.nextMail();
    expect(mail.secure).toBe(false);
    expect(mail.user).toBe('coffer');
  });

  it('requires STARTTLS before sending a password to any other host', () => {
    const opts = { timeoutMs: 1000, allowSelfSigned: false };
    const remote = emailChannel(587, { host: 'smtp.example.net' });
    expect(smtpTransportOptions(remote, 'pw', opts)).toMatchObject({
      requireTLS: true,
      tls: { rejectUnauthorized: true, servername: 'smtp.example.net' },
    });
    expect(
      smtpTransportOptions(emailChannel(465, { host: 'smtp.example.net', secure: true }), 'pw', opts)
        .requireTLS,
    ).toBe(false);
    expect(smtpTransportOptions(remote, undefined, opts)).toMatchObject({ requireTLS: false });
    expect(smtpTransportOptions(remote, undefined, opts).auth).toBeUndefined();
    expect(smtpTransportOptions(emailChannel(25, { host: 'localhost' }), 'pw', opts).requireTLS).toBe(false);
    expect(() => smtpTransportOptions(emailChannel(25, { user: undefined }), 'pw', opts)).toThrow(
      /smtp\.user/,
    );
  });
});

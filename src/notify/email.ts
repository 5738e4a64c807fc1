// Delivery by email over SMTP (nodemailer): plain text with a simple HTML alternative. STARTTLS is used
// whenever the server offers it; a password is never sent unencrypted except to this computer itself.

import { isIP } from 'node:net';
import nodemailer, { type SMTPTransportOptions } from 'nodemailer';
import { resolveSecret, type EmailChannel } from '../config/index.js';
import type { NotificationEvent } from './event.js';
import { htmlText, plainText, subjectLine } from './message.js';

export interface EmailOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly host: string;
  readonly timeoutMs: number;
  /** Trust a self-signed or otherwise unverifiable server certificate. Off unless asked for. */
  readonly allowSelfSigned: boolean;
  /** Every secret read is added here, so the caller can keep it out of log lines. */
  readonly secrets: string[];
}

export async function sendEmail(
  channel: EmailChannel,
  event: NotificationEvent,
  signal: AbortSignal,
  opts: EmailOptions,
): Promise<void> {
  const password = channel.smtp.password
    ? await resolveSecret(channel.smtp.password, opts.env, 'the SMTP password')
    : undefined;
  if (password !== undefined) opts.secrets.push(password);
  signal.throwIfAborted();
  const transport = nodemailer.createTransport(smtpTransportOptions(channel, password, opts));
  try {
    await transport.sendMail({
      from: channel.from,
      to: [...channel.to],
      subject: subjectLine(event, opts.host),
      text: plainText(event, opts.host),
      html: htmlText(event, opts.host),
      headers: {
        // RFC 3834: stops out-of-office replies to an address nobody reads
        'Auto-Submitted': 'auto-generated',
        'X-Coffer-Event': event.kind,
        'X-Coffer-Job': event.job,
      },
    });
  } catch (err) {
    throw new Error(describeSmtpError(err, channel), { cause: err });
  } finally {
    transport.close();
  }
}

/** Exported for its test: the TLS and authentication choices are the part worth checking. */
export function smtpTransportOptions(
  channel: EmailChannel,
  password: string | undefined,
  opts: Pick<EmailOptions, 'timeoutMs' | 'allowSelfSigned'>,
): SMTPTransportOptions {
  const { host, port, secure, user } = channel.smtp;
  if (password !== undefined && !user)
    throw new Error('smtp.password is set but smtp.user is not: give the user name the password belongs to');
  return {
    host,
    port,
    secure,
    ...(user && password !== undefined ? { auth: { user, pass: password } } : {}),
    // Opportunistic STARTTLS could be stripped by someone on the network, who would then read the password.
    requireTLS: !secure && password !== undefined && !isLoopback(host),
    tls: { rejectUnauthorized: !opts.allowSelfSigned, ...(isIP(host) ? {} : { servername: host }) },
    connectionTimeout: opts.timeoutMs,
    greetingTimeout: opts.timeoutMs,
    socketTimeout: opts.timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function describeSmtpError(err: unknown, channel: EmailChannel): string {
  const where = `${channel.smtp.host}:${channel.smtp.port}`;
  const e = err as { code?: string; response?: string; message?: string; cause?: { code?: string } };
  const message = e.message ?? String(err);
  const response = e.response ? ` (${e.response})` : '';
  if (/certificate|self[- ]signed|unable to verify/i.test(message))
    return `the mail server ${where} has a certificate this computer does not trust: ${message}`;
  switch (e.code) {
    case 'EAUTH':
    case 'ENOAUTH':
      return `the mail server ${where} refused the user name or password${response}: check smtp.user and smtp.password`;
    case 'EENVELOPE':
      return `the mail server ${where} refused the sender or a recipient${response}: check from and to`;
    case 'EDNS':
      return `cannot find the mail server ${channel.smtp.host}: check smtp.host (${message})`;
    case 'ETLS':
    case 'EREQUIRETLS':
      return `the mail server ${where} offered no working encryption (STARTTLS), so the password was not sent: ${message}`;
    case 'ECONNECTION':
    case 'ESOCKET':
    case 'ETIMEDOUT':
      return `cannot reach the mail server ${where}: ${message}`;
    default:
      return `the mail server ${where} did not accept the message: ${message}${response}`;
  }
}

// A real SMTP server (smtp-server) on a free loopback port for notification tests: it checks the user
// name and password, offers STARTTLS with its built-in self-signed certificate unless told not to, and
// keeps every message it accepts, parsed (mailparser), with its envelope and whether TLS was used.

import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  /** The user that authenticated, if any. */
  readonly user?: string;
  /** STARTTLS was used for this message. */
  readonly secure: boolean;
  readonly raw: string;
  readonly parsed: ParsedMail;
}

export interface SmtpTestServer {
  readonly port: number;
  readonly received: ReceivedMail[];
  /** Resolves with the next message received (or one already waiting that nobody took). */
  nextMail(): Promise<ReceivedMail>;
  /** Failed logins seen (user names only). */
  readonly refusedLogins: string[];
  close(): Promise<void>;
}

export async function startSmtpServer(opts: {
  user: string;
  password: string;
  /** Do not offer STARTTLS: the client must send its password in the clear (only to loopback). */
  plainOnly?: boolean;
}): Promise<SmtpTestServer> {
  const received: ReceivedMail[] = [];
  const refusedLogins: string[] = [];
  const waiting: ((mail: ReceivedMail) => void)[] = [];
  let taken = 0;
  const server = new SMTPServer({
    logger: false,
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: opts.plainOnly ?? false,
    ...(opts.plainOnly ? { disabledCommands: ['STARTTLS'] } : {}),
    onAuth(auth, _session, callback) {
      if (auth.username === opts.user && auth.password === opts.password) {
        callback(null, { user: auth.username });
        return;
      }
      refusedLogins.push(auth.username ?? '');
      callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (parsed) => {
            const mail: ReceivedMail = {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              ...(typeof session.user === 'string' ? { user: session.user } : {}),
              secure: session.secure,
              raw,
              parsed,
            };
            received.push(mail);
            const waiter = waiting.shift();
            if (waiter) {
              taken++;
              waiter(mail);
            }
            callback();
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    refusedLogins,
    nextMail() {
      if (taken < received.length) return Promise.resolve(received[taken++]!);
      return new Promise((resolve) => waiting.push(resolve));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

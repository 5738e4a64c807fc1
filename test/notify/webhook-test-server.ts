// A node:http server on a free loopback port that records every request it gets; each test decides the
// answer (a status, a redirect, or none at all to make the client time out).

import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export type Responder = (request: ReceivedRequest, response: ServerResponse) => void;

export interface WebhookTestServer {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  readonly received: ReceivedRequest[];
  /** Answers by path; paths without one get 204. */
  readonly routes: Map<string, Responder>;
  close(): Promise<void>;
}

export async function startWebhookServer(): Promise<WebhookTestServer> {
  const received: ReceivedRequest[] = [];
  const routes = new Map<string, Responder>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(request);
      const route = routes.get(new URL(request.path, 'http://x').pathname);
      if (route) route(request, res);
      else res.writeHead(204).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    routes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A responder that never answers (the client's time limit must end the request). */
export const neverAnswer: Responder = () => {};

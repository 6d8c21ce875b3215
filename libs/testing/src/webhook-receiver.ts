import { createServer, IncomingHttpHeaders, OutgoingHttpHeaders } from 'http';
import { AddressInfo } from 'net';

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
}

export interface WebhookReceiverAnswer {
  status: number;
  /** Reason phrase after the status code. */
  reason?: string;
  headers?: OutgoingHttpHeaders;
  body?: string;
}

export interface WebhookReceiver {
  /**
   * `http://127.0.0.1:<port>/hook`. Webhooks reach loopback only when the operator allows it
   * (WEBHOOK_ALLOWED_NETWORKS=127.0.0.1/32, which the test apps set).
   */
  url: string;
  /** Every request received, in order of arrival. */
  received: ReceivedRequest[];
  /** TCP connections accepted, requests or not. */
  connections(): number;
  close(): Promise<void>;
}

/** A brand's HTTP endpoint for webhooks in tests: keeps every request's headers and body, answers 204 (or `answer`). */
export async function startWebhookReceiver(answer: WebhookReceiverAnswer = { status: 204 }): Promise<WebhookReceiver> {
  const received: ReceivedRequest[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(answer.status, answer.reason, answer.headers).end(answer.body);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookEvent } from '../../src/sandbox/index.js';

/** A status to answer with, or 'hang': read the request and never answer it. */
export type Answer = number | 'hang';

export interface ReceivedRequest {
  method: string;
  /** Path and query exactly as received. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The raw body, as the signature covers it. */
  body: string;
  events: WebhookEvent[];
}

/**
 * A webhook target on a real socket: records every request, answers 200 unless told otherwise, and lets a test
 * wait for a number of requests, or hold answers back to watch how many are in flight.
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  /** The most requests that were open (received, not yet answered) at once. */
  maxOpen = 0;
  private readonly plan: Answer[] = [];
  private readonly held: ServerResponse[] = [];
  private holding = false;
  private open = 0;
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        receiver.receive(
          {
            method: req.method ?? '',
            url: req.url ?? '',
            headers: req.headers,
            body,
            events: JSON.parse(body) as WebhookEvent[],
          },
          res,
        );
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return receiver;
  }

  /** The target URL, with a query so that tests see the signature cover the URL exactly as configured. */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/hubspot/webhooks?portal=test`;
  }

  /** The next requests get these answers, in order; later ones get 200. */
  answerNext(...answers: Answer[]): void {
    this.plan.push(...answers);
  }

  /** Keeps answers back until `release`. */
  hold(): void {
    this.holding = true;
  }

  /** Answers every held request with 200 and stops holding. */
  release(): void {
    this.holding = false;
    for (const res of this.held.splice(0)) res.writeHead(200).end();
  }

  /** Every event received, in arrival order, repeats included. */
  events(): WebhookEvent[] {
    return this.requests.flatMap((request) => request.events);
  }

  /** Resolves once `count` requests in all have arrived. */
  received(count: number): Promise<void> {
    if (this.requests.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  /** Resolves once `count` requests are open at the same time. */
  async openAtOnce(count: number): Promise<void> {
    while (this.open < count) await this.received(this.requests.length + 1);
  }

  /** Forgets what arrived and any planned answers; stops holding. */
  clear(): void {
    this.requests.length = 0;
    this.plan.length = 0;
    this.holding = false;
    this.maxOpen = this.open;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  private receive(request: ReceivedRequest, res: ServerResponse): void {
    this.requests.push(request);
    this.open += 1;
    this.maxOpen = Math.max(this.maxOpen, this.open);
    res.on('close', () => {
      this.open -= 1;
    });
    const answer = this.plan.shift() ?? 200;
    if (answer !== 'hang') {
      if (this.holding) this.held.push(res);
      else res.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
    }
    const ready = this.waiters.filter((waiter) => this.requests.length >= waiter.count);
    this.waiters = this.waiters.filter((waiter) => this.requests.length < waiter.count);
    for (const waiter of ready) waiter.resolve();
  }
}

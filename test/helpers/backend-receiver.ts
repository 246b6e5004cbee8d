import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '../../src/client/webhook-signature.js';
import type { BackendDelivery } from '../../src/shared/delivery-types.js';

/** A status to answer with, or 'hang': read the request and never answer it. */
export type Answer = number | 'hang';

export interface ReceivedDelivery {
  headers: IncomingHttpHeaders;
  raw: string;
  delivery: BackendDelivery;
  /** The signature checked out over the raw body, with the receiver's secret. */
  signed: boolean;
  status: Answer;
  /** When the whole request was in (epoch ms). */
  at: number;
}

/**
 * The backend's webhook receiver on a real socket, as a user would write it: it checks `LeadSync-Signature` over the
 * raw body with `verifyWebhook`, records every request, and answers 200 unless told otherwise.
 */
export class BackendReceiver {
  readonly received: ReceivedDelivery[] = [];
  private readonly plan: Answer[] = [];
  private readonly hanging: ServerResponse[] = [];

  private constructor(
    private readonly server: Server,
    readonly secret: string,
  ) {}

  static async start(secret: string): Promise<BackendReceiver> {
    const server = createServer();
    const receiver = new BackendReceiver(server, secret);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => receiver.receive(req.headers, Buffer.concat(chunks).toString('utf8'), res));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/leadsync/events`;
  }

  /** The next requests get these answers, in order; later ones get 200. */
  answerNext(...answers: Answer[]): void {
    this.plan.push(...answers);
  }

  /** Requests answered 2xx, one per delivery id (the backend's own dedupe). */
  accepted(): BackendDelivery[] {
    const byId = new Map<string, BackendDelivery>();
    for (const r of this.received)
      if (typeof r.status === 'number' && r.status < 300) byId.set(r.delivery.id, r.delivery);
    return [...byId.values()];
  }

  ofType(type: BackendDelivery['type'], email?: string): BackendDelivery[] {
    return this.accepted().filter((d) => d.type === type && (email === undefined || d.email === email));
  }

  async close(): Promise<void> {
    for (const res of this.hanging.splice(0)) res.destroy();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  private receive(headers: IncomingHttpHeaders, raw: string, res: ServerResponse): void {
    const signed = verifyWebhook(raw, headers['leadsync-signature'], this.secret);
    const status: Answer = signed ? (this.plan.shift() ?? 200) : 401;
    this.received.push({ headers, raw, delivery: JSON.parse(raw) as BackendDelivery, signed, status, at: Date.now() });
    if (status === 'hang') this.hanging.push(res);
    else res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
  }
}

import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { http } from '../setup/app';

export const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/** POSTs `body` (an object, or raw text) to the France Travail route, signed with `secret` per Standard Webhooks. */
export function sendSigned(
  app: NestFastifyApplication,
  body: unknown,
  options: { secret: string; id?: string; timestamp?: Date; signature?: string; omit?: string[] },
) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const id = options.id ?? `msg_${randomUUID()}`;
  const at = options.timestamp ?? new Date();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': options.signature ?? new Webhook(options.secret).sign(id, at, raw),
  };
  for (const name of options.omit ?? []) delete headers[name];
  return http(app).post('/api/v1/webhooks/france-travail').set(headers).send(raw);
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Decides the answer to each request (default 204). */
  respond: (request: Received, index: number) => { status: number; headers?: Record<string, string>; delayMs?: number };
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 and a free port, recording what it receives. */
export async function startReceiver(): Promise<Receiver> {
  const receiver = { received: [] as Received[], respond: () => ({ status: 204 }) } as unknown as Receiver;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      receiver.received.push(request);
      const answer = receiver.respond(request, receiver.received.length - 1);
      const reply = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, answer.headers ?? {});
        res.end();
      };
      if (answer.delayMs) setTimeout(reply, answer.delayMs);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  receiver.close = () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return receiver;
}

/**
 * The receivers one test file starts and subscribes through the API as the admin. The database
 * is shared with the other test files: `close` first disables their endpoints, so that nothing of
 * another file's is delivered to them afterwards, then the app is closed, then the receivers.
 */
export class TestReceivers {
  private readonly started: Receiver[] = [];

  constructor(
    private readonly app: NestFastifyApplication,
    private readonly adminToken: { authorization: string },
  ) {}

  async start(): Promise<Receiver> {
    const r = await startReceiver();
    this.started.push(r);
    return r;
  }

  /** Subscribes `url` to `eventTypes` (201 expected); the endpoint's id and signing secret. */
  async createEndpoint(url: string, eventTypes: string[]): Promise<{ id: string; secret: string }> {
    const res = await http(this.app).post('/api/v1/webhook-endpoints').set(this.adminToken).send({ url, eventTypes, description: 'Test receiver' });
    expect(res.status).toBe(201);
    return res.body as { id: string; secret: string };
  }

  async closeWithApp(): Promise<void> {
    await this.app.get(DataSource).query(`UPDATE webhook_endpoints SET enabled = false WHERE url = ANY($1)`, [this.started.map((r) => r.url)]);
    await this.app.close();
    await Promise.all(this.started.map((r) => r.close()));
  }
}

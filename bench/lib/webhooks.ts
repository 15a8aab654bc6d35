/**
 * Webhooks, both directions (issue #7):
 *
 * - inbound: autocannon sends signed France Travail `appointment.updated` events
 *   (a fresh `webhook-id` and a Standard Webhooks signature per request, for
 *   generated people) to POST /api/v1/webhooks/france-travail; the figure is
 *   events answered 2xx per second, each verified and stored. Afterwards the
 *   inbox must hold exactly the acknowledged events, and the time until the
 *   processing job has applied them all is noted.
 * - outbound: a local receiver subscribes to `beneficiary.oriented`; people are
 *   oriented one after another over HTTP at a steady rate, and the lag from the
 *   business call to the receiver getting the signed delivery is measured per
 *   event. The commit lies between the request and its response: the lag is given
 *   from both (the goal is judged on the upper bound, from the request).
 */
import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import { BENCH_ADMIN, bearerHeaders } from './auth';
import { httpRequest } from './http';
import { randomSecret } from './secrets';

export const WEBHOOK_GOAL = { inboundPerSec: 2000, outboundLagP95Ms: 1000 };

/** The France Travail secret the app under test is started with (see env.ts). */
export const BENCH_WEBHOOK_SECRET = `whsec_${Buffer.from(randomSecret(32)).toString('base64')}`;

export interface WebhookSettings {
  connections: number;
  durationS: number;
  warmupS: number;
  /** Outbound: how many business changes, and how many per second. */
  outboundEvents: number;
  outboundPerSec: number;
}

export interface WebhookMeasurement {
  inbound: {
    connections: number;
    durationS: number;
    /** 2xx answers per second (each event verified and stored). */
    eventsPerSec: number;
    latencyP50Ms: number;
    latencyP99Ms: number;
    acknowledged: number;
    non2xx: number;
    errors: number;
    /** Rows of this run in the inbox afterwards: at least `acknowledged` (requests still in flight when the load stopped are stored too, up to one per connection). */
    stored: number;
    /** From the end of the load until the processing job had applied every stored event (null: not within 120 s). */
    drainedAfterMs: number | null;
  };
  outbound: {
    events: number;
    ratePerSec: number;
    delivered: number;
    /** Lag from the business call's response (commit ≤ response): a lower bound. */
    lagFromResponseP50Ms: number;
    lagFromResponseP95Ms: number;
    /** Lag from the business call's request (request ≤ commit): an upper bound; the goal is judged on it. */
    lagFromRequestP50Ms: number;
    lagFromRequestP95Ms: number;
    lagFromRequestMaxMs: number;
    /** Deliveries whose signature did not verify with the endpoint's secret: must be 0. */
    badSignatures: number;
  };
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Both measurements; the app must run with FRANCE_TRAVAIL_WEBHOOK_SECRET = BENCH_WEBHOOK_SECRET and WEBHOOK_ALLOW_PRIVATE_URLS=true. */
export async function measureWebhooks(targets: { appUrl: string; databaseUrl: string }, settings: WebhookSettings): Promise<WebhookMeasurement> {
  const db = new Client({ connectionString: targets.databaseUrl });
  await db.connect();
  try {
    const inbound = await measureInbound(targets.appUrl, db, settings);
    const outbound = await measureOutbound(targets.appUrl, db, settings);
    return { inbound, outbound };
  } finally {
    await db.end();
  }
}

async function measureInbound(appUrl: string, db: Client, settings: WebhookSettings): Promise<WebhookMeasurement['inbound']> {
  const people = (
    await db.query<{ cafNumber: string; birthDate: string }>(
      `SELECT caf_number AS "cafNumber", to_char(birth_date, 'YYYY-MM-DD') AS "birthDate" FROM beneficiaries WHERE anonymised_at IS NULL ORDER BY id LIMIT 2000`,
    )
  ).rows;
  if (people.length === 0) throw new Error('no beneficiaries to send events about');
  const signer = new Webhook(BENCH_WEBHOOK_SECRET);
  const run = `bench_${randomUUID().slice(0, 8)}`;
  const statuses = ['PRIS', 'MODIFIE', 'EFFECTUE', 'ABSENT', 'ANNULE'];
  let n = 0;
  const load = (durationS: number, prefix: string) =>
    autocannon({
      url: `${appUrl}/api/v1/webhooks/france-travail`,
      connections: settings.connections,
      duration: durationS,
      requests: [
        {
          method: 'POST',
          setupRequest: (request: autocannon.Request) => {
            const i = n++;
            const person = people[i % people.length];
            const body = JSON.stringify({
              type: 'appointment.updated',
              timestamp: new Date().toISOString(),
              data: { ...person, appointmentId: `RDV-${i}`, status: statuses[i % statuses.length], scheduledAt: '2026-12-01T09:30:00Z' },
            });
            const id = `${prefix}_${i}`;
            const at = new Date();
            return {
              ...request,
              body,
              headers: {
                'content-type': 'application/json',
                'webhook-id': id,
                'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
                'webhook-signature': signer.sign(id, at, body),
              },
            };
          },
        },
      ],
    });
  await load(settings.warmupS, `${run}w`);
  const r = await load(settings.durationS, `${run}m`);
  const loadEnded = Date.now();
  const acknowledged = r['2xx'];
  const count = async (status?: string) =>
    Number(
      (
        await db.query<{ n: string }>(`SELECT count(*) AS n FROM webhook_inbox WHERE webhook_id LIKE $1 ${status ? 'AND status = $2' : ''}`, [
          `${run}m\\_%`,
          ...(status ? [status] : []),
        ])
      ).rows[0].n,
    );
  const stored = await count();
  let drainedAfterMs: number | null = null;
  while (Date.now() - loadEnded < 120_000) {
    if ((await count('received')) === 0) {
      drainedAfterMs = Date.now() - loadEnded;
      break;
    }
    await sleep(250);
  }
  return {
    connections: settings.connections,
    durationS: settings.durationS,
    eventsPerSec: Math.round(acknowledged / settings.durationS),
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    acknowledged,
    non2xx: r.non2xx,
    errors: r.errors,
    stored,
    drainedAfterMs,
  };
}

async function measureOutbound(appUrl: string, db: Client, settings: WebhookSettings): Promise<WebhookMeasurement['outbound']> {
  const received = new Map<string, { at: number; verified: boolean }>();
  let secret = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      const body = Buffer.concat(chunks).toString('utf8');
      let verified = false;
      try {
        new Webhook(secret).verify(body, req.headers as Record<string, string>);
        verified = true;
      } catch {
        verified = false;
      }
      const id = (JSON.parse(body) as { data?: { beneficiaryId?: string } }).data?.beneficiaryId;
      if (id && !received.has(id)) received.set(id, { at, verified });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/parcours`;
  const admin = await bearerHeaders(appUrl, BENCH_ADMIN);
  let endpointId: string | undefined;
  try {
    const created = await httpRequest(`${appUrl}/api/v1/webhook-endpoints`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ url, eventTypes: ['beneficiary.oriented'], description: 'benchmark receiver' }),
    });
    if (created.status !== 201) throw new Error(`creating the endpoint: ${created.status} ${created.body}`);
    ({ id: endpointId, secret } = JSON.parse(created.body) as { id: string; secret: string });
    const ids = (
      await db.query<{ id: string }>(
        `SELECT id FROM beneficiaries WHERE exited_on IS NULL AND anonymised_at IS NULL AND (oriented_on IS NULL OR oriented_on <= current_date) ORDER BY random() LIMIT $1`,
        [settings.outboundEvents],
      )
    ).rows.map((r) => r.id);
    const sent = new Map<string, { requestAt: number; responseAt: number }>();
    const gapMs = 1000 / settings.outboundPerSec;
    const start = Date.now();
    const calls = ids.map(async (id, i) => {
      await sleep(Math.max(0, start + i * gapMs - Date.now()));
      const requestAt = Date.now();
      const res = await httpRequest(`${appUrl}/api/v1/beneficiaries/${id}/orientation`, {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify({ path: 'socio_professional', referentBody: 'departement' }),
        timeoutMs: 10_000,
      });
      if (res.status !== 200) throw new Error(`orienting ${id}: ${res.status} ${res.body}`);
      sent.set(id, { requestAt, responseAt: Date.now() });
    });
    await Promise.all(calls);
    const until = Date.now() + 30_000;
    while (Date.now() < until && [...sent.keys()].some((id) => !received.has(id))) await sleep(50);
    const fromResponse: number[] = [];
    const fromRequest: number[] = [];
    let badSignatures = 0;
    for (const [id, s] of sent) {
      const r = received.get(id);
      if (!r) continue;
      fromResponse.push(r.at - s.responseAt);
      fromRequest.push(r.at - s.requestAt);
      if (!r.verified) badSignatures += 1;
    }
    return {
      events: ids.length,
      ratePerSec: settings.outboundPerSec,
      delivered: fromRequest.length,
      lagFromResponseP50Ms: percentile(fromResponse, 50),
      lagFromResponseP95Ms: percentile(fromResponse, 95),
      lagFromRequestP50Ms: percentile(fromRequest, 50),
      lagFromRequestP95Ms: percentile(fromRequest, 95),
      lagFromRequestMaxMs: Math.max(...fromRequest),
      badSignatures,
    };
  } finally {
    if (endpointId) await httpRequest(`${appUrl}/api/v1/webhook-endpoints/${endpointId}`, { method: 'DELETE', headers: admin }).catch(() => undefined);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

/** BENCH_WEBHOOK_EVENTS (200) business changes at BENCH_WEBHOOK_RATE (20) per second; inbound load as the scenarios. */
export function webhookSettings(load: { connections: number; durationS: number; warmupS: number }, env: (name: string, fallback: number) => number): WebhookSettings {
  return { ...load, outboundEvents: env('BENCH_WEBHOOK_EVENTS', 200), outboundPerSec: env('BENCH_WEBHOOK_RATE', 20) };
}

import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/roles';
import { WebhookSender } from '../../src/modules/webhook-endpoints/webhook-sender';
import { createBeneficiary } from '../factories/case-file';
import { bearer, createAgency, createStaff, createTestCommune, StaffAccount } from '../factories/identity';
import { http, startTestApp } from '../setup/app';
import { ownMigratedDatabase } from '../setup/test-database';
import { Receiver, startReceiver, waitFor } from './webhook-helpers';

const restore = (name: string, value: string | undefined) => {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
};

/**
 * Two API instances on one database, both fanning out and taking delivery jobs: every event
 * reaches the receiver once. On a database of its own: the apps of other test files would take
 * delivery jobs from the shared queue too.
 */
describe('webhooks out: two instances on the same database', () => {
  let apps: NestFastifyApplication[];
  let admin: StaffAccount;
  let commune: string;
  let receiver: Receiver;
  const saved = { interval: process.env.WEBHOOK_DISPATCH_INTERVAL_MS, concurrency: process.env.WEBHOOK_DISPATCH_CONCURRENCY, url: process.env.DATABASE_URL };
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const own = await ownMigratedDatabase('competing_workers');
    drop = own.drop;
    process.env.DATABASE_URL = own.url;
    process.env.WEBHOOK_DISPATCH_INTERVAL_MS = '50';
    process.env.WEBHOOK_DISPATCH_CONCURRENCY = '2';
    apps = [await startTestApp(), await startTestApp()];
    commune = await createTestCommune(apps[0]);
    await createAgency(apps[0], [commune]);
    admin = await createStaff(apps[0], Role.Admin);
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await apps[0].get(DataSource).query(`UPDATE webhook_endpoints SET enabled = false WHERE url = $1`, [receiver.url]);
    await Promise.all(apps.map((a) => a.close()));
    await receiver.close();
    restore('WEBHOOK_DISPATCH_INTERVAL_MS', saved.interval);
    restore('WEBHOOK_DISPATCH_CONCURRENCY', saved.concurrency);
    restore('DATABASE_URL', saved.url);
    await drop?.();
  });

  it('delivers each of 60 events exactly once, with both instances dispatching', async () => {
    const created = await http(apps[0]).post('/api/v1/webhook-endpoints').set(bearer(admin)).send({ url: receiver.url, eventTypes: ['beneficiary.created'] });
    expect(created.status).toBe(201);
    // The receiver is a little slow, so that both instances have work in flight at once.
    receiver.respond = () => ({ status: 204, delayMs: 40 });
    const ids = new Set<string>();
    // The people each instance made an attempt for, to this test's endpoint.
    const attemptedBy: string[][] = [[], []];
    apps.forEach((app, i) => {
      type Claimed = { endpointId: string; payload: { data: { beneficiaryId?: string } } };
      const sender = app.get(WebhookSender) as unknown as { record: (d: Claimed, ...rest: unknown[]) => Promise<void> };
      const record = sender.record.bind(sender);
      sender.record = (d: Claimed, ...rest: unknown[]) => {
        if (d.endpointId === created.body.id) attemptedBy[i].push(d.payload.data.beneficiaryId ?? '');
        return record(d, ...rest);
      };
    });
    await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const b = await createBeneficiary(apps[i % 2], admin, commune);
        ids.add(b.id);
      }),
    );
    const mine = () => receiver.received.filter((r) => ids.has(JSON.parse(r.body).data.beneficiaryId));
    await waitFor(async () => (mine().length >= 60 ? true : undefined), 20_000, '60 deliveries');
    await new Promise((r) => setTimeout(r, 500)); // anything sent twice would have arrived by now
    const received = mine();
    expect(received).toHaveLength(60);
    expect(new Set(received.map((r) => r.headers['webhook-id'])).size).toBe(60);
    expect(new Set(received.map((r) => JSON.parse(r.body).data.beneficiaryId))).toEqual(ids);
    // Only this test's events count: other test files share the database and write events too.
    const sentBy = attemptedBy.map((list) => list.filter((id) => ids.has(id)).length);
    expect(sentBy[0]).toBeGreaterThan(0);
    expect(sentBy[1]).toBeGreaterThan(0);
    expect(sentBy[0] + sentBy[1]).toBe(60);

    const db = apps[0].get(DataSource);
    const rows = (await db.query(
      `SELECT d.status, d.attempts, count(a.id)::int AS "attemptRows"
         FROM webhook_deliveries d LEFT JOIN webhook_delivery_attempts a ON a.delivery_id = d.id
        WHERE d.endpoint_id = $1 AND d.payload->'data'->>'beneficiaryId' = ANY($2) GROUP BY d.id`,
      [created.body.id, [...ids]],
    )) as { status: string; attempts: number; attemptRows: number }[];
    expect(rows).toHaveLength(60);
    expect(rows.every((r) => r.status === 'delivered' && r.attempts === 1 && r.attemptRows === 1)).toBe(true);
  });
});

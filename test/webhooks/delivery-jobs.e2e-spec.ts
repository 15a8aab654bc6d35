import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/roles';
import { WebhookDispatcher } from '../../src/modules/webhook-endpoints/webhook-dispatcher';
import { DELIVER_JOB, WebhookSender } from '../../src/modules/webhook-endpoints/webhook-sender';
import { bearer, createStaff, StaffAccount } from '../factories/identity';
import { http, startTestApp } from '../setup/app';
import { TestReceivers, waitFor } from './webhook-helpers';

interface JobRow {
  id: string;
  state: string;
  startAfter: Date;
}

/** Delivery attempts as pg-boss jobs: queued with the delivery, one per attempt, harmless when duplicated. */
describe('webhooks out: delivery jobs', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let admin: StaffAccount;
  let receivers: TestReceivers;

  beforeAll(async () => {
    // test/setup/env.ts: retries after 300 ms (three, so four attempts), 1 s timeout, loopback allowed.
    app = await startTestApp();
    db = app.get(DataSource);
    admin = await createStaff(app, Role.Admin);
    receivers = new TestReceivers(app, bearer(admin));
  });
  afterAll(() => receivers.closeWithApp());

  const receiver = () => receivers.start();
  const createEndpoint = (url: string) => receivers.createEndpoint(url, ['referral.expired']);
  const setEnabled = async (id: string, enabled: boolean) => {
    const res = await http(app).patch(`/api/v1/webhook-endpoints/${id}`).set(bearer(admin)).send({ enabled });
    expect(res.status).toBe(200);
  };
  const ping = async (endpointId: string) => {
    const res = await http(app).post(`/api/v1/webhook-endpoints/${endpointId}/test`).set(bearer(admin));
    expect(res.status).toBe(202);
    return res.body as { id: string; messageId: string };
  };
  const row = async (deliveryId: string) =>
    ((await db.query(`SELECT status, attempts, next_attempt_at AS "nextAttemptAt" FROM webhook_deliveries WHERE id = $1`, [deliveryId])) as {
      status: string;
      attempts: number;
      nextAttemptAt: Date | null;
    }[])[0];
  const jobs = async (deliveryId: string) =>
    (await db.query(
      `SELECT id, state, start_after AS "startAfter" FROM pgboss.job WHERE name = $1 AND data->>'deliveryId' = $2 ORDER BY created_on`,
      [DELIVER_JOB, deliveryId],
    )) as JobRow[];
  /** Queues jobs for a delivery as the application does, in a transaction, and wakes the workers. */
  const enqueue = async (deliveryId: string, count: number) => {
    const sender = app.get(WebhookSender);
    await db.transaction((manager) => sender.enqueue(manager, Array.from({ length: count }, () => ({ id: deliveryId }))));
    sender.wake(count);
  };

  it('each attempt is a webhooks.deliver job: after a failure the next one waits in pg-boss until the delivery is due', async () => {
    const r = await receiver();
    r.respond = (_req, i) => (i === 0 ? { status: 503, headers: { 'retry-after': '3' } } : { status: 204 });
    const endpoint = await createEndpoint(r.url);
    const sent = await ping(endpoint.id);
    // The ping's own job, queued with the delivery.
    expect((await jobs(sent.id)).length).toBeGreaterThanOrEqual(1);
    const pending = await waitFor(async () => {
      const d = await row(sent.id);
      return d.status === 'pending' && d.attempts === 1 ? d : undefined;
    }, 10_000, 'the first attempt');
    const [first, next, ...more] = await jobs(sent.id);
    expect(more).toEqual([]);
    expect(first.state).toBe('completed');
    expect(next.state).toBe('created');
    // The job starts when the delivery is due (Retry-After: 3 s), to the millisecond.
    expect(Math.abs(next.startAfter.getTime() - pending.nextAttemptAt!.getTime())).toBeLessThanOrEqual(1);
    expect(pending.nextAttemptAt!.getTime() - Date.now()).toBeGreaterThan(1500);
    expect(r.received).toHaveLength(1);

    const delivered = await waitFor(async () => {
      const d = await row(sent.id);
      return d.status === 'delivered' ? d : undefined;
    }, 10_000, 'the second attempt');
    expect(delivered.attempts).toBe(2);
    expect(r.received[1].at - r.received[0].at).toBeGreaterThanOrEqual(2950);
    const after = await waitFor(async () => {
      const list = await jobs(sent.id);
      return list.every((j) => j.state === 'completed') ? list : undefined;
    }, 5_000, 'the jobs completed');
    expect(after).toHaveLength(2);
    await setEnabled(endpoint.id, false);
  });

  it('a job for a delivery already sent, or several jobs for one delivery, send it once', async () => {
    const r = await receiver();
    const endpoint = await createEndpoint(r.url);
    const sent = await ping(endpoint.id);
    await waitFor(async () => ((await row(sent.id)).status === 'delivered' ? true : undefined), 10_000, 'the ping');
    await enqueue(sent.id, 2);

    // A delivery with three jobs at once, racing for it.
    const [fresh] = (await db.query(
      `INSERT INTO webhook_deliveries (endpoint_id, message_id, event_type, payload) VALUES ($1, 'msg_jobs_twice', 'ping', '{"type":"ping"}') RETURNING id`,
      [endpoint.id],
    )) as { id: string }[];
    await enqueue(fresh.id, 3);
    await waitFor(async () => {
      const all = [...(await jobs(sent.id)), ...(await jobs(fresh.id))];
      return all.length === 6 && all.every((j) => j.state === 'completed') ? true : undefined;
    }, 10_000, 'every job completed');
    await new Promise((res) => setTimeout(res, 300));
    expect(r.received.map((x) => x.headers['webhook-id'])).toEqual([sent.messageId, 'msg_jobs_twice']);
    expect(await row(sent.id)).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(await row(fresh.id)).toMatchObject({ status: 'delivered', attempts: 1 });
    await setEnabled(endpoint.id, false);
  });

  it('a delivery left pending while its endpoint was disabled is sent when the endpoint is enabled again', async () => {
    const r = await receiver();
    r.respond = (_req, i) => (i === 0 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 204 });
    const endpoint = await createEndpoint(r.url);
    const sent = await ping(endpoint.id);
    await waitFor(async () => ((await row(sent.id)).attempts === 1 && (await row(sent.id)).status === 'pending' ? true : undefined), 10_000, 'the first attempt');
    await setEnabled(endpoint.id, false);
    // The retry's job runs, finds the endpoint disabled, and does nothing.
    await waitFor(async () => {
      const list = await jobs(sent.id);
      return list.length === 2 && list.every((j) => j.state === 'completed') ? true : undefined;
    }, 10_000, 'the retry job');
    await new Promise((res) => setTimeout(res, 300));
    expect(r.received).toHaveLength(1);
    expect(await row(sent.id)).toMatchObject({ status: 'pending', attempts: 1 });

    const enabledAt = Date.now();
    await setEnabled(endpoint.id, true);
    await waitFor(async () => ((await row(sent.id)).status === 'delivered' ? true : undefined), 5_000, 'the delivery after the endpoint was enabled');
    expect(r.received).toHaveLength(2);
    expect(r.received[1].at - enabledAt).toBeLessThan(1000);
    expect(new Set(r.received.map((x) => x.headers['webhook-id']))).toEqual(new Set([sent.messageId]));
    expect(await jobs(sent.id)).toHaveLength(3);
    await setEnabled(endpoint.id, false);
  });

  it('an instance without background jobs (JOBS_ENABLED=false) queues the jobs all the same, for the instances that run them', async () => {
    process.env.JOBS_ENABLED = 'false';
    let apiOnly: NestFastifyApplication | undefined;
    try {
      apiOnly = await startTestApp();
    } finally {
      delete process.env.JOBS_ENABLED;
    }
    try {
      const r = await receiver();
      const endpoint = await createEndpoint(r.url);
      const res = await http(apiOnly).post(`/api/v1/webhook-endpoints/${endpoint.id}/test`).set(bearer(admin));
      expect(res.status).toBe(202);
      expect(await jobs(res.body.id)).toHaveLength(1);
      // Taken by this file's other app (or any other with jobs on), at its next poll.
      await waitFor(async () => ((await row(res.body.id)).status === 'delivered' ? true : undefined), 5_000, 'the ping');
      expect(r.received.map((x) => x.headers['webhook-id'])).toEqual([res.body.messageId]);
      await setEnabled(endpoint.id, false);
    } finally {
      await apiOnly.close();
    }
  });

  it('the sweep queues a job for a due delivery that has none (its jobs lost), and it is sent', async () => {
    const r = await receiver();
    const endpoint = await createEndpoint(r.url);
    const [orphan] = (await db.query(
      `INSERT INTO webhook_deliveries (endpoint_id, message_id, event_type, payload, next_attempt_at)
       VALUES ($1, 'msg_orphan', 'ping', '{"type":"ping"}', now() - interval '2 minutes') RETURNING id`,
      [endpoint.id],
    )) as { id: string }[];
    expect(await jobs(orphan.id)).toEqual([]);
    // The instance's own periodic sweep may take it first: either way, it is queued once.
    await app.get(WebhookDispatcher).sweep();
    await waitFor(async () => ((await row(orphan.id)).status === 'delivered' ? true : undefined), 5_000, 'the orphan delivery');
    expect(await jobs(orphan.id)).toHaveLength(1);
    expect(r.received.map((x) => x.headers['webhook-id'])).toEqual(['msg_orphan']);
    await setEnabled(endpoint.id, false);
  });
});

import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/roles';
import { WebhookDispatcher } from '../../src/modules/webhook-endpoints/webhook-dispatcher';
import { createBeneficiary, machineClientToken, randomNir } from '../factories/case-file';
import { bearer, createAgency, createStaff, createTestCommune, StaffAccount } from '../factories/identity';
import { expectProblem, http, startTestApp } from '../setup/app';
import { TestReceivers, waitFor } from './webhook-helpers';

describe('webhooks out: endpoints and deliveries', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let admin: StaffAccount;
  let advisor: StaffAccount;
  let commune: string;
  let receivers: TestReceivers;

  beforeAll(async () => {
    // test/setup/env.ts: retries after 300 ms (three, so four attempts), 1 s timeout, 1 h secret overlap, loopback allowed.
    app = await startTestApp();
    db = app.get(DataSource);
    commune = await createTestCommune(app);
    const agency = await createAgency(app, [commune]);
    admin = await createStaff(app, Role.Admin);
    advisor = await createStaff(app, Role.Advisor, { agencyId: agency.id });
    receivers = new TestReceivers(app, bearer(admin));
  });
  afterAll(() => receivers.closeWithApp());

  const receiver = () => receivers.start();
  const createEndpoint = (url: string, eventTypes: string[] = ['beneficiary.created']) => receivers.createEndpoint(url, eventTypes);
  const disable = (id: string) => http(app).patch(`/api/v1/webhook-endpoints/${id}`).set(bearer(admin)).send({ enabled: false });
  const delivery = async (endpointId: string, deliveryId: string) => (await http(app).get(`/api/v1/webhook-endpoints/${endpointId}/deliveries/${deliveryId}`).set(bearer(admin))).body;
  const ping = async (endpointId: string) => {
    const res = await http(app).post(`/api/v1/webhook-endpoints/${endpointId}/test`).set(bearer(admin));
    expect(res.status).toBe(202);
    return res.body as { id: string; messageId: string; status: string };
  };
  const verifies = (secret: string, r: { headers: Record<string, unknown>; body: string }) => {
    try {
      new Webhook(secret).verify(r.body, r.headers as Record<string, string>);
      return true;
    } catch {
      return false;
    }
  };

  it('creates an endpoint with a whsec_ secret shown once and stored encrypted; validates URL and event types', async () => {
    const r = await receiver();
    const created = await createEndpoint(r.url, ['beneficiary.created', 'referral.accepted']);
    expect(created).toMatchObject({ url: r.url, eventTypes: ['beneficiary.created', 'referral.accepted'], description: 'Test receiver', enabled: true, disabledReason: null });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(created.secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);

    const fetched = await http(app).get(`/api/v1/webhook-endpoints/${created.id}`).set(bearer(admin));
    expect(fetched.status).toBe(200);
    expect(fetched.body.secret).toBeUndefined();
    const list = await http(app).get('/api/v1/webhook-endpoints?limit=100').set(bearer(admin));
    expect(JSON.stringify(list.body)).not.toContain(created.secret.slice(6));
    const [row] = await db.query(`SELECT secret_encrypted FROM webhook_endpoints WHERE id = $1`, [created.id]);
    expect(row.secret_encrypted).toMatch(/^v1\./);
    expect(row.secret_encrypted).not.toContain(created.secret.slice(6));

    const post = (body: object) => http(app).post('/api/v1/webhook-endpoints').set(bearer(admin)).send(body);
    const ftp = await post({ url: 'ftp://example.org/hook', eventTypes: ['beneficiary.created'] });
    expectProblem(ftp, 400, 'VALIDATION_FAILED');
    expect(ftp.body.errors).toEqual([{ field: 'url', message: 'url must be an http or https URL' }]);
    const unknown = await post({ url: r.url, eventTypes: ['beneficiary.deleted'] });
    expectProblem(unknown, 400, 'VALIDATION_FAILED');
    expect(unknown.body.errors[0].field).toBe('eventTypes');
    expectProblem(await post({ url: r.url, eventTypes: [] }), 400, 'VALIDATION_FAILED');
    expectProblem(await post({ url: 'https://user:pw@example.org/', eventTypes: ['beneficiary.created'] }), 400, 'VALIDATION_FAILED');
    await disable(created.id);
  });

  it('admins and machine clients with webhooks:manage manage endpoints; others are refused', async () => {
    const r = await receiver();
    expectProblem(await http(app).get('/api/v1/webhook-endpoints'), 401, 'UNAUTHORIZED');
    expect((await http(app).get('/api/v1/webhook-endpoints').set(bearer(advisor))).status).toBe(403);
    const reader = await machineClientToken(app, admin, ['beneficiaries:read']);
    expect((await http(app).get('/api/v1/webhook-endpoints').set(bearer(reader))).status).toBe(403);
    const connector = await machineClientToken(app, admin, ['webhooks:manage']);
    const created = await http(app).post('/api/v1/webhook-endpoints').set(bearer(connector)).send({ url: r.url, eventTypes: ['place.freed'] });
    expect(created.status).toBe(201);
    expect((await http(app).get(`/api/v1/webhook-endpoints/${created.body.id}`).set(bearer(connector))).status).toBe(200);
    expect((await http(app).delete(`/api/v1/webhook-endpoints/${created.body.id}`).set(bearer(connector))).status).toBe(204);
    expectProblem(await http(app).get(`/api/v1/webhook-endpoints/${created.body.id}`).set(bearer(admin)), 404, 'WEBHOOK_ENDPOINT_NOT_FOUND');
  });

  it('delivers a domain event from the outbox, signed (verified by standardwebhooks) and thin: ids and states, no personal data', async () => {
    const r = await receiver();
    const endpoint = await createEndpoint(r.url, ['beneficiary.created']);
    const other = await receiver();
    const unrelated = await createEndpoint(other.url, ['referral.accepted']);
    const nir = randomNir();
    const b = await createBeneficiary(app, admin, commune, { lastName: 'Confidentielle', nir, birthDate: '1985-07-14', phone: '0612345678' });
    const got = await waitFor(async () => r.received.find((x) => x.body.includes(b.id)), 10_000, 'the delivery');
    expect(verifies(endpoint.secret, got)).toBe(true);
    // By hand, as docs/webhooks.md explains: v1,base64(HMAC-SHA256(key, id.timestamp.body)).
    const key = Buffer.from(endpoint.secret.slice('whsec_'.length), 'base64');
    const byHand = createHmac('sha256', key).update(`${got.headers['webhook-id']}.${got.headers['webhook-timestamp']}.${got.body}`).digest('base64');
    expect(got.headers['webhook-signature']).toBe(`v1,${byHand}`);
    expect(Math.abs(Number(got.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(10);
    const [event] = await db.query(`SELECT id FROM outbox_events WHERE type = 'beneficiary.created' AND resource_id = $1`, [b.id]);
    expect(got.headers['webhook-id']).toBe(`msg_${event.id.replace(/-/g, '')}`);
    expect(got.headers['content-type']).toBe('application/json');
    const payload = JSON.parse(got.body);
    expect(payload).toEqual({ type: 'beneficiary.created', timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), data: { beneficiaryId: b.id, agencyId: b.agencyId, status: 'to_orient' } });
    for (const personal of ['Confidentielle', 'Camille', nir, '1985-07-14', '0612345678']) expect(got.body).not.toContain(personal);

    // The receiver has it; the sender records the outcome just after the answer.
    const mine = await waitFor(async () => {
      const deliveries = await http(app).get(`/api/v1/webhook-endpoints/${endpoint.id}/deliveries?limit=100`).set(bearer(admin));
      expect(deliveries.status).toBe(200);
      const found = deliveries.body.data.find((d: { eventId: string }) => d.eventId === event.id);
      return found?.status === 'sending' ? undefined : found;
    }, 10_000, 'the delivery recorded');
    expect(mine).toMatchObject({ status: 'delivered', attempts: 1, lastResponseCode: 204, nextAttemptAt: null, eventType: 'beneficiary.created', messageId: got.headers['webhook-id'] });
    await new Promise((res) => setTimeout(res, 300));
    expect(other.received.filter((x) => x.body.includes(b.id))).toHaveLength(0);
    await disable(endpoint.id);
    await disable(unrelated.id);
  });

  it('retries after failures with the same webhook-id until the receiver accepts; each attempt is recorded', async () => {
    const r = await receiver();
    r.respond = (_req, i) => ({ status: i < 2 ? 500 : 204 });
    const endpoint = await createEndpoint(r.url, ['referral.expired']);
    const sent = await ping(endpoint.id);
    const done = await waitFor(async () => {
      const d = await delivery(endpoint.id, sent.id);
      return d.status === 'delivered' ? d : undefined;
    }, 10_000, 'the delivery');
    expect(r.received).toHaveLength(3);
    expect(new Set(r.received.map((x) => x.headers['webhook-id']))).toEqual(new Set([sent.messageId]));
    expect(r.received.every((x) => verifies(endpoint.secret, x))).toBe(true);
    expect(JSON.parse(r.received[0].body)).toEqual({ type: 'ping', timestamp: expect.any(String), data: { endpointId: endpoint.id } });
    expect(done).toMatchObject({ status: 'delivered', attempts: 3, lastResponseCode: 204, lastError: null, nextAttemptAt: null });
    expect(done.attemptLog.map((a: { attempt: number; responseCode: number }) => [a.attempt, a.responseCode])).toEqual([[1, 500], [2, 500], [3, 204]]);
    // The backoff was waited for between attempts (300 ms ±10 %).
    expect(r.received[1].at - r.received[0].at).toBeGreaterThanOrEqual(260);
    await disable(endpoint.id);
  });

  it('honours Retry-After, and records a timeout as an attempt without a response code', async () => {
    const r = await receiver();
    r.respond = (_req, i) => (i === 0 ? { status: 503, headers: { 'retry-after': '2' } } : i === 1 ? { status: 204, delayMs: 1500 } : { status: 204 });
    const endpoint = await createEndpoint(r.url, ['referral.expired']);
    const sent = await ping(endpoint.id);
    const done = await waitFor(async () => {
      const d = await delivery(endpoint.id, sent.id);
      return d.status === 'delivered' ? d : undefined;
    }, 15_000, 'the delivery');
    expect(r.received).toHaveLength(3);
    expect(r.received[1].at - r.received[0].at).toBeGreaterThanOrEqual(1950);
    expect(done.attemptLog).toEqual([
      expect.objectContaining({ attempt: 1, responseCode: 503, error: 'HTTP 503' }),
      expect.objectContaining({ attempt: 2, responseCode: null, error: 'no answer within 1000 ms' }),
      expect.objectContaining({ attempt: 3, responseCode: 204, error: null }),
    ]);
    await disable(endpoint.id);
  });

  it('410 Gone disables the endpoint; its deliveries stop', async () => {
    const r = await receiver();
    r.respond = () => ({ status: 410 });
    const endpoint = await createEndpoint(r.url, ['referral.expired']);
    const sent = await ping(endpoint.id);
    const failed = await waitFor(async () => {
      const d = await delivery(endpoint.id, sent.id);
      return d.status === 'failed' ? d : undefined;
    }, 10_000, 'the failed delivery');
    expect(failed).toMatchObject({ attempts: 1, lastResponseCode: 410, nextAttemptAt: null });
    const fetched = (await http(app).get(`/api/v1/webhook-endpoints/${endpoint.id}`).set(bearer(admin))).body;
    expect(fetched.enabled).toBe(false);
    expect(fetched.disabledReason).toMatch(/^The receiver answered 410 Gone on /);
    expectProblem(await http(app).post(`/api/v1/webhook-endpoints/${endpoint.id}/test`).set(bearer(admin)), 409, 'WEBHOOK_ENDPOINT_DISABLED');
    expect(r.received).toHaveLength(1);
  });

  it('fails after the last attempt, visibly; a replay sends it again with the same webhook-id', async () => {
    const r = await receiver();
    r.respond = () => ({ status: 500 });
    const endpoint = await createEndpoint(r.url, ['referral.expired']);
    const sent = await ping(endpoint.id);
    const failed = await waitFor(async () => {
      const d = await delivery(endpoint.id, sent.id);
      return d.status === 'failed' ? d : undefined;
    }, 10_000, 'the failed delivery');
    expect(failed).toMatchObject({ attempts: 4, lastResponseCode: 500, lastError: 'HTTP 500', nextAttemptAt: null });
    expect(r.received).toHaveLength(4);
    const failedList = await http(app).get(`/api/v1/webhook-endpoints/${endpoint.id}/deliveries?status=failed`).set(bearer(admin));
    expect(failedList.body.data.map((d: { id: string }) => d.id)).toEqual([sent.id]);

    r.respond = () => ({ status: 200 });
    const replay = await http(app).post(`/api/v1/webhook-endpoints/${endpoint.id}/deliveries/${sent.id}/retry`).set(bearer(admin));
    expect(replay.status).toBe(202);
    const delivered = await waitFor(async () => {
      const d = await delivery(endpoint.id, sent.id);
      return d.status === 'delivered' ? d : undefined;
    }, 10_000, 'the replayed delivery');
    expect(delivered).toMatchObject({ attempts: 5, lastResponseCode: 200 });
    expect(r.received).toHaveLength(5);
    expect(new Set(r.received.map((x) => x.headers['webhook-id']))).toEqual(new Set([sent.messageId]));
    expect(r.received[4].body).toBe(r.received[0].body);
    expectProblem(await http(app).post(`/api/v1/webhook-endpoints/${endpoint.id}/deliveries/00000000-0000-4000-8000-000000000000/retry`).set(bearer(admin)), 404, 'WEBHOOK_DELIVERY_NOT_FOUND');
    await disable(endpoint.id);
  });

  it('rotate-secret: a new secret shown once; during the overlap both the old and the new one sign', async () => {
    const r = await receiver();
    const endpoint = await createEndpoint(r.url, ['referral.expired']);
    const rotated = await http(app).post(`/api/v1/webhook-endpoints/${endpoint.id}/rotate-secret`).set(bearer(admin));
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    const expires = Date.parse(rotated.body.previousSecretExpiresAt);
    expect(Math.abs(expires - (Date.now() + 3600_000))).toBeLessThan(60_000);
    await ping(endpoint.id);
    const got = await waitFor(async () => r.received[0], 10_000, 'the ping');
    expect(String(got.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifies(endpoint.secret, got)).toBe(true);
    expect(verifies(rotated.body.secret, got)).toBe(true);
    expect(verifies(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, got)).toBe(false);
    await disable(endpoint.id);
  });

  it('the daily purge deletes delivered and failed deliveries past WEBHOOK_RETENTION_DAYS (90), not pending ones', async () => {
    const r = await receiver();
    const endpoint = await createEndpoint(r.url, ['referral.expired']);
    const delivered = await ping(endpoint.id);
    await waitFor(async () => ((await delivery(endpoint.id, delivered.id)).status === 'delivered' ? true : undefined), 10_000, 'the delivery');
    await disable(endpoint.id); // a pending delivery of a disabled endpoint waits
    await db.query(`INSERT INTO webhook_deliveries (endpoint_id, message_id, event_type, payload) VALUES ($1, 'msg_pending', 'ping', '{}')`, [endpoint.id]);
    // Only this endpoint's rows are made old: the database is shared with other test files.
    await db.query(`UPDATE webhook_deliveries SET created_at = now() - interval '91 days' WHERE endpoint_id = $1`, [endpoint.id]);
    expect(await app.get(WebhookDispatcher).purge()).toBe(1);
    const left = (await db.query(`SELECT message_id, status FROM webhook_deliveries WHERE endpoint_id = $1`, [endpoint.id])) as { message_id: string; status: string }[];
    expect(left).toEqual([{ message_id: 'msg_pending', status: 'pending' }]);
    expect((await db.query(`SELECT count(*)::int AS n FROM webhook_delivery_attempts WHERE delivery_id = $1`, [delivered.id]))[0].n).toBe(0);
  });
});

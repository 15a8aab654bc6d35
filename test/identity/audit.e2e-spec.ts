import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/roles';
import { bearer, createAgency, createStaff, randomSiret, StaffAccount, TEST_PASSWORD } from '../factories/identity';
import { expectProblem, http, startTestApp } from '../setup/app';

/**
 * The audit log: a row for every write and every credential event, with the
 * right actor; filters and pagination of GET /audit-events; append-only table.
 * TRUST_PROXY is on so that throttled requests come from their own addresses.
 */

interface AuditEventBody {
  id: string;
  occurredAt: string;
  actorType: string;
  actorId: string | null;
  actorRole: string | null;
  action: string;
  resourceType: string;
  resourceId: string | null;
  requestId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

const PASSWORD = 'ocelot-grenadine-passerelle-31';
const randomIp = () => {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
};
const requestId = () => `audit-test-${randomUUID()}`;

describe('audit log', () => {
  let app: NestFastifyApplication;
  let admin: StaffAccount;

  const events = (query: Record<string, string | number>, who: StaffAccount = admin) => http(app).get('/api/v1/audit-events').set(bearer(who)).query(query);
  /** Every event matching the filters, walking all pages. */
  async function allEvents(query: Record<string, string | number>, limit = 100): Promise<AuditEventBody[]> {
    const out: AuditEventBody[] = [];
    let cursor: string | null = null;
    do {
      const res = await events({ ...query, limit, ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      out.push(...res.body.data);
      cursor = res.body.page.nextCursor;
      expect(res.body.page.hasNextPage).toBe(cursor !== null);
    } while (cursor);
    return out;
  }
  const forResource = (resourceId: string) => allEvents({ resourceId });

  beforeAll(async () => {
    process.env.TRUST_PROXY = 'true';
    app = await startTestApp();
    admin = await createStaff(app, Role.Admin);
  });
  afterAll(async () => {
    await app.close();
    delete process.env.TRUST_PROXY;
  });

  describe('what is recorded', () => {
    it('user.create, user.update and user.deactivate, by the admin, with field names but no personal values', async () => {
      const agency = await createAgency(app);
      const email = `audited.${randomUUID().slice(0, 8)}@ali.audit.example`;
      const rid = requestId();
      const created = await http(app)
        .post('/api/v1/users')
        .set(bearer(admin))
        .set('x-request-id', rid)
        .send({ email, password: PASSWORD, role: 'advisor', firstName: 'Aurore', lastName: 'Valfleury', agencyId: agency.id });
      expect(created.status).toBe(201);
      const userId = created.body.id as string;
      expect((await http(app).patch(`/api/v1/users/${userId}`).set(bearer(admin)).send({ firstName: 'Aurélie', caseloadCapacity: 50 })).status).toBe(200);
      expect((await http(app).post(`/api/v1/users/${userId}/deactivate`).set(bearer(admin))).body.active).toBe(false);

      const rows = (await forResource(userId)).filter((e) => e.action.startsWith('user.') && e.action !== 'user.read');
      expect(rows.map((e) => e.action)).toEqual(['user.deactivate', 'user.update', 'user.create']);
      for (const row of rows) {
        expect(row).toMatchObject({ actorType: 'user', actorId: admin.id, actorRole: 'admin', resourceType: 'user', resourceId: userId });
        expect(row.requestId).toEqual(expect.any(String));
        expect(row.ip).toEqual(expect.any(String));
      }
      const [deactivate, update, create] = rows;
      expect(create.requestId).toBe(rid);
      expect(create.details).toEqual({ role: 'advisor' });
      expect(update.details).toEqual({ fields: expect.arrayContaining(['firstName', 'caseloadCapacity']) });
      expect(deactivate.details).toEqual({ fields: ['active'] });
      // Details name things; they never hold the values.
      expect(JSON.stringify(rows)).not.toMatch(/Aurore|Aurélie|Valfleury|audited\.|ocelot|argon2/);
    });

    it('agency.create, agency.update and provider.create', async () => {
      const agency = await http(app).post('/api/v1/agencies').set(bearer(admin)).send({ code: `AUD-${randomUUID().slice(0, 8).toUpperCase()}`, name: 'Agence auditée', communeCodes: [] });
      expect(agency.status).toBe(201);
      expect((await http(app).patch(`/api/v1/agencies/${agency.body.id}`).set(bearer(admin)).send({ name: 'Agence auditée 2' })).status).toBe(200);
      const provider = await http(app).post('/api/v1/providers').set(bearer(admin)).send({ name: 'Structure auditée', siret: randomSiret(), communeCode: '93066' });
      expect(provider.status).toBe(201);

      const agencyRows = await forResource(agency.body.id);
      expect(agencyRows.map((e) => e.action)).toEqual(['agency.update', 'agency.create']);
      for (const row of agencyRows) expect(row).toMatchObject({ actorId: admin.id, actorType: 'user', resourceType: 'agency' });
      expect(agencyRows[0].details).toEqual({ fields: ['name'] });

      const providerRows = await forResource(provider.body.id);
      expect(providerRows).toEqual([expect.objectContaining({ action: 'provider.create', actorId: admin.id, resourceType: 'provider' })]);
    });

    it('api_client.create, api_client.rotate_secret and auth.token, never with the secret', async () => {
      const created = await http(app).post('/api/v1/api-clients').set(bearer(admin)).send({ name: `Audité ${randomUUID().slice(0, 6)}`, scopes: ['reference:read'] });
      expect(created.status).toBe(201);
      const rotated = await http(app).post(`/api/v1/api-clients/${created.body.id}/rotate-secret`).set(bearer(admin));
      expect(rotated.status).toBe(200);
      const token = await http(app)
        .post('/api/v1/auth/token')
        .set('x-forwarded-for', randomIp())
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: created.body.clientId, client_secret: rotated.body.clientSecret });
      expect(token.status).toBe(200);

      const rows = await forResource(created.body.id);
      expect(rows.map((e) => e.action)).toEqual(['auth.token', 'api_client.rotate_secret', 'api_client.create']);
      expect(rows[2]).toMatchObject({ actorId: admin.id, actorType: 'user', resourceType: 'api_client', details: { scopes: ['reference:read'] } });
      expect(rows[1]).toMatchObject({ actorId: admin.id, actorType: 'user', resourceType: 'api_client' });
      expect(rows[0]).toMatchObject({ resourceType: 'api_client', details: { scope: 'reference:read' } });
      const serialized = JSON.stringify(rows);
      expect(serialized).not.toContain(created.body.clientSecret);
      expect(serialized).not.toContain(rotated.body.clientSecret);
    });

    it('auth.token_failed for a wrong secret, and api_client.revoke', async () => {
      const created = await http(app).post('/api/v1/api-clients').set(bearer(admin)).send({ name: `Révoqué ${randomUUID().slice(0, 6)}`, scopes: ['reference:read'] });
      const wrong = 'pcs_not-the-secret';
      const refused = await http(app)
        .post('/api/v1/auth/token')
        .set('x-forwarded-for', randomIp())
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: created.body.clientId, client_secret: wrong });
      expect(refused.status).toBe(401);
      const failed = await allEvents({ action: 'auth.token_failed', resourceId: created.body.clientId });
      expect(failed).toEqual([expect.objectContaining({ actorType: 'anonymous', resourceType: 'api_client', requestId: refused.headers['x-request-id'] })]);
      expect(JSON.stringify(failed)).not.toContain(wrong);

      expect((await http(app).patch(`/api/v1/api-clients/${created.body.id}`).set(bearer(admin)).send({ active: false })).status).toBe(200);
      const rows = await forResource(created.body.id);
      expect(rows.map((e) => e.action)).toEqual(['api_client.revoke', 'api_client.create']);
      expect(rows[0]).toMatchObject({ actorId: admin.id, details: { fields: ['active'] } });
    });

    it('auth.login and auth.login_failed, with the account as actor when it exists', async () => {
      const account = await createStaff(app, Role.Analyst);
      const ip = randomIp();
      const failed = await http(app).post('/api/v1/auth/login').set('x-forwarded-for', ip).send({ email: account.email, password: 'definitely-not-it-123' });
      expect(failed.status).toBe(401);
      const ok = await http(app).post('/api/v1/auth/login').set('x-forwarded-for', ip).send({ email: account.email, password: TEST_PASSWORD });
      expect(ok.status).toBe(200);

      const rows = await allEvents({ actorId: account.id });
      const logins = rows.filter((e) => e.action.startsWith('auth.login'));
      // createStaff logged in once before.
      expect(logins.map((e) => e.action)).toEqual(['auth.login', 'auth.login_failed', 'auth.login']);
      expect(logins[0]).toMatchObject({ actorId: account.id, resourceType: 'user', resourceId: account.id, ip, requestId: ok.headers['x-request-id'] });
      expect(logins[1]).toMatchObject({ actorId: account.id, resourceId: account.id, ip, requestId: failed.headers['x-request-id'] });
      expect(JSON.stringify(logins)).not.toMatch(/definitely-not-it|violet-tramway/);
    });

    it('auth.login_failed for an unknown e-mail, without the e-mail', async () => {
      const since = new Date(Date.now() - 1000).toISOString();
      const rid = requestId();
      const email = `ghost.${randomUUID().slice(0, 8)}@ali.audit.example`;
      const res = await http(app).post('/api/v1/auth/login').set('x-forwarded-for', randomIp()).set('x-request-id', rid).send({ email, password: 'whatever-whatever-1' });
      expect(res.status).toBe(401);
      const row = (await allEvents({ action: 'auth.login_failed', from: since })).find((e) => e.requestId === rid);
      expect(row).toMatchObject({ action: 'auth.login_failed', actorId: null, resourceType: 'user', resourceId: null });
      expect(JSON.stringify(row)).not.toContain(email);
    });

    it('auth.refresh_reuse_detected when a rotated refresh token is replayed', async () => {
      const account = await createStaff(app, Role.Analyst);
      const pair = await http(app).post('/api/v1/auth/login').set('x-forwarded-for', randomIp()).send({ email: account.email, password: TEST_PASSWORD });
      const refresh = (refreshToken: string) => http(app).post('/api/v1/auth/refresh').set('x-forwarded-for', randomIp()).send({ refreshToken });
      expect((await refresh(pair.body.refreshToken)).status).toBe(200);
      expect((await refresh(pair.body.refreshToken)).status).toBe(401);
      const rows = await allEvents({ actorId: account.id, action: 'auth.refresh_reuse_detected' });
      expect(rows).toEqual([expect.objectContaining({ resourceType: 'user', resourceId: account.id, details: { familyId: expect.any(String) } })]);
    });

    it('user.read when an admin reads a staff account', async () => {
      const subject = await createStaff(app, Role.Analyst);
      const reader = await createStaff(app, Role.Admin);
      expect((await http(app).get(`/api/v1/users/${subject.id}`).set(bearer(reader))).status).toBe(200);
      const rows = await allEvents({ actorId: reader.id, action: 'user.read' });
      expect(rows).toEqual([expect.objectContaining({ actorType: 'user', actorRole: 'admin', resourceType: 'user', resourceId: subject.id })]);
    });

    it('nothing for a refused write', async () => {
      const manager = await createStaff(app, Role.AgencyManager, { agencyId: (await createAgency(app)).id });
      const res = await http(app)
        .post('/api/v1/users')
        .set(bearer(manager))
        .send({ email: `refused.${randomUUID().slice(0, 8)}@ali.audit.example`, password: PASSWORD, role: 'admin', firstName: 'A', lastName: 'B' });
      expect(res.status).toBe(403);
      expect((await allEvents({ actorId: manager.id })).filter((e) => !e.action.startsWith('auth.'))).toEqual([]);
    });
  });

  describe('GET /audit-events', () => {
    it('filters by actor, resource type, action and time, newest first', async () => {
      const actor = await createStaff(app, Role.Admin);
      const before = new Date().toISOString();
      const agencyIds: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        const res = await http(app).post('/api/v1/agencies').set(bearer(actor)).send({ code: `AUDF-${randomUUID().slice(0, 8).toUpperCase()}`, name: `Filtre ${i}`, communeCodes: [] });
        agencyIds.push(res.body.id);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
      const between = new Date().toISOString();
      await new Promise((resolve) => setTimeout(resolve, 5));
      await http(app).patch(`/api/v1/agencies/${agencyIds[0]}`).set(bearer(actor)).send({ name: 'Filtre modifié' });

      const byActor = await allEvents({ actorId: actor.id, resourceType: 'agency' });
      expect(byActor.map((e) => [e.action, e.resourceId])).toEqual([
        ['agency.update', agencyIds[0]],
        ['agency.create', agencyIds[2]],
        ['agency.create', agencyIds[1]],
        ['agency.create', agencyIds[0]],
      ]);
      for (const e of byActor) expect(e.actorId).toBe(actor.id);
      const times = byActor.map((e) => Date.parse(e.occurredAt));
      expect([...times].sort((a, b) => b - a)).toEqual(times);

      const creates = await allEvents({ actorId: actor.id, action: 'agency.create' });
      expect(creates.map((e) => e.resourceId)).toEqual([agencyIds[2], agencyIds[1], agencyIds[0]]);

      const early = await allEvents({ actorId: actor.id, resourceType: 'agency', from: before, to: between });
      expect(early.map((e) => e.action)).toEqual(['agency.create', 'agency.create', 'agency.create']);
      const late = await allEvents({ actorId: actor.id, resourceType: 'agency', from: between });
      expect(late.map((e) => e.action)).toEqual(['agency.update']);

      expect(await allEvents({ actorId: actor.id, resourceType: 'provider' })).toEqual([]);
    });

    it('pages newest first with a cursor, without gaps or overlaps', async () => {
      const actor = await createStaff(app, Role.Admin);
      const made: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        const res = await http(app).post('/api/v1/agencies').set(bearer(actor)).send({ code: `AUDP-${randomUUID().slice(0, 8).toUpperCase()}`, name: `Page ${i}`, communeCodes: [] });
        made.push(res.body.id);
      }
      const paged = await allEvents({ actorId: actor.id, action: 'agency.create' }, 2);
      expect(paged.map((e) => e.resourceId)).toEqual([...made].reverse());
      const first = await events({ actorId: actor.id, action: 'agency.create', limit: 2 });
      expect(first.body.data).toHaveLength(2);
      expect(first.body.page.hasNextPage).toBe(true);
    });

    it('does not skip events recorded within the same millisecond when paging', async () => {
      // Events written in one transaction share now(); busy instances write several per millisecond.
      const resourceId = `same-ms-${randomUUID()}`;
      // An hour ago (inside the retention period), at microsecond precision.
      const base = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000 + 789).toISOString().replace(/Z$/, '');
      const earlier = new Date(Date.parse(`${base}Z`) - 1).toISOString().replace(/Z$/, '');
      const at = [`${base}300Z`, `${base}200Z`, `${base}100Z`, `${earlier}000Z`];
      for (const occurredAt of at) {
        await app.get(DataSource).query(
          `INSERT INTO audit_events (occurred_at, actor_type, action, resource_type, resource_id) VALUES ($1, 'system', 'test.same_ms', 'test', $2)`,
          [occurredAt, resourceId],
        );
      }
      await app.get(DataSource).query(
        `INSERT INTO audit_events (occurred_at, actor_type, action, resource_type, resource_id) VALUES ($1, 'system', 'test.same_ms', 'test', $2), ($1, 'system', 'test.same_ms', 'test', $2)`,
        [`${new Date(Date.parse(`${base}Z`) - 2).toISOString().replace(/Z$/, '')}654Z`, resourceId],
      );
      const all = await allEvents({ resourceId }, 100);
      expect(all).toHaveLength(6);
      const paged = await allEvents({ resourceId }, 1);
      expect(paged.map((e) => e.id)).toEqual(all.map((e) => e.id));
    });

    it.each([
      [{ actorId: 'not-a-uuid' }, 'actorId'],
      [{ from: 'yesterday' }, 'from'],
      [{ to: '2025-13-45' }, 'to'],
      [{ limit: 0 }, 'limit'],
      [{ who: 'me' }, 'who'],
    ])('refuses %j with 400 VALIDATION_FAILED naming %s', async (query, field) => {
      const res = await events(query);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('refuses a forged cursor with 400 INVALID_CURSOR', async () => {
      const forged = Buffer.from(JSON.stringify(['not-a-date'])).toString('base64url');
      expectProblem(await events({ cursor: forged }), 400, 'INVALID_CURSOR');
    });

    it('is for admins only', async () => {
      const agency = await createAgency(app);
      const others = [
        await createStaff(app, Role.AgencyManager, { agencyId: agency.id }),
        await createStaff(app, Role.Advisor, { agencyId: agency.id }),
        await createStaff(app, Role.Analyst),
      ];
      for (const who of others) expectProblem(await events({}, who), 403, 'FORBIDDEN');
      expectProblem(await http(app).get('/api/v1/audit-events'), 401, 'UNAUTHORIZED');
    });
  });

  describe('the audit_events table', () => {
    let rowId: string;
    let rowAction: string;

    beforeAll(async () => {
      const agency = await http(app).post('/api/v1/agencies').set(bearer(admin)).send({ code: `AUDT-${randomUUID().slice(0, 8).toUpperCase()}`, name: 'Immuable', communeCodes: [] });
      const [row] = await allEvents({ resourceId: agency.body.id });
      rowId = row.id;
      rowAction = row.action;
    });

    /** Runs the statement in a transaction that is rolled back whatever happens: a broken trigger must not wipe a shared table. */
    async function attempt(sql: string, params: unknown[] = []): Promise<unknown> {
      const runner = app.get(DataSource).createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        await runner.query(sql, params);
        return null;
      } catch (error) {
        return error;
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
    }
    const expectRowIntact = async () => {
      const [row] = await app.get(DataSource).query('SELECT action FROM audit_events WHERE id = $1', [rowId]);
      expect(row).toEqual({ action: rowAction });
    };

    it('refuses UPDATE', async () => {
      const error = (await attempt(`UPDATE audit_events SET action = 'x' WHERE id = $1`, [rowId])) as { message?: string; driverError?: { code?: string } } | null;
      expect(error).not.toBeNull();
      expect(error!.message).toMatch(/append-only/);
      expect(error!.driverError?.code).toBe('42501');
      await expectRowIntact();
    });

    it('refuses DELETE', async () => {
      const error = (await attempt('DELETE FROM audit_events WHERE id = $1', [rowId])) as { message?: string } | null;
      expect(error).not.toBeNull();
      expect(error!.message).toMatch(/append-only/);
      await expectRowIntact();
    });

    it('refuses TRUNCATE', async () => {
      const error = (await attempt('TRUNCATE audit_events')) as { message?: string } | null;
      expect(error).not.toBeNull();
      expect(error!.message).toMatch(/append-only/);
      await expectRowIntact();
    });

    it('accepts new rows', async () => {
      const [inserted] = await app.get(DataSource).query(
        `INSERT INTO audit_events (actor_type, action, resource_type) VALUES ('system', 'test.append', 'test') RETURNING id`,
      );
      expect(inserted.id).toEqual(expect.any(String));
    });
  });
});

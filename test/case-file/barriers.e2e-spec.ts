import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { Role } from '../../src/common/auth/roles';
import { isoDay, randomCafNumber } from '../factories/case-file';
import { bearer, createAgency, createProvider, createStaff, StaffAccount } from '../factories/identity';
import { expectProblem, http, startTestApp } from '../setup/app';

/**
 * Barriers of a case: identify, re-assess, resolve; one unresolved barrier per
 * theme; health barriers only for admins and the person's agency staff.
 * Commune 93063 (agency A) belongs to this file; agency B serves no commune
 * (93066, also allotted here, appears in the import samples: left alone).
 */
describe('barriers', () => {
  let app: NestFastifyApplication;
  let admin: StaffAccount;
  let manager: StaffAccount;
  let advisor: StaffAccount;
  let colleague: StaffAccount;
  let otherAgencyAdvisor: StaffAccount;
  let analyst: StaffAccount;
  let providerStaff: StaffAccount;
  let readClient: { token: string };
  let writeClient: { token: string };

  const today = () => isoDay();
  const days = (n: number) => isoDay(n);
  const url = (id: string, rest = '') => `/api/v1/beneficiaries/${id}/barriers${rest}`;

  async function clientToken(scopes: string[]): Promise<{ token: string }> {
    const created = await http(app).post('/api/v1/api-clients').set(bearer(admin)).send({ name: `Connecteur ${randomUUID().slice(0, 8)}`, scopes });
    expect(created.status).toBe(201);
    const token = await http(app)
      .post('/api/v1/auth/token')
      .type('form')
      .send({ grant_type: 'client_credentials', client_id: created.body.clientId, client_secret: created.body.clientSecret });
    expect(token.status).toBe(200);
    return { token: token.body.access_token };
  }

  /** A case of agency A, created over HTTP, assigned to `advisor`. */
  async function newCase(communeCode = '93063'): Promise<string> {
    const created = await http(app)
      .post('/api/v1/beneficiaries')
      .set(bearer(manager))
      .send({ cafNumber: randomCafNumber(), firstName: 'Yasmina', lastName: 'Benali', birthDate: '1988-02-03', sex: 'F', communeCode });
    expect(created.status).toBe(201);
    const assigned = await http(app).post(`/api/v1/beneficiaries/${created.body.id}/assignment`).set(bearer(manager)).send({ advisorId: advisor.id });
    expect(assigned.status).toBe(200);
    return created.body.id;
  }

  async function timelineOf(id: string): Promise<{ type: string; summary: string; data: Record<string, unknown> }[]> {
    const res = await http(app).get(`/api/v1/beneficiaries/${id}/timeline`).query({ limit: 100 }).set(bearer(manager));
    expect(res.status).toBe(200);
    return res.body.data;
  }

  async function auditActions(id: string): Promise<string[]> {
    const res = await http(app).get('/api/v1/audit-events').query({ resourceType: 'beneficiary', resourceId: id, limit: 100 }).set(bearer(admin));
    expect(res.status).toBe(200);
    return res.body.data.map((e: { action: string }) => e.action);
  }

  beforeAll(async () => {
    app = await startTestApp();
    const agencyA = await createAgency(app, ['93063']);
    const agencyB = await createAgency(app);
    const provider = await createProvider(app);
    [admin, manager, advisor, colleague, otherAgencyAdvisor, analyst, providerStaff] = await Promise.all([
      createStaff(app, Role.Admin),
      createStaff(app, Role.AgencyManager, { agencyId: agencyA.id }),
      createStaff(app, Role.Advisor, { agencyId: agencyA.id }),
      createStaff(app, Role.Advisor, { agencyId: agencyA.id }),
      createStaff(app, Role.Advisor, { agencyId: agencyB.id }),
      createStaff(app, Role.Analyst),
      createStaff(app, Role.Provider, { providerId: provider.id }),
    ]);
    readClient = await clientToken(['beneficiaries:read']);
    writeClient = await clientToken(['beneficiaries:read', 'beneficiaries:write']);
  });
  afterAll(() => app.close());

  it('records a barrier with the timeline line and the audit row of the same transaction', async () => {
    const id = await newCase();
    const res = await http(app).post(url(id)).set(bearer(advisor)).send({ theme: 'mobility', severity: 'high', note: 'Pas de permis, arrêt de bus à 2 km' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      beneficiaryId: id,
      theme: 'mobility',
      severity: 'high',
      note: 'Pas de permis, arrêt de bus à 2 km',
      identifiedOn: today(),
      resolvedOn: null,
      resolved: false,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const line = (await timelineOf(id)).find((e) => e.type === 'barrier.identified');
    expect(line).toMatchObject({ summary: 'Barrier identified: mobility', data: { barrierId: res.body.id, theme: 'mobility' } });
    expect(JSON.stringify(line)).not.toContain('permis');
    expect(await auditActions(id)).toContain('barrier.create');
  });

  it('keeps one unresolved barrier per theme', async () => {
    const id = await newCase();
    const first = await http(app).post(url(id)).set(bearer(advisor)).send({ theme: 'housing', severity: 'medium', identifiedOn: days(-30) });
    expect(first.status).toBe(201);
    expect(first.body.identifiedOn).toBe(days(-30));
    const again = await http(app).post(url(id)).set(bearer(advisor)).send({ theme: 'housing', severity: 'low' });
    expectProblem(again, 409, 'BARRIER_ALREADY_OPEN');
    expect((await http(app).post(url(id, `/${first.body.id}/resolve`)).set(bearer(advisor)).send({})).status).toBe(200);
    expect((await http(app).post(url(id)).set(bearer(advisor)).send({ theme: 'housing', severity: 'low' })).status).toBe(201);
  });

  it('re-assesses, resolves, then refuses any change to a resolved barrier', async () => {
    const id = await newCase();
    const created = await http(app).post(url(id)).set(bearer(advisor)).send({ theme: 'digital', severity: 'low', identifiedOn: days(-10) });
    const barrierId = created.body.id;

    const updated = await http(app).patch(url(id, `/${barrierId}`)).set(bearer(advisor)).send({ severity: 'medium', note: 'Pas d’ordinateur à la maison' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ severity: 'medium', note: 'Pas d’ordinateur à la maison', resolved: false });
    const cleared = await http(app).patch(url(id, `/${barrierId}`)).set(bearer(advisor)).send({ note: null });
    expect(cleared.body.note).toBeNull();

    expectProblem(await http(app).post(url(id, `/${barrierId}/resolve`)).set(bearer(advisor)).send({ resolvedOn: days(-11) }), 422, 'BARRIER_DATES');
    const resolved = await http(app).post(url(id, `/${barrierId}/resolve`)).set(bearer(manager)).send({ resolvedOn: days(-1) });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ resolvedOn: days(-1), resolved: true });

    expectProblem(await http(app).post(url(id, `/${barrierId}/resolve`)).set(bearer(advisor)).send({}), 422, 'BARRIER_RESOLVED');
    expectProblem(await http(app).patch(url(id, `/${barrierId}`)).set(bearer(advisor)).send({ severity: 'high' }), 422, 'BARRIER_RESOLVED');

    const timeline = await timelineOf(id);
    expect(timeline.map((e) => e.summary)).toEqual(expect.arrayContaining(['Barrier identified: digital', 'Barrier updated: digital', 'Barrier resolved: digital']));
    expect(JSON.stringify(timeline)).not.toContain('ordinateur');
    expect(await auditActions(id)).toEqual(expect.arrayContaining(['barrier.create', 'barrier.update', 'barrier.resolve']));
  });

  it('filters the list on resolved, newest identified first', async () => {
    const id = await newCase();
    const old = await http(app).post(url(id)).set(bearer(advisor)).send({ theme: 'legal', severity: 'low', identifiedOn: days(-20) });
    const recent = await http(app).post(url(id)).set(bearer(advisor)).send({ theme: 'language', severity: 'high', identifiedOn: days(-2) });
    const gone = await http(app).post(url(id)).set(bearer(advisor)).send({ theme: 'financial', severity: 'medium', identifiedOn: days(-5) });
    await http(app).post(url(id, `/${gone.body.id}/resolve`)).set(bearer(advisor)).send({});

    const all = await http(app).get(url(id)).set(bearer(colleague));
    expect(all.status).toBe(200);
    expect(all.body.data.map((b: { id: string }) => b.id)).toEqual([recent.body.id, gone.body.id, old.body.id]);
    expect(all.body.page).toEqual({ nextCursor: null, hasNextPage: false });
    // A page at a time, on the day identified (then the time recorded and the id).
    const first = await http(app).get(url(id)).query({ limit: 2 }).set(bearer(advisor));
    expect(first.body.data.map((b: { id: string }) => b.id)).toEqual([recent.body.id, gone.body.id]);
    expect(first.body.page.hasNextPage).toBe(true);
    const second = await http(app).get(url(id)).query({ limit: 2, cursor: first.body.page.nextCursor }).set(bearer(advisor));
    expect(second.body).toEqual({ data: [expect.objectContaining({ id: old.body.id })], page: { nextCursor: null, hasNextPage: false } });
    const openFirst = await http(app).get(url(id)).query({ limit: 1, resolved: 'false' }).set(bearer(advisor));
    const openNext = await http(app).get(url(id)).query({ limit: 1, resolved: 'false', cursor: openFirst.body.page.nextCursor }).set(bearer(advisor));
    expect([...openFirst.body.data, ...openNext.body.data].map((b: { id: string }) => b.id)).toEqual([recent.body.id, old.body.id]);
    const forged = Buffer.from(JSON.stringify(['2026-02-30', '2026-01-01T00:00:00.000Z', old.body.id])).toString('base64url');
    expectProblem(await http(app).get(url(id)).query({ cursor: forged }).set(bearer(advisor)), 400, 'INVALID_CURSOR');
    expectProblem(await http(app).get(url(id)).query({ limit: 101 }).set(bearer(advisor)), 400, 'VALIDATION_FAILED');
    const open = await http(app).get(url(id)).query({ resolved: 'false' }).set(bearer(advisor));
    expect(open.body.data.map((b: { id: string }) => b.id)).toEqual([recent.body.id, old.body.id]);
    const closed = await http(app).get(url(id)).query({ resolved: 'true' }).set(bearer(advisor));
    expect(closed.body.data.map((b: { id: string }) => b.id)).toEqual([gone.body.id]);
    expectProblem(await http(app).get(url(id)).query({ resolved: 'maybe' }).set(bearer(advisor)), 400, 'VALIDATION_FAILED');
    const one = await http(app).get(url(id, `/${old.body.id}`)).set(bearer(advisor));
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: old.body.id, theme: 'legal' });
  });

  describe('health barriers', () => {
    let id: string;
    let healthId: string;
    let mobilityId: string;

    beforeAll(async () => {
      id = await newCase();
      const health = await http(app).post(url(id)).set(bearer(advisor)).send({ theme: 'health', severity: 'high', note: 'Suivi diabète, fatigue chronique' });
      expect(health.status).toBe(201);
      healthId = health.body.id;
      const mobility = await http(app).post(url(id)).set(bearer(advisor)).send({ theme: 'mobility', severity: 'low' });
      mobilityId = mobility.body.id;
    });

    it('are seen by the agency staff and admins', async () => {
      for (const who of [advisor, colleague, manager, admin]) {
        const list = await http(app).get(url(id)).set(bearer(who));
        expect(list.body.data.map((b: { theme: string }) => b.theme).sort()).toEqual(['health', 'mobility']);
        const one = await http(app).get(url(id, `/${healthId}`)).set(bearer(who));
        expect(one.status).toBe(200);
        expect(one.body.note).toBe('Suivi diabète, fatigue chronique');
      }
    });

    it('do not exist for a machine client, even one that writes', async () => {
      for (const client of [readClient, writeClient]) {
        const list = await http(app).get(url(id)).set(bearer(client));
        expect(list.status).toBe(200);
        expect(list.body.data.map((b: { id: string }) => b.id)).toEqual([mobilityId]);
        expectProblem(await http(app).get(url(id, `/${healthId}`)).set(bearer(client)), 404, 'BARRIER_NOT_FOUND');
      }
      expectProblem(await http(app).patch(url(id, `/${healthId}`)).set(bearer(writeClient)).send({ severity: 'low' }), 404, 'BARRIER_NOT_FOUND');
      expectProblem(await http(app).post(url(id, `/${healthId}/resolve`)).set(bearer(writeClient)).send({}), 404, 'BARRIER_NOT_FOUND');
      expectProblem(await http(app).post(url(id)).set(bearer(writeClient)).send({ theme: 'health', severity: 'low' }), 403, 'SENSITIVE_DATA_NOT_ALLOWED');
      const other = await http(app).post(url(id)).set(bearer(writeClient)).send({ theme: 'childcare_family', severity: 'medium' });
      expect(other.status).toBe(201);
      expect((await http(app).get(url(id, `/${healthId}`)).set(bearer(advisor))).body.severity).toBe('high');
    });

    it('leave neither their theme nor their note in the timeline', async () => {
      const line = (await timelineOf(id)).find((e) => e.type === 'barrier.identified' && e.data.barrierId === healthId);
      expect(line).toMatchObject({ summary: 'Barrier identified', data: { barrierId: healthId } });
      expect(line!.data).not.toHaveProperty('theme');
      const text = JSON.stringify(await timelineOf(id));
      expect(text).not.toContain('health');
      expect(text).not.toContain('diabète');
    });
  });

  describe('scope and roles', () => {
    let id: string;
    let barrierId: string;

    beforeAll(async () => {
      id = await newCase();
      barrierId = (await http(app).post(url(id)).set(bearer(advisor)).send({ theme: 'administrative', severity: 'medium' })).body.id;
    });

    it('answers 404 to staff of another agency, on reads and writes', async () => {
      expectProblem(await http(app).get(url(id)).set(bearer(otherAgencyAdvisor)), 404, 'BENEFICIARY_NOT_FOUND');
      expectProblem(await http(app).get(url(id, `/${barrierId}`)).set(bearer(otherAgencyAdvisor)), 404, 'BENEFICIARY_NOT_FOUND');
      expectProblem(await http(app).post(url(id)).set(bearer(otherAgencyAdvisor)).send({ theme: 'legal', severity: 'low' }), 404, 'BENEFICIARY_NOT_FOUND');
      expectProblem(await http(app).patch(url(id, `/${barrierId}`)).set(bearer(otherAgencyAdvisor)).send({ severity: 'low' }), 404, 'BENEFICIARY_NOT_FOUND');
      expectProblem(await http(app).post(url(id, `/${barrierId}/resolve`)).set(bearer(otherAgencyAdvisor)).send({}), 404, 'BENEFICIARY_NOT_FOUND');
      expectProblem(await http(app).get(url(randomUUID())).set(bearer(advisor)), 404, 'BENEFICIARY_NOT_FOUND');
    });

    it('answers 404 for a barrier of another case', async () => {
      const other = await newCase();
      expectProblem(await http(app).get(url(other, `/${barrierId}`)).set(bearer(advisor)), 404, 'BARRIER_NOT_FOUND');
      expectProblem(await http(app).patch(url(other, `/${barrierId}`)).set(bearer(advisor)).send({ severity: 'low' }), 404, 'BARRIER_NOT_FOUND');
    });

    it('lets an advisor of the agency read but not change a case of another caseload', async () => {
      expect((await http(app).get(url(id)).set(bearer(colleague))).status).toBe(200);
      expectProblem(await http(app).post(url(id)).set(bearer(colleague)).send({ theme: 'legal', severity: 'low' }), 403, 'NOT_IN_CASELOAD');
      expectProblem(await http(app).patch(url(id, `/${barrierId}`)).set(bearer(colleague)).send({ severity: 'low' }), 403, 'NOT_IN_CASELOAD');
    });

    it('refuses analysts, provider staff and a client without the scope; 401 without a token', async () => {
      const noScope = await clientToken(['reference:read']);
      for (const who of [analyst, providerStaff, noScope]) {
        expectProblem(await http(app).get(url(id)).set(bearer(who)), 403, 'FORBIDDEN');
        expectProblem(await http(app).post(url(id)).set(bearer(who)).send({ theme: 'legal', severity: 'low' }), 403, 'FORBIDDEN');
        expectProblem(await http(app).patch(url(id, `/${barrierId}`)).set(bearer(who)).send({ severity: 'low' }), 403, 'FORBIDDEN');
        expectProblem(await http(app).post(url(id, `/${barrierId}/resolve`)).set(bearer(who)).send({}), 403, 'FORBIDDEN');
      }
      expectProblem(await http(app).post(url(id, `/${barrierId}/resolve`)).set(bearer(readClient)).send({}), 403, 'FORBIDDEN');
      expectProblem(await http(app).get(url(id)), 401, 'UNAUTHORIZED');
    });
  });

  describe('bad input', () => {
    let id: string;
    let barrierId: string;

    beforeAll(async () => {
      id = await newCase();
      barrierId = (await http(app).post(url(id)).set(bearer(advisor)).send({ theme: 'language', severity: 'low' })).body.id;
    });

    const fieldsOf = (res: { body: { errors?: { field: string }[] } }) => (res.body.errors ?? []).map((e) => e.field);

    it.each([
      [{ severity: 'low' }, 'theme'],
      [{ theme: 'weather', severity: 'low' }, 'theme'],
      [{ theme: 'legal' }, 'severity'],
      [{ theme: 'legal', severity: 'extreme' }, 'severity'],
      [{ theme: 'legal', severity: 'low', note: '' }, 'note'],
      [{ theme: 'legal', severity: 'low', note: 'x'.repeat(2001) }, 'note'],
      [{ theme: 'legal', severity: 'low', identifiedOn: '2026-02-30' }, 'identifiedOn'],
      [{ theme: 'legal', severity: 'low', identifiedOn: '2999-01-01' }, 'identifiedOn'],
      [{ theme: 'legal', severity: 'low', resolvedOn: '2026-01-01' }, 'resolvedOn'],
    ])('POST %j → 400 on %s', async (body, field) => {
      const res = await http(app).post(url(id)).set(bearer(advisor)).send(body);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(res)).toContain(field);
    });

    it.each([
      [{ severity: null }, 'severity'],
      [{ severity: 'huge' }, 'severity'],
      [{ note: 42 }, 'note'],
      [{ theme: 'health' }, 'theme'],
    ])('PATCH %j → 400 on %s', async (body, field) => {
      const res = await http(app).patch(url(id, `/${barrierId}`)).set(bearer(advisor)).send(body);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(res)).toContain(field);
    });

    it('refuses a bad resolution date, a bad id and a malformed body', async () => {
      const future = await http(app).post(url(id, `/${barrierId}/resolve`)).set(bearer(advisor)).send({ resolvedOn: days(3) });
      expectProblem(future, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(future)).toContain('resolvedOn');
      const badId = await http(app).patch(url(id, '/not-a-uuid')).set(bearer(advisor)).send({ severity: 'low' });
      expectProblem(badId, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(badId)).toContain('barrierId');
      expectProblem(await http(app).post(url('nope')).set(bearer(advisor)).send({ theme: 'legal', severity: 'low' }), 400, 'VALIDATION_FAILED');
      expectProblem(await http(app).post(url(id)).set(bearer(advisor)).set('content-type', 'application/json').send('{"theme":'), 400, 'MALFORMED_JSON');
      expect((await http(app).get(url(id, `/${barrierId}`)).set(bearer(advisor))).body.severity).toBe('low');
    });
  });
});

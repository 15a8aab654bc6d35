import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { Role } from '../../src/common/auth/roles';
import { assign, beneficiaryInput, createBeneficiary, CreatedBeneficiary, isoDay, machineClientToken, walkPages } from '../factories/case-file';
import { bearer, createAgency, createProvider, createStaff, StaffAccount } from '../factories/identity';
import { expectProblem, http, startTestApp } from '../setup/app';

/**
 * Who sees and changes which case: agency scope (out of scope = 404), roles
 * without access (403), the advisor's caseload, the NIR, machine clients by
 * scope; ETag / If-Match; assignment and caseload transfers.
 *
 * Communes of this file: 93039 and 93046 (agency A), 93045 (agency B).
 */
const COMMUNE_A = '93039';
const COMMUNE_A2 = '93046';
const COMMUNE_B = '93045';

type Summary = { id: string; agencyId: string | null; [key: string]: unknown };

describe('case file: scope, concurrency and assignment', () => {
  let app: NestFastifyApplication;
  let agencyA: string;
  let agencyB: string;
  let admin: StaffAccount;
  let managerA: StaffAccount;
  let advisorA1: StaffAccount;
  let advisorA2: StaffAccount;
  let managerB: StaffAccount;
  let advisorB: StaffAccount;
  let analyst: StaffAccount;
  let provider: StaffAccount;

  const get = (by: { token: string }, path: string) => http(app).get(`/api/v1${path}`).set(bearer(by));
  const post = (by: { token: string }, path: string, body: object = {}) => http(app).post(`/api/v1${path}`).set(bearer(by)).send(body);
  const patch = (by: { token: string }, path: string, body: object) => http(app).patch(`/api/v1${path}`).set(bearer(by)).send(body);

  async function listAll(by: { token: string }, query: Record<string, string> = {}): Promise<Summary[]> {
    const { items } = await walkPages<Summary>((cursor) => get(by, '/beneficiaries').query({ limit: 100, ...query, ...(cursor ? { cursor } : {}) }));
    return items;
  }

  beforeAll(async () => {
    app = await startTestApp();
    agencyA = (await createAgency(app, [COMMUNE_A, COMMUNE_A2])).id;
    agencyB = (await createAgency(app, [COMMUNE_B])).id;
    admin = await createStaff(app, Role.Admin);
    managerA = await createStaff(app, Role.AgencyManager, { agencyId: agencyA });
    advisorA1 = await createStaff(app, Role.Advisor, { agencyId: agencyA });
    advisorA2 = await createStaff(app, Role.Advisor, { agencyId: agencyA });
    managerB = await createStaff(app, Role.AgencyManager, { agencyId: agencyB });
    advisorB = await createStaff(app, Role.Advisor, { agencyId: agencyB });
    analyst = await createStaff(app, Role.Analyst);
    provider = await createStaff(app, Role.Provider, { providerId: (await createProvider(app)).id });
  });
  afterAll(() => app.close());

  describe('agency scope', () => {
    let caseA: CreatedBeneficiary;
    let contractId: string;

    beforeAll(async () => {
      caseA = await createBeneficiary(app, managerA, COMMUNE_A, { rightsOpenedOn: isoDay(-2) });
      const contract = await post(managerA, `/beneficiaries/${caseA.id}/contracts`, { startsOn: isoDay(3) });
      expect(contract.status).toBe(201);
      contractId = contract.body.id;
    });

    const outOfScope: [string, 'get' | 'post' | 'patch', (id: string, contractId: string) => string, object][] = [
      ['GET the case', 'get', (id) => `/beneficiaries/${id}`, {}],
      ['PATCH the case', 'patch', (id) => `/beneficiaries/${id}`, { phone: '0600000000' }],
      ['GET the timeline', 'get', (id) => `/beneficiaries/${id}/timeline`, {}],
      ['GET the contracts', 'get', (id) => `/beneficiaries/${id}/contracts`, {}],
      ['GET a contract', 'get', (id, k) => `/beneficiaries/${id}/contracts/${k}`, {}],
      ['POST a contract', 'post', (id) => `/beneficiaries/${id}/contracts`, { startsOn: isoDay(5) }],
      ['sign a contract', 'post', (id, k) => `/beneficiaries/${id}/contracts/${k}/sign`, {}],
      ['GET the orientations', 'get', (id) => `/beneficiaries/${id}/orientations`, {}],
      ['GET the reorientation requests', 'get', (id) => `/beneficiaries/${id}/reorientation-requests`, {}],
      ['request a reorientation', 'post', (id) => `/beneficiaries/${id}/reorientation-requests`, { path: 'social', referentBody: 'departement', reason: 'x' }],
      ['exit', 'post', (id) => `/beneficiaries/${id}/exit`, { reason: 'other', exitedOn: isoDay(0) }],
      ['re-enter', 'post', (id) => `/beneficiaries/${id}/reentry`, {}],
    ];

    it.each(outOfScope)('answers an advisor of another agency 404 on %s', async (_label, method, path, body) => {
      const res = await http(app)[method](`/api/v1${path(caseA.id, contractId)}`).set(bearer(advisorB)).send(body);
      expectProblem(res, 404, 'BENEFICIARY_NOT_FOUND');
    });

    it.each<[string, 'get' | 'post' | 'patch', (id: string, contractId: string) => string, object]>([
      ...outOfScope,
      ['orient', 'post', (id) => `/beneficiaries/${id}/orientation`, { path: 'social', referentBody: 'departement' }],
      ['assign', 'post', (id) => `/beneficiaries/${id}/assignment`, { advisorId: randomUUID() }],
      ['export', 'get', (id) => `/beneficiaries/${id}/export`, {}],
    ])('answers a manager of another agency 404 on %s', async (_label, method, path, body) => {
      const res = await http(app)[method](`/api/v1${path(caseA.id, contractId)}`).set(bearer(managerB)).send(body);
      expectProblem(res, 404, 'BENEFICIARY_NOT_FOUND');
    });

    it('answers 404 the same way as for a case that does not exist', async () => {
      const missing = await get(managerB, `/beneficiaries/${randomUUID()}`);
      const hidden = await get(managerB, `/beneficiaries/${caseA.id}`);
      expect({ status: hidden.status, code: hidden.body.code, detail: hidden.body.detail }).toEqual({
        status: missing.status,
        code: missing.body.code,
        detail: missing.body.detail,
      });
    });

    it('left the case untouched after all those attempts', async () => {
      const res = await get(managerA, `/beneficiaries/${caseA.id}`);
      expect(res.body).toMatchObject({ version: 1, status: 'to_orient', phone: null, exit: null, orientation: null });
      const contracts = await get(managerA, `/beneficiaries/${caseA.id}/contracts`);
      expect(contracts.body.data).toEqual([expect.objectContaining({ id: contractId, status: 'draft' })]);
    });

    it('never lists another agency\'s cases, whatever the filters', async () => {
      for (const by of [managerB, advisorB]) {
        const all = await listAll(by);
        expect(all.map((b) => b.id)).not.toContain(caseA.id);
        expect(all.every((b) => b.agencyId === agencyB)).toBe(true);
        const byAgency = await get(by, '/beneficiaries').query({ agencyId: agencyA });
        expect(byAgency.status).toBe(200);
        expect(byAgency.body.data).toEqual([]);
        const byCaf = await get(by, '/beneficiaries').query({ q: caseA.cafNumber as string });
        expect(byCaf.body.data).toEqual([]);
        const byCommune = await get(by, '/beneficiaries').query({ communeCode: COMMUNE_A });
        expect(byCommune.body.data).toEqual([]);
      }
      const own = await get(advisorA2, '/beneficiaries').query({ q: caseA.cafNumber as string });
      expect(own.body.data.map((b: Summary) => b.id)).toEqual([caseA.id]);
    });

    it.each([
      ['analyst', () => analyst],
      ['provider', () => provider],
    ])('refuses the %s every beneficiary route (a provider sees only the people referred to it)', async (label, who) => {
      const by = who();
      if (label === 'analyst') {
        expectProblem(await get(by, '/beneficiaries'), 403, 'FORBIDDEN');
        expectProblem(await get(by, `/beneficiaries/${caseA.id}`), 403, 'FORBIDDEN');
      } else {
        // Nobody of this file is referred to the provider (test/referrals/provider-view.e2e-spec.ts).
        expect((await get(by, '/beneficiaries')).body.data).toEqual([]);
        expectProblem(await get(by, `/beneficiaries/${caseA.id}`), 404, 'BENEFICIARY_NOT_FOUND');
      }
      expectProblem(await post(by, '/beneficiaries', beneficiaryInput(COMMUNE_A)), 403, 'FORBIDDEN');
      expectProblem(await patch(by, `/beneficiaries/${caseA.id}`, { phone: '0600000000' }), 403, 'FORBIDDEN');
      expectProblem(await get(by, `/beneficiaries/${caseA.id}/timeline`), 403, 'FORBIDDEN');
      expectProblem(await get(by, `/beneficiaries/${caseA.id}/contracts`), 403, 'FORBIDDEN');
      expectProblem(await get(by, `/beneficiaries/${caseA.id}/orientations`), 403, 'FORBIDDEN');
      expectProblem(await post(by, `/beneficiaries/${caseA.id}/orientation`, { path: 'social', referentBody: 'departement' }), 403, 'FORBIDDEN');
      expectProblem(await get(by, `/beneficiaries/${caseA.id}/export`), 403, 'FORBIDDEN');
      expectProblem(await post(by, `/beneficiaries/${caseA.id}/exit`, { reason: 'other', exitedOn: isoDay(0) }), 403, 'FORBIDDEN');
    });

    it('refuses a request without a token with 401', async () => {
      expectProblem(await http(app).get(`/api/v1/beneficiaries/${caseA.id}`), 401, 'UNAUTHORIZED');
      expectProblem(await http(app).get('/api/v1/beneficiaries'), 401, 'UNAUTHORIZED');
    });

    it('shows the NIR to the agency\'s staff and to admins, never in list items', async () => {
      for (const by of [managerA, advisorA1, advisorA2, admin]) {
        const res = await get(by, `/beneficiaries/${caseA.id}`);
        expect(res.status).toBe(200);
        expect(res.body.nir).toBe(caseA.nir);
      }
      for (const by of [managerA, advisorA1, admin]) {
        const list = await get(by, '/beneficiaries').query({ q: caseA.cafNumber as string });
        expect(list.body.data).toHaveLength(1);
        expect(list.body.data[0]).not.toHaveProperty('nir');
        expect(JSON.stringify(list.body)).not.toContain(caseA.nir as string);
      }
    });
  });

  describe('the advisor\'s caseload', () => {
    it('lets an advisor change an unassigned case of the agency', async () => {
      const b = await createBeneficiary(app, managerA, COMMUNE_A);
      const res = await patch(advisorA1, `/beneficiaries/${b.id}`, { phone: '0611111111' });
      expect(res.status).toBe(200);
      expect(res.body.phone).toBe('0611111111');
    });

    it('lets an advisor change their own caseload, and answers 403 NOT_IN_CASELOAD on a colleague\'s', async () => {
      const b = await createBeneficiary(app, managerA, COMMUNE_A);
      await assign(app, managerA, b.id, advisorA1.id);
      const own = await patch(advisorA1, `/beneficiaries/${b.id}`, { phone: '0622222222' });
      expect(own.status).toBe(200);

      // The colleague still sees the case...
      const seen = await get(advisorA2, `/beneficiaries/${b.id}`);
      expect(seen.status).toBe(200);
      // ...but may not change it.
      expectProblem(await patch(advisorA2, `/beneficiaries/${b.id}`, { phone: '0633333333' }), 403, 'NOT_IN_CASELOAD');
      expectProblem(await post(advisorA2, `/beneficiaries/${b.id}/contracts`, { startsOn: isoDay(3) }), 403, 'NOT_IN_CASELOAD');
      expectProblem(await post(advisorA2, `/beneficiaries/${b.id}/exit`, { reason: 'other', exitedOn: isoDay(0) }), 403, 'NOT_IN_CASELOAD');
      expectProblem(
        await post(advisorA2, `/beneficiaries/${b.id}/reorientation-requests`, { path: 'social', referentBody: 'departement', reason: 'x' }),
        403,
        'NOT_IN_CASELOAD',
      );
      const after = await get(managerA, `/beneficiaries/${b.id}`);
      expect(after.body).toMatchObject({ phone: '0622222222', status: 'to_orient', exit: null, advisorId: advisorA1.id });
      expect((await get(managerA, `/beneficiaries/${b.id}/contracts`)).body.data).toEqual([]);

      // The manager changes any case of the agency.
      expect((await patch(managerA, `/beneficiaries/${b.id}`, { phone: '0644444444' })).status).toBe(200);
    });
  });

  describe('machine clients', () => {
    let reader: { token: string };
    let writer: { token: string };
    let caseA: CreatedBeneficiary;

    beforeAll(async () => {
      reader = await machineClientToken(app, admin, ['beneficiaries:read']);
      writer = await machineClientToken(app, admin, ['beneficiaries:write']);
      caseA = await createBeneficiary(app, managerA, COMMUNE_A2);
    });

    it('with beneficiaries:read lists and reads cases, without the NIR', async () => {
      const list = await get(reader, '/beneficiaries').query({ q: caseA.cafNumber as string });
      expect(list.status).toBe(200);
      expect(list.body.data.map((b: Summary) => b.id)).toEqual([caseA.id]);
      const one = await get(reader, `/beneficiaries/${caseA.id}`);
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ id: caseA.id, cafNumber: caseA.cafNumber, agencyId: agencyA });
      expect(one.body).not.toHaveProperty('nir');
      expect(one.headers.etag).toBe(`"${one.body.version}"`);
    });

    it('with beneficiaries:read cannot create or change a case (403)', async () => {
      expectProblem(await post(reader, '/beneficiaries', beneficiaryInput(COMMUNE_A2)), 403, 'FORBIDDEN');
      expectProblem(await patch(reader, `/beneficiaries/${caseA.id}`, { phone: '0600000000' }), 403, 'FORBIDDEN');
      expectProblem(await post(reader, `/beneficiaries/${caseA.id}/orientation`, { path: 'social', referentBody: 'departement' }), 403, 'FORBIDDEN');
    });

    it('with beneficiaries:write creates a case in the agency serving the commune', async () => {
      const res = await post(writer, '/beneficiaries', beneficiaryInput(COMMUNE_B));
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ status: 'to_orient', agencyId: agencyB });
      expect(res.body).not.toHaveProperty('nir');
      const seen = await get(managerB, `/beneficiaries/${res.body.id}`);
      expect(seen.status).toBe(200);
    });

    it('is refused the data-subject export (403)', async () => {
      expectProblem(await get(reader, `/beneficiaries/${caseA.id}/export`), 403, 'FORBIDDEN');
    });
  });

  describe('ETag and If-Match', () => {
    let b: CreatedBeneficiary;
    beforeAll(async () => {
      b = await createBeneficiary(app, managerA, COMMUNE_A);
    });

    it('GET gives the ETag "<version>"', async () => {
      const res = await get(advisorA1, `/beneficiaries/${b.id}`);
      expect(res.headers.etag).toBe(`"${res.body.version}"`);
      expect(res.headers.etag).toBe('"1"');
    });

    it('PATCH with the current ETag succeeds and gives a new one; with the stale one it is 412 and nothing changes', async () => {
      const first = await http(app).patch(`/api/v1/beneficiaries/${b.id}`).set(bearer(advisorA1)).set('if-match', '"1"').send({ phone: '0655555555' });
      expect(first.status).toBe(200);
      expect(first.body.version).toBe(2);
      expect(first.headers.etag).toBe('"2"');

      const stale = await http(app).patch(`/api/v1/beneficiaries/${b.id}`).set(bearer(advisorA2)).set('if-match', '"1"').send({ phone: '0666666666' });
      expectProblem(stale, 412, 'PRECONDITION_FAILED');
      expect(stale.headers.etag).toBe('"2"');

      const got = await get(managerA, `/beneficiaries/${b.id}`);
      expect(got.body).toMatchObject({ phone: '0655555555', version: 2 });
      expect(got.headers.etag).toBe('"2"');

      const again = await http(app).patch(`/api/v1/beneficiaries/${b.id}`).set(bearer(advisorA2)).set('if-match', got.headers.etag).send({ phone: '0666666666' });
      expect(again.status).toBe(200);
      expect(again.headers.etag).toBe('"3"');
      expect(again.body.phone).toBe('0666666666');
    });

    it('PATCH without If-Match (or with *) applies the change', async () => {
      const before = (await get(managerA, `/beneficiaries/${b.id}`)).body.version;
      const res = await patch(advisorA1, `/beneficiaries/${b.id}`, { address: '12 rue Gabriel Péri' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ address: '12 rue Gabriel Péri', version: before + 1 });
      expect(res.headers.etag).toBe(`"${before + 1}"`);
      const star = await http(app).patch(`/api/v1/beneficiaries/${b.id}`).set(bearer(advisorA1)).set('if-match', '*').send({ address: '3 allée des Tilleuls' });
      expect(star.status).toBe(200);
      expect(star.headers.etag).toBe(`"${before + 2}"`);
    });

    it('two concurrent changes made from the same version: one wins, the other gets 412', async () => {
      const c = await createBeneficiary(app, managerA, COMMUNE_A);
      const [one, two] = await Promise.all([
        http(app).patch(`/api/v1/beneficiaries/${c.id}`).set(bearer(advisorA1)).set('if-match', '"1"').send({ phone: '0610101010' }),
        http(app).patch(`/api/v1/beneficiaries/${c.id}`).set(bearer(advisorA2)).set('if-match', '"1"').send({ phone: '0620202020' }),
      ]);
      expect([one.status, two.status].sort()).toEqual([200, 412]);
      const winner = one.status === 200 ? one : two;
      const got = await get(managerA, `/beneficiaries/${c.id}`);
      expect(got.body).toMatchObject({ version: 2, phone: winner.body.phone });
    });

    it('a change by another route (assignment) also makes the old ETag stale', async () => {
      const read = await get(managerA, `/beneficiaries/${b.id}`);
      const assigned = await assign(app, managerA, b.id, advisorA1.id);
      expect(assigned.version).toBeGreaterThan(read.body.version);
      const stale = await http(app).patch(`/api/v1/beneficiaries/${b.id}`).set(bearer(advisorA1)).set('if-match', read.headers.etag).send({ phone: '0677777777' });
      expectProblem(stale, 412, 'PRECONDITION_FAILED');
    });
  });

  describe('assignment', () => {
    it('lets the manager assign an advisor of the agency (200, advisorId set, timeline line)', async () => {
      const b = await createBeneficiary(app, managerA, COMMUNE_A);
      const res = await post(managerA, `/beneficiaries/${b.id}/assignment`, { advisorId: advisorA1.id });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: b.id, advisorId: advisorA1.id });
      expect(res.headers.etag).toBe(`"${res.body.version}"`);
      expect((await get(advisorA1, `/beneficiaries/${b.id}`)).body.advisorId).toBe(advisorA1.id);
      const mine = await get(advisorA1, '/beneficiaries').query({ advisorId: advisorA1.id, q: b.cafNumber as string });
      expect(mine.body.data.map((s: Summary) => s.id)).toEqual([b.id]);

      // Reassigning to a colleague moves the case.
      const moved = await post(managerA, `/beneficiaries/${b.id}/assignment`, { advisorId: advisorA2.id });
      expect(moved.status).toBe(200);
      expect(moved.body.advisorId).toBe(advisorA2.id);
      const timeline = await get(managerA, `/beneficiaries/${b.id}/timeline`);
      expect(timeline.body.data.filter((e: { type: string }) => e.type === 'advisor.assigned')).toHaveLength(2);
    });

    it('lets an admin assign too', async () => {
      const b = await createBeneficiary(app, managerA, COMMUNE_A);
      const res = await post(admin, `/beneficiaries/${b.id}/assignment`, { advisorId: advisorA2.id });
      expect(res.status).toBe(200);
      expect(res.body.advisorId).toBe(advisorA2.id);
    });

    it.each([
      ['an advisor of another agency', () => advisorB.id],
      ['the agency manager (not an advisor)', () => managerA.id],
      ['an unknown user', () => randomUUID()],
    ])('refuses %s with 422 INVALID_ADVISOR', async (_label, advisorId) => {
      const b = await createBeneficiary(app, managerA, COMMUNE_A);
      const res = await post(managerA, `/beneficiaries/${b.id}/assignment`, { advisorId: advisorId() });
      expectProblem(res, 422, 'INVALID_ADVISOR');
      expect((await get(managerA, `/beneficiaries/${b.id}`)).body).toMatchObject({ advisorId: null, version: 1 });
    });

    it('refuses an advisor assigning a case (403)', async () => {
      const b = await createBeneficiary(app, managerA, COMMUNE_A);
      expectProblem(await post(advisorA1, `/beneficiaries/${b.id}/assignment`, { advisorId: advisorA1.id }), 403, 'FORBIDDEN');
      expect((await get(managerA, `/beneficiaries/${b.id}`)).body.advisorId).toBeNull();
    });
  });

  describe('moving to another agency\'s commune', () => {
    it('hands the case over: the new agency sees it, the advisor is released, the old agency no longer sees it', async () => {
      const c = await createBeneficiary(app, managerA, COMMUNE_A);
      await assign(app, managerA, c.id, advisorA1.id);
      const moved = await patch(advisorA1, `/beneficiaries/${c.id}`, { communeCode: COMMUNE_B });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ agencyId: agencyB, advisorId: null, communeCode: COMMUNE_B });
      expectProblem(await get(managerA, `/beneficiaries/${c.id}`), 404, 'BENEFICIARY_NOT_FOUND');
      const seen = await get(managerB, `/beneficiaries/${c.id}`);
      expect(seen.status).toBe(200);
      expect(seen.body.nir).toBe(c.nir);
      const timeline = await get(managerB, `/beneficiaries/${c.id}/timeline`);
      expect(timeline.body.data.map((e: { type: string }) => e.type)).toContain('agency.changed');
      expect(await listAll(advisorA1, { advisorId: advisorA1.id })).not.toEqual(expect.arrayContaining([expect.objectContaining({ id: c.id })]));
    });
  });

  describe('caseload transfers', () => {
    it('moves every open case of one advisor to another, and only those', async () => {
      const from = await createStaff(app, Role.Advisor, { agencyId: agencyA });
      const to = await createStaff(app, Role.Advisor, { agencyId: agencyA });
      const open = [await createBeneficiary(app, managerA, COMMUNE_A), await createBeneficiary(app, managerA, COMMUNE_A2), await createBeneficiary(app, managerA, COMMUNE_A)];
      for (const b of open) await assign(app, managerA, b.id, from.id);
      const exited = await createBeneficiary(app, managerA, COMMUNE_A);
      await assign(app, managerA, exited.id, from.id);
      expect((await post(managerA, `/beneficiaries/${exited.id}/exit`, { reason: 'employment', exitedOn: isoDay(0) })).status).toBe(200);
      const other = await createBeneficiary(app, managerA, COMMUNE_A);
      await assign(app, managerA, other.id, advisorA1.id);

      const res = await post(managerA, '/caseload-transfers', { fromAdvisorId: from.id, toAdvisorId: to.id });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ transferred: 3 });

      for (const b of open) expect((await get(managerA, `/beneficiaries/${b.id}`)).body.advisorId).toBe(to.id);
      expect((await get(managerA, `/beneficiaries/${exited.id}`)).body.advisorId).toBe(from.id);
      expect((await get(managerA, `/beneficiaries/${other.id}`)).body.advisorId).toBe(advisorA1.id);

      const toList = await listAll(managerA, { advisorId: to.id });
      expect(toList.map((b) => b.id).sort()).toEqual(open.map((b) => b.id).sort());
      const fromList = await listAll(managerA, { advisorId: from.id });
      expect(fromList.map((b) => b.id)).toEqual([exited.id]);
    });

    it('refuses a transfer to an advisor of another agency (422) and moves nothing', async () => {
      const from = await createStaff(app, Role.Advisor, { agencyId: agencyA });
      const b = await createBeneficiary(app, managerA, COMMUNE_A);
      await assign(app, managerA, b.id, from.id);
      expectProblem(await post(managerA, '/caseload-transfers', { fromAdvisorId: from.id, toAdvisorId: advisorB.id }), 422, 'INVALID_ADVISOR');
      expect((await get(managerA, `/beneficiaries/${b.id}`)).body.advisorId).toBe(from.id);
    });

    it('refuses a manager moving another agency\'s caseload (422 INVALID_ADVISOR)', async () => {
      const b = await createBeneficiary(app, managerB, COMMUNE_B);
      await assign(app, managerB, b.id, advisorB.id);
      expectProblem(await post(managerA, '/caseload-transfers', { fromAdvisorId: advisorB.id, toAdvisorId: advisorA1.id }), 422, 'INVALID_ADVISOR');
      expect((await get(managerB, `/beneficiaries/${b.id}`)).body.advisorId).toBe(advisorB.id);
    });

    it('refuses an advisor (403)', async () => {
      expectProblem(await post(advisorA1, '/caseload-transfers', { fromAdvisorId: advisorA2.id, toAdvisorId: advisorA1.id }), 403, 'FORBIDDEN');
    });
  });
});

import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { Role } from '../../src/common/auth/roles';
import { assign, createBeneficiary, CreatedBeneficiary, expectFieldErrors, isoDay, orient, plusDays, plusMonths } from '../factories/case-file';
import { bearer, createAgency, createStaff, StaffAccount } from '../factories/identity';
import { expectProblem, http, startTestApp } from '../setup/app';

/**
 * The pathway of a case: orientation and its deadlines, reorientation
 * requests, contrats d'engagement, exit and re-entry.
 *
 * Communes of this file: 93051 and 93053 (agency P); 93055 is not used.
 */
const COMMUNE = '93051';
const COMMUNE_2 = '93053';

describe('case file: orientation, contracts, exit', () => {
  let app: NestFastifyApplication;
  let admin: StaffAccount;
  let manager: StaffAccount;
  let advisor: StaffAccount;

  const get = (by: { token: string }, path: string) => http(app).get(`/api/v1/beneficiaries${path}`).set(bearer(by));
  const post = (by: { token: string }, path: string, body: object = {}) => http(app).post(`/api/v1/beneficiaries${path}`).set(bearer(by)).send(body);
  const patch = (by: { token: string }, path: string, body: object) => http(app).patch(`/api/v1/beneficiaries${path}`).set(bearer(by)).send(body);
  const fresh = (overrides: Record<string, unknown> = {}) => createBeneficiary(app, manager, COMMUNE, overrides);

  beforeAll(async () => {
    app = await startTestApp();
    const agency = await createAgency(app, [COMMUNE, COMMUNE_2]);
    admin = await createStaff(app, Role.Admin);
    manager = await createStaff(app, Role.AgencyManager, { agencyId: agency.id });
    advisor = await createStaff(app, Role.Advisor, { agencyId: agency.id });
  });
  afterAll(() => app.close());

  describe('orientation', () => {
    it('before orientation, the orientation is due 42 days after the opening of rights', async () => {
      const opened = isoDay(-10);
      const b = await fresh({ rightsOpenedOn: opened });
      expect(b.deadlines).toEqual({ orientationDueOn: plusDays(opened, 42), contractDueOn: null, reviewDueOn: null, nextDueOn: plusDays(opened, 42), overdue: false });
    });

    it('refuses an advisor (403) and leaves the case to orient', async () => {
      const b = await fresh();
      expectProblem(await post(advisor, `/${b.id}/orientation`, { path: 'social', referentBody: 'departement' }), 403, 'FORBIDDEN');
      expect((await get(manager, `/${b.id}`)).body).toMatchObject({ status: 'to_orient', orientation: null });
      expect((await get(manager, `/${b.id}/orientations`)).body.data).toEqual([]);
    });

    it('the manager orients on the social path: status oriented, contract due in 30 days, review in 6 months', async () => {
      const opened = isoDay(-30);
      const decidedOn = isoDay(-10);
      const b = await fresh({ rightsOpenedOn: opened });
      const res = await post(manager, `/${b.id}/orientation`, { path: 'social', referentBody: 'departement', decidedOn, reason: 'Logement à stabiliser' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'oriented',
        orientation: { path: 'social', referentBody: 'departement', decidedOn },
        deadlines: { orientationDueOn: null, contractDueOn: plusDays(decidedOn, 30), reviewDueOn: plusMonths(decidedOn, 6), nextDueOn: plusDays(decidedOn, 30), overdue: false },
      });
      expect(res.body.version).toBeGreaterThan(b.version);
      const history = await get(manager, `/${b.id}/orientations`);
      expect(history.body.data).toEqual([
        expect.objectContaining({ path: 'social', referentBody: 'departement', decidedOn, endedOn: null, reason: 'Logement à stabiliser', decidedBy: manager.id }),
      ]);
    });

    it('a listed vulnerability on the social path puts the review at 12 months; on another path it is refused', async () => {
      const decidedOn = isoDay(-10);
      const b = await fresh({ rightsOpenedOn: isoDay(-30) });
      expectProblem(await post(manager, `/${b.id}/orientation`, { path: 'professional', referentBody: 'france_travail', decidedOn, vulnerable: true }), 400, 'VALIDATION_FAILED');
      expect((await get(manager, `/${b.id}`)).body.status).toBe('to_orient');
      const res = await post(manager, `/${b.id}/orientation`, { path: 'social', referentBody: 'departement', decidedOn, vulnerable: true });
      expect(res.status).toBe(200);
      expect(res.body.deadlines).toMatchObject({ reviewDueOn: plusMonths(decidedOn, 12), contractDueOn: plusDays(decidedOn, 30) });
      expect((await get(manager, `/${b.id}/orientations`)).body.data).toEqual([expect.objectContaining({ path: 'social', vulnerable: true })]);
      // A new orientation without it brings the review back to 6 months.
      const again = await post(manager, `/${b.id}/orientation`, { path: 'social', referentBody: 'delegate', decidedOn: isoDay() });
      expect(again.body.deadlines.reviewDueOn).toBe(plusMonths(isoDay(), 6));
    });

    it('an admin may orient too; without decidedOn the decision is today', async () => {
      const b = await fresh();
      const res = await post(admin, `/${b.id}/orientation`, { path: 'socio_professional', referentBody: 'delegate' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'oriented', orientation: { path: 'socio_professional', referentBody: 'delegate', decidedOn: isoDay(0) } });
      expect(res.body.deadlines).toMatchObject({ contractDueOn: plusDays(isoDay(0), 30), reviewDueOn: null });
    });

    it('a second orientation ends the first; the history shows both, newest first', async () => {
      const b = await fresh();
      await orient(app, manager, b.id, { path: 'social', referentBody: 'departement', decidedOn: isoDay(-20) });
      const second = await post(manager, `/${b.id}/orientation`, { path: 'professional', referentBody: 'france_travail', decidedOn: isoDay(-4) });
      expect(second.status).toBe(200);
      expect(second.body).toMatchObject({
        status: 'oriented',
        orientation: { path: 'professional', referentBody: 'france_travail', decidedOn: isoDay(-4) },
        deadlines: { contractDueOn: plusDays(isoDay(-4), 30), reviewDueOn: null },
      });
      const history = (await get(advisor, `/${b.id}/orientations`)).body.data;
      expect(history).toHaveLength(2);
      expect(history[0]).toMatchObject({ path: 'professional', decidedOn: isoDay(-4), endedOn: null });
      expect(history[1]).toMatchObject({ path: 'social', decidedOn: isoDay(-20), endedOn: isoDay(-4) });
      expect(history.filter((o: { endedOn: string | null }) => o.endedOn === null)).toHaveLength(1);
    });

    it('refuses a decision dated before the orientation in force (422) and keeps it', async () => {
      const b = await fresh();
      await orient(app, manager, b.id, { path: 'social', referentBody: 'departement', decidedOn: isoDay(-5) });
      const res = await post(manager, `/${b.id}/orientation`, { path: 'professional', referentBody: 'france_travail', decidedOn: isoDay(-6) });
      expectProblem(res, 422, 'ORIENTATION_BEFORE_CURRENT');
      expect((await get(manager, `/${b.id}`)).body.orientation).toEqual({ path: 'social', referentBody: 'departement', decidedOn: isoDay(-5) });
      const history = (await get(manager, `/${b.id}/orientations`)).body.data;
      expect(history).toEqual([expect.objectContaining({ path: 'social', endedOn: null })]);
    });

    it('the overdue flag clears once the late case is oriented', async () => {
      const b = await fresh({ rightsOpenedOn: isoDay(-60) });
      expect(b.deadlines).toMatchObject({ orientationDueOn: plusDays(isoDay(-60), 42), overdue: true });
      const res = await post(manager, `/${b.id}/orientation`, { path: 'professional', referentBody: 'france_travail' });
      expect(res.body.deadlines).toMatchObject({ orientationDueOn: null, overdue: false, nextDueOn: plusDays(isoDay(0), 30) });
    });
  });

  describe('reorientation requests', () => {
    let b: CreatedBeneficiary;
    let firstRequest: string;

    beforeAll(async () => {
      b = await fresh();
      await orient(app, manager, b.id, { path: 'professional', referentBody: 'france_travail', decidedOn: isoDay(-15) });
      await assign(app, manager, b.id, advisor.id);
    });

    it('an advisor asks for a reorientation: 201 pending, with the referent body in force', async () => {
      const res = await post(advisor, `/${b.id}/reorientation-requests`, { path: 'social', referentBody: 'departement', reason: 'Santé fragile' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        beneficiaryId: b.id,
        requestedPath: 'social',
        requestedReferentBody: 'departement',
        previousReferentBody: 'france_travail',
        reason: 'Santé fragile',
        status: 'pending',
        decisionReason: null,
        decidedAt: null,
      });
      firstRequest = res.body.id;
    });

    it('a second request while one is pending → 409 REORIENTATION_PENDING', async () => {
      expectProblem(await post(advisor, `/${b.id}/reorientation-requests`, { path: 'socio_professional', referentBody: 'delegate', reason: 'Autre' }), 409, 'REORIENTATION_PENDING');
      expect((await get(manager, `/${b.id}/reorientation-requests`)).body.data).toHaveLength(1);
    });

    it('two requests made at the same time: one 201, one 409 (never a server error)', async () => {
      const other = await fresh();
      await orient(app, manager, other.id);
      const results = await Promise.all(
        ['social', 'socio_professional'].map((path) => post(advisor, `/${other.id}/reorientation-requests`, { path, referentBody: 'departement', reason: 'Demande' })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    });

    it('an advisor cannot decide (403)', async () => {
      expectProblem(await post(advisor, `/${b.id}/reorientation-requests/${firstRequest}/accept`, {}), 403, 'FORBIDDEN');
      expectProblem(await post(advisor, `/${b.id}/reorientation-requests/${firstRequest}/deny`, { reason: 'Non' }), 403, 'FORBIDDEN');
    });

    it('denying without a reason → 400, the request stays pending', async () => {
      const res = await post(manager, `/${b.id}/reorientation-requests/${firstRequest}/deny`, {});
      expectFieldErrors(res, 'reason');
      expect((await get(manager, `/${b.id}/reorientation-requests`)).body.data[0]).toMatchObject({ id: firstRequest, status: 'pending' });
    });

    it('denying with a reason → denied, with the reason and the previous referent body; the orientation is unchanged', async () => {
      const res = await post(manager, `/${b.id}/reorientation-requests/${firstRequest}/deny`, { reason: 'Pas de motif médical établi' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: firstRequest, status: 'denied', decisionReason: 'Pas de motif médical établi', previousReferentBody: 'france_travail' });
      expect(res.body.decidedAt).toEqual(expect.any(String));
      expect((await get(manager, `/${b.id}`)).body.orientation).toEqual({ path: 'professional', referentBody: 'france_travail', decidedOn: isoDay(-15) });
      const timeline = (await get(manager, `/${b.id}/timeline`)).body.data;
      expect(timeline).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'reorientation.denied', data: expect.objectContaining({ previousReferentBody: 'france_travail', decisionReason: 'Pas de motif médical établi' }) }),
        ]),
      );
    });

    it('a decided request cannot be decided again (422)', async () => {
      expectProblem(await post(manager, `/${b.id}/reorientation-requests/${firstRequest}/accept`, {}), 422, 'REORIENTATION_ALREADY_DECIDED');
    });

    it('an unknown request → 404', async () => {
      expectProblem(await post(manager, `/${b.id}/reorientation-requests/${randomUUID()}/accept`, {}), 404, 'REORIENTATION_REQUEST_NOT_FOUND');
    });

    it('accepting a new request puts the requested orientation in force today and ends the previous one', async () => {
      const requested = await post(advisor, `/${b.id}/reorientation-requests`, { path: 'social', referentBody: 'departement', reason: 'Nouvelle demande' });
      expect(requested.status).toBe(201);
      const res = await post(manager, `/${b.id}/reorientation-requests/${requested.body.id}/accept`, {});
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'accepted', previousReferentBody: 'france_travail', requestedPath: 'social' });

      const now = (await get(manager, `/${b.id}`)).body;
      expect(now).toMatchObject({
        status: 'oriented',
        orientation: { path: 'social', referentBody: 'departement', decidedOn: isoDay(0) },
        deadlines: { reviewDueOn: plusMonths(isoDay(0), 6), contractDueOn: plusDays(isoDay(0), 30) },
      });
      const history = (await get(manager, `/${b.id}/orientations`)).body.data;
      expect(history).toHaveLength(2);
      expect(history[0]).toMatchObject({ path: 'social', referentBody: 'departement', decidedOn: isoDay(0), endedOn: null });
      expect(history[1]).toMatchObject({ path: 'professional', endedOn: isoDay(0) });
      const requests = (await get(manager, `/${b.id}/reorientation-requests`)).body.data;
      expect(requests.map((r: { status: string }) => r.status)).toEqual(['accepted', 'denied']);
      // The same lists a page at a time.
      const walk = async (path: string) => {
        const ids: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await get(manager, `/${b.id}/${path}?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
          expect(page.body.data).toHaveLength(1);
          ids.push(page.body.data[0].id);
          cursor = page.body.page.nextCursor ?? undefined;
        } while (cursor);
        return ids;
      };
      expect(await walk('reorientation-requests')).toEqual(requests.map((r: { id: string }) => r.id));
      expect(await walk('orientations')).toEqual(history.map((o: { id: string }) => o.id));
    });
  });

  describe('contracts', () => {
    it('drafts a contract with 15 hours a week by default', async () => {
      const b = await fresh();
      await orient(app, manager, b.id);
      const res = await post(advisor, `/${b.id}/contracts`, { startsOn: isoDay(2), actionPlan: 'Atelier CV, immersion' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ beneficiaryId: b.id, status: 'draft', weeklyActivityHours: 15, hoursJustification: null, signedOn: null, startsOn: isoDay(2), actionPlan: 'Atelier CV, immersion' });
      expect((await get(manager, `/${b.id}/contracts/${res.body.id}`)).body).toEqual(res.body);
    });

    it('below 15 hours a justification is required (400), with one it is accepted', async () => {
      const b = await fresh();
      expectFieldErrors(await post(advisor, `/${b.id}/contracts`, { startsOn: isoDay(2), weeklyActivityHours: 10 }), 'hoursJustification');
      expectFieldErrors(await post(advisor, `/${b.id}/contracts`, { startsOn: isoDay(2), weeklyActivityHours: 0, hoursJustification: '' }), 'hoursJustification');
      expect((await get(manager, `/${b.id}/contracts`)).body.data).toEqual([]);
      const ok = await post(advisor, `/${b.id}/contracts`, { startsOn: isoDay(2), weeklyActivityHours: 0, hoursJustification: 'Parent isolé sans mode de garde' });
      expect(ok.status).toBe(201);
      expect(ok.body).toMatchObject({ weeklyActivityHours: 0, hoursJustification: 'Parent isolé sans mode de garde' });
    });

    it('a second open contract → 409 CONTRACT_ALREADY_OPEN', async () => {
      const b = await fresh();
      expect((await post(advisor, `/${b.id}/contracts`, { startsOn: isoDay(1) })).status).toBe(201);
      expectProblem(await post(advisor, `/${b.id}/contracts`, { startsOn: isoDay(3) }), 409, 'CONTRACT_ALREADY_OPEN');
      expect((await get(manager, `/${b.id}/contracts`)).body.data).toHaveLength(1);
    });

    it('two contracts drafted at the same time: one 201, one 409 (never a server error)', async () => {
      const b = await fresh();
      const results = await Promise.all([1, 2, 3].map((n) => post(advisor, `/${b.id}/contracts`, { startsOn: isoDay(n) })));
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
      expect((await get(manager, `/${b.id}/contracts`)).body.data).toHaveLength(1);
    });

    it('a draft can be changed, but not lowered below 15 hours without a justification', async () => {
      const b = await fresh();
      const c = (await post(advisor, `/${b.id}/contracts`, { startsOn: isoDay(1) })).body;
      expectFieldErrors(await patch(advisor, `/${b.id}/contracts/${c.id}`, { weeklyActivityHours: 12 }), 'hoursJustification');
      expect((await get(manager, `/${b.id}/contracts/${c.id}`)).body.weeklyActivityHours).toBe(15);
      const ok = await patch(advisor, `/${b.id}/contracts/${c.id}`, { weeklyActivityHours: 12, hoursJustification: 'Soins réguliers' });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ weeklyActivityHours: 12, hoursJustification: 'Soins réguliers', status: 'draft' });
    });

    it('signing before any orientation → 422 NOT_ORIENTED, the contract stays a draft', async () => {
      const b = await fresh();
      const c = (await post(advisor, `/${b.id}/contracts`, { startsOn: isoDay(1) })).body;
      expectProblem(await post(advisor, `/${b.id}/contracts/${c.id}/sign`, {}), 422, 'NOT_ORIENTED');
      expect((await get(manager, `/${b.id}/contracts/${c.id}`)).body).toMatchObject({ status: 'draft', signedOn: null });
      expect((await get(manager, `/${b.id}`)).body.status).toBe('to_orient');
    });

    it('signing puts the case in its pathway; a signed contract can no longer be changed; ending it brings the case back to oriented', async () => {
      const b = await fresh();
      const decidedOn = isoDay(-7);
      await orient(app, manager, b.id, { path: 'professional', referentBody: 'france_travail', decidedOn });
      const c = (await post(advisor, `/${b.id}/contracts`, { startsOn: isoDay(-1) })).body;

      const signed = await post(advisor, `/${b.id}/contracts/${c.id}/sign`, { signedOn: isoDay(-2) });
      expect(signed.status).toBe(200);
      expect(signed.body).toMatchObject({ id: c.id, status: 'signed', signedOn: isoDay(-2) });
      const inPathway = (await get(manager, `/${b.id}`)).body;
      expect(inPathway).toMatchObject({ status: 'in_pathway', contractSignedOn: isoDay(-2), deadlines: { contractDueOn: null, overdue: false } });

      expectProblem(await patch(advisor, `/${b.id}/contracts/${c.id}`, { actionPlan: 'Changé après signature' }), 422, 'CONTRACT_NOT_DRAFT');
      expectProblem(await post(advisor, `/${b.id}/contracts/${c.id}/sign`, {}), 422, 'CONTRACT_NOT_DRAFT');
      expect((await get(manager, `/${b.id}/contracts/${c.id}`)).body.actionPlan).toBe('');
      expectProblem(await post(advisor, `/${b.id}/contracts`, { startsOn: isoDay(1) }), 409, 'CONTRACT_ALREADY_OPEN');

      const ended = await post(advisor, `/${b.id}/contracts/${c.id}/end`, {});
      expect(ended.status).toBe(200);
      expect(ended.body).toMatchObject({ id: c.id, status: 'ended', endsOn: isoDay(0), signedOn: isoDay(-2) });
      const back = (await get(manager, `/${b.id}`)).body;
      expect(back).toMatchObject({ status: 'oriented', contractSignedOn: null });
      expect(back.deadlines.contractDueOn).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/));
      expect(back.deadlines.nextDueOn).toBe(back.deadlines.contractDueOn);

      // A new contract may then be drafted.
      expect((await post(advisor, `/${b.id}/contracts`, { startsOn: isoDay(1) })).status).toBe(201);
      const contracts = (await get(manager, `/${b.id}/contracts`)).body.data;
      expect(contracts.map((k: { status: string }) => k.status)).toEqual(['draft', 'ended']);
    });

    it('only a signed contract can be ended (422 CONTRACT_NOT_SIGNED)', async () => {
      const b = await fresh();
      const c = (await post(advisor, `/${b.id}/contracts`, { startsOn: isoDay(1) })).body;
      expectProblem(await post(advisor, `/${b.id}/contracts/${c.id}/end`, {}), 422, 'CONTRACT_NOT_SIGNED');
    });

    it('a contract of another case is not found through this one (404)', async () => {
      const one = await fresh();
      await orient(app, manager, one.id);
      const other = await fresh();
      const c = (await post(advisor, `/${other.id}/contracts`, { startsOn: isoDay(1) })).body;
      expectProblem(await get(manager, `/${one.id}/contracts/${c.id}`), 404, 'CONTRACT_NOT_FOUND');
      expectProblem(await post(manager, `/${one.id}/contracts/${c.id}/sign`, {}), 404, 'CONTRACT_NOT_FOUND');
    });

    it('refuses a contract ending before it starts (422 CONTRACT_DATES)', async () => {
      const b = await fresh();
      expectProblem(await post(advisor, `/${b.id}/contracts`, { startsOn: isoDay(5), endsOn: isoDay(4) }), 422, 'CONTRACT_DATES');
    });
  });

  describe('exit and re-entry', () => {
    it('exit: status exited, deadlines cleared; a second exit → 422; no orientation, contract or request on an exited case', async () => {
      const b = await fresh({ rightsOpenedOn: isoDay(-20) });
      const decidedOn = isoDay(-10);
      await orient(app, manager, b.id, { path: 'social', referentBody: 'departement', decidedOn });
      const res = await post(advisor, `/${b.id}/exit`, { reason: 'employment', exitedOn: isoDay(-1) });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'exited',
        exit: { reason: 'employment', exitedOn: isoDay(-1) },
        deadlines: { orientationDueOn: null, contractDueOn: null, reviewDueOn: null, nextDueOn: null, overdue: false },
      });
      expect(res.headers.etag).toBe(`"${res.body.version}"`);

      expectProblem(await post(advisor, `/${b.id}/exit`, { reason: 'other', exitedOn: isoDay(0) }), 422, 'ALREADY_EXITED');
      expectProblem(await post(manager, `/${b.id}/orientation`, { path: 'professional', referentBody: 'france_travail' }), 422, 'CASE_EXITED');
      expectProblem(await post(advisor, `/${b.id}/contracts`, { startsOn: isoDay(1) }), 422, 'CASE_EXITED');
      expectProblem(await post(advisor, `/${b.id}/reorientation-requests`, { path: 'professional', referentBody: 'france_travail', reason: 'x' }), 422, 'CASE_EXITED');
      expectProblem(await post(manager, `/${b.id}/assignment`, { advisorId: advisor.id }), 422, 'ALREADY_EXITED');
      expect((await get(manager, `/${b.id}`)).body).toMatchObject({ status: 'exited', exit: { reason: 'employment' }, orientation: { path: 'social' } });

      const back = await post(advisor, `/${b.id}/reentry`);
      expect(back.status).toBe(200);
      expect(back.body).toMatchObject({
        status: 'oriented',
        exit: null,
        orientation: { path: 'social', referentBody: 'departement', decidedOn },
        deadlines: { contractDueOn: plusDays(decidedOn, 30), reviewDueOn: plusMonths(decidedOn, 6), orientationDueOn: null },
      });
      expectProblem(await post(advisor, `/${b.id}/reentry`), 422, 'NOT_EXITED');
    });

    it('a case exited in its pathway comes back in its pathway', async () => {
      const b = await fresh();
      await orient(app, manager, b.id, { decidedOn: isoDay(-5) });
      const c = (await post(advisor, `/${b.id}/contracts`, { startsOn: isoDay(-1) })).body;
      expect((await post(advisor, `/${b.id}/contracts/${c.id}/sign`, {})).status).toBe(200);
      expect((await post(manager, `/${b.id}/exit`, { reason: 'training', exitedOn: isoDay(0) })).body.status).toBe('exited');
      const back = await post(manager, `/${b.id}/reentry`);
      expect(back.body).toMatchObject({ status: 'in_pathway', contractSignedOn: isoDay(0), exit: null });
    });

    it('a case exited before orientation comes back to orient, with its orientation deadline', async () => {
      const opened = isoDay(-50);
      const b = await fresh({ rightsOpenedOn: opened });
      expect((await post(manager, `/${b.id}/exit`, { reason: 'moved_out', exitedOn: isoDay(0) })).body).toMatchObject({ status: 'exited', deadlines: { overdue: false } });
      const back = await post(manager, `/${b.id}/reentry`);
      expect(back.body).toMatchObject({ status: 'to_orient', deadlines: { orientationDueOn: plusDays(opened, 42), overdue: true } });
    });

    it('refuses an exit dated before the orientation in force (422)', async () => {
      const b = await fresh();
      await orient(app, manager, b.id, { decidedOn: isoDay(-3) });
      expectProblem(await post(manager, `/${b.id}/exit`, { reason: 'other', exitedOn: isoDay(-4) }), 422, 'EXIT_BEFORE_ORIENTATION');
      expect((await get(manager, `/${b.id}`)).body.status).toBe('oriented');
    });
  });
});

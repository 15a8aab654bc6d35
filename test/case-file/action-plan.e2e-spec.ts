import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { Role } from '../../src/common/auth/roles';
import { bearer, createAgency, createProvider, createStaff, StaffAccount } from '../factories/identity';
import { randomCafNumber } from '../factories/case-file';
import { expectProblem, http, startTestApp } from '../setup/app';

/**
 * The action plan of a case: focuses (themes) → targets → actions, the action
 * status rule, and health focuses hidden from machine clients.
 * Commune 93064 (agency A) belongs to this file, lent by the barriers file
 * (93067-93069 are not communes of the département); agency B serves none.
 */
describe('action plan', () => {
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

  const url = (id: string, rest = '') => `/api/v1/beneficiaries/${id}/action-plan${rest}`;

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
  async function newCase(communeCode = '93064'): Promise<string> {
    const created = await http(app)
      .post('/api/v1/beneficiaries')
      .set(bearer(manager))
      .send({ cafNumber: randomCafNumber(), firstName: 'Mamadou', lastName: 'Traoré', birthDate: '1979-11-21', sex: 'M', communeCode });
    expect(created.status).toBe(201);
    const assigned = await http(app).post(`/api/v1/beneficiaries/${created.body.id}/assignment`).set(bearer(manager)).send({ advisorId: advisor.id });
    expect(assigned.status).toBe(200);
    return created.body.id;
  }

  /** focus → target → action, as the case's advisor; returns their ids. */
  async function chain(id: string, theme: string): Promise<{ focusId: string; targetId: string; actionId: string }> {
    const focus = await http(app).post(url(id, '/focuses')).set(bearer(advisor)).send({ theme });
    expect(focus.status).toBe(201);
    const target = await http(app).post(url(id, `/focuses/${focus.body.id}/targets`)).set(bearer(advisor)).send({ title: `Objectif ${theme}` });
    expect(target.status).toBe(201);
    const action = await http(app).post(url(id, `/targets/${target.body.id}/actions`)).set(bearer(advisor)).send({ title: `Action ${theme}` });
    expect(action.status).toBe(201);
    return { focusId: focus.body.id, targetId: target.body.id, actionId: action.body.id };
  }

  const patchAction = (id: string, actionId: string, body: Record<string, unknown>, who: { token: string } = advisor) =>
    http(app).patch(url(id, `/actions/${actionId}`)).set(bearer(who)).send(body);

  async function timelineOf(id: string): Promise<{ type: string; summary: string; data: Record<string, unknown> }[]> {
    const res = await http(app).get(`/api/v1/beneficiaries/${id}/timeline`).query({ limit: 100 }).set(bearer(manager));
    expect(res.status).toBe(200);
    return res.body.data;
  }

  beforeAll(async () => {
    app = await startTestApp();
    const agencyA = await createAgency(app, ['93064']);
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

  it('builds the plan as a tree, with a timeline line and an audit row for each write', async () => {
    const id = await newCase();
    const empty = await http(app).get(url(id)).set(bearer(advisor));
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ beneficiaryId: id, focuses: [] });

    const focus = await http(app).post(url(id, '/focuses')).set(bearer(advisor)).send({ theme: 'housing', title: 'Se loger durablement' });
    expect(focus.status).toBe(201);
    expect(focus.body).toEqual({ id: expect.any(String), theme: 'housing', title: 'Se loger durablement', createdAt: expect.any(String), targets: [] });
    const target = await http(app).post(url(id, `/focuses/${focus.body.id}/targets`)).set(bearer(advisor)).send({ title: 'Déposer une demande de logement social' });
    expect(target.status).toBe(201);
    expect(target.body).toMatchObject({ focusId: focus.body.id, title: 'Déposer une demande de logement social', actions: [] });
    const programmeId = randomUUID();
    const action = await http(app)
      .post(url(id, `/targets/${target.body.id}/actions`))
      .set(bearer(manager))
      .send({ title: 'Rendez-vous avec la conseillère logement', dueOn: '2027-01-15', programmeId });
    expect(action.status).toBe(201);
    expect(action.body).toEqual({
      id: expect.any(String),
      targetId: target.body.id,
      title: 'Rendez-vous avec la conseillère logement',
      status: 'planned',
      dueOn: '2027-01-15',
      programmeId,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const second = await http(app).post(url(id, `/targets/${target.body.id}/actions`)).set(bearer(advisor)).send({ title: 'Constituer le dossier' });
    const mobility = await http(app).post(url(id, '/focuses')).set(bearer(advisor)).send({ theme: 'mobility' });
    expect(mobility.body.title).toBeNull();

    const plan = await http(app).get(url(id)).set(bearer(colleague));
    expect(plan.status).toBe(200);
    expect(plan.body.focuses.map((f: { id: string }) => f.id)).toEqual([focus.body.id, mobility.body.id]);
    expect(plan.body.focuses[0].targets).toHaveLength(1);
    expect(plan.body.focuses[0].targets[0].actions.map((a: { id: string }) => a.id)).toEqual([action.body.id, second.body.id]);
    expect(plan.body.focuses[1].targets).toEqual([]);

    const summaries = (await timelineOf(id)).map((e) => e.summary);
    expect(summaries).toEqual(
      expect.arrayContaining(['Action plan focus added: housing', 'Action plan focus added: mobility', 'Action plan target added: housing', 'Action planned: housing']),
    );
    expect(summaries.join(' ')).not.toContain('logement');
    const audit = await http(app).get('/api/v1/audit-events').query({ resourceType: 'beneficiary', resourceId: id, limit: 100 }).set(bearer(admin));
    expect(audit.body.data.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['action_plan_focus.create', 'action_plan_target.create', 'action_plan_action.create']),
    );
  });

  it('keeps one focus per theme', async () => {
    const id = await newCase();
    expect((await http(app).post(url(id, '/focuses')).set(bearer(advisor)).send({ theme: 'digital' })).status).toBe(201);
    expectProblem(await http(app).post(url(id, '/focuses')).set(bearer(advisor)).send({ theme: 'digital', title: 'Encore' }), 409, 'FOCUS_ALREADY_EXISTS');
  });

  describe('action status', () => {
    let id: string;
    beforeAll(async () => {
      id = await newCase();
    });

    it('moves through the allowed transitions and stops at a final status', async () => {
      const { actionId } = await chain(id, 'financial');
      const started = await patchAction(id, actionId, { status: 'in_progress' });
      expect(started.status).toBe(200);
      expect(started.body.status).toBe('in_progress');
      expect((await patchAction(id, actionId, { status: 'on_hold', title: 'Ouvrir un compte bancaire', dueOn: '2027-02-01' })).body).toMatchObject({
        status: 'on_hold',
        title: 'Ouvrir un compte bancaire',
        dueOn: '2027-02-01',
      });
      expect((await patchAction(id, actionId, { dueOn: null })).body.dueOn).toBeNull();
      expect((await patchAction(id, actionId, { status: 'in_progress' })).status).toBe(200);
      expectProblem(await patchAction(id, actionId, { status: 'cancelled' }), 422, 'INVALID_ACTION_TRANSITION');
      expectProblem(await patchAction(id, actionId, { status: 'planned' }), 422, 'INVALID_ACTION_TRANSITION');
      const done = await patchAction(id, actionId, { status: 'done' }, manager);
      expect(done.status).toBe(200);
      expect(done.body.status).toBe('done');

      for (const status of ['in_progress', 'planned', 'abandoned', 'done']) {
        expectProblem(await patchAction(id, actionId, { status }), 422, 'INVALID_ACTION_TRANSITION');
      }
      expectProblem(await patchAction(id, actionId, { title: 'Changer après coup' }), 422, 'INVALID_ACTION_TRANSITION');

      const timeline = await timelineOf(id);
      const changes = timeline.filter((e) => e.type === 'action_plan.action_status_changed' && e.data.actionId === actionId);
      expect(changes.map((e) => e.summary)).toEqual(
        expect.arrayContaining(['Action in progress: financial', 'Action on hold: financial', 'Action done: financial']),
      );
      expect(changes.find((e) => e.summary === 'Action done: financial')?.data).toMatchObject({ from: 'in_progress', to: 'done' });
      expect(timeline.some((e) => e.type === 'action_plan.action_updated' && e.data.actionId === actionId)).toBe(true);
    });

    it('cancels an action not started, abandons a started one, both final', async () => {
      const { targetId } = await chain(id, 'language');
      const a = await http(app).post(url(id, `/targets/${targetId}/actions`)).set(bearer(advisor)).send({ title: 'Atelier FLE' });
      expectProblem(await patchAction(id, a.body.id, { status: 'abandoned' }), 422, 'INVALID_ACTION_TRANSITION');
      expect((await patchAction(id, a.body.id, { status: 'cancelled' })).body.status).toBe('cancelled');
      expectProblem(await patchAction(id, a.body.id, { status: 'planned' }), 422, 'INVALID_ACTION_TRANSITION');

      const b = await http(app).post(url(id, `/targets/${targetId}/actions`)).set(bearer(advisor)).send({ title: 'Cours du soir' });
      await patchAction(id, b.body.id, { status: 'in_progress' });
      expect((await patchAction(id, b.body.id, { status: 'abandoned' })).body.status).toBe('abandoned');
      expectProblem(await patchAction(id, b.body.id, { status: 'in_progress' }), 422, 'INVALID_ACTION_TRANSITION');
    });
  });

  describe('a health focus', () => {
    let id: string;
    let health: { focusId: string; targetId: string; actionId: string };
    let legal: { focusId: string; targetId: string; actionId: string };

    beforeAll(async () => {
      id = await newCase();
      health = await chain(id, 'health');
      legal = await chain(id, 'legal');
    });

    it('is in the plan for the agency staff and admins', async () => {
      for (const who of [advisor, colleague, manager, admin]) {
        const plan = await http(app).get(url(id)).set(bearer(who));
        expect(plan.body.focuses.map((f: { theme: string }) => f.theme)).toEqual(['health', 'legal']);
        expect(plan.body.focuses[0].targets[0].actions[0].id).toBe(health.actionId);
      }
    });

    it('does not exist for a machine client, with everything under it', async () => {
      for (const client of [readClient, writeClient]) {
        const plan = await http(app).get(url(id)).set(bearer(client));
        expect(plan.status).toBe(200);
        expect(plan.body.focuses.map((f: { id: string }) => f.id)).toEqual([legal.focusId]);
        expect(JSON.stringify(plan.body)).not.toContain(health.targetId);
      }
      expectProblem(await http(app).post(url(id, `/focuses/${health.focusId}/targets`)).set(bearer(writeClient)).send({ title: 'x' }), 404, 'FOCUS_NOT_FOUND');
      expectProblem(await http(app).post(url(id, `/targets/${health.targetId}/actions`)).set(bearer(writeClient)).send({ title: 'x' }), 404, 'TARGET_NOT_FOUND');
      expectProblem(await patchAction(id, health.actionId, { status: 'in_progress' }, writeClient), 404, 'ACTION_NOT_FOUND');
      expectProblem(await http(app).post(url(id, '/focuses')).set(bearer(writeClient)).send({ theme: 'health' }), 403, 'SENSITIVE_DATA_NOT_ALLOWED');
      expect((await patchAction(id, legal.actionId, { status: 'in_progress' }, writeClient)).status).toBe(200);
      const plan = await http(app).get(url(id)).set(bearer(advisor));
      expect(plan.body.focuses[0].targets[0].actions[0].status).toBe('planned');
    });

    it('leaves no theme in the timeline', async () => {
      const timeline = await timelineOf(id);
      const healthLines = timeline.filter((e) => e.data.focusId === health.focusId || e.data.targetId === health.targetId || e.data.actionId === health.actionId);
      expect(healthLines.map((e) => e.summary).sort()).toEqual(['Action plan focus added', 'Action plan target added', 'Action planned']);
      expect(JSON.stringify(timeline)).not.toContain('health');
    });
  });

  describe('scope and roles', () => {
    let id: string;
    let ids: { focusId: string; targetId: string; actionId: string };

    beforeAll(async () => {
      id = await newCase();
      ids = await chain(id, 'childcare_family');
    });

    it('answers 404 to staff of another agency', async () => {
      expectProblem(await http(app).get(url(id)).set(bearer(otherAgencyAdvisor)), 404, 'BENEFICIARY_NOT_FOUND');
      expectProblem(await http(app).post(url(id, '/focuses')).set(bearer(otherAgencyAdvisor)).send({ theme: 'legal' }), 404, 'BENEFICIARY_NOT_FOUND');
      expectProblem(await http(app).post(url(id, `/focuses/${ids.focusId}/targets`)).set(bearer(otherAgencyAdvisor)).send({ title: 'x' }), 404, 'BENEFICIARY_NOT_FOUND');
      expectProblem(await http(app).post(url(id, `/targets/${ids.targetId}/actions`)).set(bearer(otherAgencyAdvisor)).send({ title: 'x' }), 404, 'BENEFICIARY_NOT_FOUND');
      expectProblem(await patchAction(id, ids.actionId, { status: 'done' }, otherAgencyAdvisor), 404, 'BENEFICIARY_NOT_FOUND');
    });

    it('answers 404 for the items of another case', async () => {
      const other = await newCase();
      expectProblem(await http(app).post(url(other, `/focuses/${ids.focusId}/targets`)).set(bearer(advisor)).send({ title: 'x' }), 404, 'FOCUS_NOT_FOUND');
      expectProblem(await http(app).post(url(other, `/targets/${ids.targetId}/actions`)).set(bearer(advisor)).send({ title: 'x' }), 404, 'TARGET_NOT_FOUND');
      expectProblem(await patchAction(other, ids.actionId, { status: 'done' }), 404, 'ACTION_NOT_FOUND');
      expectProblem(await http(app).post(url(id, `/focuses/${randomUUID()}/targets`)).set(bearer(advisor)).send({ title: 'x' }), 404, 'FOCUS_NOT_FOUND');
    });

    it('lets an advisor of the agency read but not change a case of another caseload', async () => {
      expect((await http(app).get(url(id)).set(bearer(colleague))).status).toBe(200);
      expectProblem(await http(app).post(url(id, '/focuses')).set(bearer(colleague)).send({ theme: 'legal' }), 403, 'NOT_IN_CASELOAD');
      expectProblem(await patchAction(id, ids.actionId, { status: 'in_progress' }, colleague), 403, 'NOT_IN_CASELOAD');
    });

    it('refuses analysts, provider staff and a read-only client on writes; 401 without a token', async () => {
      for (const who of [analyst, providerStaff]) {
        expectProblem(await http(app).get(url(id)).set(bearer(who)), 403, 'FORBIDDEN');
        expectProblem(await http(app).post(url(id, '/focuses')).set(bearer(who)).send({ theme: 'legal' }), 403, 'FORBIDDEN');
        expectProblem(await http(app).post(url(id, `/focuses/${ids.focusId}/targets`)).set(bearer(who)).send({ title: 'x' }), 403, 'FORBIDDEN');
        expectProblem(await http(app).post(url(id, `/targets/${ids.targetId}/actions`)).set(bearer(who)).send({ title: 'x' }), 403, 'FORBIDDEN');
        expectProblem(await patchAction(id, ids.actionId, { status: 'done' }, who), 403, 'FORBIDDEN');
      }
      expectProblem(await http(app).post(url(id, '/focuses')).set(bearer(readClient)).send({ theme: 'legal' }), 403, 'FORBIDDEN');
      expectProblem(await patchAction(id, ids.actionId, { status: 'done' }, readClient), 403, 'FORBIDDEN');
      expectProblem(await http(app).get(url(id)), 401, 'UNAUTHORIZED');
    });
  });

  describe('bad input', () => {
    let id: string;
    let ids: { focusId: string; targetId: string; actionId: string };

    beforeAll(async () => {
      id = await newCase();
      ids = await chain(id, 'administrative');
    });

    const fieldsOf = (res: { body: { errors?: { field: string }[] } }) => (res.body.errors ?? []).map((e) => e.field);

    it.each([
      [{}, 'theme'],
      [{ theme: 'boredom' }, 'theme'],
      [{ theme: 'legal', title: '' }, 'title'],
      [{ theme: 'legal', title: 'x'.repeat(201) }, 'title'],
      [{ theme: 'legal', targets: [] }, 'targets'],
    ])('POST focus %j → 400 on %s', async (body, field) => {
      const res = await http(app).post(url(id, '/focuses')).set(bearer(advisor)).send(body);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(res)).toContain(field);
    });

    it.each([
      [{}, 'title'],
      [{ title: 42 }, 'title'],
      [{ title: 'ok', focusId: 'x' }, 'focusId'],
    ])('POST target %j → 400 on %s', async (body, field) => {
      const res = await http(app).post(url(id, `/focuses/${ids.focusId}/targets`)).set(bearer(advisor)).send(body);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(res)).toContain(field);
    });

    it.each([
      [{}, 'title'],
      [{ title: '' }, 'title'],
      [{ title: 'ok', dueOn: '15/01/2027' }, 'dueOn'],
      [{ title: 'ok', programmeId: 'PRG-12' }, 'programmeId'],
      [{ title: 'ok', status: 'done' }, 'status'],
    ])('POST action %j → 400 on %s', async (body, field) => {
      const res = await http(app).post(url(id, `/targets/${ids.targetId}/actions`)).set(bearer(advisor)).send(body);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(res)).toContain(field);
    });

    it.each([
      [{ status: 'finished' }, 'status'],
      [{ status: null }, 'status'],
      [{ title: null }, 'title'],
      [{ title: 'x'.repeat(201) }, 'title'],
      [{ dueOn: '2027-13-01' }, 'dueOn'],
      [{ programmeId: randomUUID() }, 'programmeId'],
    ])('PATCH action %j → 400 on %s', async (body, field) => {
      const res = await patchAction(id, ids.actionId, body);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(res)).toContain(field);
    });

    it('refuses ids that are not UUIDs', async () => {
      const res = await http(app).post(url(id, '/focuses/abc/targets')).set(bearer(advisor)).send({ title: 'ok' });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(res)).toContain('focusId');
      expect(fieldsOf(await http(app).post(url(id, '/targets/abc/actions')).set(bearer(advisor)).send({ title: 'ok' }))).toContain('targetId');
      expect(fieldsOf(await patchAction(id, 'abc', { status: 'done' }))).toContain('actionId');
      const plan = await http(app).get(url(id)).set(bearer(advisor));
      expect(plan.body.focuses[0].targets[0].actions).toHaveLength(1);
      expect(plan.body.focuses[0].targets[0].actions[0].status).toBe('planned');
    });
  });
});

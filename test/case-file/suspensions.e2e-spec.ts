import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/roles';
import { assign, createBeneficiary, isoDay, machineClientToken, orient } from '../factories/case-file';
import { bearer, createAgency, createProvider, createStaff, createTestCommune, StaffAccount } from '../factories/identity';
import { expectProblem, http, startTestApp } from '../setup/app';

/**
 * Suspension procedures (domain.md §3): opened by the referent on a failure to meet the
 * obligations, decided by the agency's manager or an admin within the configured bounds
 * (30–100 %, 50 % at most for a household of more than one person, 1–2 months, 4 after an
 * earlier suspension), lifted when the person meets the obligations again. Communes of its own.
 */
describe('suspension procedures', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let admin: StaffAccount;
  let manager: StaffAccount;
  let advisor: StaffAccount;
  let colleague: StaffAccount;
  let otherAgencyAdvisor: StaffAccount;
  let analyst: StaffAccount;
  let providerStaff: StaffAccount;
  let client: { token: string };
  let commune: string;
  let otherAgencyId: string;

  const url = (id: string, rest = '') => `/api/v1/beneficiaries/${id}/suspensions${rest}`;
  const opening = { ground: 'appointment_missed', facts: 'Absent aux rendez-vous du 3 et du 17 mars, sans réponse au courrier.' };

  /** A person of the agency, oriented, in `advisor`'s caseload. */
  async function newCase(overrides: Record<string, unknown> = {}): Promise<string> {
    const id = (await createBeneficiary(app, manager, commune, overrides)).id;
    await orient(app, manager, id, { path: 'professional' });
    await assign(app, manager, id, advisor.id);
    return id;
  }

  async function openedOn(id: string, day: string): Promise<string> {
    const res = await http(app).post(url(id)).set(bearer(advisor)).send({ ...opening, openedOn: day });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  beforeAll(async () => {
    app = await startTestApp();
    db = app.get(DataSource);
    commune = await createTestCommune(app);
    const agency = await createAgency(app, [commune]);
    const other = await createAgency(app, [await createTestCommune(app)]);
    otherAgencyId = other.id;
    admin = await createStaff(app, Role.Admin);
    manager = await createStaff(app, Role.AgencyManager, { agencyId: agency.id });
    advisor = await createStaff(app, Role.Advisor, { agencyId: agency.id });
    colleague = await createStaff(app, Role.Advisor, { agencyId: agency.id });
    otherAgencyAdvisor = await createStaff(app, Role.Advisor, { agencyId: other.id });
    analyst = await createStaff(app, Role.Analyst);
    providerStaff = await createStaff(app, Role.Provider, { providerId: (await createProvider(app)).id });
    client = await machineClientToken(app, admin, ['beneficiaries:read', 'beneficiaries:write']);
  });
  afterAll(() => app.close());

  it('is opened by the referent, one open procedure per person, with a clear 400 on a bad body', async () => {
    const id = await newCase();
    const res = await http(app).post(url(id)).set(bearer(advisor)).send(opening);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      beneficiaryId: id,
      ground: 'appointment_missed',
      facts: opening.facts,
      openedOn: isoDay(),
      openedBy: advisor.id,
      status: 'open',
      outcome: null,
      decidedOn: null,
      ratePercent: null,
      endsOn: null,
    });

    expectProblem(await http(app).post(url(id)).set(bearer(manager)).send(opening), 409, 'SUSPENSION_ALREADY_OPEN');

    const bad = await http(app).post(url(id)).set(bearer(advisor)).send({ ground: 'laziness', openedOn: isoDay(3) });
    expectProblem(bad, 400, 'VALIDATION_FAILED');
    expect([...new Set(bad.body.errors.map((e: { field: string }) => e.field))].sort()).toEqual(['facts', 'ground', 'openedOn']);

    // Two opened at once: the database keeps one.
    const twice = await newCase();
    const both = await Promise.all([1, 2].map(() => http(app).post(url(twice)).set(bearer(advisor)).send(opening)));
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    const [{ count }] = (await db.query(`SELECT count(*)::int AS count FROM suspension_procedures WHERE beneficiary_id = $1`, [twice])) as { count: number }[];
    expect(count).toBe(1);
  });

  it('applies only to a person subject to rights and duties, with open rights, still in the scheme', async () => {
    expectProblem(await http(app).post(url(await newCase({ subjectToRightsAndDuties: false }))).set(bearer(advisor)).send(opening), 422, 'NOT_SUBJECT_TO_OBLIGATIONS');
    expectProblem(await http(app).post(url(await newCase({ rightsState: '5' }))).set(bearer(advisor)).send(opening), 422, 'NOT_SUBJECT_TO_OBLIGATIONS');
    expectProblem(await http(app).post(url(await newCase({ rightsState: '0' }))).set(bearer(advisor)).send(opening), 422, 'NOT_SUBJECT_TO_OBLIGATIONS');
    expect((await http(app).post(url(await newCase({ rightsState: '3' }))).set(bearer(advisor)).send(opening)).status).toBe(201);
    const exited = await newCase();
    await http(app).post(`/api/v1/beneficiaries/${exited}/exit`).set(bearer(manager)).send({ reason: 'employment', exitedOn: isoDay() }).expect(200);
    expectProblem(await http(app).post(url(exited)).set(bearer(advisor)).send(opening), 422, 'CASE_EXITED');
    const [{ count }] = (await db.query(`SELECT count(*)::int AS count FROM suspension_procedures WHERE beneficiary_id = $1`, [exited])) as { count: number }[];
    expect(count).toBe(0);
  });

  it('is for the agency staff only: others get 404 or 403, and nothing is written', async () => {
    const id = await newCase();
    expectProblem(await http(app).post(url(id)).set(bearer(colleague)).send(opening), 403, 'NOT_IN_CASELOAD');
    expectProblem(await http(app).post(url(id)).set(bearer(otherAgencyAdvisor)).send(opening), 404, 'BENEFICIARY_NOT_FOUND');
    for (const who of [analyst, providerStaff, client]) {
      expect((await http(app).post(url(id)).set(bearer(who)).send(opening)).status).toBe(403);
      expect((await http(app).get(url(id)).set(bearer(who))).status).toBe(403);
    }
    const suspensionId = await openedOn(id, isoDay(-2));
    expect((await http(app).get(url(id, `/${suspensionId}`)).set(bearer(colleague))).status).toBe(200);
    expectProblem(await http(app).get(url(id, `/${suspensionId}`)).set(bearer(otherAgencyAdvisor)), 404, 'BENEFICIARY_NOT_FOUND');
    expectProblem(await http(app).get(url(await newCase(), `/${suspensionId}`)).set(bearer(advisor)), 404, 'SUSPENSION_NOT_FOUND');
    expectProblem(await http(app).get(url(id, `/${randomUUID()}`)).set(bearer(advisor)), 404, 'SUSPENSION_NOT_FOUND');
    // Advisors report; the département decides.
    const decision = { outcome: 'no_sanction', reason: 'Motif légitime: hospitalisation.' };
    expect((await http(app).post(url(id, `/${suspensionId}/decide`)).set(bearer(advisor)).send(decision)).status).toBe(403);
    expect((await http(app).get(url(id, `/${suspensionId}`)).set(bearer(advisor))).body.status).toBe('open');
  });

  it('is decided within the rules: rate, household cap, months, dates; then no longer open', async () => {
    const id = await newCase();
    const suspensionId = await openedOn(id, '2026-01-10');
    const decide = (body: Record<string, unknown>, who = manager) => http(app).post(url(id, `/${suspensionId}/decide`)).set(bearer(who)).send(body);
    const base = { outcome: 'suspension', reason: 'Aucun motif légitime donné lors de l’audition du 28 janvier.', decidedOn: '2026-01-31' };

    const fieldsOf = (res: { body: { errors: { field: string; message: string }[] } }) => res.body.errors.map((e) => `${e.field}: ${e.message}`);
    let res = await decide({ ...base, ratePercent: 20, months: 1 });
    expectProblem(res, 422, 'SUSPENSION_TERMS');
    expect(fieldsOf(res)).toEqual(['ratePercent: between 30 and 100']);
    res = await decide({ ...base, ratePercent: 60, months: 1, multiPersonHousehold: true });
    expectProblem(res, 422, 'SUSPENSION_TERMS');
    expect(fieldsOf(res)).toEqual(['ratePercent: between 30 and 50 for a household of more than one person']);
    res = await decide({ ...base, ratePercent: 100, months: 3 });
    expectProblem(res, 422, 'SUSPENSION_TERMS');
    expect(fieldsOf(res)).toEqual(['months: at most 2 for a first suspension']);
    res = await decide({ ...base });
    expect(fieldsOf(res)).toEqual(['ratePercent: required for a suspension', 'months: required for a suspension']);
    res = await decide({ ...base, outcome: 'no_sanction', ratePercent: 50, multiPersonHousehold: false });
    expectProblem(res, 422, 'SUSPENSION_TERMS');
    expect(fieldsOf(res)).toEqual(['ratePercent: only for a suspension', 'multiPersonHousehold: only for a suspension']);
    expectProblem(await decide({ ...base, ratePercent: 50, months: 1, decidedOn: '2026-01-09' }), 422, 'SUSPENSION_DATES');
    expectProblem(await decide({ ...base, ratePercent: 50, months: 1, startsOn: '2026-01-01' }), 422, 'SUSPENSION_DATES');
    // A start after the opening but before the decision, or years ahead (a typing error), is refused, never a 500.
    expectProblem(await decide({ ...base, ratePercent: 50, months: 1, startsOn: '2026-01-20' }), 422, 'SUSPENSION_DATES');
    expectProblem(await decide({ ...base, ratePercent: 50, months: 2, startsOn: '9999-11-30' }), 422, 'SUSPENSION_DATES');
    expectProblem(await decide({ ...base, ratePercent: 50, months: 1, startsOn: '2027-02-01' }), 422, 'SUSPENSION_DATES');
    // The manager of another agency does not find the case.
    const otherManager = await createStaff(app, Role.AgencyManager, { agencyId: otherAgencyId });
    expectProblem(await decide({ ...base, ratePercent: 50, months: 1 }, otherManager), 404, 'BENEFICIARY_NOT_FOUND');
    expectProblem(await decide({ ...base, ratePercent: 150, months: 1 }), 400, 'VALIDATION_FAILED');
    expectProblem(await decide({ ratePercent: 50, months: 1 }), 400, 'VALIDATION_FAILED');
    // None of the refusals changed the procedure.
    expect((await http(app).get(url(id, `/${suspensionId}`)).set(bearer(advisor))).body).toMatchObject({ status: 'open', outcome: null, decisionReason: null });

    res = await decide({ ...base, ratePercent: 50, months: 2, multiPersonHousehold: true, startsOn: '2026-02-01' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'decided',
      outcome: 'suspension',
      decidedOn: '2026-01-31',
      decisionReason: base.reason,
      decidedBy: manager.id,
      ratePercent: 50,
      months: 2,
      multiPersonHousehold: true,
      startsOn: '2026-02-01',
      endsOn: '2026-03-31',
    });
    expectProblem(await decide({ outcome: 'no_sanction', reason: 'Revu' }), 422, 'INVALID_SUSPENSION_TRANSITION');

    // A second failure: a new procedure may open, and the suspension may last up to 4 months.
    const again = await openedOn(id, '2026-06-02');
    const second = (body: Record<string, unknown>) => http(app).post(url(id, `/${again}/decide`)).set(bearer(admin)).send(body);
    res = await second({ outcome: 'suspension', reason: 'Récidive', decidedOn: '2026-06-20', ratePercent: 100, months: 5 });
    expect(fieldsOf(res)).toEqual(['months: at most 4 after an earlier suspension']);
    res = await second({ outcome: 'suspension', reason: 'Récidive', decidedOn: '2026-06-20', ratePercent: 100, months: 4 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ startsOn: '2026-06-20', endsOn: '2026-10-19', multiPersonHousehold: false });

    const list = await http(app).get(url(id)).set(bearer(colleague));
    expect(list.status).toBe(200);
    expect(list.body.data.map((p: { id: string }) => p.id)).toEqual([again, suspensionId]);
    const first = await http(app).get(url(id)).query({ limit: 1 }).set(bearer(colleague));
    const next = await http(app).get(url(id)).query({ limit: 1, cursor: first.body.page.nextCursor }).set(bearer(colleague));
    expect([first.body.data[0].id, next.body.data[0].id, next.body.page.hasNextPage]).toEqual([again, suspensionId, false]);
  });

  it('lifts a running suspension once, within its dates; not a procedure without a sanction', async () => {
    const id = await newCase();
    const suspensionId = await openedOn(id, '2026-03-02');
    const decided = await http(app)
      .post(url(id, `/${suspensionId}/decide`))
      .set(bearer(manager))
      .send({ outcome: 'suspension', reason: 'Contrat non signé', decidedOn: '2026-03-20', ratePercent: 30, months: 1, startsOn: '2026-04-01' });
    expect(decided.status).toBe(200);
    expect(decided.body.endsOn).toBe('2026-04-30');
    const lift = (body: Record<string, unknown>, who = manager) => http(app).post(url(id, `/${suspensionId}/lift`)).set(bearer(who)).send(body);
    expect((await lift({ reason: 'Contrat signé', liftedOn: '2026-04-10' }, advisor)).status).toBe(403);
    expectProblem(await lift({ reason: 'Contrat signé', liftedOn: '2026-03-19' }), 422, 'SUSPENSION_DATES');
    expectProblem(await lift({ reason: 'Contrat signé', liftedOn: '2026-05-01' }), 422, 'SUSPENSION_DATES');
    const lifted = await lift({ reason: 'Contrat signé le 9 avril', liftedOn: '2026-04-10' });
    expect(lifted.status).toBe(200);
    expect(lifted.body).toMatchObject({ status: 'lifted', liftedOn: '2026-04-10', liftReason: 'Contrat signé le 9 avril', endsOn: '2026-04-30' });
    expectProblem(await lift({ reason: 'Encore' }), 422, 'INVALID_SUSPENSION_TRANSITION');
    const otherManager = await createStaff(app, Role.AgencyManager, { agencyId: otherAgencyId });
    expectProblem(await lift({ reason: 'Encore' }, otherManager), 404, 'BENEFICIARY_NOT_FOUND');

    const none = await openedOn(id, isoDay(-3));
    expectProblem(await http(app).post(url(id, `/${none}/lift`)).set(bearer(manager)).send({ reason: 'Trop tôt' }), 422, 'INVALID_SUSPENSION_TRANSITION');
    await http(app).post(url(id, `/${none}/decide`)).set(bearer(manager)).send({ outcome: 'no_sanction', reason: 'Motif légitime' }).expect(200);
    expectProblem(await http(app).post(url(id, `/${none}/lift`)).set(bearer(manager)).send({ reason: 'Rien à lever' }), 422, 'INVALID_SUSPENSION_TRANSITION');

    // The case's timeline tells the story without the facts; the export holds everything; reads are audited.
    const timeline = await http(app).get(`/api/v1/beneficiaries/${id}/timeline`).set(bearer(manager)).query({ limit: 100 });
    const types = timeline.body.data.map((e: { type: string }) => e.type);
    expect(types.filter((t: string) => t.startsWith('suspension.'))).toEqual(['suspension.decided', 'suspension.opened', 'suspension.lifted', 'suspension.decided', 'suspension.opened']);
    expect(JSON.stringify(timeline.body)).not.toContain(opening.facts);
    // Sensitive lines: a machine client reading the timeline does not see them.
    const forClient = await http(app).get(`/api/v1/beneficiaries/${id}/timeline`).set(bearer(client)).query({ limit: 100 });
    expect(forClient.status).toBe(200);
    expect(forClient.body.data.length).toBeGreaterThan(0);
    expect(forClient.body.data.filter((e: { type: string }) => e.type.startsWith('suspension.'))).toEqual([]);
    const exported = await http(app).get(`/api/v1/beneficiaries/${id}/export`).set(bearer(manager));
    expect(exported.status).toBe(200);
    expect(exported.body.suspensions.map((p: { id: string; status: string }) => [p.id, p.status])).toEqual([
      [suspensionId, 'lifted'],
      [none, 'decided'],
    ]);
    await http(app).get(url(id)).set(bearer(advisor)).expect(200);
    const audit = await http(app).get('/api/v1/audit-events').set(bearer(admin)).query({ resourceId: id, actorId: advisor.id, limit: 100 });
    expect(audit.body.data.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['suspension.open', 'beneficiary.read']));
  });

  it('counts the procedures waiting for a decision in the agency\'s work queue', async () => {
    const queueCommune = await createTestCommune(app);
    const queueAgency = await createAgency(app, [queueCommune]);
    const queueManager = await createStaff(app, Role.AgencyManager, { agencyId: queueAgency.id });
    const summary = async () => (await http(app).get(`/api/v1/agencies/${queueAgency.id}/caseload-summary`).set(bearer(queueManager))).body;
    expect(await summary()).toMatchObject({ suspensionsToDecide: 0 });
    const opened: { person: string; procedure: string }[] = [];
    for (let i = 0; i < 3; i += 1) {
      const person = (await createBeneficiary(app, queueManager, queueCommune)).id;
      await orient(app, queueManager, person, { path: 'professional' });
      opened.push({ person, procedure: (await http(app).post(url(person)).set(bearer(queueManager)).send(opening).expect(201)).body.id as string });
    }
    expect(await summary()).toMatchObject({ suspensionsToDecide: 3 });
    const [first] = opened;
    await http(app).post(url(first.person, `/${first.procedure}/decide`)).set(bearer(queueManager)).send({ outcome: 'no_sanction', reason: 'Motif légitime' }).expect(200);
    expect(await summary()).toMatchObject({ suspensionsToDecide: 2 });
  });

  it('holds its invariants in the database', async () => {
    const id = await newCase();
    const suspensionId = await openedOn(id, isoDay(-1));
    const fails = (sql: string, params: unknown[]) => expect(db.query(sql, params)).rejects.toThrow(/violates (check|unique)/);
    await fails(`INSERT INTO suspension_procedures (beneficiary_id, ground, facts, opened_on) VALUES ($1, 'other', 'x', current_date)`, [id]);
    await fails(`UPDATE suspension_procedures SET status = 'decided', outcome = 'suspension', decided_on = opened_on, decision_reason = 'x' WHERE id = $1`, [suspensionId]);
    await fails(
      `UPDATE suspension_procedures SET status = 'decided', outcome = 'no_sanction', decided_on = opened_on, decision_reason = 'x', rate_percent = 30 WHERE id = $1`,
      [suspensionId],
    );
    await fails(`UPDATE suspension_procedures SET status = 'lifted' WHERE id = $1`, [suspensionId]);
  });
});

import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/roles';
import { ParticipantsService } from '../../src/modules/construction-pathway/participants.service';
import { createBeneficiary, isoDay, machineClientToken, orient, walkPages } from '../factories/case-file';
import { bearer, createAgency, createProvider, createStaff, createTestCommune, StaffAccount } from '../factories/identity';
import { expectProblem, http, startTestApp } from '../setup/app';

const BASE = '/api/v1/construction-pathway';

describe('construction pathway: participants, steps, employments, scope', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let communeA: string;
  let admin: StaffAccount;
  let managerA: StaffAccount;
  let advisorA: StaffAccount;
  let otherAdvisorA: StaffAccount;
  let advisorB: StaffAccount;
  let provider: StaffAccount;
  let providerStaff: StaffAccount;
  let analyst: StaffAccount;

  beforeAll(async () => {
    app = await startTestApp();
    db = app.get(DataSource);
    communeA = await createTestCommune(app);
    const communeB = await createTestCommune(app);
    const agencyA = await createAgency(app, [communeA]);
    const agencyB = await createAgency(app, [communeB]);
    const p = await createProvider(app);
    [admin, managerA, advisorA, otherAdvisorA, advisorB, provider, analyst] = await Promise.all([
      createStaff(app, Role.Admin),
      createStaff(app, Role.AgencyManager, { agencyId: agencyA.id }),
      createStaff(app, Role.Advisor, { agencyId: agencyA.id }),
      createStaff(app, Role.Advisor, { agencyId: agencyA.id }),
      createStaff(app, Role.Advisor, { agencyId: agencyB.id }),
      createStaff(app, Role.Provider, { providerId: p.id }),
      createStaff(app, Role.Analyst),
    ]);
    providerStaff = provider;
  });
  afterAll(() => app.close());

  const enrol = (by: StaffAccount, body: Record<string, unknown>) => http(app).post(`${BASE}/participants`).set(bearer(by)).send(body);
  const person = async () => (await createBeneficiary(app, managerA, communeA)).id;
  const enrolled = async (enrolledOn = isoDay(-10), by: StaffAccount = managerA) => {
    const res = await enrol(by, { beneficiaryId: await person(), targetTrades: ['F1703'], enrolledOn });
    if (res.status !== 201) throw new Error(`enrol: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; beneficiaryId: string };
  };
  const addStep = (by: StaffAccount, participantId: string, body: Record<string, unknown>) => http(app).post(`${BASE}/participants/${participantId}/steps`).set(bearer(by)).send(body);
  const stageOf = async (id: string) => (await http(app).get(`${BASE}/participants/${id}`).set(bearer(managerA))).body.currentStage as string | null;

  it('lists the trades of the pathway from the reference data', async () => {
    const res = await http(app).get(`${BASE}/trades?limit=100`).set(bearer(providerStaff));
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(28);
    expect(res.body.page).toEqual({ nextCursor: null, hasNextPage: false });
    const first = await http(app).get(`${BASE}/trades?limit=20`).set(bearer(providerStaff));
    const second = await http(app).get(`${BASE}/trades?limit=20&cursor=${first.body.page.nextCursor}`).set(bearer(providerStaff));
    expect([...first.body.data, ...second.body.data]).toEqual(res.body.data);
    expect(second.body.page.hasNextPage).toBe(false);
    expect(res.body.data).toContainEqual({ code: 'F1703', label: 'Maçonnerie' });
    expect(res.body.data.every((t: { code: string }) => /^F\d{4}$/.test(t.code))).toBe(true);
  });

  it('enrols a beneficiary once, with validated ROME codes, and records it in the timeline and the outbox', async () => {
    const beneficiaryId = await person();
    const bad = await enrol(managerA, { beneficiaryId, targetTrades: ['F1703', 'F9999'], enrolledOn: isoDay(-3) });
    expectProblem(bad, 400, 'VALIDATION_FAILED');
    expect(bad.body.errors).toEqual([{ field: 'targetTrades', message: expect.stringContaining('F9999') }]);
    expectProblem(await enrol(managerA, { beneficiaryId, targetTrades: ['X1703'], enrolledOn: isoDay(-3) }), 400, 'VALIDATION_FAILED');
    expectProblem(await enrol(managerA, { beneficiaryId, targetTrades: [], enrolledOn: isoDay(-3) }), 400, 'VALIDATION_FAILED');
    expectProblem(await enrol(managerA, { beneficiaryId, targetTrades: ['F1703'], enrolledOn: isoDay(2) }), 400, 'VALIDATION_FAILED');
    expectProblem(await enrol(managerA, { beneficiaryId, targetTrades: ['F1703'], enrolledOn: isoDay(-3), sourcingChannel: 'radio' }), 400, 'VALIDATION_FAILED');
    expectProblem(await enrol(managerA, { beneficiaryId, targetTrades: ['F1703'], enrolledOn: isoDay(-3), advisorId: advisorB.id }), 422, 'INVALID_ADVISOR');

    const ok = await enrol(managerA, { beneficiaryId, targetTrades: ['f1602', 'F1703'], enrolledOn: isoDay(-3), sourcingChannel: 'france_travail', advisorId: advisorA.id });
    expect(ok.status).toBe(201);
    expect(ok.headers.etag).toBe('"1"');
    expect(ok.body).toMatchObject({
      beneficiaryId,
      targetTrades: ['F1602', 'F1703'],
      enrolledOn: isoDay(-3),
      sourcingChannel: 'france_travail',
      advisorId: advisorA.id,
      currentStage: null,
      withoutSolutionSince: isoDay(-3),
      daysWithoutSolution: 3,
      withoutSolution: false,
      exitedOn: null,
    });
    expectProblem(await enrol(managerA, { beneficiaryId, targetTrades: ['F1703'], enrolledOn: isoDay(-3) }), 409, 'PARTICIPANT_ALREADY_ENROLLED');

    const timeline = await http(app).get(`/api/v1/beneficiaries/${beneficiaryId}/timeline`).set(bearer(managerA));
    expect(timeline.body.data[0]).toMatchObject({ type: 'participant.enrolled', data: { participantId: ok.body.id, sourcingChannel: 'france_travail' } });
    const events = (await db.query(`SELECT type, data FROM outbox_events WHERE resource_type = 'participant' AND resource_id = $1`, [ok.body.id])) as { type: string; data: Record<string, unknown> }[];
    expect(events.map((e) => e.type)).toEqual(['participant.enrolled']);
    expect(JSON.stringify(events[0].data)).not.toContain('Camille');
    expect(events[0].data).toMatchObject({ participantId: ok.body.id, beneficiaryId, enrolledOn: isoDay(-3) });

    const patched = await http(app).patch(`${BASE}/participants/${ok.body.id}`).set(bearer(managerA)).set('if-match', '"1"').send({ targetTrades: ['F1301'] });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ targetTrades: ['F1301'], version: 2 });
    expectProblem(await http(app).patch(`${BASE}/participants/${ok.body.id}`).set(bearer(managerA)).set('if-match', '"1"').send({ sourcingChannel: 'self' }), 412, 'PRECONDITION_FAILED');
    expectProblem(await http(app).patch(`${BASE}/participants/${ok.body.id}`).set(bearer(managerA)).send({ targetTrades: ['F0000'] }), 400, 'VALIDATION_FAILED');
  });

  it('derives the current stage from the steps', async () => {
    const p = await enrolled();
    expect(await stageOf(p.id)).toBeNull();
    expect((await http(app).get(`${BASE}/participants/${p.id}`).set(bearer(managerA))).body).toMatchObject({ sourcingChannel: 'agency', advisorId: null, targetTrades: ['F1703'] });

    const social = await addStep(managerA, p.id, { type: 'social_support', status: 'in_progress', startsOn: isoDay(-5) });
    expect(social.status).toBe(201);
    expect(await stageOf(p.id)).toBe('social_support');

    const discovery = await addStep(managerA, p.id, { type: 'trade_discovery', status: 'planned', startsOn: isoDay(5) });
    const info = await addStep(managerA, p.id, { type: 'information_session', status: 'planned', startsOn: isoDay(1) });
    expect([discovery.status, info.status]).toEqual([201, 201]);
    // Only planned main stages: the earliest one.
    expect(await stageOf(p.id)).toBe('information_session');

    const done = await http(app).patch(`${BASE}/participants/${p.id}/steps/${info.body.id}`).set(bearer(managerA)).send({ status: 'done', startsOn: isoDay(-1), endsOn: isoDay(-1) });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'done', endsOn: isoDay(-1) });
    expect(await stageOf(p.id)).toBe('information_session');

    const immersion = await addStep(managerA, p.id, { type: 'site_immersion', status: 'in_progress', startsOn: isoDay(0) });
    // The furthest stage reached wins over a planned earlier one.
    expect(await stageOf(p.id)).toBe('site_immersion');

    const abandoned = await http(app).patch(`${BASE}/participants/${p.id}/steps/${immersion.body.id}`).set(bearer(managerA)).send({ status: 'abandoned' });
    expect(abandoned.body).toMatchObject({ status: 'abandoned', endsOn: isoDay(0) });
    expect(await stageOf(p.id)).toBe('information_session');
    expectProblem(await http(app).patch(`${BASE}/participants/${p.id}/steps/${immersion.body.id}`).set(bearer(managerA)).send({ status: 'in_progress' }), 422, 'INVALID_STEP_TRANSITION');
    expectProblem(await addStep(managerA, p.id, { type: 'trade_discovery', status: 'planned', startsOn: isoDay(3), endsOn: isoDay(1) }), 422, 'STEP_DATES');
    expectProblem(await addStep(managerA, p.id, { type: 'gardening', status: 'planned', startsOn: isoDay(3) }), 400, 'VALIDATION_FAILED');
    expectProblem(await addStep(managerA, p.id, { type: 'trade_discovery', startsOn: isoDay(3) }), 400, 'VALIDATION_FAILED');

    const steps = await http(app).get(`${BASE}/participants/${p.id}/steps`).set(bearer(advisorA));
    expect(steps.status).toBe(200);
    expect(steps.body.data.map((s: { type: string; status: string }) => `${s.type}:${s.status}`)).toEqual([
      'social_support:in_progress',
      'information_session:done',
      'site_immersion:abandoned',
      'trade_discovery:planned',
    ]);
    // A last step ending in the future starts the clock on that day.
    const q = await enrolled(isoDay(-50));
    await addStep(managerA, q.id, { type: 'information_session', status: 'done', startsOn: isoDay(-2), endsOn: isoDay(5) }).expect(201);
    expect((await http(app).get(`${BASE}/participants/${q.id}`).set(bearer(managerA))).body).toMatchObject({
      currentStage: 'information_session',
      withoutSolutionSince: isoDay(5),
      daysWithoutSolution: 0,
      withoutSolution: false,
    });

    const changes = (await db.query(`SELECT data FROM outbox_events WHERE type = 'participant.step_changed' AND resource_id = $1 ORDER BY occurred_at, id`, [p.id])) as {
      data: Record<string, unknown>;
    }[];
    expect(changes).toHaveLength(6);
    expect(changes[5].data).toMatchObject({ stepId: immersion.body.id, status: 'abandoned', previousStatus: 'in_progress', currentStage: 'information_session' });
  });

  it('makes a step from a referral, which then follows the referral through its places', async () => {
    const p2 = await createProvider(app);
    const providerUser = await createStaff(app, Role.Provider, { providerId: p2.id });
    const programme = await http(app)
      .post('/api/v1/programmes')
      .set(bearer(admin))
      .send({ code: `BTP-${Date.now()}`, name: 'Préqualification BTP', providerId: p2.id, type: 'training', capacity: 5, startsOn: '2026-01-05', communeCode: communeA, eligiblePaths: ['professional'] });
    expect(programme.status).toBe(201);
    const p = await enrolled();
    await orient(app, managerA, p.beneficiaryId);
    const referral = await http(app).post('/api/v1/referrals').set(bearer(managerA)).send({ beneficiaryId: p.beneficiaryId, programmeId: programme.body.id });
    expect(referral.status).toBe(201);

    const other = await enrolled();
    expectProblem(await addStep(managerA, other.id, { type: 'pre_qualification', referralId: referral.body.id }), 422, 'UNKNOWN_REFERRAL');
    expectProblem(await addStep(managerA, p.id, { type: 'pre_qualification', referralId: referral.body.id, status: 'done' }), 422, 'STEP_FOLLOWS_REFERRAL');

    const step = await addStep(managerA, p.id, { type: 'pre_qualification', referralId: referral.body.id });
    expect(step.status).toBe(201);
    expect(step.body).toMatchObject({ status: 'planned', programmeId: programme.body.id, referralId: referral.body.id, startsOn: isoDay(0) });
    expectProblem(await addStep(managerA, p.id, { type: 'pre_qualification', referralId: referral.body.id }), 409, 'REFERRAL_ALREADY_LINKED');
    expectProblem(await http(app).patch(`${BASE}/participants/${p.id}/steps/${step.body.id}`).set(bearer(managerA)).send({ status: 'done' }), 422, 'STEP_FOLLOWS_REFERRAL');

    const act = (action: string) => http(app).post(`/api/v1/referrals/${referral.body.id}/${action}`).set(bearer(providerUser)).send({});
    expect((await act('accept')).status).toBe(200);
    expect((await act('start')).status).toBe(200);
    const started = await http(app).get(`${BASE}/participants/${p.id}/steps`).set(bearer(managerA));
    expect(started.body.data[0]).toMatchObject({ id: step.body.id, status: 'in_progress' });
    expect(await stageOf(p.id)).toBe('pre_qualification');
    expect((await act('complete')).status).toBe(200);
    const completed = await http(app).get(`${BASE}/participants/${p.id}/steps`).set(bearer(managerA));
    expect(completed.body.data[0]).toMatchObject({ status: 'done', endsOn: isoDay(0) });
    const participant = await http(app).get(`${BASE}/participants/${p.id}`).set(bearer(managerA));
    expect(participant.body).toMatchObject({ currentStage: 'pre_qualification', withoutSolutionSince: isoDay(0) });
    const timeline = await http(app).get(`/api/v1/beneficiaries/${p.beneficiaryId}/timeline`).set(bearer(managerA));
    const lines = timeline.body.data.filter((e: { type: string }) => e.type === 'participant.step_changed').map((e: { data: { status: string } }) => e.data.status);
    expect(lines).toEqual(['done', 'in_progress', 'planned']);
  });

  it('computes lasting employment: CDI, CDD or interim of 6 months or more, business creation', async () => {
    const p = await enrolled(isoDay(-200));
    const hire = (body: Record<string, unknown>) =>
      http(app)
        .post(`${BASE}/participants/${p.id}/employments`)
        .set(bearer(managerA))
        .send({ employerName: 'Bâtiments Franciliens', contractType: 'cdd', startsOn: '2026-01-01', weeklyHours: 35, romeCode: 'F1703', ...body });
    const cases: [Record<string, unknown>, boolean][] = [
      [{ contractType: 'cdi' }, true],
      [{ contractType: 'cdi', endsOn: '2026-02-01' }, true],
      [{ contractType: 'business_creation' }, true],
      [{ contractType: 'cdd', endsOn: '2026-06-30' }, true],
      [{ contractType: 'cdd', endsOn: '2026-06-29' }, false],
      [{ contractType: 'interim', endsOn: '2026-09-30' }, true],
      [{ contractType: 'interim', endsOn: '2026-03-31' }, false],
      [{ contractType: 'cdd' }, false],
      [{ contractType: 'apprenticeship', endsOn: '2028-01-01' }, false],
      [{ contractType: 'iae', endsOn: '2027-01-01' }, false],
      [{ contractType: 'professionalisation', endsOn: '2027-01-01' }, false],
    ];
    for (const [body, lasting] of cases) {
      const res = await hire(body);
      expect(res.status).toBe(201);
      expect({ ...body, lasting: res.body.lasting }).toEqual({ ...body, lasting });
    }
    expectProblem(await hire({ romeCode: 'F9999' }), 400, 'VALIDATION_FAILED');
    expectProblem(await hire({ employerSiret: '12345678901234' }), 400, 'VALIDATION_FAILED');
    expectProblem(await hire({ endsOn: '2025-12-01' }), 422, 'EMPLOYMENT_DATES');
    expectProblem(await hire({ contractType: 'freelance' }), 400, 'VALIDATION_FAILED');

    const { items } = await walkPages<{ id: string; lasting: boolean; contractType: string; endsOn: string | null }>((cursor) =>
      http(app).get(`${BASE}/participants/${p.id}/employments?limit=4${cursor ? `&cursor=${cursor}` : ''}`).set(bearer(advisorA)),
    );
    expect(items).toHaveLength(cases.length);
    expect(new Set(items.map((e) => e.id)).size).toBe(cases.length);
    expect(items.filter((e) => e.lasting)).toHaveLength(5);
    const events = (await db.query(`SELECT count(*)::int AS n FROM outbox_events WHERE type = 'participant.employed' AND resource_id = $1`, [p.id])) as { n: number }[];
    expect(events[0].n).toBe(cases.length);

    // A CDD whose end is moved past 6 months becomes lasting.
    const short = items.find((e) => e.contractType === 'cdd' && e.endsOn === '2026-06-29')!;
    expect(short.lasting).toBe(false);
    const extended = await http(app).patch(`${BASE}/participants/${p.id}/employments/${short.id}`).set(bearer(managerA)).send({ endsOn: '2026-12-31' });
    expect(extended.body).toMatchObject({ lasting: true, endsOn: '2026-12-31' });
  });

  it('creates the employment step and follow-ups due at 1, 3 and 6 months, and records their outcome', async () => {
    const p = await enrolled('2026-01-15');
    const res = await http(app)
      .post(`${BASE}/participants/${p.id}/employments`)
      .set(bearer(advisorA))
      .send({ employerName: 'Maçonnerie du Canal', employerSiret: '73282932000074', contractType: 'cdi', startsOn: '2026-01-31', weeklyHours: 35, romeCode: 'f1703' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ romeCode: 'F1703', employerSiret: '73282932000074', lasting: true, source: 'staff' });
    expect(res.body.followUps).toEqual([
      { month: 1, dueOn: '2026-02-28', contactedOn: null, outcome: null, note: null },
      { month: 3, dueOn: '2026-04-30', contactedOn: null, outcome: null, note: null },
      { month: 6, dueOn: '2026-07-31', contactedOn: null, outcome: null, note: null },
    ]);
    const steps = await http(app).get(`${BASE}/participants/${p.id}/steps`).set(bearer(advisorA));
    expect(steps.body.data).toEqual([expect.objectContaining({ id: res.body.stepId, type: 'employment', status: 'in_progress', employmentId: res.body.id })]);
    expect(await stageOf(p.id)).toBe('employment');

    const followUp = (month: string | number, body: Record<string, unknown>) =>
      http(app).post(`${BASE}/participants/${p.id}/employments/${res.body.id}/follow-ups/${month}`).set(bearer(advisorA)).send(body);
    const first = await followUp(1, { contactedOn: '2026-03-02', outcome: 'still_employed', note: 'Tout va bien' });
    expect(first.status).toBe(200);
    expect(first.body.followUps[0]).toEqual({ month: 1, dueOn: '2026-02-28', contactedOn: '2026-03-02', outcome: 'still_employed', note: 'Tout va bien' });
    expect(await stageOf(p.id)).toBe('employment_follow_up');
    expectProblem(await followUp(2, { contactedOn: '2026-03-02', outcome: 'still_employed' }), 404, 'FOLLOW_UP_NOT_FOUND');
    expectProblem(await followUp('x', { contactedOn: '2026-03-02', outcome: 'still_employed' }), 400, 'VALIDATION_FAILED');
    expectProblem(await followUp(3, { contactedOn: '2026-01-02', outcome: 'still_employed' }), 422, 'FOLLOW_UP_BEFORE_HIRING');
    expectProblem(await followUp(3, { contactedOn: '2026-05-02', outcome: 'maybe' }), 400, 'VALIDATION_FAILED');

    // No longer employed at 3 months: the job's step ends on the contact, and the clock of "without a solution" starts.
    const lost = await followUp(3, { contactedOn: '2026-05-04', outcome: 'not_employed' });
    expect(lost.status).toBe(200);
    const after = await http(app).get(`${BASE}/participants/${p.id}/steps`).set(bearer(advisorA));
    expect(after.body.data.map((s: { type: string; status: string; endsOn: string }) => [s.type, s.status, s.endsOn])).toEqual([
      ['employment', 'done', '2026-05-04'],
      ['employment_follow_up', 'done', '2026-03-02'],
      ['employment_follow_up', 'done', '2026-05-04'],
    ]);
    expect((await http(app).get(`${BASE}/participants/${p.id}`).set(bearer(advisorA))).body).toMatchObject({ currentStage: 'employment_follow_up', withoutSolutionSince: '2026-05-04' });
  });

  it('records an employment reported by France Travail in the caller\'s transaction (recordEmploymentFromIntegration)', async () => {
    const service = app.get(ParticipantsService);
    const notEnrolled = await person();
    expect(await db.transaction((m) => service.recordEmploymentFromIntegration(m, notEnrolled, { employerName: 'X', contractType: 'cdi', startsOn: isoDay(-1) }))).toBeNull();

    const p = await enrolled(isoDay(-40));
    const result = await db.transaction((m) =>
      service.recordEmploymentFromIntegration(m, p.beneficiaryId, {
        employerName: 'Étanchéité Plus',
        employerSiret: 'not-a-siret',
        contractType: 'cdd',
        startsOn: isoDay(-20),
        endsOn: isoDay(200),
        weeklyHours: 35,
        romeCode: 'F1613',
      }),
    );
    expect(result).toEqual({ participantId: p.id, employmentId: expect.any(String), stepId: expect.any(String) });
    const employments = await http(app).get(`${BASE}/participants/${p.id}/employments`).set(bearer(managerA));
    expect(employments.body.data).toEqual([
      expect.objectContaining({ id: result!.employmentId, stepId: result!.stepId, employerSiret: null, romeCode: 'F1613', lasting: true, source: 'integration', contractType: 'cdd' }),
    ]);
    const step = await http(app).get(`${BASE}/participants/${p.id}/steps`).set(bearer(managerA));
    expect(step.body.data).toEqual([expect.objectContaining({ id: result!.stepId, type: 'employment', status: 'in_progress' })]);
    const events = (await db.query(`SELECT data FROM outbox_events WHERE type = 'participant.employed' AND resource_id = $1`, [p.id])) as { data: Record<string, unknown> }[];
    expect(events).toEqual([{ data: expect.objectContaining({ employmentId: result!.employmentId, source: 'integration', lasting: true }) }]);

    // A finished job is a done step; a rolled-back transaction leaves nothing behind.
    const done = await db.transaction((m) =>
      service.recordEmploymentFromIntegration(m, p.beneficiaryId, { employerName: 'Peintures 93', contractType: 'interim', startsOn: isoDay(-30), endsOn: isoDay(-25) }),
    );
    const doneStep = (await db.query(`SELECT status FROM pathway_steps WHERE id = $1`, [done!.stepId])) as { status: string }[];
    expect(doneStep).toEqual([{ status: 'done' }]);
    // France Travail does not always name the employer, and sends 0 hours for "not known"; a future job is a planned step.
    const unnamed = await db.transaction((m) =>
      service.recordEmploymentFromIntegration(m, p.beneficiaryId, { employerName: ' ', contractType: 'cdi', startsOn: isoDay(10), weeklyHours: 0, romeCode: 'A1101' }),
    );
    const unnamedRow = (await db.query(
      `SELECT e.employer_name AS name, e.weekly_hours AS hours, e.rome_code AS rome, s.status FROM pathway_employments e JOIN pathway_steps s ON s.id = e.step_id WHERE e.id = $1`,
      [unnamed!.employmentId],
    )) as unknown[];
    expect(unnamedRow).toEqual([{ name: null, hours: null, rome: null, status: 'planned' }]);
    await expect(
      db.transaction(async (m) => {
        await service.recordEmploymentFromIntegration(m, p.beneficiaryId, { employerName: 'Rollback SARL', contractType: 'cdi', startsOn: isoDay(-1) });
        throw new Error('caller failed');
      }),
    ).rejects.toThrow('caller failed');
    const count = (await db.query(`SELECT count(*)::int AS n FROM pathway_employments WHERE participant_id = $1`, [p.id])) as { n: number }[];
    expect(count[0].n).toBe(3);
    await expect(
      db.transaction((m) => service.recordEmploymentFromIntegration(m, p.beneficiaryId, { employerName: 'X', contractType: 'stage', startsOn: isoDay(-1) })),
    ).rejects.toMatchObject({ code: 'INVALID_EMPLOYMENT' });
  });

  it('puts the case in_pathway while a step is under way, and back when none is (domain.md §3)', async () => {
    const caseOf = async (beneficiaryId: string) => (await http(app).get(`/api/v1/beneficiaries/${beneficiaryId}`).set(bearer(managerA))).body as { status: string };
    const p = await enrolled(isoDay(-20));
    expect((await caseOf(p.beneficiaryId)).status).toBe('to_orient');
    const planned = await addStep(managerA, p.id, { type: 'information_session', status: 'planned', startsOn: isoDay(2) });
    expect(planned.status).toBe(201);
    expect((await caseOf(p.beneficiaryId)).status).toBe('to_orient');
    const started = await http(app).patch(`${BASE}/participants/${p.id}/steps/${planned.body.id}`).set(bearer(managerA)).send({ status: 'in_progress', startsOn: isoDay(0) });
    expect(started.status).toBe(200);
    expect((await caseOf(p.beneficiaryId)).status).toBe('in_pathway');
    const statusEvents = async () =>
      ((await db.query(`SELECT data FROM timeline_events WHERE beneficiary_id = $1 AND type = 'status.changed' ORDER BY occurred_at, id`, [p.beneficiaryId])) as { data: Record<string, string> }[]).map(
        (e) => `${e.data.from}→${e.data.to}`,
      );
    expect(await statusEvents()).toEqual(['to_orient→in_pathway']);
    const ended = await http(app).patch(`${BASE}/participants/${p.id}/steps/${planned.body.id}`).set(bearer(managerA)).send({ status: 'done', endsOn: isoDay(0) });
    expect(ended.status).toBe(200);
    expect((await caseOf(p.beneficiaryId)).status).toBe('to_orient');
    expect(await statusEvents()).toEqual(['to_orient→in_pathway', 'in_pathway→to_orient']);
    // Leaving the pathway with a step under way ends what it gave to the case.
    const again = await addStep(managerA, p.id, { type: 'trade_discovery', status: 'in_progress', startsOn: isoDay(0) });
    expect(again.status).toBe(201);
    expect((await caseOf(p.beneficiaryId)).status).toBe('in_pathway');
    expect((await http(app).post(`${BASE}/participants/${p.id}/exit`).set(bearer(managerA)).send({ reason: 'withdrawn', exitedOn: isoDay(0) })).status).toBe(200);
    expect((await caseOf(p.beneficiaryId)).status).toBe('to_orient');
  });

  it('exits a participant with a reason', async () => {
    const p = await enrolled(isoDay(-30));
    expectProblem(await http(app).post(`${BASE}/participants/${p.id}/exit`).set(bearer(managerA)).send({ reason: 'employment', exitedOn: isoDay(-31) }), 422, 'EXIT_BEFORE_ENROLMENT');
    expectProblem(await http(app).post(`${BASE}/participants/${p.id}/exit`).set(bearer(managerA)).send({ reason: 'bored', exitedOn: isoDay(0) }), 400, 'VALIDATION_FAILED');
    const exited = await http(app).post(`${BASE}/participants/${p.id}/exit`).set(bearer(managerA)).send({ reason: 'employment', exitedOn: isoDay(0) });
    expect(exited.status).toBe(200);
    expect(exited.body).toMatchObject({ exitedOn: isoDay(0), exitReason: 'employment', withoutSolution: false, daysWithoutSolution: null });
    expectProblem(await http(app).post(`${BASE}/participants/${p.id}/exit`).set(bearer(managerA)).send({ reason: 'other', exitedOn: isoDay(0) }), 422, 'PARTICIPANT_ALREADY_EXITED');
    expectProblem(await addStep(managerA, p.id, { type: 'trade_discovery', status: 'planned', startsOn: isoDay(1) }), 422, 'PARTICIPANT_EXITED');
    const list = await http(app).get(`${BASE}/participants?limit=100`).set(bearer(managerA));
    expect(list.body.data.map((x: { id: string }) => x.id)).not.toContain(p.id);
    const withExited = await http(app).get(`${BASE}/participants?limit=100&includeExited=true`).set(bearer(managerA));
    expect(withExited.body.data.map((x: { id: string }) => x.id)).toContain(p.id);
  });

  it('answers bad input with a 4xx problem, never a 500', async () => {
    const p = await enrolled(isoDay(-10));
    const e = await http(app)
      .post(`${BASE}/participants/${p.id}/employments`)
      .set(bearer(managerA))
      .send({ employerName: 'Couverture 93', contractType: 'cdi', startsOn: isoDay(-1), weeklyHours: 35, romeCode: 'F1610' });
    expect(e.status).toBe(201);
    const cases: [string, string, Record<string, unknown> | undefined, number, string][] = [
      ['get', `${BASE}/participants?cursor=abc`, undefined, 400, 'INVALID_CURSOR'],
      ['get', `${BASE}/participants?cursor=${Buffer.from(JSON.stringify(['yesterday', p.id])).toString('base64url')}`, undefined, 400, 'INVALID_CURSOR'],
      ['get', `${BASE}/participants?stage=bricklaying`, undefined, 400, 'VALIDATION_FAILED'],
      ['get', `${BASE}/participants?limit=1000`, undefined, 400, 'VALIDATION_FAILED'],
      ['get', `${BASE}/participants/${p.id}/steps?cursor=${Buffer.from(JSON.stringify(['x', 'y', p.id])).toString('base64url')}`, undefined, 400, 'INVALID_CURSOR'],
      ['get', `${BASE}/alerts?cursor=${Buffer.from(JSON.stringify(['2026-99-99', p.id])).toString('base64url')}`, undefined, 400, 'INVALID_CURSOR'],
      ['post', `${BASE}/participants`, { beneficiaryId: p.beneficiaryId, targetTrades: 'F1703', enrolledOn: isoDay(0) }, 400, 'VALIDATION_FAILED'],
      ['post', `${BASE}/participants`, { beneficiaryId: p.beneficiaryId, targetTrades: [1703], enrolledOn: isoDay(0) }, 400, 'VALIDATION_FAILED'],
      ['post', `${BASE}/participants`, { beneficiaryId: p.beneficiaryId, targetTrades: ['f1703', 'F1703'], enrolledOn: isoDay(0) }, 400, 'VALIDATION_FAILED'],
      ['post', `${BASE}/participants`, { beneficiaryId: p.beneficiaryId, targetTrades: ['F1703'], enrolledOn: isoDay(0), extra: 1 }, 400, 'VALIDATION_FAILED'],
      ['post', `${BASE}/participants/${p.id}/steps`, { type: 'trade_discovery', status: 'planned', startsOn: '2026-02-30' }, 400, 'VALIDATION_FAILED'],
      ['post', `${BASE}/participants/${p.id}/steps`, { type: 'trade_discovery', status: 'planned', startsOn: isoDay(1), programmeId: '00000000-0000-4000-8000-000000000000' }, 422, 'UNKNOWN_PROGRAMME'],
      ['post', `${BASE}/participants/${p.id}/steps`, { type: 'trade_discovery', status: 'planned', startsOn: isoDay(1), operationId: '00000000-0000-4000-8000-000000000000' }, 422, 'UNKNOWN_OPERATION'],
      ['post', `${BASE}/participants/${p.id}/steps`, { type: 'trade_discovery', referralId: '00000000-0000-4000-8000-000000000000' }, 422, 'UNKNOWN_REFERRAL'],
      ['patch', `${BASE}/participants/${p.id}/steps/00000000-0000-4000-8000-000000000000`, { status: 'done' }, 404, 'STEP_NOT_FOUND'],
      ['post', `${BASE}/participants/${p.id}/employments`, { employerName: 'X', contractType: 'cdi', startsOn: '9999-12-31', weeklyHours: 35, romeCode: 'F1703' }, 422, 'INVALID_EMPLOYMENT'],
      ['post', `${BASE}/participants/${p.id}/employments`, { employerName: 'X', contractType: 'cdi', startsOn: isoDay(0), weeklyHours: '35', romeCode: 'F1703' }, 400, 'VALIDATION_FAILED'],
      ['post', `${BASE}/participants/${p.id}/employments`, { employerName: 'X', contractType: 'cdi', startsOn: isoDay(0), weeklyHours: 35.25, romeCode: 'F1703' }, 400, 'VALIDATION_FAILED'],
      ['post', `${BASE}/participants/${p.id}/employments/${e.body.id}/follow-ups/99999999999`, { contactedOn: isoDay(0), outcome: 'still_employed' }, 404, 'FOLLOW_UP_NOT_FOUND'],
      ['post', `${BASE}/participants/${p.id}/employments/${e.body.id}/follow-ups/1.5`, { contactedOn: isoDay(0), outcome: 'still_employed' }, 400, 'VALIDATION_FAILED'],
      ['post', `${BASE}/participants/${p.id}/employments/00000000-0000-4000-8000-000000000000/follow-ups/1`, { contactedOn: isoDay(0), outcome: 'still_employed' }, 404, 'EMPLOYMENT_NOT_FOUND'],
      ['post', `${BASE}/operations/${p.id}/hours`, { participantId: p.id, month: isoDay(0).slice(0, 7), hours: 1.005 }, 400, 'VALIDATION_FAILED'],
      ['post', `${BASE}/operations`, { name: 'Op', contractingAuthority: 'Ville', communeCode: communeA, lots: [{ label: 'L', requiredHours: 1.5, companyName: 'C', companySiret: '73282932000074' }] }, 400, 'VALIDATION_FAILED'],
      ['post', `${BASE}/operations`, { name: 'Op', contractingAuthority: 'Ville', communeCode: communeA, lots: 'all' }, 400, 'VALIDATION_FAILED'],
      ['get', `${BASE}/operations?cursor=zzz`, undefined, 400, 'INVALID_CURSOR'],
      ['get', `${BASE}/operations/${p.id}`, undefined, 404, 'OPERATION_NOT_FOUND'],
    ];
    for (const [method, url, body, status, code] of cases) {
      const req = method === 'get' ? http(app).get(url) : method === 'patch' ? http(app).patch(url).send(body) : http(app).post(url).send(body);
      const res = await req.set(bearer(admin));
      expect({ url, body, status: res.status, code: res.body.code }).toEqual({ url, body, status, code });
      expectProblem(res, status, code);
    }
  });

  it('applies the case scope: other agency 404, advisor outside caseload 403, provider and analyst 403, no token 401', async () => {
    const p = await enrolled(isoDay(-10));
    await http(app).post(`/api/v1/beneficiaries/${p.beneficiaryId}/assignment`).set(bearer(managerA)).send({ advisorId: advisorA.id }).expect(200);

    expect((await http(app).get(`${BASE}/participants/${p.id}`)).status).toBe(401);
    expectProblem(await http(app).get(`${BASE}/participants/${p.id}`).set(bearer(advisorB)), 404, 'PARTICIPANT_NOT_FOUND');
    expectProblem(await addStep(advisorB, p.id, { type: 'trade_discovery', status: 'planned', startsOn: isoDay(1) }), 404, 'PARTICIPANT_NOT_FOUND');
    const listB = await http(app).get(`${BASE}/participants?limit=100`).set(bearer(advisorB));
    expect(listB.status).toBe(200);
    expect(listB.body.data.map((x: { id: string }) => x.id)).not.toContain(p.id);
    expectProblem(await enrol(advisorB, { beneficiaryId: await person(), targetTrades: ['F1703'], enrolledOn: isoDay(0) }), 404, 'BENEFICIARY_NOT_FOUND');

    // Same agency: an advisor sees, but writes only on their own caseload.
    expect((await http(app).get(`${BASE}/participants/${p.id}`).set(bearer(otherAdvisorA))).status).toBe(200);
    expectProblem(await addStep(otherAdvisorA, p.id, { type: 'trade_discovery', status: 'planned', startsOn: isoDay(1) }), 403, 'NOT_IN_CASELOAD');
    expect((await addStep(advisorA, p.id, { type: 'trade_discovery', status: 'planned', startsOn: isoDay(1) })).status).toBe(201);

    for (const who of [provider, analyst]) {
      expectProblem(await http(app).get(`${BASE}/participants/${p.id}`).set(bearer(who)), 403, 'FORBIDDEN');
      expectProblem(await http(app).get(`${BASE}/participants`).set(bearer(who)), 403, 'FORBIDDEN');
      expectProblem(await http(app).get(`${BASE}/alerts`).set(bearer(who)), 403, 'FORBIDDEN');
      expectProblem(await addStep(who, p.id, { type: 'trade_discovery', status: 'planned', startsOn: isoDay(1) }), 403, 'FORBIDDEN');
    }
    expectProblem(await http(app).get(`${BASE}/dashboard`).set(bearer(provider)), 403, 'FORBIDDEN');
    expect((await http(app).get(`${BASE}/dashboard`).set(bearer(analyst))).status).toBe(200);
    expectProblem(await http(app).get(`${BASE}/participants/not-a-uuid`).set(bearer(managerA)), 400, 'VALIDATION_FAILED');

    // Machine clients by scope: construction:read reads, construction:write is needed to write.
    const reader = await machineClientToken(app, admin, ['construction:read']);
    expect((await http(app).get(`${BASE}/participants/${p.id}`).set(bearer(reader))).status).toBe(200);
    expectProblem(await addStep(reader as StaffAccount, p.id, { type: 'trade_discovery', status: 'planned', startsOn: isoDay(1) }), 403, 'FORBIDDEN');
    const other = await machineClientToken(app, admin, ['beneficiaries:read']);
    expectProblem(await http(app).get(`${BASE}/participants/${p.id}`).set(bearer(other)), 403, 'FORBIDDEN');

    const adminView = await http(app).get(`${BASE}/participants/${p.id}`).set(bearer(admin));
    expect(adminView.status).toBe(200);
    expect((await http(app).get(`${BASE}/participants/${p.id}/steps`).set(bearer(admin))).status).toBe(200);
    expect((await http(app).get(`${BASE}/participants/${p.id}/employments`).set(bearer(admin))).status).toBe(200);
    const audit = (await db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'participant.read' AND resource_id = $1 AND actor_id = $2`, [p.id, admin.id])) as {
      n: number;
    }[];
    expect(audit[0].n).toBe(3);
  });
});

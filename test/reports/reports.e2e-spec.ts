import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { parse } from 'csv-parse/sync';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/roles';
import { assign, createBeneficiary, isoDay, letters, orient, plusMonths } from '../factories/case-file';
import { bearer, createAgency, createProvider, createStaff, createTestCommune, StaffAccount } from '../factories/identity';
import { expectProblem, http, startTestApp } from '../setup/app';
import { createProgramme, refer } from '../referrals/referral-fixtures';

/** This month of the département (TIME_ZONE, as the server counts it) and the one before (YYYY-MM). */
function months(): { last: string; current: string } {
  const current = isoDay().slice(0, 7);
  return { last: plusMonths(`${current}-01`, -1).slice(0, 7), current };
}

describe('reports', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let admin: StaffAccount;
  let analyst: StaffAccount;
  let managerA: StaffAccount;
  let managerB: StaffAccount;
  let advisorA1: StaffAccount;
  let advisorA2: StaffAccount;
  let providerP: StaffAccount;
  let providerQ: StaffAccount;
  let agencyA: string;
  let agencyB: string;
  let providerPId: string;
  let ept: string;
  let communeA: string;
  const people: Record<string, string> = {};
  const programmes: Record<string, string> = {};

  const get = (by: StaffAccount, path: string) => http(app).get(`/api/v1/reports/${path}`).set(bearer(by));
  const act = (by: StaffAccount, id: string, action: string, body: object = {}) => http(app).post(`/api/v1/referrals/${id}/${action}`).set(bearer(by)).send(body);
  const ok = async (res: Promise<{ status: number; body: unknown }> | { status: number; body: unknown }, status = 200) => {
    const r = await res;
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body as Record<string, unknown>;
  };

  beforeAll(async () => {
    app = await startTestApp();
    db = app.get(DataSource);
    ept = `R${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
    communeA = await createTestCommune(app, ept);
    const communeB = await createTestCommune(app);
    agencyA = (await createAgency(app, [communeA])).id;
    agencyB = (await createAgency(app, [communeB])).id;
    providerPId = (await createProvider(app)).id;
    const providerQId = (await createProvider(app)).id;
    [admin, analyst, managerA, managerB, advisorA1, advisorA2, providerP, providerQ] = await Promise.all([
      createStaff(app, Role.Admin),
      createStaff(app, Role.Analyst),
      createStaff(app, Role.AgencyManager, { agencyId: agencyA }),
      createStaff(app, Role.AgencyManager, { agencyId: agencyB }),
      createStaff(app, Role.Advisor, { agencyId: agencyA }),
      createStaff(app, Role.Advisor, { agencyId: agencyA }),
      createStaff(app, Role.Provider, { providerId: providerPId }),
      createStaff(app, Role.Provider, { providerId: providerQId }),
    ]);
    await db.query(`UPDATE users SET caseload_capacity = 40 WHERE id = $1`, [advisorA2.id]);

    const person = async (rightsOpenedDaysAgo: number) =>
      (await createBeneficiary(app, managerA, communeA, { rightsOpenedOn: isoDay(-rightsOpenedDaysAgo) })).id;
    const contract = async (id: string, signedDaysAgo: number) => {
      const c = await ok(http(app).post(`/api/v1/beneficiaries/${id}/contracts`).set(bearer(managerA)).send({ startsOn: isoDay(-signedDaysAgo) }), 201);
      await ok(http(app).post(`/api/v1/beneficiaries/${id}/contracts/${String(c.id)}/sign`).set(bearer(managerA)).send({ signedOn: isoDay(-signedDaysAgo) }));
    };
    // quick: oriented in 30 days, contract 20 days later → both deadlines kept; assigned.
    people.quick = await person(100);
    await orient(app, managerA, people.quick, { path: 'professional', decidedOn: isoDay(-70) });
    await contract(people.quick, 50);
    await assign(app, managerA, people.quick, advisorA1.id);
    // slow: oriented after 100 days on the social path (review due 6 months later: passed), contract 70 days after.
    people.slow = await person(400);
    await orient(app, managerA, people.slow, { path: 'social', decidedOn: isoDay(-300) });
    await contract(people.slow, 230);
    await assign(app, managerA, people.slow, advisorA2.id);
    // waiting: rights opened 60 days ago, not oriented → orientation overdue.
    people.waiting = await person(60);
    // noContract: oriented 40 days ago (10 days after rights), reoriented 35 days ago, no contract → contract overdue.
    people.noContract = await person(50);
    await orient(app, managerA, people.noContract, { path: 'professional', decidedOn: isoDay(-40) });
    await orient(app, managerA, people.noContract, { path: 'socio_professional', decidedOn: isoDay(-35) });
    await assign(app, managerA, people.noContract, advisorA1.id);
    // gone: oriented, then exited to employment five days ago.
    people.gone = await person(30);
    await orient(app, managerA, people.gone, { path: 'professional', decidedOn: isoDay(-20) });
    await ok(http(app).post(`/api/v1/beneficiaries/${people.gone}/exit`).set(bearer(managerA)).send({ reason: 'employment', exitedOn: isoDay(-5) }));

    // Two programmes of provider P in commune A: one place in the first.
    programmes.one = (await createProgramme(app, admin, { providerId: providerPId, capacity: 1, communeCode: communeA, type: 'remobilisation', eligiblePaths: ['professional', 'socio_professional', 'social'] })).id;
    programmes.two = (await createProgramme(app, admin, { providerId: providerPId, capacity: 5, communeCode: communeA, type: 'training', eligiblePaths: ['professional', 'socio_professional', 'social'] })).id;
    const r1 = await refer(app, managerA, people.quick, programmes.one);
    await ok(act(providerP, r1.id, 'accept'));
    await ok(act(providerP, r1.id, 'start'));
    const r2 = await refer(app, managerA, people.slow, programmes.one);
    expect(r2.status).toBe('waitlisted');
    const r3 = await refer(app, managerA, people.noContract, programmes.two);
    await ok(act(providerP, r3.id, 'decline', { reason: 'Hors critères' }));
    const r4 = await refer(app, managerA, people.slow, programmes.two);
    await ok(act(providerP, r4.id, 'accept'));
    await ok(act(managerA, r4.id, 'cancel'));
  }, 120_000);
  afterAll(() => app.close());

  it('overview: the figures of the cases created, for the agency and for its EPT', async () => {
    const expected = {
      agencyId: agencyA,
      beneficiaries: 5,
      byStatus: { to_orient: 1, oriented: 1, in_pathway: 2, exited: 1 },
      byOrientationPath: { professional: 2, socio_professional: 1, social: 1, none: 1 },
      // First orientations in the period: quick 30 days, slow 100, noContract 10 (its reorientation does not count), gone 10.
      orientation: { deadlineDays: 42, count: 4, withinDeadline: 3, share: 0.75, medianDays: 20 },
      // First contracts: quick 20 days after orientation, slow 70.
      contracts: { deadlineDays: 30, count: 2, withinDeadline: 1, share: 0.5, medianDays: 45 },
      overdue: { total: 3, orientation: 1, contract: 1, review: 1 },
      exits: { total: 1, byReason: { employment: 1, training: 0, end_of_rights: 0, moved_out: 0, other: 0 } },
      links: { constructionPathwayDashboard: '/api/v1/construction-pathway/dashboard' },
    };
    const byAgency = await ok(get(admin, `overview?agencyId=${agencyA}`));
    expect(byAgency).toMatchObject({ ...expected, eptCode: null, period: { to: isoDay() } });
    expect(await ok(get(managerA, 'overview'))).toMatchObject(expected);
    expect(await ok(get(analyst, `overview?eptCode=${ept}`))).toMatchObject({ ...expected, agencyId: null, eptCode: ept });

    // A period that ends before everything: no deadline figures, no exits.
    const early = await ok(get(managerA, `overview?from=${isoDay(-800)}&to=${isoDay(-500)}`));
    expect(early).toMatchObject({
      beneficiaries: 5,
      period: { from: isoDay(-800), to: isoDay(-500) },
      orientation: { count: 0, withinDeadline: 0, share: null, medianDays: null },
      contracts: { count: 0, share: null },
      exits: { total: 0 },
    });
  });

  it('overview as CSV: one line per indicator, with a BOM, comma or semicolon separated', async () => {
    const res = await get(managerA, 'overview').set('accept', 'text/csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.text.charCodeAt(0)).toBe(0xfeff);
    expect(res.text).toContain('\r\n');
    const rows = parse(res.text, { bom: true, columns: true }) as { indicator: string; value: string }[];
    const value = (k: string) => rows.find((r) => r.indicator === k)?.value;
    expect(value('beneficiaries')).toBe('5');
    expect(value('byStatus.in_pathway')).toBe('2');
    expect(value('orientation.share')).toBe('0.75');
    expect(value('exits.byReason.employment')).toBe('1');

    const semi = await get(managerA, 'overview?separator=semicolon').set('accept', 'text/csv');
    const rows2 = parse(semi.text, { bom: true, columns: true, delimiter: ';' }) as { indicator: string; value: string }[];
    expect(rows2.find((r) => r.indicator === 'overdue.total')?.value).toBe('3');
  });

  it('agencies: caseload, advisors and capacity, per advisor, overdue', async () => {
    const expectedA = {
      agencyId: agencyA,
      caseload: 4,
      byStatus: { to_orient: 1, oriented: 1, in_pathway: 2, exited: 1 },
      unassigned: 1,
      advisors: 2,
      capacity: 100,
      caseloadPerAdvisor: 1.5,
      capacityPerAdvisor: 50,
      utilisation: 0.03,
      overdue: 3,
    };
    const all = (await ok(get(analyst, 'agencies'))).data as Record<string, unknown>[];
    expect(all.find((r) => r.agencyId === agencyA)).toMatchObject(expectedA);
    expect(all.find((r) => r.agencyId === agencyB)).toMatchObject({ caseload: 0, advisors: 0, capacity: 0, caseloadPerAdvisor: null, utilisation: null });

    const own = (await ok(get(managerA, 'agencies'))).data as Record<string, unknown>[];
    expect(own).toEqual([expect.objectContaining(expectedA)]);

    const csv = await get(managerA, 'agencies').set('accept', 'text/csv');
    const rows = parse(csv.text, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ agencyId: agencyA, caseload: '4', 'byStatus.to_orient': '1', utilisation: '0.03', capacity: '100' });
  });

  it('programmes: occupancy now and outcomes in the period, per programme and per EPT; providers see their own', async () => {
    const mine = await ok(get(providerP, 'programmes'));
    expect(mine.groupBy).toBe('programme');
    const rows = mine.data as Record<string, unknown>[];
    expect(rows.map((r) => r.key).sort()).toEqual([programmes.one, programmes.two].sort());
    const outcomes = { submitted: 0, accepted: 0, started: 0, completed: 0, abandoned: 0, declined: 0, cancelled: 0, expired: 0 };
    expect(rows.find((r) => r.key === programmes.one)).toMatchObject({
      programmes: 1, capacity: 1, held: 1, inProgress: 1, free: 0, waitlist: 1, averageWaitDays: 0,
      outcomes: { ...outcomes, submitted: 2, accepted: 1, started: 1 },
    });
    expect(rows.find((r) => r.key === programmes.two)).toMatchObject({
      programmes: 1, capacity: 5, held: 0, inProgress: 0, free: 5, waitlist: 0,
      outcomes: { ...outcomes, submitted: 2, accepted: 1, declined: 1, cancelled: 1 },
    });

    const byEpt = (await ok(get(admin, 'programmes?groupBy=ept'))).data as Record<string, unknown>[];
    expect(byEpt.find((r) => r.key === ept)).toMatchObject({
      label: `Territoire de test ${ept}`, programmes: 2, capacity: 6, held: 1, inProgress: 1, free: 5, waitlist: 1,
      outcomes: { ...outcomes, submitted: 4, accepted: 2, started: 1, declined: 1, cancelled: 1 },
    });
    const byType = (await ok(get(providerP, 'programmes?groupBy=type'))).data as Record<string, unknown>[];
    expect(byType.map((r) => [r.key, r.capacity])).toEqual([['remobilisation', 1], ['training', 5]]);

    // Another provider sees none of P's programmes.
    const other = (await ok(get(providerQ, 'programmes'))).data as Record<string, unknown>[];
    expect(other.filter((r) => r.key === programmes.one || r.key === programmes.two)).toEqual([]);
    // Outside the period, the outcomes are zero but the occupancy stays.
    const past = (await ok(get(providerP, `programmes?from=${isoDay(-30)}&to=${isoDay(-1)}`))).data as Record<string, unknown>[];
    expect(past.find((r) => r.key === programmes.one)).toMatchObject({ held: 1, waitlist: 1, averageWaitDays: null, outcomes });

    const csv = await get(providerP, 'programmes?separator=semicolon').set('accept', 'text/csv');
    const parsed = parse(csv.text, { bom: true, columns: true, delimiter: ';' }) as Record<string, string>[];
    expect(parsed.find((r) => r.key === programmes.two)).toMatchObject({ capacity: '5', 'outcomes.declined': '1', averageWaitDays: '0' });
  });

  it('scope and bad input: roles, other agencies, periods', async () => {
    expectProblem(await get(managerA, `overview?agencyId=${agencyB}`), 404, 'AGENCY_NOT_FOUND');
    expectProblem(await get(admin, `overview?agencyId=00000000-0000-4000-8000-000000000000`), 404, 'AGENCY_NOT_FOUND');
    expect((await get(advisorA1, 'overview')).status).toBe(403);
    expect((await get(providerP, 'overview')).status).toBe(403);
    expect((await get(providerP, 'agencies')).status).toBe(403);
    expect((await get(advisorA1, 'programmes')).status).toBe(403);
    expect((await http(app).get('/api/v1/reports/overview')).status).toBe(401);
    expectProblem(await get(admin, `overview?from=${isoDay(-1)}&to=${isoDay(-2)}`), 400, 'VALIDATION_FAILED');
    expectProblem(await get(admin, 'overview?from=2026-02-30'), 400, 'VALIDATION_FAILED');
    expectProblem(await get(admin, 'overview?eptCode=t6;drop'), 400, 'VALIDATION_FAILED');
    expectProblem(await get(admin, 'programmes?groupBy=commune'), 400, 'VALIDATION_FAILED');
    expectProblem(await get(admin, 'agencies?separator=tab'), 400, 'VALIDATION_FAILED');
    // Manager B sees its own agency only, with none of A's cases.
    const b = await ok(get(managerB, 'overview'));
    expect(b).toMatchObject({ agencyId: agencyB, beneficiaries: 0 });
  });

  it('monthly snapshots: frozen once, stable after later changes, scoped', async () => {
    const { last, current } = months();
    expectProblem(await http(app).post('/api/v1/reports/snapshots').set(bearer(admin)).send({ month: current }), 422, 'MONTH_NOT_OVER');
    expectProblem(await http(app).post('/api/v1/reports/snapshots').set(bearer(admin)).send({ month: '2026-13' }), 400, 'VALIDATION_FAILED');
    expect((await http(app).post('/api/v1/reports/snapshots').set(bearer(managerA)).send({ month: last })).status).toBe(403);

    const taken = await ok(http(app).post('/api/v1/reports/snapshots').set(bearer(admin)).send({ month: last }), 201);
    expect(taken.month).toBe(last);
    expect(taken.written).toBeGreaterThanOrEqual(4); // at least agencies A and B, programmes one and two
    // Taken again, this file's rows stay as they were (other files' new agencies may be written).
    const mine = () =>
      db.query(`SELECT id, subject_id, taken_at FROM report_snapshots WHERE month = $1 AND subject_id = ANY($2) ORDER BY id`, [last, [agencyA, agencyB, programmes.one, programmes.two]]);
    const frozen = await mine();
    expect(frozen).toHaveLength(4);
    expect(await ok(http(app).post('/api/v1/reports/snapshots').set(bearer(admin)).send({ month: last }), 201)).toMatchObject({ month: last });
    expect(await mine()).toEqual(frozen);

    const forA = async () => ((await ok(get(managerA, `snapshots?month=${last}`))).data as Record<string, unknown>[]);
    const before = await forA();
    const agencyRows = before.filter((s) => s.kind === 'agency');
    expect(agencyRows.map((s) => s.subjectId)).toEqual([agencyA]);
    const agencyFigures = agencyRows[0].figures as { agency: Record<string, unknown>; overview: Record<string, unknown> };
    expect(agencyFigures.agency).toMatchObject({ agencyId: agencyA, caseload: 4, advisors: 2 });
    expect(agencyFigures.overview).toMatchObject({ agencyId: agencyA, beneficiaries: 5, period: { from: `${last}-01` } });
    expect(before.filter((s) => s.kind === 'programme').map((s) => s.subjectId)).toEqual(expect.arrayContaining([programmes.one, programmes.two]));

    // Later changes (an exit, a new case) leave the frozen figures as they were.
    await ok(http(app).post(`/api/v1/beneficiaries/${people.waiting}/exit`).set(bearer(managerA)).send({ reason: 'moved_out', exitedOn: isoDay() }));
    await createBeneficiary(app, managerA, communeA, { lastName: `Later ${letters(5)}` });
    expect((await ok(get(managerA, 'agencies'))).data).toEqual([expect.objectContaining({ caseload: 4, byStatus: expect.objectContaining({ exited: 2 }) })]);
    expect(await forA()).toEqual(before);
    await expect(db.query(`UPDATE report_snapshots SET figures = '{}' WHERE subject_id = $1`, [agencyA])).rejects.toThrow(/frozen/);

    // Providers: their programmes only; analysts: everything.
    const p = (await ok(get(providerP, `snapshots?month=${last}`))).data as Record<string, unknown>[];
    expect(p.map((s) => s.subjectId).sort()).toEqual([programmes.one, programmes.two].sort());
    expect((p.find((s) => s.subjectId === programmes.one)?.figures as { programme: Record<string, unknown> }).programme).toMatchObject({ capacity: 1, held: 1 });
    const all = (await ok(get(analyst, `snapshots?month=${last}`))).data as Record<string, unknown>[];
    expect(all.map((s) => s.subjectId)).toEqual(expect.arrayContaining([agencyA, agencyB, programmes.one, programmes.two]));
    expectProblem(await get(analyst, 'snapshots?month=2026-1'), 400, 'VALIDATION_FAILED');
    expect((await get(advisorA1, `snapshots?month=${last}`)).status).toBe(403);
  });
});

import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { parse } from 'csv-parse/sync';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/roles';
import { CohortService } from '../../src/modules/construction-pathway/cohort.service';
import { createBeneficiary, isoDay, plusMonths } from '../factories/case-file';
import { bearer, createAgency, createStaff, createTestCommune, StaffAccount } from '../factories/identity';
import { expectProblem, http, startTestApp } from '../setup/app';

const BASE = '/api/v1/construction-pathway';
const thisMonth = () => isoDay(0).slice(0, 7);
const lastMonth = () => plusMonths(`${thisMonth()}-01`, -1).slice(0, 7);

describe('construction pathway: operations, clause hours, alerts and dashboard', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let communeC: string;
  let communeD: string;
  let agencyC: string;
  let agencyD: string;
  let admin: StaffAccount;
  let managerC: StaffAccount;
  let advisorC: StaffAccount;
  let managerD: StaffAccount;
  let analyst: StaffAccount;

  beforeAll(async () => {
    app = await startTestApp();
    db = app.get(DataSource);
    communeC = await createTestCommune(app);
    communeD = await createTestCommune(app);
    agencyC = (await createAgency(app, [communeC])).id;
    agencyD = (await createAgency(app, [communeD])).id;
    [admin, managerC, advisorC, managerD, analyst] = await Promise.all([
      createStaff(app, Role.Admin),
      createStaff(app, Role.AgencyManager, { agencyId: agencyC }),
      createStaff(app, Role.Advisor, { agencyId: agencyC }),
      createStaff(app, Role.AgencyManager, { agencyId: agencyD }),
      createStaff(app, Role.Analyst),
    ]);
  });
  afterAll(() => app.close());

  const enrolled = async (commune: string, by: StaffAccount, enrolledOn: string) => {
    const b = await createBeneficiary(app, by, commune);
    const res = await http(app).post(`${BASE}/participants`).set(bearer(by)).send({ beneficiaryId: b.id, targetTrades: ['F1602'], enrolledOn });
    if (res.status !== 201) throw new Error(`enrol: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; beneficiaryId: string };
  };
  const step = async (by: StaffAccount, participantId: string, body: Record<string, unknown>) => {
    const res = await http(app).post(`${BASE}/participants/${participantId}/steps`).set(bearer(by)).send(body);
    if (res.status !== 201) throw new Error(`step: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string };
  };
  const hire = async (by: StaffAccount, participantId: string, body: Record<string, unknown>) => {
    const res = await http(app)
      .post(`${BASE}/participants/${participantId}/employments`)
      .set(bearer(by))
      .send({ employerName: 'Constructions de l\'Ourcq', weeklyHours: 35, romeCode: 'F1703', ...body });
    if (res.status !== 201) throw new Error(`employment: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string };
  };
  const lot = (overrides: Record<string, unknown> = {}) => ({
    label: 'Lot 1 – Gros œuvre',
    amount: 1_000_000,
    labourSharePercent: 50,
    insertionRatePercent: 5,
    hourlyCost: 30,
    companyName: 'Bâtiments Franciliens',
    companySiret: '73282932000074',
    ...overrides,
  });
  const createOperation = (by: StaffAccount, commune: string, lots: Record<string, unknown>[]) =>
    http(app).post(`${BASE}/operations`).set(bearer(by)).send({ name: `Groupe scolaire ${commune}`, contractingAuthority: 'Ville de test', communeCode: commune, lots });

  describe('operations with social clauses', () => {
    it('computes the required hours of each lot (amount × labour share × insertion rate ÷ hourly cost) or takes them as entered', async () => {
      const res = await createOperation(managerC, communeC, [
        lot(),
        lot({ label: 'Lot 2 – Électricité', amount: 250_000, labourSharePercent: 40, insertionRatePercent: 7, hourlyCost: 28, fulfilmentMode: 'provision' }),
        { label: 'Lot 3 – Voirie', requiredHours: 1200, companyName: 'Routes 93', companySiret: '73282932000074', fulfilmentMode: 'subcontracting_siae' },
        lot({ label: 'Lot 4 – Peinture', amount: 100_000, labourSharePercent: 60, insertionRatePercent: 10, hourlyCost: 45 }),
      ]);
      expect(res.status).toBe(201);
      const byLabel = Object.fromEntries(res.body.lots.map((l: { label: string; requiredHours: number; hoursEntered: boolean }) => [l.label, [l.requiredHours, l.hoursEntered]]));
      expect(byLabel).toEqual({
        'Lot 1 – Gros œuvre': [833, false], // 1,000,000 × 50 % × 5 % ÷ 30 = 833.3
        'Lot 2 – Électricité': [250, false], // 250,000 × 40 % × 7 % ÷ 28 = 250
        'Lot 3 – Voirie': [1200, true],
        'Lot 4 – Peinture': [133, false], // 100,000 × 60 % × 10 % ÷ 45 = 133.3
      });
      expect(res.body).toMatchObject({ requiredHours: 2416, workedHours: 0, remainingHours: 2416, participantCount: 0, communeCode: communeC });
      expect(res.body.lots.find((l: { label: string }) => l.label === 'Lot 1 – Gros œuvre')).toMatchObject({ amount: 1_000_000, labourSharePercent: 50, insertionRatePercent: 5, hourlyCost: 30, fulfilmentMode: 'direct_hire' });

      const added = await http(app).post(`${BASE}/operations/${res.body.id}/lots`).set(bearer(admin)).send({ label: 'Lot 5', requiredHours: 84, companyName: 'Menuiserie', companySiret: '73282932000074' });
      expect(added.status).toBe(201);
      expect(added.body.requiredHours).toBe(2500);

      expectProblem(await createOperation(managerC, communeC, [lot({ hourlyCost: undefined })]), 400, 'VALIDATION_FAILED');
      expectProblem(await createOperation(managerC, communeC, [lot({ labourSharePercent: 0 })]), 400, 'VALIDATION_FAILED');
      expectProblem(await createOperation(managerC, communeC, [lot({ amount: -5 })]), 400, 'VALIDATION_FAILED');
      expectProblem(await createOperation(managerC, communeC, [lot({ companySiret: '12345678901234' })]), 400, 'VALIDATION_FAILED');
      expectProblem(await createOperation(managerC, communeC, []), 400, 'VALIDATION_FAILED');
      expectProblem(await createOperation(managerC, '93000', [lot()]), 422, 'UNKNOWN_COMMUNE');
      expectProblem(await createOperation(advisorC, communeC, [lot()]), 403, 'FORBIDDEN');
      expectProblem(await createOperation(analyst, communeC, [lot()]), 403, 'FORBIDDEN');
      expect((await http(app).get(`${BASE}/operations/${res.body.id}`).set(bearer(analyst))).body.requiredHours).toBe(2500);
    });

    it('records monthly hours per participant, one row per month, a correction replacing the value', async () => {
      const operation = (await createOperation(managerC, communeC, [lot()])).body as { id: string };
      const p = await enrolled(communeC, managerC, isoDay(-90));
      const record = (by: StaffAccount, body: Record<string, unknown>, id = operation.id) => http(app).post(`${BASE}/operations/${id}/hours`).set(bearer(by)).send(body);

      const first = await record(advisorC, { participantId: p.id, month: lastMonth(), hours: 120 });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ operationId: operation.id, participantId: p.id, month: lastMonth(), hours: 120, replaced: false, requiredHours: 833, workedHours: 120, remainingHours: 713 });
      const corrected = await record(managerC, { participantId: p.id, month: lastMonth(), hours: 100.5 });
      expect(corrected.body).toMatchObject({ hours: 100.5, replaced: true, workedHours: 100.5, remainingHours: 732.5 });
      const second = await record(managerC, { participantId: p.id, month: thisMonth(), hours: 40 });
      expect(second.body).toMatchObject({ replaced: false, workedHours: 140.5, remainingHours: 692.5 });

      const rows = (await db.query(`SELECT to_char(month, 'YYYY-MM') AS month, hours::float8 AS hours FROM clause_hours WHERE operation_id = $1 ORDER BY month`, [operation.id])) as unknown[];
      expect(rows).toEqual([
        { month: lastMonth(), hours: 100.5 },
        { month: thisMonth(), hours: 40 },
      ]);
      const seen = await http(app).get(`${BASE}/operations/${operation.id}`).set(bearer(managerD));
      expect(seen.body).toMatchObject({ requiredHours: 833, workedHours: 140.5, remainingHours: 692.5, participantCount: 1 });

      const listed = await http(app).get(`${BASE}/operations/${operation.id}/hours`).set(bearer(managerC));
      expect(listed.body.data.map((r: { month: string; hours: number }) => [r.month, r.hours])).toEqual([
        [thisMonth(), 40],
        [lastMonth(), 100.5],
      ]);
      expect((await http(app).get(`${BASE}/operations/${operation.id}/hours`).set(bearer(managerD))).body.data).toEqual([]);
      expectProblem(await http(app).get(`${BASE}/operations/${operation.id}/hours`).set(bearer(analyst)), 403, 'FORBIDDEN');

      const timeline = await http(app).get(`/api/v1/beneficiaries/${p.beneficiaryId}/timeline`).set(bearer(managerC));
      const hourLines = timeline.body.data.filter((e: { type: string }) => e.type === 'participant.hours_recorded');
      expect(hourLines.map((e: { data: Record<string, unknown> }) => [e.data.month, e.data.hours, e.data.previousHours])).toEqual([
        [thisMonth(), 40, null],
        [lastMonth(), 100.5, 120],
        [lastMonth(), 120, null],
      ]);

      const nextMonth = plusMonths(`${thisMonth()}-01`, 1).slice(0, 7);
      expectProblem(await record(managerC, { participantId: p.id, month: nextMonth, hours: 10 }), 422, 'HOURS_MONTH_IN_FUTURE');
      expectProblem(await record(managerC, { participantId: p.id, month: plusMonths(isoDay(-90), -1).slice(0, 7), hours: 10 }), 422, 'HOURS_BEFORE_ENROLMENT');
      expectProblem(await record(managerC, { participantId: p.id, month: '2026-13', hours: 10 }), 400, 'VALIDATION_FAILED');
      expectProblem(await record(managerC, { participantId: p.id, month: thisMonth(), hours: -1 }), 400, 'VALIDATION_FAILED');
      expectProblem(await record(managerC, { participantId: p.id, month: thisMonth(), hours: 745 }), 400, 'VALIDATION_FAILED');
      expectProblem(await record(managerD, { participantId: p.id, month: thisMonth(), hours: 10 }), 422, 'UNKNOWN_PARTICIPANT');
      expectProblem(await record(managerC, { participantId: p.id, month: thisMonth(), hours: 10 }, '00000000-0000-4000-8000-000000000000'), 404, 'OPERATION_NOT_FOUND');
      expect((await http(app).get(`${BASE}/operations/${operation.id}`).set(bearer(managerC))).body.workedHours).toBe(140.5);
    });
  });

  it('keeps its invariants in the database, whatever the code does', async () => {
    const operation = (await createOperation(managerC, communeC, [lot()])).body as { id: string };
    const p = await enrolled(communeC, managerC, isoDay(-40));
    const month = `${thisMonth()}-01`;
    await db.query(`INSERT INTO clause_hours (operation_id, participant_id, month, hours) VALUES ($1, $2, $3, 10)`, [operation.id, p.id, month]);
    const refused = async (sql: string, params: unknown[], constraint: string) => {
      await expect(db.query(sql, params)).rejects.toMatchObject({ driverError: expect.objectContaining({ constraint }) });
    };
    await refused(`INSERT INTO clause_hours (operation_id, participant_id, month, hours) VALUES ($1, $2, $3, 5)`, [operation.id, p.id, month], 'uq_clause_hours_operation_participant_month');
    await refused(`INSERT INTO clause_hours (operation_id, participant_id, month, hours) VALUES ($1, $2, $3, -1)`, [operation.id, p.id, lastMonth() + '-01'], 'ck_clause_hours_hours');
    await refused(`INSERT INTO clause_hours (operation_id, participant_id, month, hours) VALUES ($1, $2, $3, 1)`, [operation.id, p.id, `${thisMonth()}-15`], 'ck_clause_hours_month');
    await refused(`INSERT INTO pathway_participants (beneficiary_id, enrolled_on) VALUES ($1, $2)`, [p.beneficiaryId, isoDay(0)], 'uq_pathway_participants_beneficiary');
    await refused(`INSERT INTO pathway_steps (participant_id, type, status, starts_on) VALUES ($1, 'site_immersion', 'paused', $2)`, [p.id, isoDay(0)], 'ck_pathway_steps_status');
    await refused(`INSERT INTO pathway_steps (participant_id, type, status, starts_on) VALUES ($1, 'gardening', 'planned', $2)`, [p.id, isoDay(0)], 'ck_pathway_steps_type');
    await refused(`INSERT INTO pathway_participant_trades (participant_id, rome_code) VALUES ($1, 'F9999')`, [p.id], 'fk_pathway_participant_trades_rome');
    await refused(`UPDATE clause_lots SET required_hours = -3 WHERE operation_id = $1`, [operation.id], 'ck_clause_lots_required_hours');
    await refused(`UPDATE pathway_participants SET exited_on = $2 WHERE id = $1`, [p.id, isoDay(0)], 'ck_pathway_participants_exit');
  });

  describe('nobody without a solution', () => {
    // An agency of its own: the other tests of this file leave participants without a step in agency C.
    let managerC: StaffAccount;
    let advisorC: StaffAccount;
    let communeC: string;
    let agencyC: string;
    beforeAll(async () => {
      communeC = await createTestCommune(app);
      agencyC = (await createAgency(app, [communeC])).id;
      managerC = await createStaff(app, Role.AgencyManager, { agencyId: agencyC });
      advisorC = await createStaff(app, Role.Advisor, { agencyId: agencyC });
    });

    it('lists a participant enrolled 60 days ago with no step, writes the event once, and drops them when a step is planned', async () => {
      const lonely = await enrolled(communeC, managerC, isoDay(-60));
      const edge = await enrolled(communeC, managerC, isoDay(-30));
      const justOver = await enrolled(communeC, managerC, isoDay(-31));
      const busy = await enrolled(communeC, managerC, isoDay(-60));
      await step(managerC, busy.id, { type: 'information_session', status: 'planned', startsOn: isoDay(3) });

      const alerts = async (by: StaffAccount, query = '') => {
        const res = await http(app).get(`${BASE}/alerts?limit=100${query}`).set(bearer(by));
        expect(res.status).toBe(200);
        return res.body.data as { participantId: string; daysWithoutSolution: number; agencyId: string; withoutSolutionSince: string }[];
      };
      const mine = await alerts(managerC);
      expect(mine.map((a) => [a.participantId, a.daysWithoutSolution])).toEqual([
        [lonely.id, 60],
        [justOver.id, 31],
      ]);
      expect(mine[0]).toMatchObject({ agencyId: agencyC, withoutSolutionSince: isoDay(-60), beneficiaryId: lonely.beneficiaryId, currentStage: null });
      expect(mine.map((a) => a.participantId)).not.toContain(edge.id);
      expect((await alerts(admin, `&agencyId=${agencyC}`)).map((a) => a.participantId)).toEqual([lonely.id, justOver.id]);
      expect(await alerts(managerD)).toEqual([]);
      const filtered = await http(app).get(`${BASE}/participants?withoutSolution=true&limit=100`).set(bearer(advisorC));
      expect(filtered.body.data.map((x: { id: string }) => x.id).sort()).toEqual([lonely.id, justOver.id].sort());
      expect(filtered.body.data[0]).toMatchObject({ withoutSolution: true });

      const job = app.get(CohortService);
      await job.notifyWithoutSolution();
      await job.notifyWithoutSolution();
      const events = (await db.query(`SELECT resource_id AS id, data FROM outbox_events WHERE type = 'participant.without_solution' AND resource_id = ANY($1)`, [
        [lonely.id, edge.id, justOver.id, busy.id],
      ])) as { id: string; data: Record<string, unknown> }[];
      expect(events.map((e) => e.id).sort()).toEqual([lonely.id, justOver.id].sort());
      expect(events.find((e) => e.id === lonely.id)!.data).toEqual({
        participantId: lonely.id,
        beneficiaryId: lonely.beneficiaryId,
        agencyId: agencyC,
        since: isoDay(-60),
        daysWithoutSolution: 60,
      });

      const planned = await step(advisorC, lonely.id, { type: 'trade_discovery', status: 'planned', startsOn: isoDay(7) });
      expect((await alerts(managerC)).map((a) => a.participantId)).toEqual([justOver.id]);
      const participant = await http(app).get(`${BASE}/participants/${lonely.id}`).set(bearer(managerC));
      expect(participant.body).toMatchObject({ withoutSolutionSince: null, daysWithoutSolution: null, withoutSolution: false, currentStage: 'trade_discovery' });

      // A new period without a solution is a new event, once it lasts more than 30 days.
      await http(app).patch(`${BASE}/participants/${lonely.id}/steps/${planned.id}`).set(bearer(advisorC)).send({ status: 'abandoned', endsOn: isoDay(7) }).expect(200);
      await db.query(`UPDATE pathway_steps SET starts_on = $2, ends_on = $2 WHERE id = $1`, [planned.id, isoDay(-40)]);
      await http(app).patch(`${BASE}/participants/${lonely.id}/steps/${planned.id}`).set(bearer(advisorC)).send({ note: 'Absent' }).expect(200);
      expect((await alerts(managerC)).find((a) => a.participantId === lonely.id)).toMatchObject({ daysWithoutSolution: 40 });
      await job.notifyWithoutSolution();
      const again = (await db.query(`SELECT count(*)::int AS n FROM outbox_events WHERE type = 'participant.without_solution' AND resource_id = $1`, [lonely.id])) as { n: number }[];
      expect(again[0].n).toBe(2);
    });
  });

  describe('dashboard', () => {
    let communeE: string;
    let agencyE: string;
    let managerE: StaffAccount;

    beforeAll(async () => {
      communeE = await createTestCommune(app);
      agencyE = (await createAgency(app, [communeE])).id;
      managerE = await createStaff(app, Role.AgencyManager, { agencyId: agencyE });
      // A: 60 days without a step. B: information session under way. C: CDI. D: 2-month CDD. E: exited. F: trade discovery planned.
      await enrolled(communeE, managerE, isoDay(-60));
      const b = await enrolled(communeE, managerE, isoDay(-40));
      await step(managerE, b.id, { type: 'information_session', status: 'in_progress', startsOn: isoDay(-2) });
      const c = await enrolled(communeE, managerE, isoDay(-20));
      await hire(managerE, c.id, { contractType: 'cdi', startsOn: isoDay(-10) });
      const d = await enrolled(communeE, managerE, isoDay(-15));
      await hire(managerE, d.id, { contractType: 'cdd', startsOn: isoDay(-5), endsOn: isoDay(55) });
      const e = await enrolled(communeE, managerE, isoDay(-10));
      await http(app).post(`${BASE}/participants/${e.id}/exit`).set(bearer(managerE)).send({ reason: 'moved_out', exitedOn: isoDay(0) }).expect(200);
      const f = await enrolled(communeE, managerE, isoDay(-100));
      await step(managerE, f.id, { type: 'trade_discovery', status: 'planned', startsOn: isoDay(4) });
      const operation = await createOperation(managerE, communeE, [lot()]);
      for (const [id, hours] of [
        [c.id, 100],
        [d.id, 50.5],
      ] as const) {
        await http(app).post(`${BASE}/operations/${operation.body.id}/hours`).set(bearer(managerE)).send({ participantId: id, month: thisMonth(), hours }).expect(200);
      }
    });

    const zeroStages = {
      notStarted: 0,
      information_session: 0,
      trade_discovery: 0,
      site_immersion: 0,
      pre_qualification: 0,
      qualifying_training: 0,
      employment: 0,
      employment_follow_up: 0,
      social_support: 0,
    };

    it('gives the cohort figures of the data, for an agency', async () => {
      const res = await http(app).get(`${BASE}/dashboard?agencyId=${agencyE}`).set(bearer(admin));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        from: null,
        to: isoDay(0),
        agencyId: agencyE,
        target: 500,
        enrolled: 6,
        targetPercent: 1.2,
        exited: 1,
        active: 5,
        byStage: { ...zeroStages, notStarted: 1, information_session: 1, trade_discovery: 1, employment: 2 },
        withActiveStep: 3,
        withoutSolution: 1,
        withoutSolutionDays: 30,
        inEmployment: 2,
        inLastingEmployment: 1,
        hours: { required: 833, worked: 150.5, remaining: 682.5 },
      });
      // The agency manager gets their own agency; the analyst the same aggregated figures.
      expect((await http(app).get(`${BASE}/dashboard`).set(bearer(managerE))).body).toEqual(res.body);
      expect((await http(app).get(`${BASE}/dashboard?agencyId=${agencyE}`).set(bearer(analyst))).body).toEqual(res.body);
      expectProblem(await http(app).get(`${BASE}/dashboard?agencyId=${agencyE}`).set(bearer(managerD)), 404, 'AGENCY_NOT_FOUND');
    });

    it('filters by period: enrolment in the period, hours of its months, employment on its last day', async () => {
      const recent = await http(app).get(`${BASE}/dashboard?agencyId=${agencyE}&from=${isoDay(-50)}`).set(bearer(admin));
      expect(recent.body).toMatchObject({
        from: isoDay(-50),
        enrolled: 4,
        exited: 1,
        active: 3,
        byStage: { ...zeroStages, information_session: 1, employment: 2 },
        withActiveStep: 3,
        withoutSolution: 0,
        inEmployment: 2,
        inLastingEmployment: 1,
        hours: { required: 833, worked: 150.5, remaining: 682.5 },
      });
      const early = await http(app).get(`${BASE}/dashboard?agencyId=${agencyE}&to=${isoDay(-30)}`).set(bearer(admin));
      const workedThen = isoDay(-30).slice(0, 7) >= thisMonth() ? 150.5 : 0;
      expect(early.body).toMatchObject({
        to: isoDay(-30),
        enrolled: 3,
        exited: 0,
        active: 3,
        byStage: { ...zeroStages, notStarted: 1, information_session: 1, trade_discovery: 1 },
        inEmployment: 0,
        inLastingEmployment: 0,
        hours: { required: 833, worked: workedThen, remaining: 833 - workedThen },
      });
      const inAWeek = await http(app).get(`${BASE}/dashboard?agencyId=${agencyE}&to=${isoDay(-7)}`).set(bearer(admin));
      expect(inAWeek.body).toMatchObject({ enrolled: 6, inEmployment: 1, inLastingEmployment: 1 });
      expectProblem(await http(app).get(`${BASE}/dashboard?from=${isoDay(0)}&to=${isoDay(-1)}`).set(bearer(admin)), 400, 'VALIDATION_FAILED');
      expectProblem(await http(app).get(`${BASE}/dashboard?from=2026-02-30`).set(bearer(admin)), 400, 'VALIDATION_FAILED');
      expectProblem(await http(app).get(`${BASE}/dashboard?agencyId=nope`).set(bearer(admin)), 400, 'VALIDATION_FAILED');
    });

    it('answers CSV with Accept: text/csv, which parses back to the same figures', async () => {
      const json = (await http(app).get(`${BASE}/dashboard?agencyId=${agencyE}`).set(bearer(admin))).body;
      for (const [separator, delimiter] of [
        ['', ','],
        ['&separator=semicolon', ';'],
      ]) {
        const res = await http(app).get(`${BASE}/dashboard?agencyId=${agencyE}${separator}`).set(bearer(admin)).set('accept', 'text/csv');
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toMatch(/^text\/csv/);
        expect(res.headers['content-disposition']).toBe('attachment; filename="construction-pathway-dashboard.csv"');
        const rows = parse(res.text, { bom: true, columns: true, delimiter }) as Record<string, string>[];
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({
          agencyId: agencyE,
          target: '500',
          enrolled: String(json.enrolled),
          'byStage.employment': '2',
          'byStage.notStarted': '1',
          withoutSolution: '1',
          inLastingEmployment: '1',
          'hours.required': '833',
          'hours.worked': '150.5',
          'hours.remaining': '682.5',
        });
      }
    });
  });
});

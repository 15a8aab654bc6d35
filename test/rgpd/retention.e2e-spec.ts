import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomInt } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/roles';
import { randomCafNumber, withNirKey } from '../factories/case-file';
import { bearer, createAgency, createStaff, StaffAccount } from '../factories/identity';
import { expectProblem, http, startTestApp } from '../setup/app';
import { ownMigratedDatabase } from '../setup/test-database';

/**
 * On a database of its own: a retention run anywhere else (the access matrix and the fuzzing
 * run one) would anonymise this file's people, and its counts would take in other files' people.
 */
describe('RGPD retention', () => {
  const sharedUrl = process.env.DATABASE_URL!;
  let drop: () => Promise<void>;
  let app: NestFastifyApplication;
  let admin: StaffAccount;
  let manager: StaffAccount;
  let db: DataSource;

  beforeAll(async () => {
    const own = await ownMigratedDatabase('retention');
    drop = own.drop;
    process.env.DATABASE_URL = own.url;
    app = await startTestApp();
    db = app.get(DataSource);
    admin = await createStaff(app, Role.Admin);
    const agency = await createAgency(app, ['93029']);
    manager = await createStaff(app, Role.AgencyManager, { agencyId: agency.id });
  });
  afterAll(async () => {
    await app?.close();
    process.env.DATABASE_URL = sharedUrl;
    await drop?.();
  });

  // Two people of this file, born in July 1980 in 93029: their NIRs differ by the order number only.
  const orders = new Set<number>();
  const newCase = async (lastName: string) => {
    let order = randomInt(1, 1000);
    while (orders.has(order)) order = randomInt(1, 1000);
    orders.add(order);
    const first13 = `1800793029${String(order).padStart(3, '0')}`;
    const res = await http(app)
      .post('/api/v1/beneficiaries')
      .set(bearer(manager))
      .send({ cafNumber: randomCafNumber(), nir: withNirKey(first13), firstName: 'Test', lastName, birthDate: '1980-07-23', sex: 'M', communeCode: '93029', rightsOpenedOn: '2024-03-18', phone: '0601020304' });
    expect(res.status).toBe(201);
    const oriented = await http(app).post(`/api/v1/beneficiaries/${res.body.id}/orientation`).set(bearer(manager)).send({ path: 'professional', referentBody: 'france_travail', decidedOn: '2024-04-15', reason: 'Souhaite un emploi dans le bâtiment' });
    expect(oriented.status).toBe(200);
    return res.body.id as string;
  };

  it('previews, then anonymises only the people past the period, keeping statistics', async () => {
    const old = await newCase('Ancien');
    const recent = await newCase('Recent');
    // The old case is also a participant of the construction pathway, with notes and an employer.
    const pathway = '/api/v1/construction-pathway/participants';
    const participant = await http(app).post(pathway).set(bearer(manager)).send({ beneficiaryId: old, targetTrades: ['F1703'], enrolledOn: '2024-05-20' });
    expect(participant.status).toBe(201);
    const p = participant.body.id as string;
    await http(app).post(`${pathway}/${p}/steps`).set(bearer(manager)).send({ type: 'social_support', status: 'done', startsOn: '2024-05-21', endsOn: '2024-06-03', note: 'Difficultés de logement' }).expect(201);
    const job = await http(app).post(`${pathway}/${p}/employments`).set(bearer(manager)).send({ employerName: 'Maçonnerie Dupont', employerSiret: '73282932000074', contractType: 'cdi', startsOn: '2024-06-17', weeklyHours: 35, romeCode: 'F1703' });
    expect(job.status).toBe(201);
    await http(app).post(`${pathway}/${p}/employments/${job.body.id}/follow-ups/1`).set(bearer(manager)).send({ contactedOn: '2024-07-18', outcome: 'still_employed', note: 'Se plaint du dos' }).expect(200);
    // And a suspension procedure, decided and lifted.
    const suspensions = `/api/v1/beneficiaries/${old}/suspensions`;
    const procedure = await http(app).post(suspensions).set(bearer(manager)).send({ ground: 'appointment_missed', facts: 'Absent le 3 juin 2024', openedOn: '2024-06-05' });
    expect(procedure.status).toBe(201);
    await http(app)
      .post(`${suspensions}/${procedure.body.id}/decide`)
      .set(bearer(manager))
      .send({ outcome: 'suspension', reason: 'Aucun motif', decidedOn: '2024-06-20', ratePercent: 50, months: 2 })
      .expect(200);
    await http(app).post(`${suspensions}/${procedure.body.id}/lift`).set(bearer(manager)).send({ reason: 'Reprise des démarches', liftedOn: '2024-07-08' }).expect(200);
    await db.query(`UPDATE beneficiaries SET last_contact_at = now() - interval '25 months' WHERE id = $1`, [old]);

    const preview = await http(app).get('/api/v1/retention/preview').set(bearer(admin));
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ dryRun: true, retentionMonths: 24 });
    expect(preview.body.count).toBe(1);
    // Oriented, no contract, but a job of the construction pathway under way: in_pathway (domain.md §3).
    expect((await http(app).get(`/api/v1/beneficiaries/${old}`).set(bearer(manager))).body.status).toBe('in_pathway');
    expect(preview.body.byStatus).toEqual({ in_pathway: 1 });
    // A preview changes nothing.
    expect((await http(app).get(`/api/v1/beneficiaries/${old}`).set(bearer(manager))).status).toBe(200);

    const run = await http(app).post('/api/v1/retention/run').set(bearer(admin));
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ dryRun: false });
    expect(run.body.count).toBe(1);

    const [row] = await db.query(`SELECT * FROM beneficiaries WHERE id = $1`, [old]);
    expect(row).toMatchObject({
      first_name: 'Anonymised',
      last_name: 'Anonymised',
      caf_number: '0000000',
      nir_encrypted: null,
      nir_hash: null,
      phone: null,
      status: 'in_pathway',
      orientation_path: 'professional',
      referent_body: 'france_travail',
      agency_id: manager.agencyId,
    });
    expect(row.anonymised_at).not.toBeNull();
    const [dates] = await db.query(`SELECT birth_date::text AS b, rights_opened_on::text AS r, oriented_on::text AS o FROM beneficiaries WHERE id = $1`, [old]);
    expect(dates).toEqual({ b: '1980-01-01', r: '2024-03-01', o: '2024-04-01' });
    expect(await db.query(`SELECT * FROM timeline_events WHERE beneficiary_id = $1`, [old])).toEqual([]);
    expect(await db.query(`SELECT reason FROM orientations WHERE beneficiary_id = $1`, [old])).toEqual([{ reason: null }]);
    expect(await db.query(`SELECT enrolled_on::text AS e, advisor_id AS a FROM pathway_participants WHERE id = $1`, [p])).toEqual([{ e: '2024-05-01', a: null }]);
    expect(await db.query(`SELECT type, note, starts_on::text AS s FROM pathway_steps WHERE participant_id = $1 ORDER BY starts_on, type`, [p])).toEqual([
      { type: 'social_support', note: null, s: '2024-05-01' },
      { type: 'employment', note: null, s: '2024-06-01' },
      { type: 'employment_follow_up', note: null, s: '2024-07-01' },
    ]);
    expect(await db.query(`SELECT employer_name AS n, employer_siret AS s, lasting FROM pathway_employments WHERE participant_id = $1`, [p])).toEqual([{ n: 'anonymised', s: null, lasting: true }]);
    expect(await db.query(`SELECT f.note, f.outcome FROM pathway_follow_ups f WHERE f.employment_id = $1 AND f.month = 1`, [job.body.id])).toEqual([{ note: null, outcome: 'still_employed' }]);
    // The procedure keeps its statistics (ground, outcome, rate, length), dates cut to the month; the words and the people go.
    expect(
      await db.query(
        `SELECT ground, facts, decision_reason, lift_reason, opened_by, decided_by, lifted_by, outcome, rate_percent, months,
                opened_on::text, decided_on::text, starts_on::text, ends_on::text, lifted_on::text FROM suspension_procedures WHERE beneficiary_id = $1`,
        [old],
      ),
    ).toEqual([
      {
        ground: 'appointment_missed',
        facts: 'anonymised',
        decision_reason: 'anonymised',
        lift_reason: 'anonymised',
        opened_by: null,
        decided_by: null,
        lifted_by: null,
        outcome: 'suspension',
        rate_percent: 50,
        months: 2,
        opened_on: '2024-06-01',
        decided_on: '2024-06-01',
        starts_on: '2024-06-01',
        ends_on: '2024-08-01',
        lifted_on: '2024-07-01',
      },
    ]);
    expectProblem(await http(app).get(`/api/v1/beneficiaries/${old}`).set(bearer(manager)), 404, 'BENEFICIARY_NOT_FOUND');
    const list = await http(app).get('/api/v1/beneficiaries').query({ communeCode: '93029' }).set(bearer(manager));
    expect(list.body.data.map((b: { id: string }) => b.id)).toEqual([recent]);

    // The recent case is untouched and a second run finds nobody left to anonymise.
    expect((await http(app).get(`/api/v1/beneficiaries/${recent}`).set(bearer(manager))).body.lastName).toBe('Recent');
    const again = await http(app).get('/api/v1/retention/preview').set(bearer(admin));
    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM beneficiaries WHERE id = $1 AND anonymised_at IS NULL`, [old]);
    expect(count).toBe(0);
    expect(again.status).toBe(200);
    expect(again.body.count).toBe(0);
  });

  it('is for admins only', async () => {
    expectProblem(await http(app).get('/api/v1/retention/preview').set(bearer(manager)), 403, 'FORBIDDEN');
    expectProblem(await http(app).post('/api/v1/retention/run').set(bearer(manager)), 403, 'FORBIDDEN');
  });
});

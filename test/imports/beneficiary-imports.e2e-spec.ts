import { NestFastifyApplication } from '@nestjs/platform-fastify';
import iconv from 'iconv-lite';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/roles';
import { BeneficiaryImportsService } from '../../src/modules/beneficiary-imports/beneficiary-imports.service';
import { BeneficiaryImport } from '../../src/modules/beneficiary-imports/entities/beneficiary-import.entity';
import { withNirKey } from '../factories/case-file';
import { bearer, createAgency, createStaff, StaffAccount } from '../factories/identity';
import { expectProblem, http, startTestApp } from '../setup/app';
import { CSV_HEADER, importFinished, uploadImport } from './import-helpers';

const SAMPLES = join(__dirname, '..', '..', 'docs', 'samples');
const nir = withNirKey;

/** Communes 93079 and 93013 belong to this file only (the samples also use 93001, 93008, 93010, 93027, 93045, 93066, served by nobody here). */
describe('beneficiary imports', () => {
  let app: NestFastifyApplication;
  let admin: StaffAccount;
  let advisor: StaffAccount;
  let db: DataSource;

  beforeAll(async () => {
    app = await startTestApp();
    db = app.get(DataSource);
    admin = await createStaff(app, Role.Admin);
    const agency = await createAgency(app, ['93079', '93013']);
    advisor = await createStaff(app, Role.Advisor, { agencyId: agency.id });
  });
  afterAll(() => app.close());

  const upload = (content: string | Buffer, filename = 'file.csv') => uploadImport(app, admin, content, filename);
  const finished = (id: string) => importFinished(app, admin, id);
  const byCaf = (caf: string) => db.query(`SELECT * FROM beneficiaries WHERE caf_number = $1`, [caf]);

  const header = CSV_HEADER;

  it('loads the good lines, reports each bad one with line, field and message, and re-imports without change', async () => {
    const csv = [
      header,
      `9300001,${nir('1850793079001')},Lambert,Élise,,1985-07-14,F,93079,1 rue A,,,DEM,2,true,2026-10-01`,
      `9300002,,Morel,Jean,,1970-01-01,M,93013,,,,DEM,2,true,2026-10-01`,
      `9300003,185079307900199,Faure,Luc,,1982-02-02,M,93079,,,,DEM,2,true,`,
      `9300004,,Petit,Anne,,2090-01-01,X,93079,,,,DEM,9,true,`,
      `9300005,,Roux,Marc,,1975-05-05,M,75001,,,,DEM,2,true,`,
      `9300006,,Blanc,Lina,,1992-09-09,F,93059,,,,DEM,2,true,`,
      `9300002,,Morel,Jean,,1970-01-01,M,93013,,,,DEM,2,true,2026-10-01`,
    ].join('\n');
    const accepted = await upload(csv);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ id: expect.any(String), status: 'queued' });
    const result = await finished(accepted.body.id);
    expect(result.status).toBe('completed');
    expect(result.totals).toEqual({ rows: 7, created: 2, updated: 0, unchanged: 0, rejected: 5 });
    expect(result.errors).toEqual(
      expect.arrayContaining([
        { line: 4, field: 'nir', message: expect.stringContaining('NIR') },
        { line: 5, field: 'birthDate', message: expect.any(String) },
        { line: 5, field: 'sex', message: expect.any(String) },
        { line: 5, field: 'rightsState', message: expect.any(String) },
        { line: 6, field: 'communeCode', message: expect.any(String) },
        { line: 7, field: 'communeCode', message: 'unknown or inactive commune of the département' },
        { line: 8, field: 'cafNumber', message: 'same CAF number and birth date as line 3' },
      ]),
    );
    const [elise] = await byCaf('9300001');
    expect(elise).toMatchObject({ first_name: 'Élise', status: 'to_orient', agency_id: advisor.agencyId, sort_key: 'LAMBERT ELISE' });
    expect(elise.nir_encrypted).not.toContain('1850793079001');
    const created = await http(app).get(`/api/v1/beneficiaries/${elise.id}`).set(bearer(advisor));
    expect(created.body.nir).toBe(nir('1850793079001'));
    expect(created.body.deadlines.orientationDueOn).toBe('2026-11-12');
    const timeline = await http(app).get(`/api/v1/beneficiaries/${elise.id}/timeline`).set(bearer(advisor));
    expect(timeline.body.data[0]).toMatchObject({ type: 'beneficiary.created' });

    const again = await finished((await upload(csv)).body.id);
    expect(again.totals).toEqual({ rows: 7, created: 0, updated: 0, unchanged: 2, rejected: 5 });
    expect(await byCaf('9300001')).toEqual([expect.objectContaining({ version: elise.version, updated_at: elise.updated_at })]);
  });

  it('matches by NIR first, then by CAF number and birth date, and updates only what changed', async () => {
    const first = [header, `9300101,${nir('2900193079011')},Garcia,Inès,,1990-01-01,F,93079,,,,DEM,2,true,2026-09-01`, `9300102,,Simon,Hugo,,1991-02-02,M,93079,,,,DEM,2,true,2026-09-01`].join('\n');
    expect((await finished((await upload(first)).body.id)).totals.created).toBe(2);
    // Same NIR under a new CAF number and a new name; same CAF + birth date with a new rights state.
    const second = [header, `9300199,${nir('2900193079011')},Garcia-Lopez,Inès,,1990-01-01,F,93079,,,,DEM,2,true,2026-09-01`, `9300102,,Simon,Hugo,,1991-02-02,M,93079,,,,DEM,4,true,2026-09-01`].join('\n');
    const result = await finished((await upload(second)).body.id);
    expect(result.totals).toEqual({ rows: 2, created: 0, updated: 2, unchanged: 0, rejected: 0 });
    expect(await byCaf('9300101')).toEqual([]);
    expect(await byCaf('9300199')).toEqual([expect.objectContaining({ last_name: 'Garcia-Lopez', version: 2 })]);
    expect(await byCaf('9300102')).toEqual([expect.objectContaining({ rights_state: '4' })]);
    // A known CAF number with another birth date is another member of the household (the spouse).
    const spouse = await finished((await upload([header, `9300102,,Simon,Léa,,1993-09-09,F,93079,,,,CJT,2,true,`].join('\n'))).body.id);
    expect(spouse.totals).toEqual({ rows: 1, created: 1, updated: 0, unchanged: 0, rejected: 0 });
    expect(await byCaf('9300102')).toHaveLength(2);
  });

  it('imports the CAF XML sample: applicants and spouses only, the bad NIR refused', async () => {
    const xml = readFileSync(join(SAMPLES, 'caf-beneficiaires-sample.xml'));
    const result = await finished((await upload(xml, 'flux.xml')).body.id);
    expect(result).toMatchObject({ status: 'completed', format: 'caf_xml' });
    expect(result.totals).toEqual({ rows: 4, created: 3, updated: 0, unchanged: 0, rejected: 1 });
    expect(result.errors).toEqual([{ line: 5, field: 'nir', message: expect.any(String) }]);
    const household = await db.query(`SELECT first_name, household_role, birth_date::text, commune_code, rights_state, no_fixed_address, address FROM beneficiaries WHERE caf_number IN ('8100001', '8100002') ORDER BY first_name`);
    expect(household).toEqual([
      { first_name: 'Hélène', household_role: 'DEM', birth_date: '1976-11-30', commune_code: '93008', rights_state: '3', no_fixed_address: true, address: '93000 BOBIGNY' },
      { first_name: 'Karim', household_role: 'DEM', birth_date: '1981-03-12', commune_code: '93066', rights_state: '2', no_fixed_address: false, address: '12 RUE GABRIEL PERI, 93200 SAINT-DENIS' },
      // The spouse shares the household's CAF number; the child (ENF) is not imported.
      { first_name: 'Samira', household_role: 'CJT', birth_date: '1984-09-18', commune_code: '93066', rights_state: '2', no_fixed_address: false, address: '12 RUE GABRIEL PERI, 93200 SAINT-DENIS' },
    ]);
  });

  it('fails a file that cannot be read, without touching the data', async () => {
    const bad = await finished((await upload('name;age\nx;1\n')).body.id);
    expect(bad.status).toBe('failed');
    expect(bad.failure).toMatch(/columns/);
    const xml = await finished((await upload('<Infox><oops></Infox>', 'x.xml')).body.id);
    expect(xml.status).toBe('failed');
  });

  it("reads a spreadsheet's semicolon CSV saved in Windows-1252, its accents kept", async () => {
    const csv = [header.replaceAll(',', ';'), `9300501;;Lefèvre;Zoé;Nœud;1980-01-01;F;93079;"12 rue de l’Église; bât. B";;;DEM;2;oui;2026-10-01`].join('\r\n');
    const result = await finished((await upload(iconv.encode(csv, 'windows-1252'), 'export-tableur.csv')).body.id);
    expect(result).toMatchObject({ status: 'completed', totals: { rows: 1, created: 1, rejected: 0 } });
    const [person] = await byCaf('9300501');
    expect([person.last_name, person.first_name, person.birth_name, person.address]).toEqual(['Lefèvre', 'Zoé', 'Nœud', '12 rue de l’Église; bât. B']);
  });

  it('reads a CAF XML file in the encoding it declares, and refuses bytes invalid in it', async () => {
    const household = (caf: string, first: string) =>
      `<InfosFoyerRSA><IdentificationRSA><MATRICULE>${caf}</MATRICULE><DTDEMRSA>20261002</DTDEMRSA></IdentificationRSA>` +
      `<Adresse><NUMCOM>93079</NUMCOM></Adresse><EtatDossierRSA><ETATDOSRSA>2</ETATDOSRSA></EtatDossierRSA>` +
      `<Personne><Identification><NOM>Lefèvre</NOM><PRENOM>${first}</PRENOM><DTNAI>19800101</DTNAI><SEXE>2</SEXE></Identification>` +
      `<Prestations><ROLEPERS>DEM</ROLEPERS><TOPPERSDRODEVORSA>1</TOPPERSDRODEVORSA></Prestations></Personne></InfosFoyerRSA>\n`;
    const latin1 = Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?>\n<Infox>\n${household('9300401', 'Anaïs')}</Infox>\n`, 'latin1');
    const read = await finished((await upload(latin1, 'flux-latin1.xml')).body.id);
    expect(read).toMatchObject({ status: 'completed', totals: { rows: 1, created: 1 } });
    expect((await byCaf('9300401')).map((b: { first_name: string; last_name: string }) => [b.first_name, b.last_name])).toEqual([['Anaïs', 'Lefèvre']]);

    // The same bytes declared as UTF-8 are refused, not stored with replacement characters.
    const mislabelled = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<Infox>\n${household('9300402', 'Anaïs')}</Infox>\n`, 'latin1');
    const refused = await finished((await upload(mislabelled, 'flux-mislabelled.xml')).body.id);
    expect(refused).toMatchObject({ status: 'failed', failure: expect.stringMatching(/XML cannot be read/) });
    expect(await byCaf('9300402')).toEqual([]);

  });

  it('leaves no partial rows when the load fails in the database, and can be run again', async () => {
    await db.query(`
      CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.last_name = 'Poison' THEN RAISE EXCEPTION 'poisoned row'; END IF; RETURN NEW; END $$`);
    await db.query(`CREATE TRIGGER tr_refuse_poison BEFORE INSERT ON beneficiaries FOR EACH ROW EXECUTE FUNCTION refuse_poison()`);
    try {
      const csv = [header, `9300201,,Avant,Zoé,,1980-01-01,F,93079,,,,DEM,2,true,`, `9300202,,Poison,Ali,,1980-01-01,M,93079,,,,DEM,2,true,`].join('\n');
      const failed = await finished((await upload(csv)).body.id);
      expect(failed.status).toBe('failed');
      expect(await byCaf('9300201')).toEqual([]);
      await db.query(`DROP TRIGGER tr_refuse_poison ON beneficiaries`);
      const retried = await http(app).post(`/api/v1/beneficiary-imports/${failed.id}/retry`).set(bearer(admin));
      expect(retried.status).toBe(202);
      const done = await finished(failed.id);
      expect(done).toMatchObject({ status: 'completed', totals: { rows: 2, created: 2 } });
      expectProblem(await http(app).post(`/api/v1/beneficiary-imports/${failed.id}/retry`).set(bearer(admin)), 422, 'IMPORT_NOT_RETRYABLE');
    } finally {
      await db.query(`DROP TRIGGER IF EXISTS tr_refuse_poison ON beneficiaries`);
      await db.query(`DROP FUNCTION IF EXISTS refuse_poison()`);
    }
  });

  it('takes up again an import left running by a dead worker, and leaves alone one a live worker holds', async () => {
    const imports = app.get(BeneficiaryImportsService);
    const file = (caf: string) => Buffer.from([header, `${caf},,Reprise,Noé,,1981-01-01,M,93079,,,,DEM,2,true,`].join('\n'));
    const repo = db.getRepository(BeneficiaryImport);
    // As a killed process leaves it: `running`, its file kept, nobody holding its lock.
    const abandoned = await repo.save(repo.create({ format: 'csv', filename: 'a.csv', content: file('9300301'), status: 'running', startedAt: new Date(), createdBy: admin.id }));
    // Its process died at each of its three runs (a file that kills it): failed, not queued again.
    const poison = await repo.save(repo.create({ format: 'csv', filename: 'c.csv', content: file('9300303'), status: 'running', attempts: 3, startedAt: new Date(), createdBy: admin.id }));
    // A live worker's session holds the other one's lock, taken before the row exists: the apps of other test files
    // recover abandoned imports too (at start and every minute), and must never see this one unlocked.
    const worker = new Client({ connectionString: process.env.DATABASE_URL });
    await worker.connect();
    try {
      const heldId = randomUUID();
      await worker.query(`SELECT pg_advisory_lock(726017495, hashtext($1))`, [heldId]);
      const held = await repo.save(repo.create({ id: heldId, format: 'csv', filename: 'b.csv', content: file('9300302'), status: 'running', startedAt: new Date(), createdBy: admin.id }));
      const recovered = await imports.recoverAbandoned();
      expect(recovered).not.toContain(held.id);
      expect(recovered).not.toContain(poison.id);
      const failed = await http(app).get(`/api/v1/beneficiary-imports/${poison.id}`).set(bearer(admin));
      expect(failed.body).toMatchObject({ status: 'failed', failure: expect.stringMatching(/stopped 3 times/) });
      expect(await byCaf('9300303')).toEqual([]);
      // Run again by hand, it completes (and its count starts over).
      expect((await http(app).post(`/api/v1/beneficiary-imports/${poison.id}/retry`).set(bearer(admin))).status).toBe(202);
      expect(await finished(poison.id)).toMatchObject({ status: 'completed', totals: { created: 1 } });
      expect((await repo.findOneByOrFail({ id: poison.id })).attempts).toBe(1);
      const done = await finished(abandoned.id);
      expect(done).toMatchObject({ status: 'completed', totals: { rows: 1, created: 1 } });
      expect(await byCaf('9300301')).toHaveLength(1);
      // A second job for the held import (pg-boss expiring a long run) does nothing meanwhile.
      await imports.process(held.id);
      expect((await repo.findOneByOrFail({ id: held.id })).status).toBe('running');
      expect(await byCaf('9300302')).toEqual([]);
      await repo.delete({ id: held.id });
    } finally {
      await worker.end();
    }
  });

  it('refuses bad requests and other roles', async () => {
    expectProblem(await http(app).post('/api/v1/beneficiary-imports').set(bearer(admin)).send({ file: 'x' }), 400, 'VALIDATION_FAILED');
    expectProblem(await upload(''), 400, 'VALIDATION_FAILED');
    expectProblem(await http(app).post('/api/v1/beneficiary-imports').set(bearer(advisor)).attach('file', Buffer.from('x'), 'a.csv'), 403, 'FORBIDDEN');
    expectProblem(await http(app).get('/api/v1/beneficiary-imports/5b7c1d7e-3f0a-4f3b-9a59-2f8d7c6a1e10').set(bearer(admin)), 404, 'IMPORT_NOT_FOUND');
  });
});

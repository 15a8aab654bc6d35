import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/roles';
import { withNirKey } from '../factories/case-file';
import { bearer, createAgency, createStaff, StaffAccount } from '../factories/identity';
import { http, startTestApp } from '../setup/app';
import { CSV_HEADER, importFinished, uploadImport } from './import-helpers';

const nir = withNirKey;

/**
 * An import in batches of two rows (IMPORT_BATCH_ROWS=2): the rules that span the whole file
 * hold across batches, and a failure in a late batch leaves nothing of the earlier ones.
 * Communes 93014 and 93015 and CAF numbers 094xxxx belong to this file only.
 */
describe('beneficiary imports in batches', () => {
  let app: NestFastifyApplication;
  let admin: StaffAccount;
  let db: DataSource;
  let agencyA: string;
  let agencyB: string;

  beforeAll(async () => {
    process.env.IMPORT_BATCH_ROWS = '2';
    app = await startTestApp();
    db = app.get(DataSource);
    admin = await createStaff(app, Role.Admin);
    agencyA = (await createAgency(app, ['93014'])).id;
    agencyB = (await createAgency(app, ['93015'])).id;
  });
  afterAll(async () => {
    delete process.env.IMPORT_BATCH_ROWS;
    await app.close();
  });

  const finished = (id: string) => importFinished(app, admin, id);
  const importFile = async (lines: string[]) => {
    const accepted = await uploadImport(app, admin, [CSV_HEADER, ...lines].join('\n'));
    expect(accepted.status).toBe(202);
    return finished(accepted.body.id);
  };
  const byCaf = (caf: string) => db.query(`SELECT * FROM beneficiaries WHERE caf_number = $1 ORDER BY birth_date`, [caf]);

  it('matches, refuses and creates across batches as in one, and re-imports without change', async () => {
    const first = await importFile([
      `0940001,${nir('1800193014001')},Durand,Paul,,1980-01-01,M,93014,,,,DEM,2,true,2026-10-01`,
      `0940002,,Lefèvre,Marie,,1981-01-01,F,93014,,,,DEM,2,true,2026-10-01`,
    ]);
    expect(first.totals).toEqual({ rows: 2, created: 2, updated: 0, unchanged: 0, rejected: 0 });
    const [paul] = await byCaf('0940001');

    const file = [
      /* line 2, batch 1 */ `0940011,,Nouveau,Alain,,1990-05-05,M,93014,,,,DEM,2,true,2026-11-01`,
      /* line 3, batch 1 */ `0940091,${nir('1800193014001')},Durand-Roy,Paul,,1980-01-01,M,93014,,,,DEM,2,true,2026-10-01`,
      /* line 4, batch 2 */ `0940012,,Nouvelle,Brigitte,,1991-06-06,F,93015,,,,DEM,2,true,2026-11-01`,
      /* line 5, batch 2 */ `0940013,,Ailleurs,Chloé,,1992-07-07,F,93000,,,,DEM,2,true,2026-11-01`,
      // Paul again, by his former CAF number and birth date: the same person as line 3, two batches later.
      /* line 6, batch 3 */ `0940001,,Durand,Paul,,1980-01-01,M,93014,,,,DEM,2,true,2026-10-01`,
      /* line 7, batch 3 */ `0940002,,Lefèvre,Marie,,1981-01-01,F,93014,,,,DEM,2,true,2026-10-01`,
      // Repeats line 2's CAF number and birth date: refused by the validation, in another batch.
      /* line 8, batch 4 */ `0940011,,Nouveau,Alain,,1990-05-05,M,93014,,,,DEM,2,true,2026-11-01`,
    ];
    const result = await importFile(file);
    expect(result.status).toBe('completed');
    expect(result.totals).toEqual({ rows: 7, created: 2, updated: 1, unchanged: 1, rejected: 3 });
    expect(result.errors).toEqual([
      { line: 5, field: 'communeCode', message: 'unknown or inactive commune of the département' },
      { line: 6, field: 'cafNumber', message: 'the same person appears earlier in the file' },
      { line: 8, field: 'cafNumber', message: 'same CAF number and birth date as line 2' },
    ]);
    expect(await byCaf('0940001')).toEqual([]);
    expect(await byCaf('0940091')).toEqual([expect.objectContaining({ id: paul.id, last_name: 'Durand-Roy', version: paul.version + 1 })]);
    const [alain] = await byCaf('0940011');
    const [brigitte] = await byCaf('0940012');
    expect(alain).toMatchObject({ agency_id: agencyA, status: 'to_orient' });
    expect(brigitte).toMatchObject({ agency_id: agencyB, status: 'to_orient' });
    expect(await byCaf('0940013')).toEqual([]);
    const events = await db.query(`SELECT resource_id FROM outbox_events WHERE type = 'beneficiary.created' AND resource_id = ANY($1)`, [[alain.id, brigitte.id]]);
    expect(events).toHaveLength(2);
    const timeline = await db.query(`SELECT beneficiary_id FROM timeline_events WHERE type = 'beneficiary.created' AND beneficiary_id = ANY($1)`, [[alain.id, brigitte.id]]);
    expect(timeline).toHaveLength(2);

    // The same file again, without the line that names Paul by his former CAF number (it now names nobody).
    const again = await importFile(file.filter((_, i) => i !== 4));
    expect(again.totals).toEqual({ rows: 6, created: 0, updated: 0, unchanged: 4, rejected: 2 });
    expect(await byCaf('0940091')).toEqual([expect.objectContaining({ version: paul.version + 1 })]);
  });

  it('leaves nothing of the earlier batches when a later one fails, and runs again to completion', async () => {
    await db.query(`
      CREATE FUNCTION refuse_toxic() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.last_name = 'Toxique' THEN RAISE EXCEPTION 'toxic row'; END IF; RETURN NEW; END $$`);
    await db.query(`CREATE TRIGGER tr_refuse_toxic BEFORE INSERT ON beneficiaries FOR EACH ROW EXECUTE FUNCTION refuse_toxic()`);
    try {
      const failed = await importFile([
        `0940201,,Premier,Zoé,,1980-01-01,F,93014,,,,DEM,2,true,`,
        `0940202,,Second,Yann,,1980-01-01,M,93014,,,,DEM,2,true,`,
        `0940203,,Troisième,Xavier,,1980-01-01,M,93015,,,,DEM,2,true,`,
        `0940204,,Quatrième,Wanda,,1980-01-01,F,93015,,,,DEM,2,true,`,
        `0940205,,Toxique,Vincent,,1980-01-01,M,93014,,,,DEM,2,true,`,
      ]);
      expect(failed.status).toBe('failed');
      const left = await db.query(`SELECT caf_number FROM beneficiaries WHERE caf_number LIKE '09402%'`);
      expect(left).toEqual([]);
      await db.query(`DROP TRIGGER tr_refuse_toxic ON beneficiaries`);
      expect((await http(app).post(`/api/v1/beneficiary-imports/${failed.id}/retry`).set(bearer(admin))).status).toBe(202);
      expect(await finished(failed.id)).toMatchObject({ status: 'completed', totals: { rows: 5, created: 5, updated: 0, unchanged: 0, rejected: 0 } });
      expect(await db.query(`SELECT caf_number FROM beneficiaries WHERE caf_number LIKE '09402%'`)).toHaveLength(5);
    } finally {
      await db.query(`DROP TRIGGER IF EXISTS tr_refuse_toxic ON beneficiaries`);
      await db.query(`DROP FUNCTION IF EXISTS refuse_toxic()`);
    }
  });

  it('fails a file unreadable past its first batches without keeping those batches', async () => {
    const failed = await importFile([
      `0940301,,Premier,Anna,,1980-01-01,F,93014,,,,DEM,2,true,`,
      `0940302,,Second,Bruno,,1980-01-01,M,93014,,,,DEM,2,true,`,
      `0940303,,Troisième,Carl,,1980-01-01,M,93014,,,,DEM,2,true,`,
      `0940304,,"Quatr"ième,Dina,,1980-01-01,F,93014,,,,DEM,2,true,`,
    ]);
    expect(failed.status).toBe('failed');
    expect(failed.failure).toMatch(/CSV/);
    expect(await db.query(`SELECT caf_number FROM beneficiaries WHERE caf_number LIKE '09403%'`)).toEqual([]);
  });

  it('fails a CAF XML file broken past its first batches without keeping those batches', async () => {
    const household = (i: number) =>
      `<InfosFoyerRSA><IdentificationRSA><MATRICULE>${String(940400 + i).padStart(7, '0')}</MATRICULE><DTDEMRSA>20261002</DTDEMRSA></IdentificationRSA>` +
      `<Adresse><NUMCOM>93014</NUMCOM></Adresse><EtatDossierRSA><ETATDOSRSA>2</ETATDOSRSA></EtatDossierRSA>` +
      `<Personne><Identification><NOM>Brisé</NOM><PRENOM>Inès</PRENOM><DTNAI>19800101</DTNAI><SEXE>2</SEXE></Identification>` +
      `<Prestations><ROLEPERS>DEM</ROLEPERS><TOPPERSDRODEVORSA>1</TOPPERSDRODEVORSA></Prestations></Personne></InfosFoyerRSA>\n`;
    // Households enough to span several slices of the file (and many batches of two), then a tag left open.
    const households = Array.from({ length: 90 }, (_, i) => household(i)).join('');
    const padding = `<!-- ${'x'.repeat(200 * 1024)} -->\n`;
    const broken = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<Infox>\n${households}${padding}<InfosFoyerRSA><IdentificationRSA></InfosFoyerRSA>\n</Infox>\n`);
    const accepted = await uploadImport(app, admin, broken, 'flux-broken.xml');
    expect(accepted.status).toBe(202);
    const failed = await finished(accepted.body.id);
    expect(failed).toMatchObject({ status: 'failed', failure: expect.stringMatching(/^the XML cannot be read: \d+:\d+: /) });
    expect(await db.query(`SELECT caf_number FROM beneficiaries WHERE caf_number LIKE '09404%'`)).toEqual([]);
  });
});

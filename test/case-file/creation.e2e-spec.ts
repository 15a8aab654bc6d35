import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/roles';
import { nirKey } from '../../src/common/validation/nir';
import {
  beneficiaryInput,
  createBeneficiary,
  expectFieldErrors,
  isoDay,
  nirWithWrongKey,
  plusDays,
  randomCafNumber,
  randomNir,
  randomNirBase,
  randomShortCafNumber,
} from '../factories/case-file';
import { bearer, createAgency, createStaff, StaffAccount } from '../factories/identity';
import { expectProblem, http, startTestApp } from '../setup/app';

/**
 * Opening a case: the agency comes from the commune, the CAF number is padded,
 * the NIR key is checked (Corsica included); bad input on every write of the
 * case file is a 400 VALIDATION_FAILED naming the field.
 *
 * Communes of this file: 93031 (agency A), 93032 (agency B), 93033 (no agency).
 */
const COMMUNE_A = '93031';
const COMMUNE_B = '93032';
const COMMUNE_NONE = '93033';

describe('case file: creation and input validation', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let admin: StaffAccount;
  let managerA: StaffAccount;
  let advisorA: StaffAccount;
  let agencyA: string;
  let agencyB: string;

  const post = (by: StaffAccount, body: Record<string, unknown>) => http(app).post('/api/v1/beneficiaries').set(bearer(by)).send(body);
  const countByCaf = async (caf: string) =>
    Number((await db.query(`SELECT count(*)::int AS n FROM beneficiaries WHERE caf_number = $1`, [caf.padStart(7, '0')]))[0].n);

  beforeAll(async () => {
    app = await startTestApp();
    db = app.get(DataSource);
    agencyA = (await createAgency(app, [COMMUNE_A])).id;
    agencyB = (await createAgency(app, [COMMUNE_B])).id;
    admin = await createStaff(app, Role.Admin);
    managerA = await createStaff(app, Role.AgencyManager, { agencyId: agencyA });
    advisorA = await createStaff(app, Role.Advisor, { agencyId: agencyA });
  });
  afterAll(() => app.close());

  describe('POST /beneficiaries', () => {
    it('opens a case to orient in the agency serving the commune, CAF number padded, ETag "1"', async () => {
      const caf = randomShortCafNumber();
      const nir = randomNir();
      const rightsOpenedOn = isoDay(-3);
      const res = await post(advisorA, beneficiaryInput(COMMUNE_A, { cafNumber: caf, nir, rightsOpenedOn, firstName: '  Aïssatou ', lastName: "N'Diaye" }));
      expect(res.status).toBe(201);
      expect(res.headers.etag).toBe('"1"');
      expect(res.body).toMatchObject({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        cafNumber: caf.padStart(7, '0'),
        nir,
        firstName: 'Aïssatou',
        lastName: "N'Diaye",
        status: 'to_orient',
        agencyId: agencyA,
        advisorId: null,
        communeCode: COMMUNE_A,
        orientation: null,
        exit: null,
        contractSignedOn: null,
        subjectToRightsAndDuties: true,
        version: 1,
        deadlines: { orientationDueOn: plusDays(rightsOpenedOn, 42), contractDueOn: null, reviewDueOn: null, nextDueOn: plusDays(rightsOpenedOn, 42), overdue: false },
      });
      expect(res.body.cafNumber).toHaveLength(7);

      const got = await http(app).get(`/api/v1/beneficiaries/${res.body.id}`).set(bearer(managerA));
      expect(got.status).toBe(200);
      expect(got.headers.etag).toBe('"1"');
      expect(got.body).toEqual(res.body);
    });

    it('lets an agency manager and an admin open a case in the agency\'s commune', async () => {
      const byManager = await post(managerA, beneficiaryInput(COMMUNE_A));
      expect(byManager.status).toBe(201);
      expect(byManager.body.agencyId).toBe(agencyA);
      const byAdmin = await post(admin, beneficiaryInput(COMMUNE_B));
      expect(byAdmin.status).toBe(201);
      expect(byAdmin.body.agencyId).toBe(agencyB);
    });

    it('accepts a NIR without one (nir is optional) and returns null', async () => {
      const { nir: _nir, ...body } = beneficiaryInput(COMMUNE_A);
      const res = await post(advisorA, body);
      expect(res.status).toBe(201);
      expect(res.body.nir).toBeNull();
    });

    it.each(['2A', '2B'])('accepts a Corsican NIR (%s) with its valid key', async (dep) => {
      const base = randomNirBase(dep);
      expect(base.slice(5, 7)).toBe(dep);
      const nir = `${base}${nirKey(base)}`;
      const res = await post(advisorA, beneficiaryInput(COMMUNE_A, { nir }));
      expect(res.status).toBe(201);
      expect(res.body.nir).toBe(nir);
    });

    it('rejects a Corsican NIR whose key is computed without the 2A/2B substitution', async () => {
      const base = randomNirBase('2A');
      // The key of the same number with "2A" read as "20" is not the key of the NIR.
      const wrong = nirKey(base.replace('2A', '20'));
      expect(wrong).not.toBe(nirKey(base));
      expectFieldErrors(await post(advisorA, beneficiaryInput(COMMUNE_A, { nir: `${base}${wrong}` })), 'nir');
    });

    it('normalises a NIR written with spaces, dots and lower-case Corsica letters', async () => {
      const base = randomNirBase('2B');
      const nir = `${base}${nirKey(base)}`;
      const written = `${nir.slice(0, 1)} ${nir.slice(1, 3)} ${nir.slice(3, 5)}.${nir.slice(5, 7).toLowerCase()} ${nir.slice(7, 10)} ${nir.slice(10, 13)} ${nir.slice(13)}`;
      const res = await post(advisorA, beneficiaryInput(COMMUNE_A, { nir: written }));
      expect(res.status).toBe(201);
      expect(res.body.nir).toBe(nir);
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['a NIR with a wrong key', { nir: nirWithWrongKey() }, 'nir'],
      ['a NIR of 14 characters', { nir: '18507930481231' }, 'nir'],
      ['a NIR starting with 9', { nir: '985079304812345' }, 'nir'],
      ['a birth date in the future', { birthDate: isoDay(30) }, 'birthDate'],
      ['a birth date today', { birthDate: isoDay(0) }, 'birthDate'],
      ['a birth date that does not exist', { birthDate: '1990-02-30' }, 'birthDate'],
      ['sex X', { sex: 'X' }, 'sex'],
      ['a commune outside the département', { communeCode: '75001' }, 'communeCode'],
      ['an unknown field', { favouriteColour: 'blue' }, 'favouriteColour'],
      ['a CAF number of 8 digits', { cafNumber: '12345678' }, 'cafNumber'],
      ['a CAF number with letters', { cafNumber: '12A45' }, 'cafNumber'],
      ['a CAF number as a number', { cafNumber: 1234567 }, 'cafNumber'],
      ['an empty first name', { firstName: '   ' }, 'firstName'],
      ['rights opened in the future', { rightsOpenedOn: isoDay(2) }, 'rightsOpenedOn'],
      ['an unknown household role', { householdRole: 'ENF' }, 'householdRole'],
      ['an unknown rights state', { rightsState: '9' }, 'rightsState'],
      ['a bad email', { email: 'not-an-email' }, 'email'],
    ])('refuses %s with 400 VALIDATION_FAILED naming the field, and creates nothing', async (_label, overrides, field) => {
      const body = beneficiaryInput(COMMUNE_A, overrides);
      const res = await post(advisorA, body);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expectFieldErrors(res, field);
      if (typeof body.cafNumber === 'string' && /^\d{1,7}$/.test(body.cafNumber)) expect(await countByCaf(body.cafNumber)).toBe(0);
    });

    it('refuses a body missing the required fields, naming each of them', async () => {
      const res = await post(advisorA, {});
      expectFieldErrors(res, 'cafNumber', 'firstName', 'lastName', 'birthDate', 'sex', 'communeCode');
    });

    it('refuses malformed JSON with a 400 problem', async () => {
      const res = await http(app).post('/api/v1/beneficiaries').set(bearer(advisorA)).set('content-type', 'application/json').send('{"cafNumber": "1234567", ');
      expectProblem(res, 400, 'MALFORMED_JSON');
    });

    it('refuses a CAF number already used (same person: same birth date) with 409 CAF_NUMBER_TAKEN, padded or not', async () => {
      const caf = randomShortCafNumber();
      expect((await post(advisorA, beneficiaryInput(COMMUNE_A, { cafNumber: caf, birthDate: '1984-03-12' }))).status).toBe(201);
      const again = await post(advisorA, beneficiaryInput(COMMUNE_A, { cafNumber: caf.padStart(7, '0'), birthDate: '1984-03-12' }));
      expectProblem(again, 409, 'CAF_NUMBER_TAKEN');
      expect(again.body.errors).toEqual([expect.objectContaining({ field: 'cafNumber' })]);
      // Across agencies too: the CAF number identifies the file in the whole département.
      expectProblem(await post(admin, beneficiaryInput(COMMUNE_B, { cafNumber: caf, birthDate: '1984-03-12' })), 409, 'CAF_NUMBER_TAKEN');
      expect(await countByCaf(caf)).toBe(1);
    });

    it('accepts the spouse of the household: same CAF number, another birth date', async () => {
      const caf = randomCafNumber();
      expect((await post(advisorA, beneficiaryInput(COMMUNE_A, { cafNumber: caf, birthDate: '1980-01-01', householdRole: 'DEM' }))).status).toBe(201);
      const spouse = await post(advisorA, beneficiaryInput(COMMUNE_A, { cafNumber: caf, birthDate: '1982-06-30', householdRole: 'CJT' }));
      expect(spouse.status).toBe(201);
      expect(spouse.body).toMatchObject({ cafNumber: caf, householdRole: 'CJT' });
      expect(await countByCaf(caf)).toBe(2);
    });

    it('two creations with the same CAF number at the same time: one 201, one 409 CAF_NUMBER_TAKEN', async () => {
      const caf = randomCafNumber();
      const same = { cafNumber: caf, birthDate: '1975-05-05' };
      const [one, two] = await Promise.all([post(advisorA, beneficiaryInput(COMMUNE_A, same)), post(managerA, beneficiaryInput(COMMUNE_A, same))]);
      expect([one.status, two.status].sort()).toEqual([201, 409]);
      expect((one.status === 409 ? one : two).body.code).toBe('CAF_NUMBER_TAKEN');
      expect(await countByCaf(caf)).toBe(1);
    });

    it('refuses a NIR already used with 409 NIR_TAKEN, however it is written', async () => {
      const nir = randomNir();
      expect((await post(advisorA, beneficiaryInput(COMMUNE_A, { nir }))).status).toBe(201);
      const caf = randomCafNumber();
      expectProblem(await post(advisorA, beneficiaryInput(COMMUNE_A, { nir, cafNumber: caf })), 409, 'NIR_TAKEN');
      const spaced = `${nir.slice(0, 1)} ${nir.slice(1, 5)} ${nir.slice(5, 10)} ${nir.slice(10)}`;
      expectProblem(await post(admin, beneficiaryInput(COMMUNE_B, { nir: spaced })), 409, 'NIR_TAKEN');
      expect(await countByCaf(caf)).toBe(0);
    });

    it('refuses the inactive commune 93059 with 422 UNKNOWN_COMMUNE', async () => {
      const body = beneficiaryInput('93059');
      expectProblem(await post(admin, body), 422, 'UNKNOWN_COMMUNE');
      expectProblem(await post(advisorA, beneficiaryInput('93059')), 422, 'UNKNOWN_COMMUNE');
      expect(await countByCaf(body.cafNumber as string)).toBe(0);
    });

    it('refuses an advisor or manager registering a person of another agency\'s commune (422 OUTSIDE_AGENCY_TERRITORY)', async () => {
      const body = beneficiaryInput(COMMUNE_B);
      const res = await post(advisorA, body);
      expectProblem(res, 422, 'OUTSIDE_AGENCY_TERRITORY');
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'communeCode' })]);
      expectProblem(await post(managerA, beneficiaryInput(COMMUNE_B)), 422, 'OUTSIDE_AGENCY_TERRITORY');
      expect(await countByCaf(body.cafNumber as string)).toBe(0);
    });

    it('refuses an advisor registering a person of a commune no agency serves (the case would be out of their reach)', async () => {
      const body = beneficiaryInput(COMMUNE_NONE);
      const res = await post(advisorA, body);
      expect(res.status).toBe(422);
      expect(await countByCaf(body.cafNumber as string)).toBe(0);
    });

    it('lets an admin register a person of a commune no agency serves: agencyId null', async () => {
      const res = await post(admin, beneficiaryInput(COMMUNE_NONE));
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ agencyId: null, status: 'to_orient', communeCode: COMMUNE_NONE });
      // Nobody's agency: invisible to agency staff.
      expectProblem(await http(app).get(`/api/v1/beneficiaries/${res.body.id}`).set(bearer(managerA)), 404, 'BENEFICIARY_NOT_FOUND');
    });
  });

  describe('PATCH /beneficiaries/{id}', () => {
    it('refuses the inactive commune 93059 with 422 UNKNOWN_COMMUNE and keeps the case', async () => {
      const created = await createBeneficiary(app, advisorA, COMMUNE_A);
      expectProblem(await http(app).patch(`/api/v1/beneficiaries/${created.id}`).set(bearer(advisorA)).send({ communeCode: '93059' }), 422, 'UNKNOWN_COMMUNE');
      const got = await http(app).get(`/api/v1/beneficiaries/${created.id}`).set(bearer(advisorA));
      expect(got.body).toMatchObject({ communeCode: COMMUNE_A, version: 1 });
    });

    it('refuses a CAF number (same birth date) or NIR of another case with 409', async () => {
      const first = await createBeneficiary(app, advisorA, COMMUNE_A, { birthDate: '1990-09-09' });
      const second = await createBeneficiary(app, advisorA, COMMUNE_A, { birthDate: '1990-09-09' });
      expectProblem(
        await http(app).patch(`/api/v1/beneficiaries/${second.id}`).set(bearer(advisorA)).send({ cafNumber: first.cafNumber }),
        409,
        'CAF_NUMBER_TAKEN',
      );
      expectProblem(await http(app).patch(`/api/v1/beneficiaries/${second.id}`).set(bearer(advisorA)).send({ nir: first.nir }), 409, 'NIR_TAKEN');
    });

    it.each(['firstName', 'lastName', 'birthDate', 'sex', 'cafNumber'])(
      'refuses %s: null with 400 VALIDATION_FAILED naming the field (a required value cannot be cleared)',
      async (field) => {
        const created = await createBeneficiary(app, advisorA, COMMUNE_A);
        const res = await http(app).patch(`/api/v1/beneficiaries/${created.id}`).set(bearer(advisorA)).send({ [field]: null });
        expectProblem(res, 400, 'VALIDATION_FAILED');
        expectFieldErrors(res, field);
        const got = await http(app).get(`/api/v1/beneficiaries/${created.id}`).set(bearer(advisorA));
        expect(got.body[field]).toBe(created[field]);
      },
    );

    it('answers nir: null either by clearing the NIR (200) or with a 400 naming nir, never with a server error', async () => {
      const created = await createBeneficiary(app, advisorA, COMMUNE_A);
      const res = await http(app).patch(`/api/v1/beneficiaries/${created.id}`).set(bearer(advisorA)).send({ nir: null });
      expect(res.status === 500 ? res.body : 'no server error').toBe('no server error');
      if (res.status === 200) expect(res.body.nir).toBeNull();
      else expectFieldErrors(res, 'nir');
    });

    it('keeps the NIR when the change does not mention it, and pads a new CAF number', async () => {
      const created = await createBeneficiary(app, advisorA, COMMUNE_A);
      const caf = randomShortCafNumber();
      const res = await http(app).patch(`/api/v1/beneficiaries/${created.id}`).set(bearer(advisorA)).send({ phone: '06 12 34 56 78', cafNumber: caf });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ nir: created.nir, cafNumber: caf.padStart(7, '0'), phone: '06 12 34 56 78', firstName: created.firstName });
    });
  });

  describe('bad input on every write of the case file', () => {
    let caseId: string;
    let contractId: string;
    let requestId: string;
    let advisorA2: StaffAccount;
    let version: number;

    beforeAll(async () => {
      advisorA2 = await createStaff(app, Role.Advisor, { agencyId: agencyA });
      caseId = (await createBeneficiary(app, managerA, COMMUNE_A)).id;
      const contract = await http(app).post(`/api/v1/beneficiaries/${caseId}/contracts`).set(bearer(advisorA)).send({ startsOn: isoDay(1) });
      expect(contract.status).toBe(201);
      contractId = contract.body.id;
      const request = await http(app)
        .post(`/api/v1/beneficiaries/${caseId}/reorientation-requests`)
        .set(bearer(advisorA))
        .send({ path: 'social', referentBody: 'departement', reason: 'Problèmes de santé' });
      expect(request.status).toBe(201);
      requestId = request.body.id;
      version = (await http(app).get(`/api/v1/beneficiaries/${caseId}`).set(bearer(managerA))).body.version;
    });

    const cases: [string, 'post' | 'patch', (ids: { c: string; k: string; r: string; a: string }) => string, Record<string, unknown>, string[]][] = [
      ['PATCH beneficiary: sex X', 'patch', ({ c }) => `/beneficiaries/${c}`, { sex: 'X' }, ['sex']],
      ['PATCH beneficiary: future birth date', 'patch', ({ c }) => `/beneficiaries/${c}`, { birthDate: isoDay(1) }, ['birthDate']],
      ['PATCH beneficiary: bad NIR key', 'patch', ({ c }) => `/beneficiaries/${c}`, { nir: nirWithWrongKey() }, ['nir']],
      ['PATCH beneficiary: commune 75001', 'patch', ({ c }) => `/beneficiaries/${c}`, { communeCode: '75001' }, ['communeCode']],
      ['PATCH beneficiary: unknown field', 'patch', ({ c }) => `/beneficiaries/${c}`, { status: 'exited' }, ['status']],
      ['PATCH beneficiary: empty first name', 'patch', ({ c }) => `/beneficiaries/${c}`, { firstName: '' }, ['firstName']],
      ['orientation: unknown path', 'post', ({ c }) => `/beneficiaries/${c}/orientation`, { path: 'elsewhere', referentBody: 'departement' }, ['path']],
      ['orientation: missing referent body', 'post', ({ c }) => `/beneficiaries/${c}/orientation`, { path: 'social' }, ['referentBody']],
      ['orientation: decided in the future', 'post', ({ c }) => `/beneficiaries/${c}/orientation`, { path: 'social', referentBody: 'departement', decidedOn: isoDay(1) }, ['decidedOn']],
      ['reorientation request: no reason', 'post', ({ c }) => `/beneficiaries/${c}/reorientation-requests`, { path: 'social', referentBody: 'departement' }, ['reason']],
      ['reorientation request: unknown referent body', 'post', ({ c }) => `/beneficiaries/${c}/reorientation-requests`, { path: 'social', referentBody: 'CAF', reason: 'x' }, ['referentBody']],
      ['reorientation accept: empty reason', 'post', ({ c, r }) => `/beneficiaries/${c}/reorientation-requests/${r}/accept`, { reason: '' }, ['reason']],
      ['reorientation deny: unknown field', 'post', ({ c, r }) => `/beneficiaries/${c}/reorientation-requests/${r}/deny`, { reason: 'non', decision: 'no' }, ['decision']],
      ['assignment: advisorId not a UUID', 'post', ({ c }) => `/beneficiaries/${c}/assignment`, { advisorId: 'alice' }, ['advisorId']],
      ['contract: bad start date', 'post', ({ c }) => `/beneficiaries/${c}/contracts`, { startsOn: '2026-13-01' }, ['startsOn']],
      ['contract: 61 hours a week', 'post', ({ c }) => `/beneficiaries/${c}/contracts`, { startsOn: isoDay(1), weeklyActivityHours: 61 }, ['weeklyActivityHours']],
      ['contract: negative hours', 'post', ({ c }) => `/beneficiaries/${c}/contracts`, { startsOn: isoDay(1), weeklyActivityHours: -1 }, ['weeklyActivityHours']],
      ['contract: 10 hours without justification', 'post', ({ c }) => `/beneficiaries/${c}/contracts`, { startsOn: isoDay(1), weeklyActivityHours: 10 }, ['hoursJustification']],
      ['contract update: hours as text', 'patch', ({ c, k }) => `/beneficiaries/${c}/contracts/${k}`, { weeklyActivityHours: 'ten' }, ['weeklyActivityHours']],
      ['contract sign: signed in the future', 'post', ({ c, k }) => `/beneficiaries/${c}/contracts/${k}/sign`, { signedOn: isoDay(1) }, ['signedOn']],
      ['contract end: not a date', 'post', ({ c, k }) => `/beneficiaries/${c}/contracts/${k}/end`, { signedOn: 'yesterday' }, ['signedOn']],
      ['exit: unknown reason', 'post', ({ c }) => `/beneficiaries/${c}/exit`, { reason: 'bored', exitedOn: isoDay(0) }, ['reason']],
      ['exit: in the future', 'post', ({ c }) => `/beneficiaries/${c}/exit`, { reason: 'employment', exitedOn: isoDay(1) }, ['exitedOn']],
      ['exit: missing date', 'post', ({ c }) => `/beneficiaries/${c}/exit`, { reason: 'employment' }, ['exitedOn']],
      ['caseload transfer: ids not UUIDs', 'post', () => `/caseload-transfers`, { fromAdvisorId: 'a', toAdvisorId: 'b' }, ['fromAdvisorId', 'toAdvisorId']],
    ];

    it.each(cases)('%s → 400 VALIDATION_FAILED', async (_label, method, path, body, fields) => {
      const url = `/api/v1${path({ c: caseId, k: contractId, r: requestId, a: advisorA2.id })}`;
      const res = await http(app)[method](url).set(bearer(managerA)).send(body);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expectFieldErrors(res, ...fields);
    });

    it.each([
      ['PATCH', 'patch', ''],
      ['POST', 'post', '/orientation'],
      ['POST', 'post', '/contracts'],
      ['POST', 'post', '/exit'],
    ] as const)('%s /beneficiaries/{id}%s with malformed JSON → 400 MALFORMED_JSON', async (_verb, method, suffix) => {
      const res = await http(app)[method](`/api/v1/beneficiaries/${caseId}${suffix}`).set(bearer(managerA)).set('content-type', 'application/json').send('{"path": "social",');
      expectProblem(res, 400, 'MALFORMED_JSON');
    });

    it('answers a malformed case id with 400 VALIDATION_FAILED naming id', async () => {
      expectFieldErrors(await http(app).get('/api/v1/beneficiaries/not-a-uuid').set(bearer(managerA)), 'id');
      expectFieldErrors(await http(app).post(`/api/v1/beneficiaries/${caseId}/contracts/42/sign`).set(bearer(managerA)).send({}), 'contractId');
    });

    it('left the case, its contract and its request untouched', async () => {
      const got = await http(app).get(`/api/v1/beneficiaries/${caseId}`).set(bearer(managerA));
      expect(got.body).toMatchObject({ version, status: 'to_orient', orientation: null, exit: null, advisorId: null });
      const contract = await http(app).get(`/api/v1/beneficiaries/${caseId}/contracts/${contractId}`).set(bearer(managerA));
      expect(contract.body).toMatchObject({ status: 'draft', weeklyActivityHours: 15, signedOn: null });
      const requests = await http(app).get(`/api/v1/beneficiaries/${caseId}/reorientation-requests`).set(bearer(managerA));
      expect(requests.body.data).toEqual([expect.objectContaining({ id: requestId, status: 'pending' })]);
    });
  });
});

import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Role } from '../../src/common/auth/roles';
import { createBeneficiary, isoDay } from '../factories/case-file';
import { bearer, createAgency, createProvider, createStaff, createTestCommune, StaffAccount } from '../factories/identity';
import { expectProblem, http, startTestApp } from '../setup/app';
import { createProgramme, orientedPerson, refer } from './referral-fixtures';

/** The minimal identity a provider sees of a person (api.md, "Roles at a glance": referred to own programmes, minimal fields). */
const MINIMAL_FIELDS = ['birthDate', 'communeCode', 'email', 'firstName', 'id', 'lastName', 'orientationPath', 'phone'];

/**
 * Providers and the beneficiaries: the people referred to their programmes, in the list and one
 * by one, with the minimal identity only; nobody else, and nothing of the case file.
 */
describe('beneficiaries as a provider sees them', () => {
  let app: NestFastifyApplication;
  let admin: StaffAccount;
  let manager: StaffAccount;
  let advisor: StaffAccount;
  let providerStaff: StaffAccount;
  let otherProviderStaff: StaffAccount;
  let referred: string;
  let referredElsewhere: string;
  let notReferred: string;

  const get = (by: StaffAccount, path: string) => http(app).get(`/api/v1${path}`).set(bearer(by));

  beforeAll(async () => {
    app = await startTestApp();
    const commune = await createTestCommune(app);
    const agency = await createAgency(app, [commune]);
    const [provider, otherProvider] = [await createProvider(app), await createProvider(app)];
    [admin, manager, advisor, providerStaff, otherProviderStaff] = await Promise.all([
      createStaff(app, Role.Admin),
      createStaff(app, Role.AgencyManager, { agencyId: agency.id }),
      createStaff(app, Role.Advisor, { agencyId: agency.id }),
      createStaff(app, Role.Provider, { providerId: provider.id }),
      createStaff(app, Role.Provider, { providerId: otherProvider.id }),
    ]);
    const programme = await createProgramme(app, admin, { providerId: provider.id, communeCode: commune });
    const otherProgramme = await createProgramme(app, admin, { providerId: otherProvider.id, communeCode: commune });
    referred = await orientedPerson(app, advisor, manager, commune);
    // Camille Testcase…, née Zygomar: a birth name the provider must not learn.
    const birthNameEtag = (await get(advisor, `/beneficiaries/${referred}`)).headers.etag;
    expect((await http(app).patch(`/api/v1/beneficiaries/${referred}`).set(bearer(advisor)).set('if-match', birthNameEtag).send({ birthName: 'Zygomar' })).status).toBe(200);
    referredElsewhere = await orientedPerson(app, advisor, manager, commune);
    notReferred = (await createBeneficiary(app, advisor, commune)).id;
    const etag = (await get(advisor, `/beneficiaries/${referred}`)).headers.etag;
    const contacts = await http(app).patch(`/api/v1/beneficiaries/${referred}`).set(bearer(advisor)).set('if-match', etag).send({ phone: '0612345678', email: 'camille@example.org' });
    expect(contacts.status).toBe(200);
    await refer(app, advisor, referred, programme.id);
    await refer(app, advisor, referredElsewhere, otherProgramme.id);
  });
  afterAll(() => app.close());

  it('reads a person referred to its programmes: the minimal identity, no ETag, the read audited', async () => {
    const res = await get(providerStaff, `/beneficiaries/${referred}`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(MINIMAL_FIELDS);
    expect(res.body).toMatchObject({ id: referred, firstName: 'Camille', orientationPath: 'professional', phone: '0612345678', email: 'camille@example.org' });
    expect(res.headers.etag).toBeUndefined();
    const audit = await http(app).get('/api/v1/audit-events').query({ resourceType: 'beneficiary', resourceId: referred, actorId: providerStaff.id }).set(bearer(admin));
    expect(audit.body.data.map((e: { action: string }) => e.action)).toContain('beneficiary.read');
  });

  it('gets 404 for anyone not referred to its programmes, and the other provider for its people', async () => {
    expectProblem(await get(providerStaff, `/beneficiaries/${referredElsewhere}`), 404, 'BENEFICIARY_NOT_FOUND');
    expectProblem(await get(providerStaff, `/beneficiaries/${notReferred}`), 404, 'BENEFICIARY_NOT_FOUND');
    expectProblem(await get(otherProviderStaff, `/beneficiaries/${referred}`), 404, 'BENEFICIARY_NOT_FOUND');
    expect((await get(otherProviderStaff, `/beneficiaries/${referredElsewhere}`)).status).toBe(200);
  });

  it('lists only the people referred to its programmes, minimal lines, found by name', async () => {
    const list = await get(providerStaff, '/beneficiaries');
    expect(list.status).toBe(200);
    expect(list.body.data.map((b: { id: string }) => b.id)).toEqual([referred]);
    expect(Object.keys(list.body.data[0]).sort()).toEqual(MINIMAL_FIELDS);
    const byName = await get(providerStaff, '/beneficiaries?q=camille&orientationPath=professional');
    expect(byName.body.data.map((b: { id: string }) => b.id)).toEqual([referred]);
    expect((await get(providerStaff, '/beneficiaries?orientationPath=social')).body.data).toEqual([]);
    // The birth name is not among what a provider sees: searching it finds nobody (agency staff find the person).
    expect((await get(providerStaff, '/beneficiaries?q=zygomar')).body.data).toEqual([]);
    expect((await get(advisor, '/beneficiaries?q=zygomar')).body.data.map((b: { id: string }) => b.id)).toEqual([referred]);
    const lastName = (await get(providerStaff, `/beneficiaries/${referred}`)).body.lastName as string;
    expect((await get(providerStaff, `/beneficiaries?q=${encodeURIComponent(lastName.toLowerCase())}`)).body.data.map((b: { id: string }) => b.id)).toEqual([referred]);
    expect((await get(otherProviderStaff, '/beneficiaries')).body.data.map((b: { id: string }) => b.id)).toEqual([referredElsewhere]);
  });

  it('refuses the filters on what it does not see, and everything else of the case file', async () => {
    const filtered = await get(providerStaff, '/beneficiaries?status=oriented&overdue=false');
    expectProblem(filtered, 403, 'FORBIDDEN');
    expect(filtered.body.errors).toEqual([
      { field: 'status', message: 'not available to providers' },
      { field: 'overdue', message: 'not available to providers' },
    ]);
    const byCafNumber = await get(providerStaff, '/beneficiaries?q=1234567');
    expectProblem(byCafNumber, 403, 'FORBIDDEN');
    expect(byCafNumber.body.errors).toEqual([{ field: 'q', message: 'not available to providers' }]);
    for (const path of ['timeline', 'contracts', 'orientations', 'barriers', 'journal', 'action-plan', 'export']) {
      expectProblem(await get(providerStaff, `/beneficiaries/${referred}/${path}`), 403, 'FORBIDDEN');
    }
    expectProblem(await http(app).patch(`/api/v1/beneficiaries/${referred}`).set(bearer(providerStaff)).send({ phone: '0600000000' }), 403, 'FORBIDDEN');
    expectProblem(await http(app).post(`/api/v1/beneficiaries/${referred}/exit`).set(bearer(providerStaff)).send({ reason: 'other', exitedOn: isoDay(0) }), 403, 'FORBIDDEN');
  });
});

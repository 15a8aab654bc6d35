import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Role } from '../../src/common/auth/roles';
import { nirKey } from '../../src/common/validation/nir';
import { bearer, createAgency, createStaff, StaffAccount } from '../factories/identity';
import { http, startTestApp } from '../setup/app';

describe('case file smoke', () => {
  let app: NestFastifyApplication;
  let manager: StaffAccount;
  let advisor: StaffAccount;

  beforeAll(async () => {
    app = await startTestApp();
    const agency = await createAgency(app, ['93048']);
    manager = await createStaff(app, Role.AgencyManager, { agencyId: agency.id });
    advisor = await createStaff(app, Role.Advisor, { agencyId: agency.id });
  });
  afterAll(() => app.close());

  it('runs a case', async () => {
    const base = '1850793048123';
    const created = await http(app)
      .post('/api/v1/beneficiaries')
      .set(bearer(advisor))
      .send({ cafNumber: '4242', nir: `${base}${nirKey(base)}`, firstName: 'Aïssatou', lastName: "N'Diaye", birthDate: '1985-07-14', sex: 'F', communeCode: '93048', rightsOpenedOn: '2026-10-01' });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(created.body).toMatchObject({ cafNumber: '0004242', status: 'to_orient', agencyId: manager.agencyId, nir: `${base}${nirKey(base)}` });
    expect(created.headers.etag).toBe('"1"');
    const oriented = await http(app).post(`/api/v1/beneficiaries/${id}/orientation`).set(bearer(manager)).send({ path: 'social', referentBody: 'departement', decidedOn: '2026-11-01' });
    expect(oriented.status).toBe(200);
    expect(oriented.body.status).toBe('oriented');
    const contract = await http(app).post(`/api/v1/beneficiaries/${id}/contracts`).set(bearer(advisor)).send({ startsOn: '2026-11-15', weeklyActivityHours: 10, hoursJustification: 'health' });
    expect(contract.status).toBe(201);
    const signed = await http(app).post(`/api/v1/beneficiaries/${id}/contracts/${contract.body.id}/sign`).set(bearer(advisor)).send({});
    expect(signed.status).toBe(200);
    const after = await http(app).get(`/api/v1/beneficiaries/${id}`).set(bearer(advisor));
    expect(after.body.status).toBe('in_pathway');
    const list = await http(app).get('/api/v1/beneficiaries').query({ q: 'ndiaye' }).set(bearer(manager));
    expect(list.status).toBe(200);
    const timeline = await http(app).get(`/api/v1/beneficiaries/${id}/timeline`).set(bearer(manager));
    expect(timeline.body.data.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['beneficiary.created', 'orientation.decided', 'contract.signed', 'status.changed']));
    const stale = await http(app).patch(`/api/v1/beneficiaries/${id}`).set(bearer(advisor)).set('if-match', '"1"').send({ phone: '0612345678' });
    expect(stale.status).toBe(412);
    const exported = await http(app).get(`/api/v1/beneficiaries/${id}/export`).set(bearer(manager));
    expect(exported.status).toBe(200);
  });
});

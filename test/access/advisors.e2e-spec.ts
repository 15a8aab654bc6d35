import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomInt } from 'node:crypto';
import { Role } from '../../src/common/auth/roles';
import { isoDay, randomCafNumber } from '../factories/case-file';
import { bearer, createAgency, createStaff, StaffAccount } from '../factories/identity';
import { expectProblem, http, startTestApp } from '../setup/app';

/** Advisors' and agencies' caseload figures, and own-account limits. Commune 93078 belongs to this file only. */
describe('advisors', () => {
  let app: NestFastifyApplication;
  let manager: StaffAccount;
  let advisor: StaffAccount;
  let colleague: StaffAccount;
  let otherManager: StaffAccount;

  beforeAll(async () => {
    app = await startTestApp();
    const agency = await createAgency(app, ['93078']);
    const other = await createAgency(app);
    manager = await createStaff(app, Role.AgencyManager, { agencyId: agency.id });
    advisor = await createStaff(app, Role.Advisor, { agencyId: agency.id });
    colleague = await createStaff(app, Role.Advisor, { agencyId: agency.id });
    otherManager = await createStaff(app, Role.AgencyManager, { agencyId: other.id });
  });
  afterAll(() => app.close());

  const newCase = async (rightsOpenedOn: string) => {
    const res = await http(app)
      .post('/api/v1/beneficiaries')
      .set(bearer(manager))
      .send({ cafNumber: randomCafNumber(), firstName: 'Camille', lastName: `Case${randomInt(1e6)}`, birthDate: '1990-02-03', sex: 'F', communeCode: '93078', rightsOpenedOn });
    expect(res.status).toBe(201);
    const assigned = await http(app).post(`/api/v1/beneficiaries/${res.body.id}/assignment`).set(bearer(manager)).send({ advisorId: advisor.id });
    expect(assigned.status).toBe(200);
    return res.body.id as string;
  };

  it('counts the open and overdue cases of an advisor and lists them', async () => {
    const recent = isoDay(-5);
    const old = isoDay(-60);
    const a = await newCase(recent);
    const b = await newCase(old);
    const res = await http(app).get(`/api/v1/advisors/${advisor.id}`).set(bearer(manager));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: advisor.id, caseloadSize: 2, overdueCount: 1, caseloadCapacity: 60 });
    const caseload = await http(app).get(`/api/v1/advisors/${advisor.id}/caseload`).set(bearer(advisor));
    expect(caseload.body.data.map((c: { id: string }) => c.id).sort()).toEqual([a, b].sort());
    const list = await http(app).get('/api/v1/advisors').set(bearer(manager));
    expect(list.body.data.find((x: { id: string }) => x.id === colleague.id)).toMatchObject({ caseloadSize: 0, overdueCount: 0 });
  });

  it('lets a manager set the capacity, hides the advisor from another agency', async () => {
    const res = await http(app).patch(`/api/v1/advisors/${advisor.id}`).set(bearer(manager)).send({ caseloadCapacity: 80 });
    expect(res.status).toBe(200);
    expect(res.body.caseloadCapacity).toBe(80);
    expectProblem(await http(app).get(`/api/v1/advisors/${advisor.id}`).set(bearer(otherManager)), 404, 'ADVISOR_NOT_FOUND');
    expectProblem(await http(app).patch(`/api/v1/advisors/${advisor.id}`).set(bearer(advisor)).send({ caseloadCapacity: 1 }), 403, 'FORBIDDEN');
  });

  it("gives the agency's work-queue figures to its staff only", async () => {
    const res = await http(app).get(`/api/v1/agencies/${manager.agencyId}/caseload-summary`).set(bearer(advisor));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ agencyId: manager.agencyId, openCases: 2, overdueCases: 1, unassignedCases: 0, toOrient: 2 });
    expect(res.body.advisors).toEqual(
      expect.arrayContaining([
        { advisorId: advisor.id, caseloadSize: 2, overdueCount: 1 },
        { advisorId: colleague.id, caseloadSize: 0, overdueCount: 0 },
      ]),
    );
    expectProblem(await http(app).get(`/api/v1/agencies/${manager.agencyId}/caseload-summary`).set(bearer(otherManager)), 404, 'AGENCY_NOT_FOUND');
  });

  it('lets a manager change only names and password on their own account', async () => {
    expectProblem(await http(app).patch(`/api/v1/users/${manager.id}`).set(bearer(manager)).send({ active: false }), 403, 'FORBIDDEN');
    const ok = await http(app).patch(`/api/v1/users/${manager.id}`).set(bearer(manager)).send({ firstName: 'Dominique' });
    expect(ok.status).toBe(200);
    expect(ok.body.firstName).toBe('Dominique');
  });
});

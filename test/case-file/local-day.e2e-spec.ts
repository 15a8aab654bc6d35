import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/roles';
import { beneficiaryInput, createBeneficiary, expectFieldErrors, orient, plusDays } from '../factories/case-file';
import { bearer, createAgency, createStaff, createTestCommune, StaffAccount } from '../factories/identity';
import { http, startTestApp } from '../setup/app';

/**
 * The département's days (TIME_ZONE): "today" is the date there, for the app (default dates,
 * the past-date rule, the `overdue` flag) and for SQL (`current_date`: the list's overdue filter).
 * The two zones are 26 hours apart (UTC+14 and UTC-12): they never share a date, so a "today"
 * taken anywhere else (the machine's, UTC, the database server's) fails one of them at any hour.
 */
describe.each(['Pacific/Kiritimati', 'Etc/GMT+12'])('local days, TIME_ZONE=%s', (zone) => {
  let app: NestFastifyApplication;
  let admin: StaffAccount;
  let agencyId: string;
  let commune: string;
  const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });

  beforeAll(async () => {
    process.env.TIME_ZONE = zone;
    app = await startTestApp();
    admin = await createStaff(app, Role.Admin);
    commune = await createTestCommune(app);
    agencyId = (await createAgency(app, [commune])).id;
  });
  afterAll(async () => {
    delete process.env.TIME_ZONE;
    await app.close();
  });

  it('counts deadlines, default dates and the past in the zone, in the app and in SQL', async () => {
    const today = dayFormat.format(new Date());
    expect((await app.get(DataSource).query(`SELECT current_date::text AS day`))[0].day).toBe(today);

    // Orientation deadline (42 days from the opening of the right): yesterday there, and today there.
    const late = await createBeneficiary(app, admin, commune, { rightsOpenedOn: plusDays(today, -43) });
    const due = await createBeneficiary(app, admin, commune, { rightsOpenedOn: plusDays(today, -42) });
    const read = async (id: string) => (await http(app).get(`/api/v1/beneficiaries/${id}`).set(bearer(admin))).body;
    expect(await read(late.id)).toMatchObject({ deadlines: { nextDueOn: plusDays(today, -1), overdue: true } });
    expect(await read(due.id)).toMatchObject({ deadlines: { nextDueOn: today, overdue: false } });
    const overdue = await http(app).get(`/api/v1/beneficiaries?agencyId=${agencyId}&overdue=true`).set(bearer(admin));
    expect(overdue.status).toBe(200);
    expect(overdue.body.data.map((b: { id: string }) => b.id)).toEqual([late.id]);
    const onTime = await http(app).get(`/api/v1/beneficiaries?agencyId=${agencyId}&overdue=false`).set(bearer(admin));
    expect(onTime.body.data.map((b: { id: string }) => b.id)).toEqual([due.id]);

    // An orientation without a decision date is dated today there.
    const oriented = await orient(app, admin, due.id);
    expect(oriented.orientation).toMatchObject({ decidedOn: today });

    // A birth date must be in the past: today there is not, yesterday there is.
    const born = (birthDate: string) => http(app).post('/api/v1/beneficiaries').set(bearer(admin)).send(beneficiaryInput(commune, { birthDate }));
    expectFieldErrors(await born(today), 'birthDate');
    expect((await born(plusDays(today, -1))).status).toBe(201);

    // The zone's date did not change meanwhile (else the run straddled its midnight: run again).
    expect(dayFormat.format(new Date())).toBe(today);
  });
});

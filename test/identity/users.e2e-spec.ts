import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/roles';
import { User } from '../../src/modules/users/entities/user.entity';
import { bearer, createAgency, createProvider, createStaff, StaffAccount, TEST_PASSWORD } from '../factories/identity';
import { expectProblem, http, startTestApp } from '../setup/app';

/**
 * Staff accounts: what admins and agency managers may create, see and change,
 * the attachment and password rules, and deactivation ending sessions.
 * TRUST_PROXY is on so that refresh requests come from their own addresses.
 */

const PASSWORD = 'ocelot-grenadine-passerelle-31';
const randomIp = () => {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
};
const uniqueEmail = (prefix: string) => `${prefix}.${randomUUID().slice(0, 8)}@ali.users.example`;
const USER_KEYS = ['active', 'agencyId', 'caseloadCapacity', 'createdAt', 'email', 'firstName', 'id', 'lastLoginAt', 'lastName', 'providerId', 'role'];

describe('users', () => {
  let app: NestFastifyApplication;
  let admin: StaffAccount;
  let agencyA: string;
  let agencyB: string;
  let providerId: string;
  let managerA: StaffAccount;
  let advisorA: StaffAccount;
  let advisorB: StaffAccount;
  let managerB: StaffAccount;

  const create = (by: StaffAccount, body: Record<string, unknown>) => http(app).post('/api/v1/users').set(bearer(by)).send(body);
  const person = (role: Role, extra: Record<string, unknown> = {}) => ({
    email: uniqueEmail(role),
    password: PASSWORD,
    role,
    firstName: 'Camille',
    lastName: 'Durand',
    ...extra,
  });
  const login = (email: string, password: string) => http(app).post('/api/v1/auth/login').set('x-forwarded-for', randomIp()).send({ email, password });
  const refresh = (refreshToken: string) => http(app).post('/api/v1/auth/refresh').set('x-forwarded-for', randomIp()).send({ refreshToken });

  beforeAll(async () => {
    process.env.TRUST_PROXY = 'true';
    app = await startTestApp();
    admin = await createStaff(app, Role.Admin);
    agencyA = (await createAgency(app)).id;
    agencyB = (await createAgency(app)).id;
    providerId = (await createProvider(app)).id;
    managerA = await createStaff(app, Role.AgencyManager, { agencyId: agencyA });
    managerB = await createStaff(app, Role.AgencyManager, { agencyId: agencyB });
    advisorA = await createStaff(app, Role.Advisor, { agencyId: agencyA });
    advisorB = await createStaff(app, Role.Advisor, { agencyId: agencyB });
  });
  afterAll(async () => {
    await app.close();
    delete process.env.TRUST_PROXY;
  });

  describe('admin', () => {
    it.each([
      [Role.Admin, {}],
      [Role.Analyst, {}],
      [Role.AgencyManager, { agencyId: 'A' }],
      [Role.Advisor, { agencyId: 'A', caseloadCapacity: 45 }],
      [Role.Provider, { providerId: 'P' }],
    ])('creates a %s account that can log in', async (role, attach) => {
      const extra = Object.fromEntries(Object.entries(attach).map(([k, v]) => [k, v === 'A' ? agencyA : v === 'P' ? providerId : v]));
      const body = person(role, extra);
      const res = await create(admin, { ...body, email: body.email.toUpperCase() });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual(USER_KEYS);
      expect(res.body).toMatchObject({
        email: body.email,
        role,
        firstName: 'Camille',
        lastName: 'Durand',
        agencyId: (extra.agencyId as string) ?? null,
        providerId: (extra.providerId as string) ?? null,
        caseloadCapacity: (extra.caseloadCapacity as number) ?? 60,
        active: true,
        lastLoginAt: null,
      });
      expect(JSON.stringify(res.body)).not.toMatch(/password|argon2|ocelot/i);

      const got = await http(app).get(`/api/v1/users/${res.body.id}`).set(bearer(admin));
      expect(got.status).toBe(200);
      expect(got.body).toEqual(res.body);

      const session = await login(body.email, PASSWORD);
      expect(session.status).toBe(200);
      const me = await http(app).get('/api/v1/auth/me').set('authorization', `Bearer ${session.body.accessToken}`);
      expect(me.body).toMatchObject({ id: res.body.id, role });
    });

    it.each([
      ['an advisor without agency', () => person(Role.Advisor), 'agencyId'],
      ['an agency manager without agency', () => person(Role.AgencyManager), 'agencyId'],
      ['an analyst with an agency', () => person(Role.Analyst, { agencyId: agencyA }), 'agencyId'],
      ['an admin with a provider', () => person(Role.Admin, { providerId }), 'providerId'],
      ['a provider user without provider', () => person(Role.Provider), 'providerId'],
      ['an advisor with a provider too', () => person(Role.Advisor, { agencyId: agencyA, providerId }), 'providerId'],
      ['an advisor of an agency that does not exist', () => person(Role.Advisor, { agencyId: randomUUID() }), 'agencyId'],
      ['a provider user of a provider that does not exist', () => person(Role.Provider, { providerId: randomUUID() }), 'providerId'],
    ])('refuses %s with 422 INVALID_ATTACHMENT', async (_name, make, field) => {
      const body = make();
      const res = await create(admin, body);
      expectProblem(res, 422, 'INVALID_ATTACHMENT');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
      // Nothing was created.
      expect(await app.get(DataSource).getRepository(User).countBy({ email: body.email })).toBe(0);
    });

    it('refuses an advisor of an inactive agency with 422 INVALID_ATTACHMENT', async () => {
      const closed = await createAgency(app);
      const off = await http(app).patch(`/api/v1/agencies/${closed.id}`).set(bearer(admin)).send({ active: false });
      expect(off.status).toBe(200);
      const res = await create(admin, person(Role.Advisor, { agencyId: closed.id }));
      expectProblem(res, 422, 'INVALID_ATTACHMENT');
    });

    it.each([
      ['too short', 'Xq7#pLm2'],
      ['a common password', 'password1234'],
      ['a keyboard walk', 'azertyuiop123'],
      ['the user last name', 'zorglubovitch-93-2026'],
      ['the user e-mail', 'frimousse.tagada-2026'],
    ])('refuses a password that is %s with 400 WEAK_PASSWORD', async (_name, password) => {
      const body = { ...person(Role.Analyst), email: uniqueEmail('frimousse.tagada'), lastName: 'Zorglubovitch', password };
      const res = await create(admin, body);
      expectProblem(res, 400, 'WEAK_PASSWORD');
      expect(res.body.errors).toEqual([{ field: 'password', message: expect.any(String) }]);
      expect(JSON.stringify(res.body)).not.toContain(password);
    });

    it('refuses an e-mail already used, whatever its case, with 409 EMAIL_TAKEN', async () => {
      const body = person(Role.Analyst);
      expect((await create(admin, body)).status).toBe(201);
      const again = await create(admin, { ...person(Role.Analyst), email: body.email });
      expectProblem(again, 409, 'EMAIL_TAKEN');
      expect(again.body.errors.map((e: { field: string }) => e.field)).toEqual(['email']);
      expectProblem(await create(admin, { ...person(Role.Analyst), email: body.email.toUpperCase() }), 409, 'EMAIL_TAKEN');
    });

    it.each([
      [{ role: 'superadmin' }, 'role'],
      [{ role: 'integration' }, 'role'],
      [{ email: 'not-an-email' }, 'email'],
      [{ firstName: '' }, 'firstName'],
      [{ caseloadCapacity: -1 }, 'caseloadCapacity'],
      [{ agencyId: 'agency-a' }, 'agencyId'],
      [{ passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$abc$def' }, 'passwordHash'],
    ])('refuses %j with 400 VALIDATION_FAILED naming %s', async (override, field) => {
      const res = await create(admin, { ...person(Role.Analyst), ...override });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('filters the list by role and provider', async () => {
      const created = await create(admin, person(Role.Provider, { providerId }));
      const res = await http(app).get('/api/v1/users').set(bearer(admin)).query({ role: 'provider', providerId, limit: 100 });
      expect(res.status).toBe(200);
      expect(res.body.data.map((u: { id: string }) => u.id)).toContain(created.body.id);
      for (const u of res.body.data) expect(u).toMatchObject({ role: 'provider', providerId });
      expect(JSON.stringify(res.body)).not.toMatch(/password|argon2/i);
    });

    it('changes an account, and refuses a change that breaks the attachment rules', async () => {
      const created = (await create(admin, person(Role.Advisor, { agencyId: agencyA }))).body;
      const res = await http(app).patch(`/api/v1/users/${created.id}`).set(bearer(admin)).send({ firstName: 'Dominique', caseloadCapacity: 30, agencyId: agencyB });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: created.id, firstName: 'Dominique', caseloadCapacity: 30, agencyId: agencyB, role: 'advisor' });

      const bad = await http(app).patch(`/api/v1/users/${created.id}`).set(bearer(admin)).send({ role: 'analyst' });
      expectProblem(bad, 422, 'INVALID_ATTACHMENT');
      expect((await http(app).get(`/api/v1/users/${created.id}`).set(bearer(admin))).body.role).toBe('advisor');

      expectProblem(await http(app).patch(`/api/v1/users/${created.id}`).set(bearer(admin)).send({ email: 'new@ali.users.example' }), 400, 'VALIDATION_FAILED');
    });

    it('answers 404 for an unknown user and 400 for a malformed id', async () => {
      expectProblem(await http(app).get(`/api/v1/users/${randomUUID()}`).set(bearer(admin)), 404, 'USER_NOT_FOUND');
      const malformed = await http(app).get('/api/v1/users/not-a-uuid').set(bearer(admin));
      expect(malformed.status).toBe(400);
      expect(malformed.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(['BAD_REQUEST', 'VALIDATION_FAILED']).toContain(malformed.body.code);
    });
  });

  describe('agency manager', () => {
    it('creates an advisor in their own agency, with or without agencyId', async () => {
      const implicit = await create(managerA, person(Role.Advisor));
      expect(implicit.status).toBe(201);
      expect(implicit.body).toMatchObject({ role: 'advisor', agencyId: agencyA });
      const explicit = await create(managerA, person(Role.Advisor, { agencyId: agencyA }));
      expect(explicit.status).toBe(201);
      expect(explicit.body.agencyId).toBe(agencyA);
    });

    it('may not create an advisor in another agency', async () => {
      const body = person(Role.Advisor, { agencyId: agencyB });
      expectProblem(await create(managerA, body), 403, 'FORBIDDEN');
      expect(await app.get(DataSource).getRepository(User).countBy({ email: body.email })).toBe(0);
    });

    it.each([Role.Admin, Role.AgencyManager, Role.Analyst])('may not create a %s account', async (role) => {
      const body = person(role, role === Role.AgencyManager ? { agencyId: agencyA } : {});
      expectProblem(await create(managerA, body), 403, 'FORBIDDEN');
      expect(await app.get(DataSource).getRepository(User).countBy({ email: body.email })).toBe(0);
    });

    it('may not create a provider account', async () => {
      expectProblem(await create(managerA, person(Role.Provider, { providerId })), 403, 'FORBIDDEN');
    });

    it('lists only the advisors of their agency', async () => {
      const mine = (await create(managerA, person(Role.Advisor))).body;
      const seen: { id: string; role: string; agencyId: string }[] = [];
      let cursor: string | null = null;
      do {
        const res = await http(app)
          .get('/api/v1/users')
          .set(bearer(managerA))
          .query({ limit: 100, ...(cursor ? { cursor } : {}) });
        expect(res.status).toBe(200);
        seen.push(...res.body.data);
        cursor = res.body.page.nextCursor;
      } while (cursor);
      const ids = seen.map((u) => u.id);
      expect(ids).toEqual(expect.arrayContaining([mine.id, advisorA.id]));
      expect(ids).not.toContain(advisorB.id);
      expect(ids).not.toContain(managerA.id);
      expect(ids).not.toContain(admin.id);
      for (const u of seen) expect(u).toMatchObject({ role: 'advisor', agencyId: agencyA });

      // Asking for another agency or another role does not widen the scope.
      const other = await http(app).get('/api/v1/users').set(bearer(managerA)).query({ agencyId: agencyB });
      expect(other.body.data).toEqual([]);
      const admins = await http(app).get('/api/v1/users').set(bearer(managerA)).query({ role: 'admin' });
      expect(admins.body.data).toEqual([]);
    });

    it('sees an advisor of their agency, and nobody else (404)', async () => {
      expect((await http(app).get(`/api/v1/users/${advisorA.id}`).set(bearer(managerA))).status).toBe(200);
      for (const other of [advisorB, managerB, admin]) {
        expectProblem(await http(app).get(`/api/v1/users/${other.id}`).set(bearer(managerA)), 404, 'USER_NOT_FOUND');
      }
    });

    it('changes an advisor of their agency, but cannot promote them or move them away', async () => {
      const advisor = (await create(managerA, person(Role.Advisor))).body;
      const res = await http(app).patch(`/api/v1/users/${advisor.id}`).set(bearer(managerA)).send({ caseloadCapacity: 80 });
      expect(res.status).toBe(200);
      expect(res.body.caseloadCapacity).toBe(80);

      expectProblem(await http(app).patch(`/api/v1/users/${advisor.id}`).set(bearer(managerA)).send({ role: 'agency_manager' }), 403, 'FORBIDDEN');
      expectProblem(await http(app).patch(`/api/v1/users/${advisor.id}`).set(bearer(managerA)).send({ role: 'admin' }), 403, 'FORBIDDEN');
      expectProblem(await http(app).patch(`/api/v1/users/${advisor.id}`).set(bearer(managerA)).send({ agencyId: agencyB }), 403, 'FORBIDDEN');
      expectProblem(await http(app).patch(`/api/v1/users/${advisor.id}`).set(bearer(managerA)).send({ providerId }), 403, 'FORBIDDEN');
      const after = await http(app).get(`/api/v1/users/${advisor.id}`).set(bearer(admin));
      expect(after.body).toMatchObject({ role: 'advisor', agencyId: agencyA, providerId: null });
    });

    it('cannot change or deactivate an advisor of another agency (404)', async () => {
      expectProblem(await http(app).patch(`/api/v1/users/${advisorB.id}`).set(bearer(managerA)).send({ caseloadCapacity: 1 }), 404, 'USER_NOT_FOUND');
      expectProblem(await http(app).post(`/api/v1/users/${advisorB.id}/deactivate`).set(bearer(managerA)), 404, 'USER_NOT_FOUND');
      const after = await http(app).get(`/api/v1/users/${advisorB.id}`).set(bearer(admin));
      expect(after.body).toMatchObject({ active: true, caseloadCapacity: 60 });
    });

    it("answers 404 to a password change of another agency's advisor, without judging the password first", async () => {
      // Answering WEAK_PASSWORD ("must not contain your name or e-mail") before the scope check
      // tells the caller that the account exists and lets them probe its name and e-mail.
      const res = await http(app).patch(`/api/v1/users/${advisorB.id}`).set(bearer(managerA)).send({ password: 'short' });
      expectProblem(res, 404, 'USER_NOT_FOUND');
    });
  });

  describe('other roles', () => {
    it.each([
      ['advisor', () => advisorA],
      ['analyst', () => null],
      ['provider', () => null],
    ])('an %s cannot create, list or read accounts (403)', async (role, given) => {
      const who =
        given() ??
        (role === 'provider' ? await createStaff(app, Role.Provider, { providerId }) : await createStaff(app, Role.Analyst));
      expectProblem(await create(who, person(Role.Advisor, { agencyId: agencyA })), 403, 'FORBIDDEN');
      expectProblem(await http(app).get('/api/v1/users').set(bearer(who)), 403, 'FORBIDDEN');
      expectProblem(await http(app).get(`/api/v1/users/${who.id}`).set(bearer(who)), 403, 'FORBIDDEN');
      expectProblem(await http(app).post(`/api/v1/users/${who.id}/deactivate`).set(bearer(who)), 403, 'FORBIDDEN');
    });

    it('401 without a token', async () => {
      expectProblem(await http(app).post('/api/v1/users').send(person(Role.Admin)), 401, 'UNAUTHORIZED');
      expectProblem(await http(app).get('/api/v1/users'), 401, 'UNAUTHORIZED');
    });
  });

  describe('deactivation', () => {
    it('answers 200 with the account, as its OpenAPI operation declares (it creates nothing)', async () => {
      const created = (await create(admin, person(Role.Analyst))).body;
      const res = await http(app).post(`/api/v1/users/${created.id}/deactivate`).set(bearer(admin));
      expect(res.body).toMatchObject({ id: created.id, active: false });
      expect(res.status).toBe(200);
    });

    it('ends the sessions of the account and refuses its logins', async () => {
      const body = person(Role.Analyst);
      const created = (await create(admin, body)).body;
      const session = await login(body.email, PASSWORD);
      expect(session.status).toBe(200);

      const res = await http(app).post(`/api/v1/users/${created.id}/deactivate`).set(bearer(admin));
      expect([200, 201]).toContain(res.status); // 200 expected: see the test above
      expect(res.body).toMatchObject({ id: created.id, active: false });

      expectProblem(await refresh(session.body.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
      expectProblem(await login(body.email, PASSWORD), 401, 'INVALID_CREDENTIALS');
      const listed = await http(app).get('/api/v1/users').set(bearer(admin)).query({ active: 'false', role: 'analyst', limit: 100 });
      expect(listed.status).toBe(200);
      for (const u of listed.body.data) expect(u.active).toBe(false);
    });

    it('lets a manager deactivate an advisor of their agency', async () => {
      const body = person(Role.Advisor);
      const created = (await create(managerA, body)).body;
      const session = await login(body.email, PASSWORD);
      expect(session.status).toBe(200);
      const res = await http(app).post(`/api/v1/users/${created.id}/deactivate`).set(bearer(managerA));
      expect([200, 201]).toContain(res.status); // 200 expected: see above
      expect(res.body.active).toBe(false);
      expectProblem(await refresh(session.body.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
    });

    it('deactivates with PATCH active:false too, and reactivation lets the account log in again', async () => {
      const body = person(Role.Analyst);
      const created = (await create(admin, body)).body;
      const session = await login(body.email, PASSWORD);
      const off = await http(app).patch(`/api/v1/users/${created.id}`).set(bearer(admin)).send({ active: false });
      expect(off.status).toBe(200);
      expect(off.body.active).toBe(false);
      expectProblem(await refresh(session.body.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
      expectProblem(await login(body.email, PASSWORD), 401, 'INVALID_CREDENTIALS');

      expect((await http(app).patch(`/api/v1/users/${created.id}`).set(bearer(admin)).send({ active: true })).body.active).toBe(true);
      // The old session stays ended; a new login works.
      expectProblem(await refresh(session.body.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
      expect((await login(body.email, PASSWORD)).status).toBe(200);
    });

    it('ends the sessions when an admin sets a new password, and the new password works', async () => {
      const body = person(Role.Analyst);
      const created = (await create(admin, body)).body;
      const session = await login(body.email, PASSWORD);
      const newPassword = 'marmotte-velours-cascade-58';
      const res = await http(app).patch(`/api/v1/users/${created.id}`).set(bearer(admin)).send({ password: newPassword });
      expect(res.status).toBe(200);
      expectProblem(await refresh(session.body.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
      expectProblem(await login(body.email, PASSWORD), 401, 'INVALID_CREDENTIALS');
      expect((await login(body.email, newPassword)).status).toBe(200);
    });

    it('refuses a weak new password and keeps the sessions', async () => {
      const body = person(Role.Analyst);
      const created = (await create(admin, body)).body;
      const session = await login(body.email, PASSWORD);
      expectProblem(await http(app).patch(`/api/v1/users/${created.id}`).set(bearer(admin)).send({ password: 'password1234' }), 400, 'WEAK_PASSWORD');
      expect((await refresh(session.body.refreshToken)).status).toBe(200);
    });
  });
});

describe('first admin from ADMIN_EMAIL and ADMIN_PASSWORD', () => {
  // Other test files create admins in the same database, so only the case where
  // an admin already exists can be checked here: this file makes sure of it.
  let app: NestFastifyApplication | undefined;
  const email = uniqueEmail('bootstrap');

  afterAll(async () => {
    await app?.close();
    delete process.env.ADMIN_EMAIL;
    delete process.env.ADMIN_PASSWORD;
  });

  it('creates nobody when an admin already exists', async () => {
    const first = await startTestApp();
    await createStaff(first, Role.Admin);
    await first.close();

    process.env.ADMIN_EMAIL = email;
    process.env.ADMIN_PASSWORD = TEST_PASSWORD;
    app = await startTestApp();
    expect(await app.get(DataSource).getRepository(User).countBy({ email })).toBe(0);
    expectProblem(await http(app).post('/api/v1/auth/login').send({ email, password: TEST_PASSWORD }), 401, 'INVALID_CREDENTIALS');
  });
});

import { NestFastifyApplication } from '@nestjs/platform-fastify';
import * as jwt from 'jsonwebtoken';
import { randomBytes, randomUUID } from 'node:crypto';
import { Role } from '../../src/common/auth/roles';
import { bearer, createAgency, createStaff, StaffAccount, TEST_PASSWORD } from '../factories/identity';
import { env } from '../../src/config/configuration';
import { expectProblem, http, startTestApp } from '../setup/app';

/** The per-account limit of credential requests in the window, as configured. */
const ACCOUNT_LIMIT = env().LOGIN_MAX_ATTEMPTS_PER_ACCOUNT;

/**
 * Login, refresh rotation and reuse detection, logout, /auth/me, login
 * throttling, and the refusal of forged access tokens.
 *
 * TRUST_PROXY is on in this file so that each throttled request can come from
 * its own address (X-Forwarded-For): the counters live in the shared database.
 */

const ISSUER = 'parcours';
const AUDIENCE = 'parcours-api';
const randomIp = () => {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
};
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('auth', () => {
  let app: NestFastifyApplication;
  let admin: StaffAccount;

  const login = (email: string, password: string, ip = randomIp()) =>
    http(app).post('/api/v1/auth/login').set('x-forwarded-for', ip).send({ email, password });
  const refresh = (refreshToken: string, ip = randomIp()) =>
    http(app).post('/api/v1/auth/refresh').set('x-forwarded-for', ip).send({ refreshToken });
  const me = (accessToken: string) => http(app).get('/api/v1/auth/me').set('authorization', `Bearer ${accessToken}`);

  /** A login that must succeed; returns the token pair. */
  async function pairOf(account: StaffAccount): Promise<{ accessToken: string; refreshToken: string }> {
    const res = await login(account.email, account.password);
    expect(res.status).toBe(200);
    return res.body;
  }

  /** An account created by the admin over the API: nobody has logged in with it yet. */
  async function freshAccount(role: Role = Role.Analyst): Promise<{ id: string; email: string; password: string }> {
    const email = `auth.fresh.${randomUUID().slice(0, 8)}@test.parcours.example`;
    const res = await http(app)
      .post('/api/v1/users')
      .set(bearer(admin))
      .send({ email, password: TEST_PASSWORD, role, firstName: 'Fresh', lastName: 'Account' });
    expect(res.status).toBe(201);
    return { id: res.body.id, email, password: TEST_PASSWORD };
  }

  beforeAll(async () => {
    process.env.TRUST_PROXY = 'true';
    app = await startTestApp();
    admin = await createStaff(app, Role.Admin);
  });
  afterAll(async () => {
    await app.close();
    delete process.env.TRUST_PROXY;
  });

  describe('POST /auth/login', () => {
    it('returns an access token and a refresh token for the right password', async () => {
      const account = await createStaff(app, Role.Analyst);
      const res = await login(account.email, account.password);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['accessToken', 'expiresIn', 'refreshToken', 'tokenType']);
      expect(res.body.tokenType).toBe('Bearer');
      expect(res.body.expiresIn).toBe(900);
      expect(res.body.refreshToken).not.toBe(res.body.accessToken);

      const decoded = jwt.decode(res.body.accessToken, { complete: true }) as jwt.Jwt;
      expect(decoded.header.alg).toBe('HS256');
      const claims = decoded.payload as jwt.JwtPayload;
      expect(claims).toMatchObject({ sub: account.id, typ: 'user', role: 'analyst', iss: ISSUER, aud: AUDIENCE });
      expect(claims.exp! - claims.iat!).toBe(900);

      const who = await me(res.body.accessToken);
      expect(who.status).toBe(200);
      expect(who.body.id).toBe(account.id);
    });

    it('accepts the e-mail whatever its case', async () => {
      const account = await createStaff(app, Role.Analyst);
      const res = await login(account.email.toUpperCase(), account.password);
      expect(res.status).toBe(200);
      expect((await me(res.body.accessToken)).body.id).toBe(account.id);
    });

    it('answers a wrong password and an unknown e-mail with the same 401', async () => {
      const account = await createStaff(app, Role.Analyst);
      const wrong = await login(account.email, 'not-the-right-password-42');
      const unknown = await login(`nobody.${randomUUID().slice(0, 8)}@test.parcours.example`, account.password);
      expectProblem(wrong, 401, 'INVALID_CREDENTIALS');
      expectProblem(unknown, 401, 'INVALID_CREDENTIALS');
      const shape = (body: Record<string, unknown>) => {
        const { correlationId: _c, ...rest } = body;
        return rest;
      };
      expect(shape(wrong.body)).toEqual(shape(unknown.body));
      expect(Object.keys(wrong.headers).sort()).toEqual(Object.keys(unknown.headers).sort());
      expect(JSON.stringify(wrong.body)).not.toMatch(/token/i);
    });

    it('refuses a missing password with 400 VALIDATION_FAILED', async () => {
      const res = await http(app).post('/api/v1/auth/login').set('x-forwarded-for', randomIp()).send({ email: `x.${randomUUID().slice(0, 8)}@test.parcours.example` });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('password');
    });
  });

  describe('throttling', () => {
    it('blocks an account after ACCOUNT_LIMIT attempts, even with the right password, with Retry-After', async () => {
      const account = await freshAccount();
      for (let i = 0; i < ACCOUNT_LIMIT; i += 1) {
        expectProblem(await login(account.email, `wrong-password-number-${i}`), 401, 'INVALID_CREDENTIALS');
      }
      const blocked = await login(account.email, account.password);
      expectProblem(blocked, 429, 'TOO_MANY_REQUESTS');
      const retryAfter = Number(blocked.headers['retry-after']);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(900);

      // The counter is per account, whatever the case of the e-mail or the address.
      expectProblem(await login(account.email.toUpperCase(), account.password, randomIp()), 429, 'TOO_MANY_REQUESTS');
      // Another account is not affected.
      const other = await freshAccount();
      expect((await login(other.email, other.password)).status).toBe(200);
    });

    it('lets successful logins through the per-account counter below the limit', async () => {
      const account = await freshAccount();
      for (let i = 0; i < ACCOUNT_LIMIT; i += 1) expect((await login(account.email, account.password)).status).toBe(200);
    });

    it('throttles refresh per token owner, not per address: more users than the per-account limit behind one address may each refresh once', async () => {
      // Six advisors of one agency share the agency's public address (NAT).
      const office = randomIp();
      const accounts = await Promise.all(Array.from({ length: ACCOUNT_LIMIT + 1 }, () => createStaff(app, Role.Analyst)));
      const pairs = [];
      for (const account of accounts) pairs.push(await pairOf(account));
      const statuses: number[] = [];
      for (const pair of pairs) statuses.push((await refresh(pair.refreshToken, office)).status);
      expect(statuses).toEqual(Array.from({ length: ACCOUNT_LIMIT + 1 }, () => 200));
    });
  });

  describe('per-address limit', () => {
    let limited: NestFastifyApplication;
    beforeAll(async () => {
      process.env.LOGIN_MAX_ATTEMPTS_PER_IP = '3';
      limited = await startTestApp();
    });
    afterAll(async () => {
      await limited.close();
      process.env.LOGIN_MAX_ATTEMPTS_PER_IP = '100000';
    });

    it('blocks an address after LOGIN_MAX_ATTEMPTS_PER_IP attempts on different accounts', async () => {
      const ip = randomIp();
      const attempt = (from: string) =>
        http(limited)
          .post('/api/v1/auth/login')
          .set('x-forwarded-for', from)
          .send({ email: `spray.${randomUUID().slice(0, 8)}@test.parcours.example`, password: 'guess-guess-guess-1' });
      for (let i = 0; i < 3; i += 1) expectProblem(await attempt(ip), 401, 'INVALID_CREDENTIALS');
      const blocked = await attempt(ip);
      expectProblem(blocked, 429, 'TOO_MANY_REQUESTS');
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      expectProblem(await attempt(randomIp()), 401, 'INVALID_CREDENTIALS');
    });
  });

  describe('POST /auth/refresh', () => {
    it('rotates: a new pair, and the old refresh token stops working', async () => {
      const account = await createStaff(app, Role.Analyst);
      const first = await pairOf(account);
      const res = await refresh(first.refreshToken);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
      expect(res.body.refreshToken).not.toBe(first.refreshToken);
      expect(res.body.accessToken).toEqual(expect.any(String));
      expect((await me(res.body.accessToken)).body.id).toBe(account.id);

      const again = await refresh(first.refreshToken);
      expectProblem(again, 401, 'INVALID_REFRESH_TOKEN');
    });

    it('revokes the whole family when a rotated token is presented again, and only that family', async () => {
      const account = await createStaff(app, Role.Analyst);
      const family = await pairOf(account);
      const otherSession = await pairOf(account);

      const second = await refresh(family.refreshToken);
      expect(second.status).toBe(200);
      // The stolen first token is replayed...
      expectProblem(await refresh(family.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
      // ...so the legitimate newest token of that login is dead too.
      expectProblem(await refresh(second.body.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
      // The other login of the same user is untouched.
      expect((await refresh(otherSession.refreshToken)).status).toBe(200);
    });

    it('refuses a garbage token, an access token, and a token signed with another secret', async () => {
      const account = await createStaff(app, Role.Analyst);
      const pair = await pairOf(account);
      expectProblem(await refresh('garbage'), 401, 'INVALID_REFRESH_TOKEN');
      expectProblem(await refresh(pair.accessToken), 401, 'INVALID_REFRESH_TOKEN');
      const claims = jwt.decode(pair.refreshToken) as jwt.JwtPayload;
      const forged = jwt.sign({ sub: claims.sub, jti: randomUUID(), fam: claims.fam, typ: 'refresh' }, 'another-refresh-secret-0123456789-abcdef', {
        algorithm: 'HS256',
        issuer: ISSUER,
        audience: 'parcours-refresh',
        expiresIn: 3600,
      });
      expectProblem(await refresh(forged), 401, 'INVALID_REFRESH_TOKEN');
      // The genuine one still works.
      expect((await refresh(pair.refreshToken)).status).toBe(200);
    });
  });

  describe('POST /auth/logout', () => {
    it('ends the session: 204, then its refresh token is refused', async () => {
      const account = await createStaff(app, Role.Analyst);
      const pair = await pairOf(account);
      const res = await http(app).post('/api/v1/auth/logout').set('authorization', `Bearer ${pair.accessToken}`).send({ refreshToken: pair.refreshToken });
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expectProblem(await refresh(pair.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
    });

    it('ends the rotated descendants of the session too', async () => {
      const account = await createStaff(app, Role.Analyst);
      const pair = await pairOf(account);
      const rotated = await refresh(pair.refreshToken);
      expect(rotated.status).toBe(200);
      const out = await http(app).post('/api/v1/auth/logout').set('authorization', `Bearer ${rotated.body.accessToken}`).send({ refreshToken: rotated.body.refreshToken });
      expect(out.status).toBe(204);
      expectProblem(await refresh(rotated.body.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
    });

    it('needs an access token', async () => {
      const account = await createStaff(app, Role.Analyst);
      const pair = await pairOf(account);
      expectProblem(await http(app).post('/api/v1/auth/logout').send({ refreshToken: pair.refreshToken }), 401, 'UNAUTHORIZED');
      expect((await refresh(pair.refreshToken)).status).toBe(200);
    });

    it("cannot end another user's session", async () => {
      const victim = await createStaff(app, Role.Analyst);
      const attacker = await createStaff(app, Role.Analyst);
      const victimPair = await pairOf(victim);
      const res = await http(app).post('/api/v1/auth/logout').set(bearer(attacker)).send({ refreshToken: victimPair.refreshToken });
      expect(res.status).toBe(204);
      expect((await refresh(victimPair.refreshToken)).status).toBe(200);
    });
  });

  describe('GET /auth/me', () => {
    it('describes the signed-in user, and nothing secret', async () => {
      const agency = await createAgency(app);
      const advisor = await createStaff(app, Role.Advisor, { agencyId: agency.id });
      const res = await http(app).get('/api/v1/auth/me').set(bearer(advisor));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: advisor.id,
        email: advisor.email,
        role: 'advisor',
        agencyId: agency.id,
        providerId: null,
        firstName: 'Test',
        lastName: expect.stringMatching(/^advisor-/),
      });
    });

    it('answers 401 without a token', async () => {
      const res = await http(app).get('/api/v1/auth/me');
      expectProblem(res, 401, 'UNAUTHORIZED');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    });
  });

  describe('forged access tokens', () => {
    const routes = ['/api/v1/auth/me', '/api/v1/users', '/api/v1/agencies', '/api/v1/communes', '/api/v1/providers', '/api/v1/api-clients', '/api/v1/audit-events'];
    const secret = () => process.env.JWT_ACCESS_SECRET!;
    const claims = () => ({ sub: admin.id, typ: 'user', role: 'admin' });
    const sign = (payload: object, key = secret(), options: jwt.SignOptions = {}) =>
      jwt.sign(payload, key, { algorithm: 'HS256', issuer: ISSUER, audience: AUDIENCE, expiresIn: 600, ...options });

    async function statusesWith(token: string | null, scheme = 'Bearer'): Promise<Record<string, number>> {
      const out: Record<string, number> = {};
      for (const route of routes) {
        const req = http(app).get(route);
        if (token !== null) req.set('authorization', `${scheme} ${token}`);
        const res = await req;
        out[route] = res.status;
        if (res.status === 401) expectProblem(res, 401, 'UNAUTHORIZED');
      }
      return out;
    }
    const all = (status: number) => Object.fromEntries(routes.map((r) => [r, status]));

    it('a correctly signed admin token is accepted everywhere (control)', async () => {
      expect(await statusesWith(sign(claims()))).toEqual(all(200));
    });

    const forgeries: [string, () => string | null, string?][] = [
      ['no token at all', () => null],
      ['a token signed with another secret', () => sign(claims(), 'another-secret-that-is-long-enough-0123456789')],
      ['an alg:none token', () => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ ...claims(), iss: ISSUER, aud: AUDIENCE, iat: nowSeconds(), exp: nowSeconds() + 600 })}.`],
      [
        'an alg:none token with the signature of a real one',
        () => {
          const real = sign(claims());
          return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ ...claims(), iss: ISSUER, aud: AUDIENCE, exp: nowSeconds() + 600 })}.${real.split('.')[2]}`;
        },
      ],
      ['an expired token', () => jwt.sign({ ...claims(), iat: nowSeconds() - 1200, exp: nowSeconds() - 300 }, secret(), { algorithm: 'HS256', issuer: ISSUER, audience: AUDIENCE })],
      ['a token of another issuer', () => sign(claims(), secret(), { issuer: 'someone-else' })],
      ['a token for another audience', () => sign(claims(), secret(), { audience: 'parcours-refresh' })],
      ['an HS384 token with the right secret', () => sign(claims(), secret(), { algorithm: 'HS384' })],
      ['a client token claiming the admin role', () => sign({ sub: admin.id, typ: 'client', role: 'admin', scope: 'reference:read' })],
      ['a user token with an unknown role', () => sign({ sub: admin.id, typ: 'user', role: 'superuser' })],
      ['a user token claiming the integration role', () => sign({ sub: admin.id, typ: 'user', role: 'integration', scope: 'reference:read' })],
      [
        'a real advisor token whose payload was edited to admin',
        () => {
          const real = sign({ sub: admin.id, typ: 'user', role: 'advisor' });
          const [header, payload, signature] = real.split('.');
          const edited = { ...(JSON.parse(Buffer.from(payload, 'base64url').toString()) as object), role: 'admin' };
          return `${header}.${b64url(edited)}.${signature}`;
        },
      ],
      ['a garbage string', () => 'not.a.jwt'],
      ['a valid token under the Basic scheme', () => sign(claims()), 'Basic'],
    ];

    // Every row has three cells: with fewer, jest would pass its `done` callback as the scheme.
    it.each(forgeries.map(([name, make, scheme]) => [name, make, scheme ?? 'Bearer'] as const))('refuses %s with 401 on every protected route', async (_name, make, scheme) => {
      expect(await statusesWith(make(), scheme)).toEqual(all(401));
    });

    it('once a token was accepted, the same token with its signature or payload altered is still refused', async () => {
      const real = sign({ sub: admin.id, typ: 'user', role: 'advisor' });
      expect((await http(app).get('/api/v1/auth/me').set('authorization', `Bearer ${real}`)).status).toBe(200);
      const [header, payload, signature] = real.split('.');
      // The first character of the signature carries six bits of its first byte.
      const otherSignature = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
      const edited = b64url({ ...(JSON.parse(Buffer.from(payload, 'base64url').toString()) as object), role: 'admin' });
      expect(await statusesWith(`${header}.${payload}.${otherSignature}`)).toEqual(all(401));
      expect(await statusesWith(`${header}.${edited}.${signature}`)).toEqual(all(401));
      expect((await http(app).get('/api/v1/auth/me').set('authorization', `Bearer ${real}`)).status).toBe(200);
    });

    it('a token accepted before is refused once it has expired', async () => {
      // Seconds enough for the first round of requests on a busy machine, then it expires.
      const token = sign(claims(), secret(), { expiresIn: 5 });
      const exp = (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { exp: number }).exp;
      expect(await statusesWith(token)).toEqual(all(200));
      await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
      expect(await statusesWith(token)).toEqual(all(401));
    });

    it('refuses a refresh token used as an access token', async () => {
      const account = await createStaff(app, Role.Admin);
      const pair = await pairOf(account);
      expect(await statusesWith(pair.refreshToken)).toEqual(all(401));
    });
  });
});

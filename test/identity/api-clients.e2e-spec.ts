import { NestFastifyApplication } from '@nestjs/platform-fastify';
import * as jwt from 'jsonwebtoken';
import { randomBytes, randomUUID } from 'node:crypto';
import { Role } from '../../src/common/auth/roles';
import { bearer, createAgency, createStaff, StaffAccount } from '../factories/identity';
import { env } from '../../src/config/configuration';
import { expectProblem, http, startTestApp } from '../setup/app';

/** The per-account limit of credential requests in the window, as configured. */
const ACCOUNT_LIMIT = env().LOGIN_MAX_ATTEMPTS_PER_ACCOUNT;

/**
 * Machine clients: creation (secret shown once), the OAuth2 client credentials
 * grant (form, JSON, HTTP Basic), scopes, rotation and revocation.
 *
 * /auth/token is throttled per client (5 requests per window, success included)
 * and, for requests without a client_id in the body, per address: each test uses
 * its own clients, and every token request comes from its own address
 * (TRUST_PROXY on, X-Forwarded-For).
 */

interface CreatedClient {
  id: string;
  clientId: string;
  clientSecret: string;
  name: string;
  scopes: string[];
}

const randomIp = () => {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
};
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('API clients and the client credentials grant', () => {
  let app: NestFastifyApplication;
  let admin: StaffAccount;
  let manager: StaffAccount;
  let advisor: StaffAccount;

  async function createClient(scopes: string[], name = `Connecteur ${randomUUID().slice(0, 8)}`): Promise<CreatedClient> {
    const res = await http(app).post('/api/v1/api-clients').set(bearer(admin)).send({ name, scopes });
    expect(res.status).toBe(201);
    return res.body;
  }

  const tokenForm = (fields: Record<string, string>, ip = randomIp()) =>
    http(app).post('/api/v1/auth/token').set('x-forwarded-for', ip).type('form').send(fields);
  const tokenJson = (fields: Record<string, string>, ip = randomIp()) =>
    http(app).post('/api/v1/auth/token').set('x-forwarded-for', ip).send(fields);
  const tokenBasic = (id: string, secret: string, fields: Record<string, string> = { grant_type: 'client_credentials' }, ip = randomIp()) =>
    http(app).post('/api/v1/auth/token').set('x-forwarded-for', ip).set('authorization', basic(id, secret)).type('form').send(fields);

  async function accessTokenOf(client: CreatedClient, scope?: string): Promise<string> {
    const res = await tokenForm({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, ...(scope ? { scope } : {}) });
    expect(res.status).toBe(200);
    return res.body.access_token;
  }
  const withToken = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    process.env.TRUST_PROXY = 'true';
    app = await startTestApp();
    admin = await createStaff(app, Role.Admin);
    const agency = await createAgency(app);
    manager = await createStaff(app, Role.AgencyManager, { agencyId: agency.id });
    advisor = await createStaff(app, Role.Advisor, { agencyId: agency.id });
  });
  afterAll(async () => {
    await app.close();
    delete process.env.TRUST_PROXY;
  });

  describe('administration', () => {
    it('creates a client and shows its secret once', async () => {
      const name = `France Travail ${randomUUID().slice(0, 8)}`;
      const res = await http(app).post('/api/v1/api-clients').set(bearer(admin)).send({ name, scopes: ['beneficiaries:read', 'webhooks:manage'] });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        clientId: expect.stringMatching(/^pc_[A-Za-z0-9_-]+$/),
        clientSecret: expect.stringMatching(/^pcs_[A-Za-z0-9_-]{40,}$/),
        name,
        scopes: ['beneficiaries:read', 'webhooks:manage'],
        active: true,
        lastUsedAt: null,
        createdAt: expect.any(String),
      });
      expect(new Date(res.body.createdAt).toISOString()).toBe(res.body.createdAt);

      const got = await http(app).get(`/api/v1/api-clients/${res.body.id}`).set(bearer(admin));
      expect(got.status).toBe(200);
      expect(got.body).not.toHaveProperty('clientSecret');
      expect(got.body).not.toHaveProperty('secretHash');
      expect(JSON.stringify(got.body)).not.toContain(res.body.clientSecret);
      expect(got.body).toEqual({ ...res.body, clientSecret: undefined });
    });

    it('lists clients without their secrets', async () => {
      const client = await createClient(['reference:read'], `!!aaa-list-${randomUUID()}`);
      let cursor: string | null = null;
      let found: Record<string, unknown> | undefined;
      do {
        const res = await http(app)
          .get('/api/v1/api-clients')
          .set(bearer(admin))
          .query({ limit: 100, ...(cursor ? { cursor } : {}) });
        expect(res.status).toBe(200);
        expect(JSON.stringify(res.body)).not.toMatch(/clientSecret|secretHash|pcs_|\$argon2/);
        found ??= res.body.data.find((c: { id: string }) => c.id === client.id);
        cursor = res.body.page.nextCursor;
      } while (cursor && !found);
      expect(found).toMatchObject({ id: client.id, clientId: client.clientId, scopes: ['reference:read'], active: true });
    });

    it.each([
      [{ name: 'x', scopes: ['reference:read'] }, 'name'],
      [{ name: 'Valid name', scopes: ['everything'] }, 'scopes'],
      [{ name: 'Valid name', scopes: 'reference:read' }, 'scopes'],
      [{ name: 'Valid name', scopes: ['reference:read', 'reference:read'] }, 'scopes'],
      [{ name: 'Valid name', scopes: ['reference:read'], clientSecret: 'chosen-by-me' }, 'clientSecret'],
    ])('refuses %j with 400 naming %s', async (body, field) => {
      const res = await http(app).post('/api/v1/api-clients').set(bearer(admin)).send(body);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('is reserved to admins', async () => {
      const client = await createClient(['reference:read']);
      for (const who of [manager, advisor]) {
        expectProblem(await http(app).post('/api/v1/api-clients').set(bearer(who)).send({ name: 'Sneaky', scopes: ['reference:read'] }), 403, 'FORBIDDEN');
        expectProblem(await http(app).get('/api/v1/api-clients').set(bearer(who)), 403, 'FORBIDDEN');
        expectProblem(await http(app).get(`/api/v1/api-clients/${client.id}`).set(bearer(who)), 403, 'FORBIDDEN');
        expectProblem(await http(app).post(`/api/v1/api-clients/${client.id}/rotate-secret`).set(bearer(who)), 403, 'FORBIDDEN');
        expectProblem(await http(app).patch(`/api/v1/api-clients/${client.id}`).set(bearer(who)).send({ active: false }), 403, 'FORBIDDEN');
      }
      // A machine client cannot manage clients either, whatever its scopes.
      const token = await accessTokenOf(client);
      expectProblem(await http(app).get('/api/v1/api-clients').set(withToken(token)), 403, 'FORBIDDEN');
      expect((await tokenForm({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret })).status).toBe(200);
    });

    it('answers 404 for an unknown client', async () => {
      expectProblem(await http(app).get(`/api/v1/api-clients/${randomUUID()}`).set(bearer(admin)), 404, 'API_CLIENT_NOT_FOUND');
      expectProblem(await http(app).post(`/api/v1/api-clients/${randomUUID()}/rotate-secret`).set(bearer(admin)), 404, 'API_CLIENT_NOT_FOUND');
    });
  });

  describe('POST /auth/token', () => {
    it('issues a token for form-encoded credentials', async () => {
      const client = await createClient(['reference:read', 'webhooks:manage']);
      const res = await tokenForm({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, scope: 'reference:read webhooks:manage' });
      const claims = jwt.decode(res.body.access_token) as jwt.JwtPayload;
      expect(claims).toMatchObject({ sub: client.id, typ: 'client', role: 'integration', scope: 'reference:read webhooks:manage', iss: 'parcours', aud: 'parcours-api' });

      const got = await http(app).get(`/api/v1/api-clients/${client.id}`).set(bearer(admin));
      expect(got.body.lastUsedAt).toEqual(expect.any(String));
    });

    it('issues a token for JSON credentials', async () => {
      const client = await createClient(['reference:read']);
      const res = await tokenJson({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ token_type: 'Bearer', scope: 'reference:read' });
      expect((await http(app).get('/api/v1/communes').set(withToken(res.body.access_token))).status).toBe(200);
    });

    it('issues a token for HTTP Basic credentials', async () => {
      const client = await createClient(['reference:read']);
      const res = await tokenBasic(client.clientId, client.clientSecret);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ token_type: 'Bearer', scope: 'reference:read' });
      expect((jwt.decode(res.body.access_token) as jwt.JwtPayload).sub).toBe(client.id);
    });

    it('narrows the token to the requested scopes', async () => {
      const client = await createClient(['reference:read', 'webhooks:manage', 'metrics:read']);
      const res = await tokenForm({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, scope: 'reference:read metrics:read' });
      expect(res.status).toBe(200);
      expect(res.body.scope).toBe('reference:read metrics:read');
      const only = await tokenForm({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, scope: 'webhooks:manage' });
      expect(only.body.scope).toBe('webhooks:manage');
      // A webhooks:manage token does not read reference data even though the client could.
      expectProblem(await http(app).get('/api/v1/communes').set(withToken(only.body.access_token)), 403, 'FORBIDDEN');
    });

    it('refuses a scope the client was not granted with 400 INVALID_SCOPE', async () => {
      const client = await createClient(['reference:read']);
      const res = await tokenForm({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, scope: 'reference:read beneficiaries:write' });
      expectProblem(res, 400, 'INVALID_SCOPE');
      expect(res.body.error).toBe('invalid_scope');
      expect(res.body.detail).toContain('beneficiaries:write');
    });

    it('refuses a wrong secret, an unknown client and a missing secret with 401 invalid_client', async () => {
      const client = await createClient(['reference:read']);
      const cases = [
        await tokenForm({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: `${client.clientSecret}x` }),
        await tokenJson({ grant_type: 'client_credentials', client_id: `pc_${randomUUID()}`, client_secret: client.clientSecret }),
        await tokenForm({ grant_type: 'client_credentials', client_id: client.clientId }),
        await tokenBasic(client.clientId, 'pcs_wrong'),
      ];
      for (const res of cases) {
        expectProblem(res, 401, 'INVALID_CLIENT');
        expect(res.body.error).toBe('invalid_client');
        expect(res.headers['www-authenticate']).toMatch(/^Basic/);
        expect(res.body).not.toHaveProperty('access_token');
      }
    });

    it('refuses another grant type with 400 UNSUPPORTED_GRANT_TYPE', async () => {
      const client = await createClient(['reference:read']);
      const res = await tokenForm({ grant_type: 'password', client_id: client.clientId, client_secret: client.clientSecret });
      expectProblem(res, 400, 'UNSUPPORTED_GRANT_TYPE');
      expect(res.body.error).toBe('unsupported_grant_type');
    });

    it('blocks a client after ACCOUNT_LIMIT requests in the window, even with the right secret, with Retry-After', async () => {
      const client = await createClient(['reference:read']);
      for (let i = 0; i < ACCOUNT_LIMIT; i += 1) {
        expectProblem(await tokenForm({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: `pcs_guess_${i}` }), 401, 'INVALID_CLIENT');
      }
      const blocked = await tokenJson({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret });
      expectProblem(blocked, 429, 'TOO_MANY_REQUESTS');
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(900);
      // Another client is not affected.
      const other = await createClient(['reference:read']);
      expect((await tokenForm({ grant_type: 'client_credentials', client_id: other.clientId, client_secret: other.clientSecret })).status).toBe(200);
    });

    it('answers malformed Basic credentials with 401 invalid_client, not a server error', async () => {
      const header = `Basic ${Buffer.from('pc_%E0%A4%A:pcs_whatever').toString('base64')}`;
      const res = await http(app).post('/api/v1/auth/token').set('x-forwarded-for', randomIp()).set('authorization', header).type('form').send({ grant_type: 'client_credentials' });
      expectProblem(res, 401, 'INVALID_CLIENT');
    });

    it('throttles HTTP Basic requests per client, not per address: more clients than the per-account limit behind one address each get a token', async () => {
      const gateway = randomIp();
      const clients = await Promise.all(Array.from({ length: ACCOUNT_LIMIT + 1 }, () => createClient(['reference:read'])));
      const statuses: number[] = [];
      for (const client of clients) statuses.push((await tokenBasic(client.clientId, client.clientSecret, undefined, gateway)).status);
      expect(statuses).toEqual(Array.from({ length: ACCOUNT_LIMIT + 1 }, () => 200));
    });
  });

  describe('scopes on routes', () => {
    it('lets a reference:read token read communes and agencies', async () => {
      const client = await createClient(['reference:read']);
      const token = await accessTokenOf(client);
      const communes = await http(app).get('/api/v1/communes').query({ limit: 1 }).set(withToken(token));
      expect(communes.status).toBe(200);
      expect(communes.body.data).toHaveLength(1);
      expect((await http(app).get('/api/v1/agencies').set(withToken(token))).status).toBe(200);
    });

    it('lets a programmes:read token list providers but not agencies', async () => {
      const client = await createClient(['programmes:read']);
      const token = await accessTokenOf(client);
      expect((await http(app).get('/api/v1/providers').set(withToken(token))).status).toBe(200);
      expectProblem(await http(app).get('/api/v1/agencies').set(withToken(token)), 403, 'FORBIDDEN');
      expectProblem(await http(app).get('/api/v1/communes').set(withToken(token)), 403, 'FORBIDDEN');
    });

    it('refuses a token without the route scope with 403', async () => {
      const client = await createClient(['webhooks:manage']);
      const token = await accessTokenOf(client);
      expectProblem(await http(app).get('/api/v1/communes').set(withToken(token)), 403, 'FORBIDDEN');
      expectProblem(await http(app).get('/api/v1/agencies').set(withToken(token)), 403, 'FORBIDDEN');
    });

    it('refuses any client token on staff-only routes with 403', async () => {
      const client = await createClient(['reference:read', 'beneficiaries:read', 'beneficiaries:write', 'webhooks:manage', 'metrics:read']);
      const token = await accessTokenOf(client);
      for (const route of ['/api/v1/users', '/api/v1/audit-events', '/api/v1/api-clients', '/api/v1/auth/me']) {
        expectProblem(await http(app).get(route).set(withToken(token)), 403, 'FORBIDDEN');
      }
      expectProblem(await http(app).post('/api/v1/agencies').set(withToken(token)).send({ code: 'NOPE-1', name: 'Nope', communeCodes: [] }), 403, 'FORBIDDEN');
    });
  });

  describe('rotation and revocation', () => {
    it('rotates the secret: a new one is shown once, the old one stops working', async () => {
      const client = await createClient(['reference:read']);
      const res = await http(app).post(`/api/v1/api-clients/${client.id}/rotate-secret`).set(bearer(admin));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: client.id, clientId: client.clientId, scopes: ['reference:read'], active: true });
      expect(res.body.clientSecret).toMatch(/^pcs_/);
      expect(res.body.clientSecret).not.toBe(client.clientSecret);

      expectProblem(
        await tokenForm({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }),
        401,
        'INVALID_CLIENT',
      );
      const fresh = await tokenForm({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: res.body.clientSecret });
      expect(fresh.status).toBe(200);
      const got = await http(app).get(`/api/v1/api-clients/${client.id}`).set(bearer(admin));
      expect(got.body).not.toHaveProperty('clientSecret');
    });

    it('revokes a client with active:false and restores it with active:true', async () => {
      const client = await createClient(['reference:read']);
      const creds = { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret };
      expect((await tokenForm(creds)).status).toBe(200);

      const off = await http(app).patch(`/api/v1/api-clients/${client.id}`).set(bearer(admin)).send({ active: false });
      expect(off.status).toBe(200);
      expect(off.body.active).toBe(false);
      expect(off.body).not.toHaveProperty('clientSecret');
      expectProblem(await tokenForm(creds), 401, 'INVALID_CLIENT');
      expectProblem(await tokenBasic(client.clientId, client.clientSecret), 401, 'INVALID_CLIENT');

      const on = await http(app).patch(`/api/v1/api-clients/${client.id}`).set(bearer(admin)).send({ active: true });
      expect(on.body.active).toBe(true);
      expect((await tokenForm(creds)).status).toBe(200);
    });

    it('changes the scopes: a scope removed can no longer be requested', async () => {
      const client = await createClient(['reference:read', 'webhooks:manage']);
      const res = await http(app).patch(`/api/v1/api-clients/${client.id}`).set(bearer(admin)).send({ name: 'Renamed connector', scopes: ['webhooks:manage'] });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'Renamed connector', scopes: ['webhooks:manage'] });
      const refused = await tokenForm({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, scope: 'reference:read' });
      expectProblem(refused, 400, 'INVALID_SCOPE');
      const all = await tokenForm({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret });
      expect(all.body.scope).toBe('webhooks:manage');
    });

    it('refuses an unknown scope in a PATCH', async () => {
      const client = await createClient(['reference:read']);
      const res = await http(app).patch(`/api/v1/api-clients/${client.id}`).set(bearer(admin)).send({ scopes: ['admin'] });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect((await http(app).get(`/api/v1/api-clients/${client.id}`).set(bearer(admin))).body.scopes).toEqual(['reference:read']);
    });
  });
});

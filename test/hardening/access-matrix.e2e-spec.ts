import { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { Role } from '../../src/common/auth/roles';
import { createBeneficiary, machineClientToken } from '../factories/case-file';
import { bearer, createStaff } from '../factories/identity';
import { http, startTestApp } from '../setup/app';
import { sendSigned } from '../webhooks/webhook-helpers';
import { ACCESS_TABLE, Call, Caller, CALLERS, Cell, Row, staffOf } from './access-table';
import { checkResponse, fillPath, noteStatus, Operation, operations, problemShapeErrors, undocumentedReport } from './openapi-tools';
import { ALL_SCOPES, buildWorld, closeWorld, fresh, FT_SECRET, World } from './world';

/**
 * Every operation of openapi/openapi.json × every caller of the access table:
 * real requests on one fixture world, the status class of each cell asserted,
 * and each 2xx body checked against the documented schema.
 */
describe('access matrix: every operation × every caller', () => {
  let app: NestFastifyApplication;
  let w: World;
  const figures = { cells: 0, schemaChecks: 0, statuses: {} as Record<number, number> };

  beforeAll(async () => {
    process.env.FRANCE_TRAVAIL_WEBHOOK_SECRET = FT_SECRET;
    app = await startTestApp();
    w = await buildWorld(app);
  }, 120_000);
  afterAll(async () => {
    // Figures for docs/reliability.md.
    console.log(`access matrix: ${figures.cells} cells, ${figures.schemaChecks} 2xx bodies checked against the spec, statuses ${JSON.stringify(figures.statuses)}`);
    console.log(`access matrix: HTTP-layer statuses not listed by their operation:\n${undocumentedReport()}`);
    await closeWorld(w);
    await app?.close();
    delete process.env.FRANCE_TRAVAIL_WEBHOOK_SECRET;
  });

  const ops = operations();

  it('has a row for every operation of the spec, and none for an operation the spec lacks', () => {
    const specKeys = ops.map((o) => o.key).sort();
    const tableKeys = Object.keys(ACCESS_TABLE).sort();
    expect(specKeys.filter((k) => !tableKeys.includes(k))).toEqual([]);
    expect(tableKeys.filter((k) => !specKeys.includes(k))).toEqual([]);
    for (const row of Object.values(ACCESS_TABLE)) expect(row.expect.split(' ')).toHaveLength(CALLERS.length);
  });

  it('agrees with the x-access extension of the spec on every 401 and 403 cell', () => {
    const disagreements: string[] = [];
    for (const o of ops) {
      const row = ACCESS_TABLE[o.key];
      if (!row) continue;
      const access = o.op['x-access'];
      const cells = row.expect.split(' ') as Cell[];
      if (access && [...row.scopes].sort().join() !== [...access.scopes].sort().join()) disagreements.push(`${o.key}: scopes ${row.scopes} vs ${access.scopes}`);
      CALLERS.forEach((caller, i) => {
        const refused = deniedBy(access, caller, row);
        const cell = cells[i];
        if (refused && cell !== refused) disagreements.push(`${o.key} ${caller}: table ${cell}, x-access ${refused}`);
        if (!refused && (cell === '401' || cell === '403')) disagreements.push(`${o.key} ${caller}: table ${cell}, x-access allows`);
      });
    }
    expect(disagreements).toEqual([]);
  });

  it('answers 404 to the staff of another provider and to a manager of A on the records of B (out of scope is not found)', async () => {
    const providerQ = await createStaff(app, Role.Provider, { providerId: w.providerQ });
    const personB = (await createBeneficiary(app, w.advisorB, w.communeB)).id;
    const hooks = { token: await w.client(['webhooks:manage']) };
    const otherHooks = await machineClientToken(app, w.admin, ['webhooks:manage']);
    const get = (who: { token: string }, url: string) => http(app).get(url).set(bearer(who));
    const post = (who: { token: string }, url: string, body: object = {}) => http(app).post(url).set(bearer(who)).send(body);
    const cells: [string, Promise<request.Response>, number][] = [
      ['provider Q reads the referral to P', get(providerQ, `/api/v1/referrals/${w.referral}`), 404],
      ['provider Q accepts a referral to P', post(providerQ, `/api/v1/referrals/${await fresh.referral(w)}/accept`), 404],
      ['provider Q reads provider P', get(providerQ, `/api/v1/providers/${w.providerP}`), 404],
      ['provider Q changes the programme of P', http(app).patch(`/api/v1/programmes/${w.programme}`).set(bearer(providerQ)).send({ description: 'x' }), 404],
      ['manager A reads the caseload of agency B', get(w.managerA, `/api/v1/agencies/${w.agencyB}/caseload-summary`), 404],
      ['manager A reads advisor B', get(w.managerA, `/api/v1/advisors/${w.advisorB.id}`), 404],
      ['manager A reads the account of advisor B', get(w.managerA, `/api/v1/users/${w.advisorB.id}`), 404],
      ['manager A reads a person of B', get(w.managerA, `/api/v1/beneficiaries/${personB}`), 404],
      ['advisor A reads a person of B', get(w.advisorA, `/api/v1/beneficiaries/${personB}`), 404],
      ['advisor B reads their own person', get(w.advisorB, `/api/v1/beneficiaries/${personB}`), 200],
      // A machine client manages the webhook endpoints it created, not an admin's (nor another client's).
      ['a client reads the endpoint of an admin', get(hooks, `/api/v1/webhook-endpoints/${w.endpoint}`), 404],
      ['a client reads its deliveries', get(hooks, `/api/v1/webhook-endpoints/${w.endpoint}/deliveries/${w.delivery}`), 404],
      ['a client rotates its secret', post(hooks, `/api/v1/webhook-endpoints/${w.endpoint}/rotate-secret`), 404],
      ['a client disables it', http(app).patch(`/api/v1/webhook-endpoints/${w.endpoint}`).set(bearer(hooks)).send({ enabled: false }), 404],
      ['a client deletes it', http(app).delete(`/api/v1/webhook-endpoints/${w.endpoint}`).set(bearer(hooks)), 404],
      ['another client reads the endpoint of a client', get(otherHooks, `/api/v1/webhook-endpoints/${(await fresh.endpointOf(w, 'cli+')).id}`), 404],
    ];
    const failures: string[] = [];
    for (const [what, pending, status] of cells) {
      const res = await pending;
      if (res.status !== status) failures.push(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
    const list = await get(providerQ, '/api/v1/referrals?limit=100');
    expect(list.status).toBe(200);
    expect(list.body.data.map((r: { id: string }) => r.id)).not.toContain(w.referral);
    const endpoints = await get(hooks, '/api/v1/webhook-endpoints?limit=100');
    expect(endpoints.status).toBe(200);
    const listed = endpoints.body.data.map((e: { id: string }) => e.id);
    expect(listed).toContain((await fresh.endpointOf(w, 'cli+')).id);
    expect(listed).not.toContain(w.endpoint);
    expect((await get(w.admin, `/api/v1/webhook-endpoints/${w.endpoint}`)).body.enabled).toBe(true);
  });

  describe.each(ops.map((o) => [o.key, o] as const))('%s', (key, o) => {
    it('answers each caller as the table says', async () => {
      const row = ACCESS_TABLE[key];
      expect(row).toBeDefined();
      const cells = row.expect.split(' ') as Cell[];
      const failures: string[] = [];
      const slow: string[] = [];
      for (const [i, caller] of CALLERS.entries()) {
        const started = Date.now();
        const res = await send(o, row, caller);
        const ms = Date.now() - started;
        // A cell (its fixtures and its request) that takes seconds is a finding of its own.
        if (ms > 10_000) slow.push(`${caller}: ${ms} ms`);
        figures.cells += 1;
        const notDocumented = noteStatus(o, res);
        if (notDocumented) failures.push(`${caller}: ${notDocumented}`);
        const got = res.status;
        figures.statuses[got] = (figures.statuses[got] ?? 0) + 1;
        if (!matches(cells[i], got)) failures.push(`${caller}: expected ${cells[i]}, got ${got} ${JSON.stringify(res.body).slice(0, 300)}`);
        if (got >= 400) {
          const shape = problemShapeErrors(res);
          if (shape) failures.push(`${caller}: ${got} is not a problem: ${shape}`);
        }
        if (got >= 200 && got < 300) {
          const check = checkResponse(o, res);
          if (check.checked) figures.schemaChecks += 1;
          if (check.errors) failures.push(`${caller}: ${got} body does not match the spec: ${check.errors}`);
        }
      }
      expect(failures).toEqual([]);
      expect(slow).toEqual([]);
    }, 180_000);
  });

  async function tokenOf(caller: Caller, row: Row): Promise<string | undefined> {
    if (caller === 'anon') return undefined;
    if (caller === 'cli+') return w.client(row.scopes.length ? [row.scopes[0]] : ALL_SCOPES);
    if (caller === 'cli-') return w.client(ALL_SCOPES.filter((s) => !row.scopes.includes(s)));
    return staffOf(w, caller)!.token;
  }

  async function send(o: Operation, row: Row, caller: Caller): Promise<request.Response> {
    const call: Call = await row.call(w, caller);
    const token = await tokenOf(caller, row);
    const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    if (call.signed) return sendSigned(app, call.body, { secret: FT_SECRET }).set(auth);
    // Only the query parameters the row gives: lists run with their default page size, so a parameter
    // the spec marks required but the table does not send would show as a 400.
    const query = { ...(call.query ?? {}) };
    const url = fillPath(o.path, call.path ?? {});
    const agent = http(app);
    let req = (agent[o.method as 'get'] as (u: string) => request.Test)(url).set(auth).query(query);
    if (call.file) req = req.attach(call.file.field, Buffer.from(call.file.content), call.file.name);
    else if (call.body !== undefined) req = req.send(call.body as object);
    return req;
  }
});

function matches(cell: Cell, status: number): boolean {
  if (cell === '2') return status >= 200 && status < 300;
  if (cell === 'B') return (status >= 200 && status < 300) || status === 409 || status === 422;
  // '401', '403', '404', '409', '422': exactly that status.
  return status === Number(cell);
}

/** What the spec's x-access says a caller gets before any record scope: 401, 403 or nothing. */
function deniedBy(access: { roles: string[]; scopes: string[] } | undefined, caller: Caller, row: Row): '401' | '403' | undefined {
  if (!access) return undefined; // public route
  if (caller === 'anon') return '401';
  const role = { admin: 'admin', mgrA: 'agency_manager', advA: 'advisor', advB: 'advisor', prov: 'provider', anal: 'analyst' }[caller as string];
  if (role) return access.roles.includes(role) ? undefined : '403';
  const held = caller === 'cli+' ? (row.scopes.length ? [row.scopes[0]] : [...ALL_SCOPES]) : ALL_SCOPES.filter((s) => !row.scopes.includes(s));
  return held.some((s) => access.scopes.includes(s)) ? undefined : '403';
}

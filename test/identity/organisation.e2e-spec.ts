import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes, randomUUID } from 'node:crypto';
import { Role } from '../../src/common/auth/roles';
import { bearer, createAgency, createProvider, createStaff, randomSiret, StaffAccount, UNKNOWN_COMMUNE } from '../factories/identity';
import { expectProblem, http, startTestApp } from '../setup/app';

/**
 * Agencies and the communes they serve, and providers.
 *
 * Communes are shared reference data: this file is the only one to give
 * 93070, 93071 and 93072 to agencies. The tests below run in order and each
 * one leaves those communes free when it ends.
 */

const [C1, C2, C3] = ['93070', '93071', '93072'];
const code = () => `ORG-${randomUUID().slice(0, 8).toUpperCase()}`;
const ids = (body: { data: { id: string }[] }) => body.data.map((a) => a.id);
const AGENCY_KEYS = ['active', 'address', 'code', 'communeCodes', 'createdAt', 'email', 'id', 'name', 'phone', 'updatedAt'];
const PROVIDER_KEYS = ['active', 'communeCode', 'createdAt', 'email', 'id', 'name', 'siret'];

/** A SIRET with a wrong check digit. */
function badSiret(): string {
  const good = randomSiret();
  return `${good.slice(0, 13)}${(Number(good[13]) + 1) % 10}`;
}

describe('agencies', () => {
  let app: NestFastifyApplication;
  let admin: StaffAccount;
  let manager: StaffAccount;
  let advisor: StaffAccount;

  const post = (body: Record<string, unknown>, who: StaffAccount = admin) => http(app).post('/api/v1/agencies').set(bearer(who)).send(body);
  const patch = (id: string, body: Record<string, unknown>, who: StaffAccount = admin) => http(app).patch(`/api/v1/agencies/${id}`).set(bearer(who)).send(body);
  const serving = (communeCode: string) => http(app).get('/api/v1/agencies').set(bearer(advisor)).query({ communeCode });
  /** Leaves the commune free: deactivates whichever agency serves it. */
  async function free(...communes: string[]): Promise<void> {
    for (const commune of communes) {
      for (const agency of (await serving(commune)).body.data) {
        expect((await patch(agency.id, { active: false })).status).toBe(200);
      }
      expect((await serving(commune)).body.data).toEqual([]);
    }
  }

  beforeAll(async () => {
    app = await startTestApp();
    admin = await createStaff(app, Role.Admin);
    const home = await createAgency(app);
    manager = await createStaff(app, Role.AgencyManager, { agencyId: home.id });
    advisor = await createStaff(app, Role.Advisor, { agencyId: home.id });
  });
  afterEach(() => free(C1, C2, C3));
  afterAll(() => app.close());

  it('creates an agency with its territory, readable by every staff role', async () => {
    const body = {
      code: code(),
      name: 'ALI Plaine Commune Nord',
      communeCodes: [C2, C1],
      address: '12 rue de la République, 93400 Saint-Ouen-sur-Seine',
      email: 'ALI.Nord@SeineSaintDenis.example',
      phone: '01 43 93 00 00',
    };
    const res = await post(body);
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(AGENCY_KEYS);
    expect(res.body).toMatchObject({ ...body, communeCodes: [C1, C2], email: 'ali.nord@seinesaintdenis.example', active: true });

    for (const who of [advisor, manager, await createStaff(app, Role.Analyst), await createStaff(app, Role.Provider, { providerId: (await createProvider(app)).id })]) {
      const got = await http(app).get(`/api/v1/agencies/${res.body.id}`).set(bearer(who));
      expect(got.status).toBe(200);
      expect(got.body).toEqual(res.body);
    }
    expect(ids((await serving(C1)).body)).toEqual([res.body.id]);
    expect(ids((await serving(C2)).body)).toEqual([res.body.id]);
  });

  it('refuses a commune already served with 409 COMMUNE_ALREADY_SERVED, and creates nothing', async () => {
    const first = await post({ code: code(), name: 'Première', communeCodes: [C1] });
    expect(first.status).toBe(201);
    const second = { code: code(), name: 'Seconde', communeCodes: [C2, C1] };
    const res = await post(second);
    expectProblem(res, 409, 'COMMUNE_ALREADY_SERVED');
    expect(res.body.errors).toEqual([{ field: 'communeCodes', message: expect.stringContaining(C1) }]);
    expect(res.body.errors[0].message).not.toContain(C2);
    // Nothing of the refused agency was kept: its code is still free and C2 unserved.
    expect((await serving(C2)).body.data).toEqual([]);
    const retry = await post({ ...second, communeCodes: [C2] });
    expect(retry.status).toBe(201);
    expect(ids((await serving(C1)).body)).toEqual([first.body.id]);
  });

  it('lets only one of two simultaneous claims on a commune win', async () => {
    const results = await Promise.all([0, 1, 2].map((i) => post({ code: code(), name: `Concurrente ${i}`, communeCodes: [C3] })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) expectProblem(r, 409, 'COMMUNE_ALREADY_SERVED');
    const winner = results.find((r) => r.status === 201)!;
    expect(ids((await serving(C3)).body)).toEqual([winner.body.id]);
  });

  it.each([
    ['an unknown commune', UNKNOWN_COMMUNE],
    ['an inactive commune', '93059'],
  ])('refuses %s with 422 UNKNOWN_COMMUNE', async (_name, commune) => {
    const res = await post({ code: code(), name: 'Hors territoire', communeCodes: [C1, commune] });
    expectProblem(res, 422, 'UNKNOWN_COMMUNE');
    expect(res.body.errors[0]).toMatchObject({ field: 'communeCodes', message: expect.stringContaining(commune) });
    expect((await serving(C1)).body.data).toEqual([]);
  });

  it.each([
    [{ code: 'ali-nord' }, 'code'],
    [{ code: 'A' }, 'code'],
    [{ code: '-ALI' }, 'code'],
    [{ communeCodes: ['75056'] }, 'communeCodes'],
    [{ communeCodes: [C1, C1] }, 'communeCodes'],
    [{ communeCodes: C1 }, 'communeCodes'],
    [{ email: 'not-an-email' }, 'email'],
    [{ phone: 'call me' }, 'phone'],
    [{ name: 'x' }, 'name'],
    [{ territory: [C1] }, 'territory'],
  ])('refuses %j with 400 VALIDATION_FAILED naming %s', async (override, field) => {
    const res = await post({ code: code(), name: 'Agence valide', communeCodes: [], ...override });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('refuses a code already used with 409 AGENCY_CODE_TAKEN, on creation and on change', async () => {
    const taken = code();
    expect((await post({ code: taken, name: 'Originale', communeCodes: [] })).status).toBe(201);
    const dup = await post({ code: taken, name: 'Copie', communeCodes: [C1] });
    expectProblem(dup, 409, 'AGENCY_CODE_TAKEN');
    expect(dup.body.errors).toEqual([{ field: 'code', message: expect.any(String) }]);
    expect((await serving(C1)).body.data).toEqual([]);

    const other = await post({ code: code(), name: 'Autre', communeCodes: [] });
    expectProblem(await patch(other.body.id, { code: taken }), 409, 'AGENCY_CODE_TAKEN');
  });

  it('replaces the territory with communeCodes', async () => {
    const agency = (await post({ code: code(), name: 'Mobile', communeCodes: [C1] })).body;
    const res = await patch(agency.id, { communeCodes: [C2, C3] });
    expect(res.status).toBe(200);
    expect(res.body.communeCodes).toEqual([C2, C3]);
    expect((await serving(C1)).body.data).toEqual([]);
    expect(ids((await serving(C2)).body)).toEqual([agency.id]);

    // Another agency can now take C1, but not C2.
    const other = (await post({ code: code(), name: 'Voisine', communeCodes: [] })).body;
    expect((await patch(other.id, { communeCodes: [C1] })).body.communeCodes).toEqual([C1]);
    const refused = await patch(other.id, { communeCodes: [C1, C2] });
    expectProblem(refused, 409, 'COMMUNE_ALREADY_SERVED');
    expect((await http(app).get(`/api/v1/agencies/${other.id}`).set(bearer(admin))).body.communeCodes).toEqual([C1]);

    // An empty list frees everything.
    expect((await patch(agency.id, { communeCodes: [] })).body.communeCodes).toEqual([]);
    expect((await serving(C2)).body.data).toEqual([]);
  });

  it('keeps the territory on a change that does not mention communeCodes', async () => {
    const agency = (await post({ code: code(), name: 'Stable', communeCodes: [C1, C2] })).body;
    const renamed = await patch(agency.id, { name: 'Stable renommée', phone: '01 02 03 04 05' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Stable renommée', phone: '01 02 03 04 05', communeCodes: [C1, C2] });
  });

  it('keeps the territory of an active agency when the change repeats active: true', async () => {
    // A form that sends every field back, or a script that (re)asserts `active: true`.
    const agency = (await post({ code: code(), name: 'Toujours active', communeCodes: [C1, C2] })).body;
    const res = await patch(agency.id, { name: 'Toujours active (bis)', active: true });
    expect(res.status).toBe(200);
    expect(res.body.communeCodes).toEqual([C1, C2]);
    expect(ids((await serving(C1)).body)).toEqual([agency.id]);
  });

  it('frees the communes of an agency made inactive, and reactivates it without territory', async () => {
    const agency = (await post({ code: code(), name: 'Fermée', communeCodes: [C1, C2] })).body;
    const off = await patch(agency.id, { active: false });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ active: false, communeCodes: [] });
    expect((await serving(C1)).body.data).toEqual([]);

    const successor = await post({ code: code(), name: 'Reprise', communeCodes: [C1] });
    expect(successor.status).toBe(201);

    const back = await patch(agency.id, { active: true });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ active: true, communeCodes: [] });
    expectProblem(await patch(agency.id, { communeCodes: [C1] }), 409, 'COMMUNE_ALREADY_SERVED');
    expect((await patch(agency.id, { communeCodes: [C2] })).body.communeCodes).toEqual([C2]);

    const inactive = await http(app).get('/api/v1/agencies').set(bearer(admin)).query({ active: 'false', limit: 100 });
    for (const a of inactive.body.data) expect(a).toMatchObject({ active: false, communeCodes: [] });
  });

  it('is written by admins only', async () => {
    const agency = (await post({ code: code(), name: 'Protégée', communeCodes: [] })).body;
    for (const who of [manager, advisor]) {
      expectProblem(await post({ code: code(), name: 'Pirate', communeCodes: [C1] }, who), 403, 'FORBIDDEN');
      expectProblem(await patch(agency.id, { name: 'Pirate' }, who), 403, 'FORBIDDEN');
    }
    expect((await http(app).get(`/api/v1/agencies/${agency.id}`).set(bearer(admin))).body.name).toBe('Protégée');
    expect((await serving(C1)).body.data).toEqual([]);
  });

  it('answers 404 for an unknown agency', async () => {
    expectProblem(await http(app).get(`/api/v1/agencies/${randomUUID()}`).set(bearer(advisor)), 404, 'AGENCY_NOT_FOUND');
    expectProblem(await patch(randomUUID(), { name: 'Fantôme' }), 404, 'AGENCY_NOT_FOUND');
  });

  it('pages through the list by code without overlap', async () => {
    const prefix = `ORGPAGE-${randomBytes(3).toString('hex').toUpperCase()}`;
    const made = [];
    for (let i = 0; i < 5; i += 1) made.push((await post({ code: `${prefix}-${i}`, name: `Page ${i}`, communeCodes: [] })).body.id);
    const seen: { id: string; code: string }[] = [];
    let cursor: string | null = null;
    do {
      const res = await http(app)
        .get('/api/v1/agencies')
        .set(bearer(advisor))
        .query({ limit: 7, ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(7);
      seen.push(...res.body.data);
      cursor = res.body.page.nextCursor;
    } while (cursor);
    const seenIds = seen.map((a) => a.id);
    expect(new Set(seenIds).size).toBe(seenIds.length);
    expect(seenIds).toEqual(expect.arrayContaining(made));
    // Mine differ only by their last digit: they come in that order.
    expect(seen.filter((a) => a.code.startsWith(prefix)).map((a) => a.code)).toEqual([0, 1, 2, 3, 4].map((i) => `${prefix}-${i}`));
  });
});

describe('providers', () => {
  let app: NestFastifyApplication;
  let admin: StaffAccount;
  let advisor: StaffAccount;

  const post = (body: Record<string, unknown>, who: StaffAccount = admin) => http(app).post('/api/v1/providers').set(bearer(who)).send(body);

  beforeAll(async () => {
    app = await startTestApp();
    admin = await createStaff(app, Role.Admin);
    advisor = await createStaff(app, Role.Advisor, { agencyId: (await createAgency(app)).id });
  });
  afterAll(() => app.close());

  it('registers a provider, and accepts a SIRET written with spaces', async () => {
    const siret = randomSiret();
    const spaced = `${siret.slice(0, 3)} ${siret.slice(3, 6)} ${siret.slice(6, 9)} ${siret.slice(9)}`;
    const res = await post({ name: '  Association Rebond 93  ', siret: spaced, communeCode: '93066', email: 'Contact@Rebond93.example' });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(PROVIDER_KEYS);
    expect(res.body).toMatchObject({ name: 'Association Rebond 93', siret, communeCode: '93066', email: 'contact@rebond93.example', active: true });
    const got = await http(app).get(`/api/v1/providers/${res.body.id}`).set(bearer(advisor));
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
  });

  it.each([
    ['a wrong check digit', () => badSiret()],
    ['13 digits', () => randomSiret().slice(0, 13)],
    ['letters', () => 'ABCDEFGHIJKLMN'],
  ])('refuses a SIRET with %s with 400 VALIDATION_FAILED on siret', async (_name, make) => {
    const res = await post({ name: 'Structure', siret: make(), communeCode: '93066' });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['siret']);
  });

  it('refuses a SIRET already registered with 409 SIRET_TAKEN', async () => {
    const siret = randomSiret();
    expect((await post({ name: 'Premier', siret, communeCode: '93066' })).status).toBe(201);
    const res = await post({ name: 'Doublon', siret, communeCode: '93001' });
    expectProblem(res, 409, 'SIRET_TAKEN');
    expect(res.body.errors).toEqual([{ field: 'siret', message: expect.any(String) }]);

    const other = (await post({ name: 'Autre', siret: randomSiret(), communeCode: '93066' })).body;
    expectProblem(await http(app).patch(`/api/v1/providers/${other.id}`).set(bearer(admin)).send({ siret }), 409, 'SIRET_TAKEN');
  });

  it('refuses a commune outside the département', async () => {
    expectProblem(await post({ name: 'Ailleurs', siret: randomSiret(), communeCode: '75056' }), 400, 'VALIDATION_FAILED');
    expectProblem(await post({ name: 'Nulle part', siret: randomSiret(), communeCode: UNKNOWN_COMMUNE }), 422, 'UNKNOWN_COMMUNE');
  });

  it('is changed by admins only', async () => {
    const provider = (await post({ name: 'Modifiable', siret: randomSiret(), communeCode: '93066' })).body;
    const res = await http(app).patch(`/api/v1/providers/${provider.id}`).set(bearer(admin)).send({ name: 'Modifiée', email: 'NEW@modif.example' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: provider.id, name: 'Modifiée', email: 'new@modif.example', siret: provider.siret });
    expectProblem(await http(app).patch(`/api/v1/providers/${provider.id}`).set(bearer(advisor)).send({ name: 'Pirate' }), 403, 'FORBIDDEN');
    expectProblem(await post({ name: 'Pirate', siret: randomSiret(), communeCode: '93066' }, advisor), 403, 'FORBIDDEN');
    expectProblem(await http(app).patch(`/api/v1/providers/${randomUUID()}`).set(bearer(admin)).send({ name: 'Fantôme' }), 404, 'PROVIDER_NOT_FOUND');
  });

  it('shows provider staff their own provider only', async () => {
    const mine = await createProvider(app);
    const theirs = await createProvider(app);
    const staff = await createStaff(app, Role.Provider, { providerId: mine.id });

    const own = await http(app).get(`/api/v1/providers/${mine.id}`).set(bearer(staff));
    expect(own.status).toBe(200);
    expect(own.body.id).toBe(mine.id);
    expectProblem(await http(app).get(`/api/v1/providers/${theirs.id}`).set(bearer(staff)), 404, 'PROVIDER_NOT_FOUND');

    const list = await http(app).get('/api/v1/providers').set(bearer(staff)).query({ limit: 100 });
    expect(list.status).toBe(200);
    expect(ids(list.body)).toEqual([mine.id]);
    expect(list.body.page).toEqual({ nextCursor: null, hasNextPage: false });

    // Other staff see both.
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await http(app)
        .get('/api/v1/providers')
        .set(bearer(advisor))
        .query({ limit: 100, ...(cursor ? { cursor } : {}) });
      all.push(...ids(res.body));
      cursor = res.body.page.nextCursor;
    } while (cursor);
    expect(all).toEqual(expect.arrayContaining([mine.id, theirs.id]));
  });

  it('answers 404 for an unknown provider', async () => {
    expectProblem(await http(app).get(`/api/v1/providers/${randomUUID()}`).set(bearer(advisor)), 404, 'PROVIDER_NOT_FOUND');
  });
});

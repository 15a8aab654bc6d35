import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Role } from '../../src/common/auth/roles';
import { bearer, createStaff, StaffAccount, TEST_COMMUNES_FROM } from '../factories/identity';
import { expectProblem, http, startTestApp } from '../setup/app';

interface CommuneBody {
  inseeCode: string;
  name: string;
  eptCode: string;
  eptName: string;
  active: boolean;
}

const reference = readFileSync(join(__dirname, '..', '..', 'docs', 'reference-data', 'communes-93.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const [inseeCode, name, eptCode, eptName, active] = line.split(',');
    return { inseeCode, name, eptCode, eptName, active: active === 'true' };
  });

describe('GET /api/v1/communes', () => {
  let app: NestFastifyApplication;
  let advisor: StaffAccount;
  const get = () => http(app).get('/api/v1/communes').set(bearer(advisor));

  beforeAll(async () => {
    app = await startTestApp();
    advisor = await createStaff(app, Role.Analyst);
  });
  afterAll(() => app.close());

  it('walks every commune of the reference file page by page, in INSEE order', async () => {
    const seen: CommuneBody[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get()
        .query({ limit: 15, ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      seen.push(...(res.body.data as CommuneBody[]));
      cursor = res.body.page.nextCursor;
      expect(res.body.page.hasNextPage).toBe(cursor !== null);
      pages += 1;
    } while (cursor);
    // Other test files may add communes of their own (createTestCommune), after every real one.
    expect(pages).toBe(Math.ceil(seen.length / 15));
    expect(seen.map((c) => c.inseeCode)).toEqual(seen.map((c) => c.inseeCode).sort());
    expect(seen.filter((c) => Number(c.inseeCode) < TEST_COMMUNES_FROM)).toEqual([...reference].sort((a, b) => a.inseeCode.localeCompare(b.inseeCode)));
  });

  it('defaults to 25 per page', async () => {
    const res = await get();
    expect(res.body.data).toHaveLength(25);
    expect(res.body.page.hasNextPage).toBe(true);
  });

  it('filters by EPT and by active flag', async () => {
    const t6 = await get().query({ eptCode: 'T6', limit: 100 });
    expect(t6.body.data.map((c: CommuneBody) => c.inseeCode).sort()).toEqual(
      reference.filter((c) => c.eptCode === 'T6').map((c) => c.inseeCode).sort(),
    );
    const inactive = await get().query({ active: 'false' });
    expect(inactive.body.data).toEqual([expect.objectContaining({ inseeCode: '93059', name: 'Pierrefitte-sur-Seine', active: false })]);
  });

  it.each([
    [{ limit: 0 }, 'limit'],
    [{ limit: 101 }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ active: 'maybe' }, 'active'],
    [{ cursor: 'not a cursor!' }, 'cursor'],
    [{ unknown: 'x' }, 'unknown'],
  ])('refuses %j with a 400 naming the field', async (query, field) => {
    const res = await get().query(query);
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('refuses a forged cursor with 400 INVALID_CURSOR', async () => {
    const forged = Buffer.from(JSON.stringify([1, 2, 3])).toString('base64url');
    expectProblem(await get().query({ cursor: forged }), 400, 'INVALID_CURSOR');
  });
});

describe('GET /api/v1/communes without a token', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('is refused with 401', async () => {
    expectProblem(await http(app).get('/api/v1/communes'), 401, 'UNAUTHORIZED');
  });
});

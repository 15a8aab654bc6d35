import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { Role } from '../../src/common/auth/roles';
import { encodeCursor } from '../../src/common/pagination/pagination';
import {
  assign,
  createBeneficiary,
  CreatedBeneficiary,
  expectFieldErrors,
  isoDay,
  letters,
  orient,
  plusDays,
  randomCafNumber,
  randomShortCafNumber,
  walkPages,
} from '../factories/case-file';
import { bearer, createAgency, createStaff, StaffAccount } from '../factories/identity';
import { expectProblem, http, startTestApp } from '../setup/app';

/**
 * GET /beneficiaries: the search (names without accents or case, CAF number),
 * the filters, the overdue queue and keyset pagination in name order.
 *
 * Communes of this file: 93047 and 93049 (agency L), 93050 (agency M).
 */
const COMMUNE_L1 = '93047';
const COMMUNE_L2 = '93049';
const COMMUNE_M = '93050';

type Summary = { id: string; firstName: string; lastName: string; cafNumber: string; status: string; agencyId: string; overdue: boolean; nextDueOn: string | null };

describe('case file: the list of cases', () => {
  let app: NestFastifyApplication;
  let agencyL: string;
  let agencyM: string;
  let admin: StaffAccount;
  let managerL: StaffAccount;
  let advisorL: StaffAccount;
  let managerM: StaffAccount;

  // c1 N'Diaye Aïssatou: to orient, rights opened 60 days ago (overdue)
  // c2 Lefèvre Élodie: oriented, social path, 5 days ago (not overdue)
  // c3 Martin Jean: oriented 40 days ago, professional, no contract (overdue), assigned
  // c4 Petit Zoé: to orient, no rights date (nothing due)
  // c5 Exited: exited
  let c1: CreatedBeneficiary;
  let c2: CreatedBeneficiary;
  let c3: CreatedBeneficiary;
  let c4: CreatedBeneficiary;
  let c5: CreatedBeneficiary;
  let cM: CreatedBeneficiary;
  let shortCaf: string;

  const list = (by: { token: string }, query: Record<string, string | number | boolean>) => http(app).get('/api/v1/beneficiaries').set(bearer(by)).query(query);
  const ids = (res: { body: { data: Summary[] } }) => res.body.data.map((b) => b.id).sort();
  const sorted = (...cases: CreatedBeneficiary[]) => cases.map((c) => c.id).sort();

  async function all(by: { token: string }, query: Record<string, string | number | boolean> = {}): Promise<Summary[]> {
    const { items } = await walkPages<Summary>((cursor) => list(by, { limit: 100, ...query, ...(cursor ? { cursor } : {}) }));
    return items;
  }

  beforeAll(async () => {
    app = await startTestApp();
    agencyL = (await createAgency(app, [COMMUNE_L1, COMMUNE_L2])).id;
    agencyM = (await createAgency(app, [COMMUNE_M])).id;
    admin = await createStaff(app, Role.Admin);
    managerL = await createStaff(app, Role.AgencyManager, { agencyId: agencyL });
    advisorL = await createStaff(app, Role.Advisor, { agencyId: agencyL });
    managerM = await createStaff(app, Role.AgencyManager, { agencyId: agencyM });

    shortCaf = randomShortCafNumber(100_000, 1_000_000);
    c1 = await createBeneficiary(app, managerL, COMMUNE_L1, { lastName: "N'Diaye", firstName: 'Aïssatou', rightsOpenedOn: isoDay(-60), cafNumber: shortCaf });
    c2 = await createBeneficiary(app, managerL, COMMUNE_L2, { lastName: 'Lefèvre', firstName: 'Élodie', rightsOpenedOn: isoDay(-20) });
    await orient(app, managerL, c2.id, { path: 'social', referentBody: 'departement', decidedOn: isoDay(-5) });
    c3 = await createBeneficiary(app, managerL, COMMUNE_L1, { lastName: 'Martin', firstName: 'Jean', sex: 'M' });
    await orient(app, managerL, c3.id, { path: 'professional', referentBody: 'france_travail', decidedOn: isoDay(-40) });
    await assign(app, managerL, c3.id, advisorL.id);
    c4 = await createBeneficiary(app, managerL, COMMUNE_L2, { lastName: 'Petit', firstName: 'Zoé' });
    c5 = await createBeneficiary(app, managerL, COMMUNE_L1, { lastName: 'Sorti', firstName: 'Paul', rightsOpenedOn: isoDay(-90) });
    const exited = await http(app).post(`/api/v1/beneficiaries/${c5.id}/exit`).set(bearer(managerL)).send({ reason: 'employment', exitedOn: isoDay(-1) });
    expect(exited.status).toBe(200);
    cM = await createBeneficiary(app, managerM, COMMUNE_M, { lastName: "N'Diaye", firstName: 'Moussa', sex: 'M', rightsOpenedOn: isoDay(-60) });
  });
  afterAll(() => app.close());

  describe('search q', () => {
    it.each([
      ['ndiaye', 'the name without its apostrophe'],
      ["n'diaye", 'the name as written'],
      ['NDIAYE', 'upper case without apostrophe'],
      ["N'DIAYE", 'upper case'],
      ['aissatou', 'the first name without its diaeresis'],
      ['diaye', 'a part of the name'],
    ])('finds "N\'Diaye Aïssatou" with q=%s (%s)', async (q) => {
      const res = await list(managerL, { q });
      expect(res.status).toBe(200);
      expect(ids(res)).toEqual([c1.id]);
    });

    it.each([
      ['elodie', 'without the accent'],
      ['Élodie', 'as written'],
      ['ÉLODIE', 'upper case with the accent'],
      ['ELODIE', 'upper case without the accent'],
      ['lefevre', 'the last name without the accent'],
      ['LEFÈVRE', 'the last name in upper case with the accent'],
      ['lefèvre élodie', 'last and first name'],
    ])('finds "Lefèvre Élodie" with q=%s (%s)', async (q) => {
      const res = await list(managerL, { q });
      expect(res.status).toBe(200);
      expect(ids(res)).toEqual([c2.id]);
    });

    it('finds by the CAF number, with or without its leading zeros', async () => {
      expect(ids(await list(managerL, { q: c2.cafNumber as string }))).toEqual([c2.id]);
      expect(ids(await list(managerL, { q: shortCaf }))).toEqual([c1.id]);
      expect(ids(await list(managerL, { q: shortCaf.padStart(7, '0') }))).toEqual([c1.id]);
      // A CAF number is matched whole, not as a part.
      expect(ids(await list(managerL, { q: (c2.cafNumber as string).slice(0, 5) })).includes(c2.id)).toBe(false);
      expect((await list(managerL, { q: randomCafNumber() })).body.data).toEqual([]);
    });

    it('treats LIKE wildcards in q as text', async () => {
      expect((await list(managerL, { q: '%%' })).body.data).toEqual([]);
      expect((await list(managerL, { q: '__' })).body.data).toEqual([]);
    });

    it('searches only the caller\'s agency; an admin searches everywhere', async () => {
      expect(ids(await list(managerM, { q: "n'diaye" }))).toEqual([cM.id]);
      expect(ids(await list(admin, { q: "n'diaye", agencyId: agencyL }))).toEqual([c1.id]);
      const everywhere = await all(admin, { q: "n'diaye" });
      expect(everywhere.map((b) => b.id)).toEqual(expect.arrayContaining([c1.id, cM.id]));
    });
  });

  describe('filters', () => {
    it('status', async () => {
      expect((await all(managerL, { status: 'oriented' })).map((b) => b.id).sort()).toEqual(sorted(c2, c3));
      expect((await all(managerL, { status: 'to_orient' })).map((b) => b.id).sort()).toEqual(sorted(c1, c4));
      expect((await all(managerL, { status: 'exited' })).map((b) => b.id)).toEqual([c5.id]);
      expect(await all(managerL, { status: 'in_pathway' })).toEqual([]);
    });

    it('agencyId', async () => {
      const l = await all(admin, { agencyId: agencyL });
      expect(l.map((b) => b.id).sort()).toEqual(sorted(c1, c2, c3, c4, c5));
      expect(l.every((b) => b.agencyId === agencyL)).toBe(true);
      expect((await all(admin, { agencyId: agencyM })).map((b) => b.id)).toEqual([cM.id]);
      expect((await all(managerL, { agencyId: agencyL })).map((b) => b.id).sort()).toEqual(sorted(c1, c2, c3, c4, c5));
    });

    it('advisorId', async () => {
      expect((await all(managerL, { advisorId: advisorL.id })).map((b) => b.id)).toEqual([c3.id]);
      expect(await all(managerL, { advisorId: randomUUID() })).toEqual([]);
    });

    it('orientationPath', async () => {
      expect((await all(managerL, { orientationPath: 'social' })).map((b) => b.id)).toEqual([c2.id]);
      expect((await all(managerL, { orientationPath: 'professional' })).map((b) => b.id)).toEqual([c3.id]);
      expect(await all(managerL, { orientationPath: 'socio_professional' })).toEqual([]);
    });

    it('communeCode', async () => {
      expect((await all(managerL, { communeCode: COMMUNE_L2 })).map((b) => b.id).sort()).toEqual(sorted(c2, c4));
      expect((await all(managerL, { communeCode: COMMUNE_L1 })).map((b) => b.id).sort()).toEqual(sorted(c1, c3, c5));
      expect(await all(managerL, { communeCode: COMMUNE_M })).toEqual([]);
    });

    it('filters combine', async () => {
      expect((await all(managerL, { status: 'oriented', communeCode: COMMUNE_L1 })).map((b) => b.id)).toEqual([c3.id]);
      expect((await all(managerL, { status: 'to_orient', overdue: true })).map((b) => b.id)).toEqual([c1.id]);
      expect(await all(managerL, { q: "n'diaye", status: 'oriented' })).toEqual([]);
    });
  });

  describe('overdue', () => {
    it('a case whose rights opened 60 days ago and who is not oriented is overdue', async () => {
      const res = await http(app).get(`/api/v1/beneficiaries/${c1.id}`).set(bearer(managerL));
      const due = plusDays(isoDay(-60), 42);
      expect(res.body.deadlines).toEqual({ orientationDueOn: due, contractDueOn: null, reviewDueOn: null, nextDueOn: due, overdue: true });
    });

    it('overdue=true lists the cases with a passed deadline, flagged overdue', async () => {
      const overdue = await all(managerL, { overdue: true });
      expect(overdue.map((b) => b.id).sort()).toEqual(sorted(c1, c3));
      expect(overdue.every((b) => b.overdue === true)).toBe(true);
      const one = overdue.find((b) => b.id === c3.id)!;
      expect(one.nextDueOn).toBe(plusDays(isoDay(-40), 30));
    });

    it('overdue=false lists the others, flagged not overdue; an exited case has nothing due', async () => {
      const fine = await all(managerL, { overdue: false });
      expect(fine.map((b) => b.id).sort()).toEqual(sorted(c2, c4, c5));
      expect(fine.every((b) => b.overdue === false)).toBe(true);
      expect(fine.find((b) => b.id === c5.id)!.nextDueOn).toBeNull();
      expect(fine.find((b) => b.id === c2.id)!.nextDueOn).toBe(plusDays(isoDay(-5), 30));
    });
  });

  describe('keyset pagination', () => {
    const FIRST_NAMES = ['Alice', 'Bruno', 'Céline', 'Denis', 'Émile', 'Fanny', 'Gaspard'];
    let tag: string;
    let created: Map<string, string>;

    beforeAll(async () => {
      tag = letters(10);
      created = new Map();
      // Created out of order, so that the order of the pages is the one of the names.
      for (const firstName of [...FIRST_NAMES].reverse()) {
        const b = await createBeneficiary(app, managerL, COMMUNE_L1, { lastName: `Pag${tag}`, firstName });
        created.set(b.id, firstName);
      }
    });

    it('walks every page of 2 without duplicates or gaps, in name order (accents ignored)', async () => {
      const { items, pages } = await walkPages<Summary>((cursor) => list(managerL, { q: tag, limit: 2, ...(cursor ? { cursor } : {}) }));
      expect(pages).toBe(4);
      expect(new Set(items.map((b) => b.id)).size).toBe(items.length);
      expect(items.map((b) => b.firstName)).toEqual(FIRST_NAMES);
      expect(items.every((b) => created.get(b.id) === b.firstName)).toBe(true);
    });

    it('gives the same sequence page by page as in one page', async () => {
      const one = await list(managerL, { limit: 100 });
      expect(one.body.page).toEqual({ nextCursor: null, hasNextPage: false });
      const { items } = await walkPages<Summary>((cursor) => list(managerL, { limit: 3, ...(cursor ? { cursor } : {}) }));
      expect(items.map((b) => b.id)).toEqual(one.body.data.map((b: Summary) => b.id));
      expect(new Set(items.map((b) => b.id)).size).toBe(items.length);
    });

    it('the last page says there is no next one', async () => {
      const res = await list(managerL, { q: tag, limit: 7 });
      expect(res.body.data).toHaveLength(7);
      expect(res.body.page).toEqual({ nextCursor: null, hasNextPage: false });
      const first = await list(managerL, { q: tag, limit: 6 });
      expect(first.body.page.hasNextPage).toBe(true);
      const last = await list(managerL, { q: tag, limit: 6, cursor: first.body.page.nextCursor });
      expect(last.body.data.map((b: Summary) => b.firstName)).toEqual(['Gaspard']);
      expect(last.body.page).toEqual({ nextCursor: null, hasNextPage: false });
    });

    it('list items carry no NIR and no contact details', async () => {
      const res = await list(managerL, { q: tag, limit: 1 });
      expect(Object.keys(res.body.data[0]).sort()).toEqual(
        ['advisorId', 'agencyId', 'birthDate', 'cafNumber', 'communeCode', 'firstName', 'id', 'lastName', 'nextDueOn', 'orientationPath', 'overdue', 'status'].sort(),
      );
    });
  });

  describe('bad queries', () => {
    it.each([
      [{ limit: 101 }, 'limit'],
      [{ limit: 0 }, 'limit'],
      [{ limit: 'ten' }, 'limit'],
      [{ status: 'archived' }, 'status'],
      [{ overdue: 'maybe' }, 'overdue'],
      [{ agencyId: 'agency-l' }, 'agencyId'],
      [{ advisorId: '42' }, 'advisorId'],
      [{ orientationPath: 'emploi' }, 'orientationPath'],
      [{ communeCode: '75001' }, 'communeCode'],
      [{ q: 'a' }, 'q'],
      [{ cursor: 'not a cursor!' }, 'cursor'],
      [{ unknown: 'x' }, 'unknown'],
    ])('%j → 400 VALIDATION_FAILED', async (query, field) => {
      expectFieldErrors(await list(managerL, query as Record<string, string>), field);
    });

    it.each([
      ['garbage', 'abcdef'],
      ['a cursor of the wrong length', encodeCursor(['PAGTEST ALICE'])],
      ['a cursor whose id is not a UUID', encodeCursor(['PAGTEST ALICE', 'not-a-uuid'])],
      ['a cursor with a number for the name', encodeCursor([42, randomUUID()])],
    ])('a bad cursor (%s) → 400 INVALID_CURSOR', async (_label, cursor) => {
      const res = await list(managerL, { cursor });
      expectProblem(res, 400, 'INVALID_CURSOR');
    });
  });
});

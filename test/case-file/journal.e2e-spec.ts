import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { Role } from '../../src/common/auth/roles';
import { isoDay, randomCafNumber } from '../factories/case-file';
import { bearer, createAgency, createProvider, createStaff, StaffAccount } from '../factories/identity';
import { expectProblem, http, startTestApp } from '../setup/app';

interface Note {
  id: string;
  body: string;
  confidential: boolean;
  occurredOn: string;
  authorId: string;
}

/**
 * The journal of a case: dated notes by agency staff, newest first, never
 * changed; confidential notes for their author, the agency's managers and
 * admins; no machine client. Communes 93073 and 93074 (agency A), 93077
 * (agency B) belong to this file.
 */
describe('journal', () => {
  let app: NestFastifyApplication;
  let admin: StaffAccount;
  let manager: StaffAccount;
  let advisor: StaffAccount;
  let colleague: StaffAccount;
  let otherAgencyManager: StaffAccount;
  let analyst: StaffAccount;
  let providerStaff: StaffAccount;
  let client: { token: string };

  const today = () => isoDay();
  const days = (n: number) => isoDay(n);
  const url = (id: string, rest = '') => `/api/v1/beneficiaries/${id}/journal${rest}`;

  /** A case of agency A, created over HTTP, assigned to `advisor`. */
  async function newCase(communeCode = '93073'): Promise<string> {
    const created = await http(app)
      .post('/api/v1/beneficiaries')
      .set(bearer(manager))
      .send({ cafNumber: randomCafNumber(), firstName: 'Lucie', lastName: 'Moreau', birthDate: '1991-06-30', sex: 'F', communeCode });
    expect(created.status).toBe(201);
    const assigned = await http(app).post(`/api/v1/beneficiaries/${created.body.id}/assignment`).set(bearer(manager)).send({ advisorId: advisor.id });
    expect(assigned.status).toBe(200);
    return created.body.id;
  }

  async function write(id: string, who: StaffAccount, body: Record<string, unknown>): Promise<Note> {
    const res = await http(app).post(url(id)).set(bearer(who)).send({ category: 'interview', ...body });
    expect(res.status).toBe(201);
    return res.body;
  }

  async function readAll(id: string, who: { token: string }, limit = 100): Promise<Note[]> {
    const notes: Note[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 50; page += 1) {
      const res = await http(app).get(url(id)).query({ limit, ...(cursor ? { cursor } : {}) }).set(bearer(who));
      expect(res.status).toBe(200);
      notes.push(...res.body.data);
      expect(res.body.page.hasNextPage).toBe(res.body.page.nextCursor !== null);
      if (!res.body.page.nextCursor) return notes;
      cursor = res.body.page.nextCursor;
    }
    throw new Error('too many pages');
  }

  beforeAll(async () => {
    app = await startTestApp();
    const agencyA = await createAgency(app, ['93073', '93074']);
    const agencyB = await createAgency(app, ['93077']);
    const provider = await createProvider(app);
    [admin, manager, advisor, colleague, otherAgencyManager, analyst, providerStaff] = await Promise.all([
      createStaff(app, Role.Admin),
      createStaff(app, Role.AgencyManager, { agencyId: agencyA.id }),
      createStaff(app, Role.Advisor, { agencyId: agencyA.id }),
      createStaff(app, Role.Advisor, { agencyId: agencyA.id }),
      createStaff(app, Role.AgencyManager, { agencyId: agencyB.id }),
      createStaff(app, Role.Analyst),
      createStaff(app, Role.Provider, { providerId: provider.id }),
    ]);
    const created = await http(app)
      .post('/api/v1/api-clients')
      .set(bearer(admin))
      .send({ name: `Connecteur ${randomUUID().slice(0, 8)}`, scopes: ['beneficiaries:read', 'beneficiaries:write'] });
    const token = await http(app)
      .post('/api/v1/auth/token')
      .type('form')
      .send({ grant_type: 'client_credentials', client_id: created.body.clientId, client_secret: created.body.clientSecret });
    expect(token.status).toBe(200);
    client = { token: token.body.access_token };
  });
  afterAll(() => app.close());

  it('adds a note, with its author, a timeline line without its body and an audit row', async () => {
    const id = await newCase();
    const res = await http(app).post(url(id)).set(bearer(advisor)).send({ category: 'phone_call', body: 'A trouvé une garde pour sa fille le mercredi.' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      beneficiaryId: id,
      category: 'phone_call',
      body: 'A trouvé une garde pour sa fille le mercredi.',
      confidential: false,
      occurredOn: today(),
      authorId: advisor.id,
      authorName: expect.stringContaining('Test advisor-'),
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
    });
    const one = await http(app).get(url(id, `/${res.body.id}`)).set(bearer(colleague));
    expect(one.status).toBe(200);
    expect(one.body).toEqual(res.body);

    const timeline = await http(app).get(`/api/v1/beneficiaries/${id}/timeline`).query({ limit: 100 }).set(bearer(manager));
    const line = timeline.body.data.find((e: { type: string }) => e.type === 'journal.note_added');
    expect(line).toMatchObject({ summary: 'Journal note added: phone_call', data: { noteId: res.body.id, category: 'phone_call', confidential: false }, actorId: advisor.id });
    expect(JSON.stringify(timeline.body)).not.toContain('garde');
    const audit = await http(app).get('/api/v1/audit-events').query({ resourceType: 'beneficiary', resourceId: id, action: 'journal_note.create' }).set(bearer(admin));
    expect(audit.body.data).toHaveLength(1);
    expect(audit.body.data[0]).toMatchObject({ actorId: advisor.id, details: { noteId: res.body.id } });
    expect(JSON.stringify(audit.body)).not.toContain('garde');
  });

  it('lists newest first by the day it happened, page after page', async () => {
    const id = await newCase('93074');
    const written: Note[] = [];
    for (const [n, day] of [[1, -3], [2, 0], [3, -10], [4, 0], [5, -3], [6, -1], [7, -30]] as const) {
      written.push(await write(id, advisor, { body: `Note ${n}`, occurredOn: days(day) }));
    }
    const byHand = [...written].sort((a, b) => (a.occurredOn === b.occurredOn ? written.indexOf(b) - written.indexOf(a) : a.occurredOn < b.occurredOn ? 1 : -1));
    const all = await readAll(id, manager, 2);
    expect(all.map((n) => n.body)).toEqual(byHand.map((n) => n.body));
    expect(all.map((n) => n.body)).toEqual(['Note 4', 'Note 2', 'Note 6', 'Note 5', 'Note 1', 'Note 3', 'Note 7']);

    const first = await http(app).get(url(id)).query({ limit: 3 }).set(bearer(advisor));
    expect(first.body.data).toHaveLength(3);
    expect(first.body.page.hasNextPage).toBe(true);
    expectProblem(await http(app).get(url(id)).query({ cursor: 'not-a-cursor' }).set(bearer(advisor)), 400, 'INVALID_CURSOR');
    expectProblem(await http(app).get(url(id)).query({ limit: 101 }).set(bearer(advisor)), 400, 'VALIDATION_FAILED');
  });

  describe('confidential notes', () => {
    let id: string;
    let byAdvisor: Note;
    let byManager: Note;
    let open: Note;

    beforeAll(async () => {
      id = await newCase();
      open = await write(id, advisor, { body: 'Entretien de suivi, RAS.' });
      byAdvisor = await write(id, advisor, { body: 'Violences conjugales évoquées.', confidential: true });
      byManager = await write(id, manager, { category: 'partner_exchange', body: 'Signalement au service social.', confidential: true });
    });

    const idsSeenBy = async (who: { token: string }) => (await readAll(id, who)).map((n) => n.id).sort();

    it('are read by their author, the agency managers and admins', async () => {
      expect(await idsSeenBy(advisor)).toEqual([open.id, byAdvisor.id].sort());
      expect(await idsSeenBy(manager)).toEqual([open.id, byAdvisor.id, byManager.id].sort());
      expect(await idsSeenBy(admin)).toEqual([open.id, byAdvisor.id, byManager.id].sort());
      expect((await http(app).get(url(id, `/${byAdvisor.id}`)).set(bearer(manager))).body.body).toBe('Violences conjugales évoquées.');
      expect((await http(app).get(url(id, `/${byManager.id}`)).set(bearer(admin))).status).toBe(200);
    });

    it('do not exist for another advisor of the agency, nor for the advisor of the case when someone else wrote them', async () => {
      expect(await idsSeenBy(colleague)).toEqual([open.id]);
      expectProblem(await http(app).get(url(id, `/${byAdvisor.id}`)).set(bearer(colleague)), 404, 'JOURNAL_NOTE_NOT_FOUND');
      expectProblem(await http(app).get(url(id, `/${byManager.id}`)).set(bearer(advisor)), 404, 'JOURNAL_NOTE_NOT_FOUND');
    });

    it('leave no body in the timeline', async () => {
      const timeline = await http(app).get(`/api/v1/beneficiaries/${id}/timeline`).query({ limit: 100 }).set(bearer(manager));
      const text = JSON.stringify(timeline.body);
      expect(text).not.toContain('Violences');
      expect(text).not.toContain('Signalement');
      expect(timeline.body.data.filter((e: { type: string }) => e.type === 'journal.note_added')).toHaveLength(3);
    });
  });

  describe('scope and roles', () => {
    let id: string;
    let note: Note;

    beforeAll(async () => {
      id = await newCase();
      note = await write(id, advisor, { body: 'Premier rendez-vous.' });
    });

    it('answers 404 to staff of another agency', async () => {
      expectProblem(await http(app).get(url(id)).set(bearer(otherAgencyManager)), 404, 'BENEFICIARY_NOT_FOUND');
      expectProblem(await http(app).get(url(id, `/${note.id}`)).set(bearer(otherAgencyManager)), 404, 'BENEFICIARY_NOT_FOUND');
      expectProblem(await http(app).post(url(id)).set(bearer(otherAgencyManager)).send({ category: 'other', body: 'x' }), 404, 'BENEFICIARY_NOT_FOUND');
      expectProblem(await http(app).get(url(randomUUID())).set(bearer(advisor)), 404, 'BENEFICIARY_NOT_FOUND');
      const other = await newCase();
      expectProblem(await http(app).get(url(other, `/${note.id}`)).set(bearer(advisor)), 404, 'JOURNAL_NOTE_NOT_FOUND');
    });

    it('lets another advisor of the agency read but not write on a case of another caseload', async () => {
      expect((await http(app).get(url(id)).set(bearer(colleague))).status).toBe(200);
      expectProblem(await http(app).post(url(id)).set(bearer(colleague)).send({ category: 'other', body: 'x' }), 403, 'NOT_IN_CASELOAD');
      expect((await http(app).post(url(id)).set(bearer(manager)).send({ category: 'administrative', body: 'Dossier complet.' })).status).toBe(201);
    });

    it('refuses machine clients whatever their scopes, analysts and provider staff; 401 without a token', async () => {
      for (const who of [client, analyst, providerStaff]) {
        expectProblem(await http(app).get(url(id)).set(bearer(who)), 403, 'FORBIDDEN');
        expectProblem(await http(app).get(url(id, `/${note.id}`)).set(bearer(who)), 403, 'FORBIDDEN');
        expectProblem(await http(app).post(url(id)).set(bearer(who)).send({ category: 'other', body: 'x' }), 403, 'FORBIDDEN');
      }
      expectProblem(await http(app).get(url(id)), 401, 'UNAUTHORIZED');
      expectProblem(await http(app).post(url(id)).send({ category: 'other', body: 'x' }), 401, 'UNAUTHORIZED');
    });

    it('offers no way to change or delete a note', async () => {
      expect((await http(app).patch(url(id, `/${note.id}`)).set(bearer(manager)).send({ body: 'autre' })).status).toBe(404);
      expect((await http(app).delete(url(id, `/${note.id}`)).set(bearer(admin))).status).toBe(404);
      expect((await http(app).get(url(id, `/${note.id}`)).set(bearer(advisor))).body.body).toBe('Premier rendez-vous.');
    });
  });

  describe('bad input', () => {
    let id: string;
    beforeAll(async () => {
      id = await newCase();
    });

    it.each([
      [{ body: 'x' }, 'category'],
      [{ category: 'gossip', body: 'x' }, 'category'],
      [{ category: 'other' }, 'body'],
      [{ category: 'other', body: '' }, 'body'],
      [{ category: 'other', body: '   ' }, 'body'],
      [{ category: 'other', body: 'x'.repeat(10_001) }, 'body'],
      [{ category: 'other', body: 42 }, 'body'],
      [{ category: 'other', body: 'x', confidential: 'yes' }, 'confidential'],
      [{ category: 'other', body: 'x', occurredOn: '2999-01-01' }, 'occurredOn'],
      [{ category: 'other', body: 'x', occurredOn: 'yesterday' }, 'occurredOn'],
      [{ category: 'other', body: 'x', authorId: '6f0c0b7e-0000-4000-8000-000000000000' }, 'authorId'],
    ])('POST %j → 400 on %s', async (body, field) => {
      const res = await http(app).post(url(id)).set(bearer(advisor)).send(body);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect((res.body.errors as { field: string }[]).map((e) => e.field)).toContain(field);
    });

    it('accepts exactly 10,000 characters, and nothing was written by the refused requests', async () => {
      const long = await http(app).post(url(id)).set(bearer(advisor)).send({ category: 'other', body: 'é'.repeat(10_000) });
      expect(long.status).toBe(201);
      expect(long.body.body).toHaveLength(10_000);
      expect(await readAll(id, manager)).toHaveLength(1);
      expectProblem(await http(app).get(url(id, '/nope')).set(bearer(advisor)), 400, 'VALIDATION_FAILED');
    });
  });
});

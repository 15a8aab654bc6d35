import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/roles';
import { assign, createBeneficiary, CreatedBeneficiary, expectFieldErrors, isoDay, letters, orient, randomShortCafNumber, walkPages } from '../factories/case-file';
import { bearer, createAgency, createStaff, StaffAccount } from '../factories/identity';
import { expectProblem, http, startTestApp } from '../setup/app';

/**
 * What a case leaves behind: its timeline, the domain events of the outbox
 * (thin: no personal data), the audit log of reads and writes, and the
 * data-subject export.
 *
 * Communes of this file: 93057 (agency H), 93061 (agency O); 93062 is not used.
 */
const COMMUNE = '93057';
const COMMUNE_OTHER = '93061';

type TimelineItem = { id: string; occurredAt: string; type: string; summary: string; data: Record<string, unknown>; actorId: string | null };
type OutboxRow = { type: string; resource_type: string; resource_id: string; data: Record<string, unknown> };
type AuditRow = { action: string; actor_id: string | null; actor_role: string | null; resource_type: string; resource_id: string | null; details: Record<string, unknown> };

describe('case file: timeline, outbox, audit and export', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let admin: StaffAccount;
  let manager: StaffAccount;
  let advisor: StaffAccount;
  let otherManager: StaffAccount;
  let analyst: StaffAccount;
  let b: CreatedBeneficiary;
  let contractId: string;
  let personal: string[];

  const get = (by: { token: string }, path: string) => http(app).get(`/api/v1/beneficiaries${path}`).set(bearer(by));
  const post = (by: { token: string }, path: string, body: object = {}) => http(app).post(`/api/v1/beneficiaries${path}`).set(bearer(by)).send(body);

  const outboxOf = (id: string): Promise<OutboxRow[]> =>
    db.query(`SELECT type, resource_type, resource_id, data FROM outbox_events WHERE resource_id = $1 OR data->>'beneficiaryId' = $1::text ORDER BY occurred_at, id`, [id]);
  const auditOf = (id: string): Promise<AuditRow[]> =>
    db.query(
      `SELECT action, actor_id, actor_role, resource_type, resource_id, details FROM audit_events WHERE resource_type = 'beneficiary' AND resource_id = $1 ORDER BY occurred_at, id`,
      [id],
    );

  beforeAll(async () => {
    app = await startTestApp();
    db = app.get(DataSource);
    const agency = await createAgency(app, [COMMUNE]);
    const other = await createAgency(app, [COMMUNE_OTHER]);
    admin = await createStaff(app, Role.Admin);
    manager = await createStaff(app, Role.AgencyManager, { agencyId: agency.id });
    advisor = await createStaff(app, Role.Advisor, { agencyId: agency.id });
    otherManager = await createStaff(app, Role.AgencyManager, { agencyId: other.id });
    analyst = await createStaff(app, Role.Analyst);

    // The whole life of a case, one step per request.
    const lastName = `Quastana${letters(6)}`;
    b = await createBeneficiary(app, manager, COMMUNE, {
      firstName: 'Bérénice',
      lastName,
      birthName: `Orsoni${letters(6)}`,
      cafNumber: randomShortCafNumber(100_000, 1_000_000),
      birthDate: '1979-11-23',
      phone: '07 98 76 54 32',
      email: `berenice.${letters(6)}@example.org`,
      address: '7 impasse des Glycines',
      rightsOpenedOn: isoDay(-20),
    });
    personal = [b.firstName as string, lastName, b.birthName as string, b.nir as string, b.cafNumber as string, '1979-11-23', '07 98 76 54 32', b.email as string, 'Glycines'];
    await orient(app, manager, b.id, { path: 'social', referentBody: 'departement', decidedOn: isoDay(-3) });
    await assign(app, manager, b.id, advisor.id);
    const contract = await post(advisor, `/${b.id}/contracts`, { startsOn: isoDay(-1), weeklyActivityHours: 15 });
    expect(contract.status).toBe(201);
    contractId = contract.body.id;
    expect((await post(advisor, `/${b.id}/contracts/${contractId}/sign`, { signedOn: isoDay(-1) })).status).toBe(200);
    expect((await get(advisor, `/${b.id}`)).status).toBe(200);
    expect((await post(advisor, `/${b.id}/exit`, { reason: 'employment', exitedOn: isoDay(0) })).status).toBe(200);
  });
  afterAll(() => app.close());

  describe('timeline', () => {
    let items: TimelineItem[];

    beforeAll(async () => {
      const res = await get(manager, `/${b.id}/timeline?limit=100`);
      expect(res.status).toBe(200);
      expect(res.body.page).toEqual({ nextCursor: null, hasNextPage: false });
      items = res.body.data;
    });

    it('holds every event of the case', () => {
      const types = items.map((e) => e.type);
      expect(types).toEqual(
        expect.arrayContaining(['beneficiary.created', 'orientation.decided', 'status.changed', 'advisor.assigned', 'contract.drafted', 'contract.signed', 'beneficiary.exited']),
      );
      const changes = items.filter((e) => e.type === 'status.changed').map((e) => e.data);
      expect(changes).toEqual([
        { from: 'in_pathway', to: 'exited' },
        { from: 'oriented', to: 'in_pathway' },
        { from: 'to_orient', to: 'oriented' },
      ]);
      expect(items.find((e) => e.type === 'orientation.decided')!.data).toMatchObject({ path: 'social', referentBody: 'departement', decidedOn: isoDay(-3) });
      expect(items.find((e) => e.type === 'advisor.assigned')!.data).toMatchObject({ advisorId: advisor.id });
      expect(items.find((e) => e.type === 'beneficiary.exited')!.data).toMatchObject({ reason: 'employment', exitedOn: isoDay(0) });
    });

    it('is newest first', () => {
      const times = items.map((e) => Date.parse(e.occurredAt));
      expect(times.every((t) => !Number.isNaN(t))).toBe(true);
      expect([...times].sort((x, y) => y - x)).toEqual(times);
      const at = (type: string) => items.findIndex((e) => e.type === type);
      expect(at('beneficiary.exited')).toBeLessThan(at('contract.signed'));
      expect(at('contract.signed')).toBeLessThan(at('advisor.assigned'));
      expect(at('advisor.assigned')).toBeLessThan(at('orientation.decided'));
      expect(at('orientation.decided')).toBeLessThan(at('beneficiary.created'));
      expect(items[items.length - 1].type).toBe('beneficiary.created');
    });

    it('names who did what', () => {
      expect(items.find((e) => e.type === 'beneficiary.created')!.actorId).toBe(manager.id);
      expect(items.find((e) => e.type === 'orientation.decided')!.actorId).toBe(manager.id);
      expect(items.find((e) => e.type === 'contract.signed')!.actorId).toBe(advisor.id);
      expect(items.find((e) => e.type === 'beneficiary.exited')!.actorId).toBe(advisor.id);
    });

    it('pages without duplicates or gaps, in the same order', async () => {
      const { items: paged, pages } = await walkPages<TimelineItem>((cursor) => get(advisor, `/${b.id}/timeline`).query({ limit: 2, ...(cursor ? { cursor } : {}) }));
      expect(pages).toBe(Math.ceil(items.length / 2));
      expect(paged.map((e) => e.id)).toEqual(items.map((e) => e.id));
    });

    it('refuses a bad cursor or a page of more than 100', async () => {
      expectProblem(await get(manager, `/${b.id}/timeline?cursor=abcdef`), 400, 'INVALID_CURSOR');
      expectFieldErrors(await get(manager, `/${b.id}/timeline?limit=101`), 'limit');
    });

    it('holds no personal data in summaries and data', () => {
      const text = JSON.stringify(items.map((e) => ({ summary: e.summary, data: e.data })));
      for (const value of personal) expect(text).not.toContain(value);
    });
  });

  describe('outbox', () => {
    it('holds the domain events of the case', async () => {
      const rows = await outboxOf(b.id);
      const types = rows.map((r) => r.type);
      for (const type of ['beneficiary.created', 'beneficiary.oriented', 'beneficiary.assigned', 'contract.signed', 'beneficiary.exited']) {
        expect(types.filter((t) => t === type)).toHaveLength(1);
      }
      for (const row of rows.filter((r) => r.type.startsWith('beneficiary.'))) {
        expect(row).toMatchObject({ resource_type: 'beneficiary', resource_id: b.id });
      }
      const signed = rows.find((r) => r.type === 'contract.signed')!;
      expect(signed.resource_id === b.id || signed.data.beneficiaryId === b.id).toBe(true);
      expect(rows.find((r) => r.type === 'beneficiary.assigned')!.data).toMatchObject({ advisorId: advisor.id });
      expect(rows.find((r) => r.type === 'beneficiary.oriented')!.data).toMatchObject({ path: 'social' });
    });

    it('never carries the names, the NIR, the CAF number or contact details', async () => {
      const rows = await outboxOf(b.id);
      expect(rows.length).toBeGreaterThanOrEqual(5);
      for (const row of rows) {
        const text = JSON.stringify(row.data);
        for (const value of personal) expect({ type: row.type, data: text }).not.toEqual({ type: row.type, data: expect.stringContaining(value) });
      }
    });
  });

  describe('audit', () => {
    it('records the read of the case by the reader', async () => {
      const rows = await auditOf(b.id);
      expect(rows).toEqual(
        expect.arrayContaining([expect.objectContaining({ action: 'beneficiary.read', actor_id: advisor.id, actor_role: 'advisor', resource_type: 'beneficiary', resource_id: b.id })]),
      );
    });

    it('records each change with its author', async () => {
      const rows = await auditOf(b.id);
      const by = (action: string) => rows.filter((r) => r.action === action).map((r) => r.actor_id);
      expect(by('beneficiary.create')).toEqual([manager.id]);
      expect(by('beneficiary.orient')).toEqual([manager.id]);
      expect(by('beneficiary.assign')).toEqual([manager.id]);
      expect(by('contract.sign')).toEqual([advisor.id]);
      expect(by('beneficiary.exit')).toEqual([advisor.id]);
      expect(JSON.stringify(rows)).not.toContain(b.nir as string);
    });

    it('records no read when the case was not shown (out of scope)', async () => {
      expectProblem(await get(otherManager, `/${b.id}`), 404, 'BENEFICIARY_NOT_FOUND');
      const rows = await auditOf(b.id);
      expect(rows.filter((r) => r.actor_id === otherManager.id)).toEqual([]);
    });

    it('records a read of the timeline', async () => {
      const reader = await createStaff(app, Role.Advisor, { agencyId: manager.agencyId! });
      expect((await get(reader, `/${b.id}/timeline`)).status).toBe(200);
      const rows = (await auditOf(b.id)).filter((r) => r.actor_id === reader.id);
      expect(rows).toEqual([expect.objectContaining({ action: 'beneficiary.read' })]);
    });

    it('is queryable by an admin over HTTP', async () => {
      const res = await http(app).get('/api/v1/audit-events').set(bearer(admin)).query({ resourceType: 'beneficiary', resourceId: b.id, limit: 100 });
      expect(res.status).toBe(200);
      expect(res.body.data.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['beneficiary.create', 'beneficiary.read', 'beneficiary.exit']));
    });
  });

  describe('export', () => {
    it('gives the manager everything held on the person, and is audited', async () => {
      const res = await get(manager, `/${b.id}/export`);
      expect(res.status).toBe(200);
      const body = res.body;
      expect(new Date(body.exportedAt).toISOString()).toBe(body.exportedAt);
      expect(body.beneficiary).toMatchObject({ id: b.id, nir: b.nir, cafNumber: b.cafNumber, firstName: 'Bérénice', status: 'exited', phone: '07 98 76 54 32' });
      expect(body.orientations).toEqual([expect.objectContaining({ path: 'social', referentBody: 'departement', decidedOn: isoDay(-3) })]);
      expect(body.contracts).toEqual([expect.objectContaining({ id: contractId, status: 'signed', signedOn: isoDay(-1), weeklyActivityHours: 15 })]);
      expect(body.assignments).toEqual([expect.objectContaining({ advisorId: advisor.id })]);
      expect(Array.isArray(body.reorientationRequests)).toBe(true);
      expect(body.timeline.map((e: TimelineItem) => e.type)).toEqual(
        expect.arrayContaining(['beneficiary.created', 'orientation.decided', 'advisor.assigned', 'contract.signed', 'beneficiary.exited']),
      );
      expect(body.accessLog).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ action: 'beneficiary.read', actorId: advisor.id }),
          expect.objectContaining({ action: 'beneficiary.create', actorId: manager.id }),
        ]),
      );
      // Internal storage of the NIR is not part of what the person is shown.
      const text = JSON.stringify(body);
      expect(text).not.toMatch(/nirHash|nirEncrypted|nir_hash|nir_encrypted/);

      const exports = (await auditOf(b.id)).filter((r) => r.action === 'beneficiary.export');
      expect(exports).toEqual([expect.objectContaining({ actor_id: manager.id, actor_role: 'agency_manager' })]);

      // The next export shows the previous one in its access log.
      const again = await get(admin, `/${b.id}/export`);
      expect(again.status).toBe(200);
      expect(again.body.beneficiary.nir).toBe(b.nir);
      expect(again.body.accessLog).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'beneficiary.export', actorId: manager.id })]));
    });

    it('refuses an advisor and an analyst (403), hides the case from another agency (404)', async () => {
      expectProblem(await get(advisor, `/${b.id}/export`), 403, 'FORBIDDEN');
      expectProblem(await get(analyst, `/${b.id}/export`), 403, 'FORBIDDEN');
      expectProblem(await get(otherManager, `/${b.id}/export`), 404, 'BENEFICIARY_NOT_FOUND');
      const exports = (await auditOf(b.id)).filter((r) => r.action === 'beneficiary.export').map((r) => r.actor_id);
      expect(exports).not.toContain(advisor.id);
      expect(exports).not.toContain(otherManager.id);
    });
  });
});

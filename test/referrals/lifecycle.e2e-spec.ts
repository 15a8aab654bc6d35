import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/roles';
import { assign, createBeneficiary } from '../factories/case-file';
import { bearer, createAgency, createProvider, createStaff, StaffAccount } from '../factories/identity';
import { expectProblem, http, startTestApp } from '../setup/app';
import { createProgramme, orientedPerson, refer } from './referral-fixtures';

describe('referrals: lifecycle, scope and programmes', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let admin: StaffAccount;
  let managerA: StaffAccount;
  let advisorA: StaffAccount;
  let managerB: StaffAccount;
  let advisorB: StaffAccount;
  let provider1: StaffAccount;
  let provider2: StaffAccount;
  let analyst: StaffAccount;
  let programme: { id: string };
  let otherProgramme: { id: string };

  beforeAll(async () => {
    app = await startTestApp();
    db = app.get(DataSource);
    const agencyA = await createAgency(app, ['93005']);
    const agencyB = await createAgency(app, ['93006']);
    const [p1, p2] = [await createProvider(app), await createProvider(app)];
    [admin, managerA, advisorA, managerB, advisorB, provider1, provider2, analyst] = await Promise.all([
      createStaff(app, Role.Admin),
      createStaff(app, Role.AgencyManager, { agencyId: agencyA.id }),
      createStaff(app, Role.Advisor, { agencyId: agencyA.id }),
      createStaff(app, Role.AgencyManager, { agencyId: agencyB.id }),
      createStaff(app, Role.Advisor, { agencyId: agencyB.id }),
      createStaff(app, Role.Provider, { providerId: p1.id }),
      createStaff(app, Role.Provider, { providerId: p2.id }),
      createStaff(app, Role.Analyst),
    ]);
    programme = await createProgramme(app, admin, { providerId: p1.id, capacity: 2 });
    otherProgramme = await createProgramme(app, admin, { providerId: p2.id, capacity: 2, eligiblePaths: ['social'] });
  });
  afterAll(() => app.close());

  const act = (by: StaffAccount, id: string, action: string, body: object = {}) => http(app).post(`/api/v1/referrals/${id}/${action}`).set(bearer(by)).send(body);
  const placesHeld = async (id: string) => (await http(app).get(`/api/v1/programmes/${id}`).set(bearer(admin))).body.placesHeld as number;

  it('is created and cancelled by any advisor of the person\'s agency, not only the one in charge (api.md: "create for own agency")', async () => {
    const personId = await orientedPerson(app, managerA, managerA, '93005');
    await assign(app, managerA, personId, advisorA.id);
    const colleague = await createStaff(app, Role.Advisor, { agencyId: advisorA.agencyId! });
    const created = await http(app).post('/api/v1/referrals').set(bearer(colleague)).send({ beneficiaryId: personId, programmeId: programme.id });
    expect(created.status).toBe(201);
    expect(created.body.createdBy).toBe(colleague.id);
    expect((await act(colleague, created.body.id, 'cancel', { reason: 'Erreur de programme' })).status).toBe(200);
    expectProblem(await http(app).post('/api/v1/referrals').set(bearer(advisorB)).send({ beneficiaryId: personId, programmeId: programme.id }), 404, 'BENEFICIARY_NOT_FOUND');
    const again = await refer(app, advisorA, personId, programme.id);
    expectProblem(await act(advisorB, again.id, 'cancel'), 404, 'REFERRAL_NOT_FOUND');
    expect((await act(advisorA, again.id, 'cancel')).status).toBe(200);
  });

  it('runs submitted → accepted → in_progress → completed, with timeline, outbox and audit', async () => {
    const personId = await orientedPerson(app, advisorA, managerA, '93005');
    const created = await http(app).post('/api/v1/referrals').set(bearer(advisorA)).send({ beneficiaryId: personId, programmeId: programme.id, note: 'Disponible le matin' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'submitted', beneficiaryId: personId, programmeId: programme.id, createdBy: advisorA.id, note: 'Disponible le matin' });
    const id = created.body.id;

    const seenByProvider = await http(app).get(`/api/v1/referrals/${id}`).set(bearer(provider1));
    expect(seenByProvider.status).toBe(200);
    expect(seenByProvider.body.person).toEqual(expect.objectContaining({ firstName: 'Camille', orientationPath: 'professional' }));
    expect(JSON.stringify(seenByProvider.body)).not.toMatch(/nir/i);

    const accepted = await act(provider1, id, 'accept');
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'accepted', acceptedBy: provider1.id });
    expect(accepted.body.acceptedAt).toEqual(expect.any(String));
    expect(await placesHeld(programme.id)).toBe(1);

    const started = await act(provider1, id, 'start');
    expect(started.body).toMatchObject({ status: 'in_progress', startedBy: provider1.id });
    const occupancy = await http(app).get(`/api/v1/programmes/${programme.id}/occupancy`).set(bearer(provider1));
    expect(occupancy.status).toBe(200);
    expect(occupancy.body).toMatchObject({ capacity: 2, held: 1, inProgress: 1, free: 1, waitlist: 0 });
    expect(typeof occupancy.body.averageWaitDays).toBe('number');

    const completed = await act(provider1, id, 'complete');
    expect(completed.body).toMatchObject({ status: 'completed', closedBy: provider1.id });
    expect(await placesHeld(programme.id)).toBe(0);

    const timeline = await http(app).get(`/api/v1/beneficiaries/${personId}/timeline`).set(bearer(advisorA));
    const lines = timeline.body.data.filter((e: { type: string }) => e.type.startsWith('referral.'));
    expect(lines.map((e: { type: string }) => e.type).reverse()).toEqual(['referral.submitted', 'referral.accepted', 'referral.started', 'referral.completed']);
    for (const line of lines) expect(Object.keys(line.data).sort()).toEqual(['programmeId', 'referralId', 'status']);

    const outbox = (await db.query(`SELECT type, data FROM outbox_events WHERE data->>'referralId' = $1 ORDER BY occurred_at`, [id])) as { type: string; data: Record<string, unknown> }[];
    expect(outbox.map((e) => e.type)).toEqual(['referral.submitted', 'referral.accepted', 'referral.started', 'referral.completed']);
    const freed = (await db.query(`SELECT data FROM outbox_events WHERE type = 'place.freed' AND resource_id = $1`, [programme.id])) as { data: Record<string, unknown> }[];
    expect(freed).toHaveLength(1);
    const audit = (await db.query(`SELECT action, actor_id AS "actorId" FROM audit_events WHERE resource_type = 'referral' AND resource_id = $1 ORDER BY occurred_at`, [id])) as { action: string; actorId: string }[];
    expect(audit).toEqual([
      { action: 'referral.submitted', actorId: advisorA.id },
      { action: 'referral.accepted', actorId: provider1.id },
      { action: 'referral.in_progress', actorId: provider1.id },
      { action: 'referral.completed', actorId: provider1.id },
    ]);
  });

  it('declines with a reason only from submitted, refuses illegal moves with 422, and frees the place of a cancelled acceptance', async () => {
    const first = await refer(app, advisorA, await orientedPerson(app, advisorA, managerA, '93005'), programme.id);
    expectProblem(await act(provider1, first.id, 'decline'), 400, 'VALIDATION_FAILED');
    expectProblem(await act(provider1, first.id, 'start'), 422, 'INVALID_REFERRAL_TRANSITION');
    expectProblem(await act(provider1, first.id, 'complete'), 422, 'INVALID_REFERRAL_TRANSITION');
    const declined = await act(provider1, first.id, 'decline', { reason: 'Prérequis non remplis' });
    expect(declined.body).toMatchObject({ status: 'declined', closeReason: 'Prérequis non remplis', closedBy: provider1.id });
    expectProblem(await act(provider1, first.id, 'accept'), 422, 'INVALID_REFERRAL_TRANSITION');
    expectProblem(await act(advisorA, first.id, 'cancel'), 422, 'INVALID_REFERRAL_TRANSITION');

    const second = await refer(app, advisorA, await orientedPerson(app, advisorA, managerA, '93005'), programme.id);
    expect((await act(provider1, second.id, 'accept')).status).toBe(200);
    const before = await placesHeld(programme.id);
    expectProblem(await act(provider1, second.id, 'decline', { reason: 'trop tard' }), 422, 'INVALID_REFERRAL_TRANSITION');
    expectProblem(await act(provider1, second.id, 'abandon'), 422, 'INVALID_REFERRAL_TRANSITION');
    const cancelled = await act(managerA, second.id, 'cancel', { reason: 'Emploi trouvé' });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', closedBy: managerA.id });
    expect(await placesHeld(programme.id)).toBe(before - 1);
  });

  it('refers only oriented people on an eligible path, once at a time', async () => {
    const notOriented = await createBeneficiary(app, advisorA, '93005');
    expectProblem(await http(app).post('/api/v1/referrals').set(bearer(advisorA)).send({ beneficiaryId: notOriented.id, programmeId: programme.id }), 422, 'NOT_ELIGIBLE');
    const social = await orientedPerson(app, advisorA, managerA, '93005', 'social');
    expectProblem(await http(app).post('/api/v1/referrals').set(bearer(advisorA)).send({ beneficiaryId: social, programmeId: programme.id }), 422, 'NOT_ELIGIBLE');
    const ok = await refer(app, advisorA, social, otherProgramme.id);
    expect(ok.status).toBe('submitted');
    expectProblem(await http(app).post('/api/v1/referrals').set(bearer(managerA)).send({ beneficiaryId: social, programmeId: otherProgramme.id }), 409, 'REFERRAL_ALREADY_OPEN');

    const eligible = await http(app).get('/api/v1/programmes').query({ eligibleFor: social, limit: 100 }).set(bearer(advisorA));
    expect(eligible.status).toBe(200);
    const ids = eligible.body.data.map((p: { id: string }) => p.id);
    expect(ids).not.toContain(programme.id);
    expect(ids).not.toContain(otherProgramme.id);
  });

  it('keeps referrals in scope: other provider and other agency get 404, lists are scoped', async () => {
    const personId = await orientedPerson(app, advisorA, managerA, '93005');
    const r = await refer(app, advisorA, personId, programme.id);
    expectProblem(await http(app).get(`/api/v1/referrals/${r.id}`).set(bearer(provider2)), 404, 'REFERRAL_NOT_FOUND');
    expectProblem(await act(provider2, r.id, 'accept'), 404, 'REFERRAL_NOT_FOUND');
    expectProblem(await http(app).get(`/api/v1/referrals/${r.id}`).set(bearer(managerB)), 404, 'REFERRAL_NOT_FOUND');
    expectProblem(await act(managerB, r.id, 'cancel'), 404, 'REFERRAL_NOT_FOUND');
    expectProblem(await http(app).post('/api/v1/referrals').set(bearer(advisorB)).send({ beneficiaryId: personId, programmeId: otherProgramme.id }), 404, 'BENEFICIARY_NOT_FOUND');

    const listOf = async (by: StaffAccount) =>
      ((await http(app).get('/api/v1/referrals').query({ programmeId: programme.id, limit: 100 }).set(bearer(by))).body.data as { id: string }[]).map((x) => x.id);
    expect(await listOf(provider1)).toContain(r.id);
    expect(await listOf(managerA)).toContain(r.id);
    expect(await listOf(provider2)).toEqual([]);
    expect(await listOf(managerB)).toEqual([]);
    const byStatus = await http(app).get('/api/v1/referrals').query({ beneficiaryId: personId, status: 'submitted' }).set(bearer(advisorA));
    expect(byStatus.body.data.map((x: { id: string }) => x.id)).toEqual([r.id]);

    expectProblem(await http(app).get(`/api/v1/programmes/${otherProgramme.id}`).set(bearer(provider1)), 404, 'PROGRAMME_NOT_FOUND');
    const own = await http(app).get('/api/v1/programmes').query({ limit: 100 }).set(bearer(provider1));
    expect(own.body.data.every((p: { providerId: string }) => p.providerId === provider1.providerId)).toBe(true);
    expect((await http(app).post('/api/v1/referrals').set(bearer(analyst)).send({ beneficiaryId: personId, programmeId: programme.id })).status).toBe(403);
    expect((await act(advisorA, r.id, 'accept')).status).toBe(403);
    expect((await act(provider1, r.id, 'cancel')).status).toBe(403);
    expect((await http(app).get('/api/v1/referrals')).status).toBe(401);
  });

  it('answers 400 to bad input', async () => {
    const bad = await http(app).post('/api/v1/referrals').set(bearer(advisorA)).send({ beneficiaryId: 'x', programmeId: programme.id, extra: 1 });
    expectProblem(bad, 400, 'VALIDATION_FAILED');
    expectProblem(await http(app).get('/api/v1/referrals/not-a-uuid').set(bearer(advisorA)), 400, 'VALIDATION_FAILED');
    expectProblem(await http(app).get('/api/v1/referrals').query({ status: 'bogus' }).set(bearer(advisorA)), 400, 'VALIDATION_FAILED');
    expectProblem(await http(app).get('/api/v1/referrals').query({ cursor: 'abc' }).set(bearer(advisorA)), 400, 'INVALID_CURSOR');
    const badProgramme = await http(app)
      .post('/api/v1/programmes')
      .set(bearer(admin))
      .send({ code: 'X1', name: 'x', providerId: provider1.providerId, type: 'knitting', capacity: -1, startsOn: '2026-13-01', communeCode: '75001', eligiblePaths: [] });
    expectProblem(badProgramme, 400, 'VALIDATION_FAILED');
    expect(badProgramme.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['type', 'capacity', 'startsOn', 'communeCode', 'eligiblePaths']));
  });

  it('versions programmes: ETag on GET, If-Match on PATCH (412), provider edits only description and capacity of their own', async () => {
    const p = await createProgramme(app, admin, { providerId: provider1.providerId!, capacity: 5 });
    const read = await http(app).get(`/api/v1/programmes/${p.id}`).set(bearer(advisorA));
    expect(read.status).toBe(200);
    expect(read.headers.etag).toBe('"1"');
    expect(read.body).toMatchObject({ capacity: 5, placesHeld: 0, placesFree: 5, waitlistLength: 0 });
    const changed = await http(app).patch(`/api/v1/programmes/${p.id}`).set(bearer(admin)).set('if-match', '"1"').send({ name: 'Atelier renommé' });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).toBe('"2"');
    expectProblem(await http(app).patch(`/api/v1/programmes/${p.id}`).set(bearer(admin)).set('if-match', '"1"').send({ name: 'Trop tard' }), 412, 'PRECONDITION_FAILED');
    const byProvider = await http(app).patch(`/api/v1/programmes/${p.id}`).set(bearer(provider1)).set('if-match', '"2"').send({ capacity: 8, description: 'Groupe de huit' });
    expect(byProvider.status).toBe(200);
    expect(byProvider.body).toMatchObject({ capacity: 8, description: 'Groupe de huit', placesFree: 8 });
    expectProblem(await http(app).patch(`/api/v1/programmes/${p.id}`).set(bearer(provider1)).send({ name: 'Autre' }), 403, 'PROVIDER_FIELDS_ONLY');
    expectProblem(await http(app).patch(`/api/v1/programmes/${p.id}`).set(bearer(provider2)).send({ capacity: 1 }), 404, 'PROGRAMME_NOT_FOUND');
    expect((await http(app).patch(`/api/v1/programmes/${p.id}`).set(bearer(advisorA)).send({ capacity: 1 })).status).toBe(403);
    expectProblem(await http(app).post('/api/v1/programmes').set(bearer(admin)).send({ code: read.body.code, name: 'Doublon', providerId: provider1.providerId, type: 'training', capacity: 1, startsOn: '2026-09-01', communeCode: '93005', eligiblePaths: ['social'] }), 409, 'PROGRAMME_CODE_TAKEN');

    const free = await http(app).get('/api/v1/programmes').query({ providerId: provider1.providerId, hasFreePlaces: 'true', type: 'remobilisation', limit: 100 }).set(bearer(admin));
    expect(free.status).toBe(200);
    expect(free.body.data.map((x: { id: string }) => x.id)).toContain(p.id);
  });
});

import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/roles';
import { ReferralsService } from '../../src/modules/referrals/referrals.service';
import { bearer, createAgency, createProvider, createStaff, StaffAccount } from '../factories/identity';
import { expectProblem, http, startTestApp } from '../setup/app';
import { createProgramme, inBatches, orientedPerson, refer } from './referral-fixtures';

describe('referrals: places, waitlist and expiry', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let admin: StaffAccount;
  let manager: StaffAccount;
  let provider: StaffAccount;
  let providerId: string;

  beforeAll(async () => {
    app = await startTestApp();
    db = app.get(DataSource);
    const agency = await createAgency(app, ['93007']);
    providerId = (await createProvider(app)).id;
    [admin, manager, provider] = await Promise.all([
      createStaff(app, Role.Admin),
      createStaff(app, Role.AgencyManager, { agencyId: agency.id }),
      createStaff(app, Role.Provider, { providerId }),
    ]);
  });
  afterAll(() => app.close());

  const act = (by: StaffAccount, id: string, action: string, body: object = {}) => http(app).post(`/api/v1/referrals/${id}/${action}`).set(bearer(by)).send(body);
  const person = () => orientedPerson(app, manager, manager, '93007');
  const heldInDb = async (programmeId: string) => ((await db.query(`SELECT places_held FROM programmes WHERE id = $1`, [programmeId])) as { places_held: number }[])[0].places_held;
  const statusOf = async (id: string) => (await http(app).get(`/api/v1/referrals/${id}`).set(bearer(manager))).body.status as string;

  it('never overbooks: 50 concurrent accepts for 3 places → 3 accepted, 47 PLACE_CAPACITY_REACHED; then promotes the waitlist in order', async () => {
    const programme = await createProgramme(app, admin, { providerId, capacity: 3, communeCode: '93007' });
    const people = await inBatches(Array.from({ length: 50 }), 10, () => person());
    const referrals = await inBatches(people, 10, (id) => refer(app, manager, id, programme.id));
    expect(referrals.every((r) => r.status === 'submitted')).toBe(true);

    const answers = await Promise.all(referrals.map((r) => act(provider, r.id, 'accept')));
    const accepted = answers.filter((a) => a.status === 200);
    expect(accepted).toHaveLength(3);
    const refused = answers.filter((a) => a.status === 409);
    expect(refused).toHaveLength(47);
    for (const res of refused) expect(res.body.code).toBe('PLACE_CAPACITY_REACHED');
    expect(await heldInDb(programme.id)).toBe(3);

    // Full: new referrals wait, in the order they came.
    const w1 = await refer(app, manager, await person(), programme.id);
    const w2 = await refer(app, manager, await person(), programme.id);
    expect([w1.status, w2.status]).toEqual(['waitlisted', 'waitlisted']);
    const listed = await http(app).get(`/api/v1/programmes/${programme.id}`).set(bearer(provider));
    expect(listed.body).toMatchObject({ placesHeld: 3, placesFree: 0, waitlistLength: 2 });
    expectProblem(await act(provider, w1.id, 'accept'), 422, 'INVALID_REFERRAL_TRANSITION');

    // Lowering the capacity below the places held is refused.
    expectProblem(await http(app).patch(`/api/v1/programmes/${programme.id}`).set(bearer(admin)).send({ capacity: 2 }), 422, 'CAPACITY_BELOW_HELD');
    expect(await heldInDb(programme.id)).toBe(3);

    // A cancelled acceptance frees its place: the oldest waitlisted referral is submitted, place.freed is written.
    const [a1, a2] = accepted.map((a) => a.body.id as string);
    expect((await act(manager, a1, 'cancel')).status).toBe(200);
    expect(await statusOf(w1.id)).toBe('submitted');
    expect(await statusOf(w2.id)).toBe('waitlisted');
    expect(await heldInDb(programme.id)).toBe(2);
    const freed = (await db.query(`SELECT data FROM outbox_events WHERE type = 'place.freed' AND resource_id = $1 ORDER BY occurred_at`, [programme.id])) as { data: Record<string, unknown> }[];
    expect(freed.map((e) => e.data)).toEqual([expect.objectContaining({ programmeId: programme.id, placesHeld: 2, capacity: 3, promotedReferralId: w1.id })]);

    // Started then abandoned: the next one is promoted.
    expect((await act(provider, a2, 'start')).status).toBe(200);
    expect((await act(provider, a2, 'abandon', { reason: 'Déménagement' })).body.status).toBe('abandoned');
    expect(await statusOf(w2.id)).toBe('submitted');
    expect(await heldInDb(programme.id)).toBe(1);

    const occupancy = await http(app).get(`/api/v1/programmes/${programme.id}/occupancy`).set(bearer(admin));
    expect(occupancy.body).toMatchObject({ capacity: 3, held: 1, inProgress: 0, free: 2, waitlist: 0 });
    expect((await http(app).patch(`/api/v1/programmes/${programme.id}`).set(bearer(admin)).send({ capacity: 1 })).status).toBe(200);
  }, 120_000);

  it('reminds once after 10 days and expires after 30 days; an expired referral leaves its slot and waitlist position', async () => {
    const service = app.get(ReferralsService);
    const programme = await createProgramme(app, admin, { providerId, capacity: 1, communeCode: '93007' });
    const holder = await refer(app, manager, await person(), programme.id);
    expect((await act(provider, holder.id, 'accept')).status).toBe(200);
    const quietId = await person();
    const quiet = await refer(app, manager, quietId, (await createProgramme(app, admin, { providerId, capacity: 1, communeCode: '93007' })).id);
    const waitingId = await person();
    const waiting = await refer(app, manager, waitingId, programme.id);
    const later = await refer(app, manager, await person(), programme.id);
    expect([quiet.status, waiting.status, later.status]).toEqual(['submitted', 'waitlisted', 'waitlisted']);

    await db.query(`UPDATE referrals SET submitted_at = now() - interval '11 days' WHERE id = $1`, [quiet.id]);
    await service.expireAndRemind();
    await service.expireAndRemind();
    const reminders = (await db.query(`SELECT data FROM outbox_events WHERE type = 'referral.reminder' AND resource_id = $1`, [quiet.id])) as unknown[];
    expect(reminders).toHaveLength(1);
    expect(await statusOf(quiet.id)).toBe('submitted');

    await db.query(`UPDATE referrals SET submitted_at = now() - interval '31 days' WHERE id = $1`, [quiet.id]);
    await db.query(`UPDATE referrals SET created_at = now() - interval '31 days' WHERE id = $1`, [waiting.id]);
    const run = await service.expireAndRemind();
    expect(run.expired).toBeGreaterThanOrEqual(2);
    const expired = await http(app).get(`/api/v1/referrals/${quiet.id}`).set(bearer(manager));
    expect(expired.body).toMatchObject({ status: 'expired', closedBy: null });
    expect(await statusOf(waiting.id)).toBe('expired');
    expect(await statusOf(later.id)).toBe('waitlisted');
    expect(await heldInDb(programme.id)).toBe(1);
    const timeline = await http(app).get(`/api/v1/beneficiaries/${quietId}/timeline`).set(bearer(manager));
    expect(timeline.body.data[0]).toMatchObject({ type: 'referral.expired', data: { referralId: quiet.id, status: 'expired' } });

    // The expired referral no longer blocks: the person may be referred again; the next waiting one moves up when a place frees.
    expect((await refer(app, manager, waitingId, programme.id)).status).toBe('waitlisted');
    expect((await act(manager, holder.id, 'cancel')).status).toBe(200);
    expect(await statusOf(later.id)).toBe('submitted');
    expect(await heldInDb(programme.id)).toBe(0);
  });

  it('takes its delays from REFERRAL_REMINDER_DAYS and REFERRAL_EXPIRY_DAYS', async () => {
    process.env.REFERRAL_REMINDER_DAYS = '3';
    process.env.REFERRAL_EXPIRY_DAYS = '5';
    const configured = await startTestApp();
    try {
      const service = configured.get(ReferralsService);
      const referral = await refer(app, manager, await person(), (await createProgramme(app, admin, { providerId, capacity: 1, communeCode: '93007' })).id);
      const reminders = async () => ((await db.query(`SELECT 1 FROM outbox_events WHERE type = 'referral.reminder' AND resource_id = $1`, [referral.id])) as unknown[]).length;
      await db.query(`UPDATE referrals SET submitted_at = now() - interval '2 days' WHERE id = $1`, [referral.id]);
      await service.expireAndRemind();
      expect([await reminders(), await statusOf(referral.id)]).toEqual([0, 'submitted']);
      await db.query(`UPDATE referrals SET submitted_at = now() - interval '4 days' WHERE id = $1`, [referral.id]);
      await service.expireAndRemind();
      expect([await reminders(), await statusOf(referral.id)]).toEqual([1, 'submitted']);
      await db.query(`UPDATE referrals SET submitted_at = now() - interval '6 days' WHERE id = $1`, [referral.id]);
      await service.expireAndRemind();
      const [row] = (await db.query(`SELECT status, close_reason AS "closeReason" FROM referrals WHERE id = $1`, [referral.id])) as { status: string; closeReason: string }[];
      expect(row).toEqual({ status: 'expired', closeReason: 'no answer within 5 days' });
    } finally {
      await configured.close();
      delete process.env.REFERRAL_REMINDER_DAYS;
      delete process.env.REFERRAL_EXPIRY_DAYS;
    }
  });

  it('promotes as many waitlisted referrals as a capacity raise adds places, oldest first, with one place.freed event', async () => {
    const programme = await createProgramme(app, admin, { providerId, capacity: 1, communeCode: '93007' });
    const holder = await refer(app, manager, await person(), programme.id);
    expect((await act(provider, holder.id, 'accept')).status).toBe(200);
    const waiting = [];
    for (let i = 0; i < 3; i += 1) waiting.push(await refer(app, manager, await person(), programme.id));
    expect(waiting.map((w) => w.status)).toEqual(['waitlisted', 'waitlisted', 'waitlisted']);

    const raised = await http(app).patch(`/api/v1/programmes/${programme.id}`).set(bearer(provider)).send({ capacity: 3 });
    expect(raised.status).toBe(200);
    expect(raised.body).toMatchObject({ capacity: 3, placesHeld: 1, placesFree: 2, waitlistLength: 1 });
    expect([await statusOf(waiting[0].id), await statusOf(waiting[1].id), await statusOf(waiting[2].id)]).toEqual(['submitted', 'submitted', 'waitlisted']);
    const freed = (await db.query(`SELECT data FROM outbox_events WHERE type = 'place.freed' AND resource_id = $1`, [programme.id])) as { data: Record<string, unknown> }[];
    expect(freed.map((e) => e.data)).toEqual([{ programmeId: programme.id, placesHeld: 1, capacity: 3, placesFreed: 2, promotedCount: 2, promotedReferralId: waiting[0].id }]);
    const promoted = await http(app).get(`/api/v1/referrals/${waiting[1].id}`).set(bearer(manager));
    const timeline = await http(app).get(`/api/v1/beneficiaries/${promoted.body.beneficiaryId}/timeline`).set(bearer(manager));
    expect(timeline.body.data[0]).toMatchObject({ type: 'referral.submitted', summary: 'Referral promoted from the waiting list', data: { referralId: waiting[1].id } });

    // A raise with nobody waiting promotes nobody; lowering back to the places held is allowed.
    expect((await http(app).patch(`/api/v1/programmes/${programme.id}`).set(bearer(admin)).send({ capacity: 5 })).status).toBe(200);
    expect(await statusOf(waiting[2].id)).toBe('submitted');
    expect((await http(app).patch(`/api/v1/programmes/${programme.id}`).set(bearer(admin)).send({ capacity: 1 })).body).toMatchObject({ capacity: 1, placesFree: 0 });
  }, 60_000);

  it('sums occupancy by type, provider and EPT over the caller\'s programmes', async () => {
    const own = await createProvider(app);
    const staff = await createStaff(app, Role.Provider, { providerId: own.id });
    const training = await createProgramme(app, admin, { providerId: own.id, capacity: 2, type: 'training', communeCode: '93007' });
    const remob = await createProgramme(app, admin, { providerId: own.id, capacity: 4, type: 'remobilisation', communeCode: '93005' });
    await createProgramme(app, admin, { providerId: own.id, capacity: 9, type: 'training', communeCode: '93007', active: false });
    const [r1, r2] = [await refer(app, manager, await person(), training.id), await refer(app, manager, await person(), training.id)];
    await act(staff, r1.id, 'accept');
    await act(staff, r2.id, 'accept');
    await act(staff, r2.id, 'start');
    const waiting = await refer(app, manager, await person(), training.id);
    expect(waiting.status).toBe('waitlisted');
    await refer(app, manager, await person(), remob.id);

    const byType = await http(app).get('/api/v1/programmes/occupancy?groupBy=type').set(bearer(staff));
    expect(byType.status).toBe(200);
    expect(byType.body).toEqual({
      groupBy: 'type',
      data: [
        { key: 'remobilisation', label: 'remobilisation', programmes: 1, capacity: 4, held: 0, inProgress: 0, free: 4, waitlist: 0, averageWaitDays: null },
        { key: 'training', label: 'training', programmes: 1, capacity: 2, held: 2, inProgress: 1, free: 0, waitlist: 1, averageWaitDays: 0 },
      ],
    });
    const byEpt = await http(app).get('/api/v1/programmes/occupancy?groupBy=ept').set(bearer(staff));
    expect(byEpt.body.data).toEqual([expect.objectContaining({ key: 'T7', label: "Paris Terres d'Envol", programmes: 2, capacity: 6, held: 2, free: 4, waitlist: 1 })]);
    const byProvider = await http(app).get('/api/v1/programmes/occupancy?groupBy=provider').set(bearer(admin));
    expect(byProvider.body.data.find((g: { key: string }) => g.key === own.id)).toEqual(
      expect.objectContaining({ label: own.name, programmes: 2, capacity: 6, held: 2, inProgress: 1, free: 4, waitlist: 1 }),
    );
    expect(byProvider.body.data.find((g: { key: string }) => g.key === providerId)).toBeDefined();
    const other = await http(app).get('/api/v1/programmes/occupancy?groupBy=provider').set(bearer(provider));
    expect(other.body.data.map((g: { key: string }) => g.key)).toEqual([providerId]);
    expectProblem(await http(app).get('/api/v1/programmes/occupancy?groupBy=commune').set(bearer(admin)), 400, 'VALIDATION_FAILED');
    expect((await http(app).get('/api/v1/programmes/occupancy')).status).toBe(401);
  }, 60_000);
});

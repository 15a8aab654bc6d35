import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/roles';
import { CohortService } from '../../src/modules/construction-pathway/cohort.service';
import { ReferralsService } from '../../src/modules/referrals/referrals.service';
import { buildPayload, OUTBOUND_EVENT_TYPES, webhookEventSchemaName } from '../../src/modules/webhook-endpoints/webhook-events';
import { assign, createBeneficiary, isoDay, orient } from '../factories/case-file';
import { bearer, createAgency, createProvider, createStaff, createTestCommune, StaffAccount } from '../factories/identity';
import { checkSchema } from '../hardening/openapi-tools';
import { createProgramme, refer } from '../referrals/referral-fixtures';
import { http, startTestApp } from '../setup/app';
import { ownMigratedDatabase } from '../setup/test-database';

/**
 * The catalogue of outbound events (webhook-events.ts, the `WebhookEvent_*` schemas of
 * openapi.json) against what the code really writes: every subscribable type is produced by real
 * requests and jobs, and each payload, built as the dispatcher builds it, matches its schema
 * exactly (no missing, extra or mistyped field). On a database of its own: the referral and
 * cohort jobs run on every row.
 */
describe('outbound event catalogue', () => {
  const sharedUrl = process.env.DATABASE_URL!;
  let drop: () => Promise<void>;
  let app: NestFastifyApplication;
  let db: DataSource;
  let admin: StaffAccount;
  let manager: StaffAccount;
  let advisor: StaffAccount;
  let providerStaff: StaffAccount;
  let commune: string;
  let providerId: string;

  beforeAll(async () => {
    const own = await ownMigratedDatabase('event_catalogue');
    drop = own.drop;
    process.env.DATABASE_URL = own.url;
    app = await startTestApp();
    db = app.get(DataSource);
    commune = await createTestCommune(app);
    const agency = await createAgency(app, [commune]);
    admin = await createStaff(app, Role.Admin);
    manager = await createStaff(app, Role.AgencyManager, { agencyId: agency.id });
    advisor = await createStaff(app, Role.Advisor, { agencyId: agency.id });
    providerId = (await createProvider(app)).id;
    providerStaff = await createStaff(app, Role.Provider, { providerId });
  });
  afterAll(async () => {
    await app?.close();
    process.env.DATABASE_URL = sharedUrl;
    await drop?.();
  });

  const person = async () => {
    const b = await createBeneficiary(app, manager, commune);
    await orient(app, manager, b.id, { path: 'professional' });
    await assign(app, manager, b.id, advisor.id);
    return b.id;
  };
  const ok = async (res: PromiseLike<{ status: number; body: { id?: string } }>, status = 200) => {
    const r = await res;
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const post = (path: string, by: StaffAccount, body: object = {}) => http(app).post(`/api/v1${path}`).set(bearer(by)).send(body);

  it('writes every subscribable type, each payload exactly as documented', async () => {
    // The case file: created, oriented, assigned, a contract signed, an exit.
    const b = await person();
    const contract = await ok(post(`/beneficiaries/${b}/contracts`, advisor, { startsOn: isoDay() }), 201);
    await ok(post(`/beneficiaries/${b}/contracts/${contract.id}/sign`, advisor));
    await ok(post(`/beneficiaries/${await person()}/exit`, manager, { reason: 'employment', exitedOn: isoDay() }));

    // Referrals through every state, a waiting list and a place freed.
    const programme = (await createProgramme(app, admin, { providerId, communeCode: commune, capacity: 1 })).id;
    const completed = (await refer(app, advisor, await person(), programme)).id;
    const waiting = (await refer(app, advisor, await person(), programme)).id;
    await ok(post(`/referrals/${completed}/accept`, providerStaff));
    const cancelled = (await refer(app, advisor, await person(), programme)).id;
    await ok(post(`/referrals/${cancelled}/cancel`, advisor, { reason: 'Déménagement' }));
    await ok(post(`/referrals/${completed}/start`, providerStaff));
    await ok(post(`/referrals/${completed}/complete`, providerStaff)); // frees the place: the waiting referral is promoted
    await ok(post(`/referrals/${waiting}/decline`, providerStaff, { reason: 'Profil éloigné' }));
    const other = (await createProgramme(app, admin, { providerId, communeCode: commune, capacity: 2 })).id;
    const abandoned = (await refer(app, advisor, await person(), other)).id;
    await ok(post(`/referrals/${abandoned}/accept`, providerStaff));
    await ok(post(`/referrals/${abandoned}/start`, providerStaff));
    await ok(post(`/referrals/${abandoned}/abandon`, providerStaff, { reason: 'Reprise d’emploi' }));
    const stale = (await refer(app, advisor, await person(), other)).id;
    const referrals = app.get(ReferralsService);
    await referrals.expireAndRemind(new Date(Date.now() + 11 * 86_400_000)); // a reminder
    await referrals.expireAndRemind(new Date(Date.now() + 31 * 86_400_000)); // then the expiry
    expect((await http(app).get(`/api/v1/referrals/${stale}`).set(bearer(admin))).body.status).toBe('expired');

    // The construction pathway: enrolled, a step, a job; another participant without a solution.
    const cp = '/construction-pathway/participants';
    const participant = await ok(post(cp, manager, { beneficiaryId: await person(), targetTrades: ['F1703'], enrolledOn: isoDay(-20) }), 201);
    await ok(post(`${cp}/${participant.id}/steps`, manager, { type: 'site_immersion', status: 'in_progress', startsOn: isoDay(-3) }), 201);
    await ok(
      post(`${cp}/${participant.id}/employments`, manager, { employerName: 'Maçonnerie Dupont', contractType: 'cdi', startsOn: isoDay(), weeklyHours: 35, romeCode: 'F1703' }),
      201,
    );
    await ok(post(cp, manager, { beneficiaryId: await person(), targetTrades: ['F1602'], enrolledOn: isoDay(-60) }), 201);
    await app.get(CohortService).notifyWithoutSolution();

    const rows = (await db.query(
      `SELECT type, resource_type AS "resourceType", resource_id AS "resourceId", data, occurred_at AS "occurredAt" FROM outbox_events ORDER BY occurred_at, id`,
    )) as { type: string; resourceType: string; resourceId: string; data: Record<string, unknown>; occurredAt: Date }[];
    const seen = new Set<string>();
    const mismatches: string[] = [];
    for (const row of rows) {
      if (!(OUTBOUND_EVENT_TYPES as string[]).includes(row.type)) continue; // written to the outbox, not subscribable
      seen.add(row.type);
      const problem = checkSchema(webhookEventSchemaName(row.type), buildPayload(row));
      if (problem) mismatches.push(`${row.type}: ${problem} in ${JSON.stringify(buildPayload(row).data)}`);
    }
    expect(mismatches).toEqual([]);
    expect([...seen].sort()).toEqual([...OUTBOUND_EVENT_TYPES].sort());
  });
});

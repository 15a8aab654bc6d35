import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/roles';
import { assign, createBeneficiary, isoDay, letters, machineClientToken, orient } from '../factories/case-file';
import { bearer, createAgency, createProvider, createStaff, createTestCommune, randomSiret, StaffAccount } from '../factories/identity';
import { createProgramme, refer } from '../referrals/referral-fixtures';
import { http } from '../setup/app';
import { newSecret, sendSigned, startReceiver, Receiver, waitFor } from '../webhooks/webhook-helpers';

/**
 * One fixture world for the hardening tests: agencies A and B (each with a
 * commune of its own), a provider P with its staff, and a person of A with
 * everything the routes read or change (orientation, contract, barrier, journal
 * note, action plan, reorientation request, programme and referral, construction
 * participant with a step and an employment, operation, webhook endpoint and
 * delivery, inbox entry, import). Helpers make fresh resources for state changes.
 */

export const ALL_SCOPES = [
  'reference:read',
  'beneficiaries:read',
  'beneficiaries:write',
  'programmes:read',
  'referrals:read',
  'referrals:write',
  'construction:read',
  'construction:write',
  'webhooks:manage',
  'metrics:read',
] as const;

/** The secret of the inbound France Travail route in the hardening files (set before the app starts). */
export const FT_SECRET = newSecret();

export interface World {
  app: NestFastifyApplication;
  communeA: string;
  communeB: string;
  agencyA: string;
  agencyB: string;
  providerP: string;
  providerQ: string;
  admin: StaffAccount;
  managerA: StaffAccount;
  advisorA: StaffAccount;
  advisorB: StaffAccount;
  provider: StaffAccount;
  analyst: StaffAccount;
  /** An extra advisor of A, target of user/advisor reads and changes. */
  advisorA2: StaffAccount;
  person: string;
  contract: string;
  barrier: string;
  note: string;
  suspension: string;
  focus: string;
  target: string;
  action: string;
  reorientation: string;
  programme: string;
  referral: string;
  operation: string;
  participant: string;
  step: string;
  employment: string;
  endpoint: string;
  delivery: string;
  inbox: string;
  import: string;
  apiClient: string;
  receiver: Receiver;
  /** A token of a machine client holding exactly these scopes (created once per set). */
  client(scopes: readonly string[]): Promise<string>;
}

const ok = (what: string, res: { status: number; body: unknown }, expected = [200, 201, 202]) => {
  if (!expected.includes(res.status)) throw new Error(`${what} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Record<string, unknown> & { id: string };
};

export async function buildWorld(app: NestFastifyApplication): Promise<World> {
  const [communeA, communeB] = [await createTestCommune(app), await createTestCommune(app)];
  const [agencyA, agencyB] = [await createAgency(app, [communeA]), await createAgency(app, [communeB])];
  const [p, q] = [await createProvider(app), await createProvider(app)];
  const [admin, managerA, advisorA, advisorA2, advisorB, provider, analyst] = await Promise.all([
    createStaff(app, Role.Admin),
    createStaff(app, Role.AgencyManager, { agencyId: agencyA.id }),
    createStaff(app, Role.Advisor, { agencyId: agencyA.id }),
    createStaff(app, Role.Advisor, { agencyId: agencyA.id }),
    createStaff(app, Role.Advisor, { agencyId: agencyB.id }),
    createStaff(app, Role.Provider, { providerId: p.id }),
    createStaff(app, Role.Analyst),
  ]);
  const as = (who: StaffAccount) => bearer(who);
  const clients = new Map<string, Promise<string>>();
  const client = (scopes: readonly string[]) => {
    const key = [...scopes].sort().join(' ');
    if (!clients.has(key)) clients.set(key, machineClientToken(app, admin, [...scopes]).then((c) => c.token));
    return clients.get(key)!;
  };

  const person = (await createBeneficiary(app, managerA, communeA)).id;
  await orient(app, managerA, person, { path: 'professional' });
  await assign(app, managerA, person, advisorA.id);
  const base = `/api/v1/beneficiaries/${person}`;
  const contract = ok('contract', await http(app).post(`${base}/contracts`).set(as(managerA)).send({ startsOn: isoDay(), weeklyActivityHours: 15, actionPlan: 'Recherche active' })).id;
  const barrier = ok('barrier', await http(app).post(`${base}/barriers`).set(as(managerA)).send({ theme: 'mobility', severity: 'medium' })).id;
  const note = ok('note', await http(app).post(`${base}/journal`).set(as(managerA)).send({ body: 'Entretien de suivi', category: 'interview' })).id;
  const suspension = ok('suspension', await http(app).post(`${base}/suspensions`).set(as(managerA)).send({ ground: 'appointment_missed', facts: 'Absent au rendez-vous' })).id;
  const focus = ok('focus', await http(app).post(`${base}/action-plan/focuses`).set(as(managerA)).send({ theme: 'digital' })).id;
  const target = ok('target', await http(app).post(`${base}/action-plan/focuses/${focus}/targets`).set(as(managerA)).send({ title: 'Autonomie numérique' })).id;
  const action = ok('action', await http(app).post(`${base}/action-plan/targets/${target}/actions`).set(as(managerA)).send({ title: 'Atelier courriel' })).id;
  const reorientation = ok(
    'reorientation',
    await http(app).post(`${base}/reorientation-requests`).set(as(advisorA)).send({ path: 'social', referentBody: 'departement', reason: 'Santé' }),
  ).id;

  const programme = (await createProgramme(app, admin, { providerId: p.id, communeCode: communeA, capacity: 50 })).id;
  const referral = (await refer(app, advisorA, person, programme)).id;

  const operation = ok(
    'operation',
    await http(app)
      .post('/api/v1/construction-pathway/operations')
      .set(as(managerA))
      .send({ name: 'Groupe scolaire', contractingAuthority: 'Ville', communeCode: communeA, lots: [{ label: 'Lot 1', requiredHours: 500, companyName: 'BTP 93', companySiret: '73282932000074' }] }),
  ).id;
  const participant = ok(
    'participant',
    await http(app).post('/api/v1/construction-pathway/participants').set(as(managerA)).send({ beneficiaryId: person, targetTrades: ['F1703'], enrolledOn: isoDay(-30) }),
  ).id;
  const step = ok('step', await http(app).post(`/api/v1/construction-pathway/participants/${participant}/steps`).set(as(managerA)).send({ type: 'information_session', status: 'in_progress', startsOn: isoDay(-20) })).id;
  const employment = ok(
    'employment',
    await http(app)
      .post(`/api/v1/construction-pathway/participants/${participant}/employments`)
      .set(as(managerA))
      .send({ contractType: 'cdd', employerName: 'BTP 93', romeCode: 'F1703', startsOn: isoDay(-10), weeklyHours: 35, operationId: operation }),
  ).id;

  const receiver = await startReceiver();
  const endpoint = ok('endpoint', await http(app).post('/api/v1/webhook-endpoints').set(as(admin)).send({ url: `${receiver.url}/hooks`, eventTypes: ['referral.accepted'] })).id;
  const delivery = ok('test delivery', await http(app).post(`/api/v1/webhook-endpoints/${endpoint}/test`).set(as(admin))).id;
  await waitFor(async () => {
    const d = await http(app).get(`/api/v1/webhook-endpoints/${endpoint}/deliveries/${delivery}`).set(as(admin));
    return d.body.status === 'pending' ? undefined : true;
  }, 15_000, 'the test delivery');
  const inbox = ok('inbox', await sendSigned(app, ftEvent(), { secret: FT_SECRET })).id;
  const imported = ok(
    'import',
    await http(app).post('/api/v1/beneficiary-imports').set(as(admin)).attach('file', Buffer.from(importCsv(communeA)), 'people.csv'),
  ).id;
  const apiClient = ok('api client', await http(app).post('/api/v1/api-clients').set(as(admin)).send({ name: `Connecteur ${letters(6)}`, scopes: ['reference:read'] })).id;

  return {
    app,
    communeA,
    communeB,
    agencyA: agencyA.id,
    agencyB: agencyB.id,
    providerP: p.id,
    providerQ: q.id,
    admin,
    managerA,
    advisorA,
    advisorA2,
    advisorB,
    provider,
    analyst,
    person,
    contract,
    barrier,
    note,
    suspension,
    focus,
    target,
    action,
    reorientation,
    programme,
    referral,
    operation,
    participant,
    step,
    employment,
    endpoint,
    delivery,
    inbox,
    import: imported,
    apiClient,
    receiver,
    client,
  };
}

/** Disables the world's webhook endpoints (their receiver goes away with it), then closes the receiver. */
export async function closeWorld(w: World | undefined): Promise<void> {
  if (!w) return;
  await w.app.get(DataSource).query(`UPDATE webhook_endpoints SET enabled = false WHERE url LIKE $1 || '/%'`, [w.receiver.url]);
  await w.receiver.close();
}

/** A France Travail event about nobody we know (stored, then unmatched). */
export function ftEvent(): Record<string, unknown> {
  return { type: 'jobseeker.deregistered', timestamp: new Date().toISOString(), data: { franceTravailId: `FT${letters(8)}`, deregisteredOn: isoDay() } };
}

export function importCsv(commune: string): string {
  return 'cafNumber,nir,lastName,firstName,birthName,birthDate,sex,communeCode,address,phone,email,householdRole,rightsState,subjectToRightsAndDuties,rightsOpenedOn\n' +
    `${String(Math.floor(1_000_000 + Math.random() * 8_999_999))},,Import,Test,,1990-04-22,F,${commune},,,,DEM,2,true,${isoDay(-30)}\n`;
}

let clientEndpoint: Promise<{ id: string; deliveryId: string }> | undefined;

/** Fresh resources for the state changes that an allowed caller can make only once. */
export const fresh = {
  async person(w: World, oriented = true): Promise<string> {
    const id = (await createBeneficiary(w.app, w.managerA, w.communeA)).id;
    if (oriented) await orient(w.app, w.managerA, id, { path: 'professional' });
    await assign(w.app, w.managerA, id, w.advisorA.id);
    return id;
  },
  async contract(w: World, person = w.person): Promise<string> {
    return ok('contract', await http(w.app).post(`/api/v1/beneficiaries/${person}/contracts`).set(bearer(w.managerA)).send({ startsOn: isoDay(), weeklyActivityHours: 15 })).id;
  },
  async signedContract(w: World): Promise<string> {
    const person = await fresh.person(w);
    const id = await fresh.contract(w, person);
    ok('sign', await http(w.app).post(`/api/v1/beneficiaries/${person}/contracts/${id}/sign`).set(bearer(w.managerA)).send({}));
    return `${person}/${id}`;
  },
  async barrier(w: World): Promise<{ id: string; barrierId: string }> {
    const id = await fresh.person(w);
    const barrierId = ok('barrier', await http(w.app).post(`/api/v1/beneficiaries/${id}/barriers`).set(bearer(w.managerA)).send({ theme: 'housing', severity: 'low' })).id;
    return { id, barrierId };
  },
  /** A suspension procedure opened on a fresh person, decided as a suspension when asked. */
  async suspension(w: World, decided = false): Promise<{ id: string; suspensionId: string }> {
    const id = await fresh.person(w);
    const base = `/api/v1/beneficiaries/${id}/suspensions`;
    const suspensionId = ok('suspension', await http(w.app).post(base).set(bearer(w.managerA)).send({ ground: 'obligations_not_met', facts: 'Heures non réalisées' })).id;
    if (decided) {
      const body = { outcome: 'suspension', reason: 'Aucun motif légitime', ratePercent: 30, months: 1 };
      ok('decide', await http(w.app).post(`${base}/${suspensionId}/decide`).set(bearer(w.managerA)).send(body));
    }
    return { id, suspensionId };
  },
  async importBy(w: World, token: string): Promise<string> {
    return ok('import', await http(w.app).post('/api/v1/beneficiary-imports').set({ authorization: `Bearer ${token}` }).attach('file', Buffer.from(importCsv(w.communeA)), 'people.csv')).id;
  },
  async reorientation(w: World): Promise<{ person: string; request: string }> {
    const person = await fresh.person(w);
    const request = ok(
      'reorientation',
      await http(w.app).post(`/api/v1/beneficiaries/${person}/reorientation-requests`).set(bearer(w.advisorA)).send({ path: 'social', referentBody: 'departement', reason: 'Santé' }),
    ).id;
    return { person, request };
  },
  /**
   * The endpoint (and its delivered test delivery) a caller manages: admins manage the world's,
   * a machine client only one it created itself (made once, with its `webhooks:manage` token).
   */
  async endpointOf(w: World, caller: string): Promise<{ id: string; deliveryId: string }> {
    if (caller !== 'cli+') return { id: w.endpoint, deliveryId: w.delivery };
    clientEndpoint ??= (async () => {
      const auth = { authorization: `Bearer ${await w.client(['webhooks:manage'])}` };
      const id = ok('client endpoint', await http(w.app).post('/api/v1/webhook-endpoints').set(auth).send({ url: `${w.receiver.url}/client`, eventTypes: ['referral.accepted'] })).id;
      const deliveryId = ok('client test delivery', await http(w.app).post(`/api/v1/webhook-endpoints/${id}/test`).set(auth)).id;
      await waitFor(async () => {
        const d = await http(w.app).get(`/api/v1/webhook-endpoints/${id}/deliveries/${deliveryId}`).set(auth);
        return d.body.status === 'pending' || d.body.status === 'sending' ? undefined : true;
      }, 15_000, "the client's test delivery");
      return { id, deliveryId };
    })();
    return clientEndpoint;
  },
  /** A referral to a programme of P of its own (the fuzzing may change the capacity of the fixture programme). */
  async referral(w: World, then: ('accept' | 'start')[] = []): Promise<string> {
    const person = await fresh.person(w);
    const programme = (await createProgramme(w.app, w.admin, { providerId: w.providerP, communeCode: w.communeA, capacity: 5 })).id;
    const id = (await refer(w.app, w.advisorA, person, programme)).id;
    for (const step of then) ok(step, await http(w.app).post(`/api/v1/referrals/${id}/${step}`).set(bearer(w.provider)).send({}));
    return id;
  },
  async participant(w: World): Promise<string> {
    const person = await fresh.person(w);
    return ok(
      'participant',
      await http(w.app).post('/api/v1/construction-pathway/participants').set(bearer(w.managerA)).send({ beneficiaryId: person, targetTrades: ['F1703'], enrolledOn: isoDay(-30) }),
    ).id;
  },
  async advisorOfA(w: World): Promise<string> {
    return (await createStaff(w.app, Role.Advisor, { agencyId: w.agencyA })).id;
  },
  /** A new endpoint of the caller's own (a machine client manages only those it created; admins any). */
  async endpoint(w: World, caller = 'admin'): Promise<string> {
    const auth = caller === 'cli+' ? { authorization: `Bearer ${await w.client(['webhooks:manage'])}` } : bearer(w.admin);
    return ok('endpoint', await http(w.app).post('/api/v1/webhook-endpoints').set(auth).send({ url: `${w.receiver.url}/x`, eventTypes: ['referral.accepted'] })).id;
  },
  uniqueCode: () => `H-${randomUUID().slice(0, 8).toUpperCase()}`,
  siret: randomSiret,
};

import { Role } from '../../src/common/auth/roles';
import { isoDay, letters } from '../factories/case-file';
import { createAgency, createStaff, createTestCommune, StaffAccount, TEST_PASSWORD } from '../factories/identity';
import { beneficiaryInput } from '../factories/case-file';
import { http } from '../setup/app';
import { ftEvent, fresh, importCsv, World } from './world';

/**
 * The access matrix: for every operation of openapi/openapi.json, the status
 * class each caller must get. Written by hand from the product's rules
 * (docs/security.md, docs/case-file.md, docs/construction-pathway.md…), then
 * checked against the `x-access` extension of the spec for the 401/403 cells.
 *
 * Columns, in this order:
 *   anon   no token
 *   admin  administrator
 *   mgrA   agency manager of agency A
 *   advA   advisor of agency A (the fixture person is theirs)
 *   advB   advisor of agency B
 *   prov   staff of provider P (who runs the fixture programme)
 *   anal   analyst
 *   cli+   API client holding the route's scope (`scopes[0]`), or every scope for staff-only routes
 *   cli-   API client holding every scope but the route's ones
 *
 * Cells: `2` a 2xx, `401`, `403`, `404` (the record belongs to another agency or provider:
 * out of scope is not found), `409`/`422` a business refusal the row explains (the caller
 * passed the access checks), `B` "allowed, but the business state may refuse a
 * second call": a 2xx, 409 or 422, never 401/403/404 (the row says why).
 */

export const CALLERS = ['anon', 'admin', 'mgrA', 'advA', 'advB', 'prov', 'anal', 'cli+', 'cli-'] as const;
export type Caller = (typeof CALLERS)[number];
export type Cell = '2' | '401' | '403' | '404' | '409' | '422' | 'B';

export interface Call {
  path?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  /** A multipart upload instead of a JSON body. */
  file?: { field: string; content: string; name: string };
  /** Sign the JSON body for the inbound France Travail route. */
  signed?: boolean;
}

export interface Row {
  /** The 9 cells, space separated, in the order of CALLERS. */
  expect: string;
  /** The scopes a machine client may use the route with ([] = staff only). */
  scopes: string[];
  /** The request for this caller (fresh resources for changes that succeed once). */
  call: (w: World, caller: Caller) => Call | Promise<Call>;
  why?: string;
}

const P = (w: World) => ({ id: w.person });
/** A refresh token of the caller's own account (a fresh analyst for callers without one: logins are limited per account). */
const loginRefreshToken = async (w: World, caller: Caller): Promise<string> => {
  const who: StaffAccount = staffOf(w, caller) ?? (await createStaff(w.app, Role.Analyst));
  const res = await http(w.app).post('/api/v1/auth/login').send({ email: who.email, password: TEST_PASSWORD });
  if (res.status !== 200) throw new Error(`login: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.refreshToken as string;
};
export function staffOf(w: World, caller: Caller): StaffAccount | undefined {
  return ({ admin: w.admin, mgrA: w.managerA, advA: w.advisorA, advB: w.advisorB, prov: w.provider, anal: w.analyst } as Record<string, StaffAccount>)[caller];
}
// A month long over, so that freezing it never touches the month other test files freeze (the last one).
const longAgo = () => isoDay(-800).slice(0, 7);
const thisMonth = () => isoDay().slice(0, 7);

// Frequent rows.
const PERSON_READ = '401 2 2 2 404 403 403 2 403';
const PERSON_WRITE = '401 2 2 2 404 403 403 2 403';
const PERSON_STAFF = '401 2 2 2 404 403 403 403 403';
const ADMIN_ONLY = '401 2 403 403 403 403 403 403 403';
const WEBHOOKS = '401 2 403 403 403 403 403 2 403';
const REFERENCE = '401 2 2 2 2 2 2 2 403';
const PUBLIC = '2 2 2 2 2 2 2 2 2';
const CP = ['construction:read', 'construction:write'];
const CPW = ['construction:write'];

export const ACCESS_TABLE: Record<string, Row> = {
  // ---- advisors
  'GET /api/v1/advisors': { expect: '401 2 2 2 2 403 403 403 403', scopes: [], call: () => ({}), why: 'advisors of B list their own agency' },
  'GET /api/v1/advisors/{id}': { expect: '401 2 2 2 404 403 403 403 403', scopes: [], call: (w) => ({ path: { id: w.advisorA2.id } }) },
  'PATCH /api/v1/advisors/{id}': { expect: '401 2 2 403 403 403 403 403 403', scopes: [], call: (w) => ({ path: { id: w.advisorA2.id }, body: { caseloadCapacity: 40 } }) },
  'GET /api/v1/advisors/{id}/caseload': { expect: '401 2 2 2 404 403 403 403 403', scopes: [], call: (w) => ({ path: { id: w.advisorA.id } }) },

  // ---- agencies (reference data: every staff role reads every agency)
  'GET /api/v1/agencies': { expect: REFERENCE, scopes: ['reference:read'], call: () => ({}) },
  'POST /api/v1/agencies': {
    expect: ADMIN_ONLY,
    scopes: [],
    call: async (w) => ({ body: { code: fresh.uniqueCode(), name: `Agence ${letters(6)}`, communeCodes: [await createTestCommune(w.app)] } }),
  },
  'GET /api/v1/agencies/{id}': { expect: REFERENCE, scopes: ['reference:read'], call: (w) => ({ path: { id: w.agencyA } }) },
  'PATCH /api/v1/agencies/{id}': {
    expect: ADMIN_ONLY,
    scopes: [],
    call: async (w) => ({ path: { id: (await createAgency(w.app)).id }, body: { phone: '01 23 45 67 89' } }),
    why: 'an agency of its own: the fuzzing must not deactivate agency A, which the fixtures need',
  },
  'GET /api/v1/agencies/{id}/caseload-summary': { expect: '401 2 2 2 404 403 403 403 403', scopes: [], call: (w) => ({ path: { id: w.agencyA } }) },

  // ---- API clients
  'GET /api/v1/api-clients': { expect: ADMIN_ONLY, scopes: [], call: () => ({}) },
  'POST /api/v1/api-clients': { expect: ADMIN_ONLY, scopes: [], call: () => ({ body: { name: `Client ${letters(6)}`, scopes: ['reference:read'] } }) },
  'GET /api/v1/api-clients/{id}': { expect: ADMIN_ONLY, scopes: [], call: (w) => ({ path: { id: w.apiClient } }) },
  'PATCH /api/v1/api-clients/{id}': { expect: ADMIN_ONLY, scopes: [], call: (w) => ({ path: { id: w.apiClient }, body: { name: `Client ${letters(6)}` } }) },
  'POST /api/v1/api-clients/{id}/rotate-secret': { expect: ADMIN_ONLY, scopes: [], call: (w) => ({ path: { id: w.apiClient } }) },
  'GET /api/v1/audit-events': { expect: ADMIN_ONLY, scopes: [], call: (w) => ({ query: { resourceId: w.person } }) },

  // ---- authentication
  'POST /api/v1/auth/login': {
    expect: PUBLIC,
    scopes: [],
    call: async (w) => ({ body: { email: (await createStaff(w.app, Role.Analyst)).email, password: TEST_PASSWORD } }),
    why: 'public: a bearer token is ignored; a fresh account each time (logins are limited per account)',
  },
  'POST /api/v1/auth/logout': {
    expect: '401 2 2 2 2 2 2 403 403',
    scopes: [],
    call: async (w, c) => ({ body: { refreshToken: await loginRefreshToken(w, c) } }),
    why: 'each staff caller ends a session of their own; machine clients have no session',
  },
  'GET /api/v1/auth/me': { expect: '401 2 2 2 2 2 2 403 403', scopes: [], call: () => ({}) },
  'POST /api/v1/auth/refresh': { expect: PUBLIC, scopes: [], call: async (w, c) => ({ body: { refreshToken: await loginRefreshToken(w, c) } }) },
  'POST /api/v1/auth/token': {
    expect: PUBLIC,
    scopes: [],
    call: async (w) => {
      const created = await http(w.app).post('/api/v1/api-clients').set({ authorization: `Bearer ${w.admin.token}` }).send({ name: `Client ${letters(6)}`, scopes: ['reference:read'] });
      return { body: { grant_type: 'client_credentials', client_id: created.body.clientId, client_secret: created.body.clientSecret } };
    },
  },

  // ---- case file (the fixture person is in agency A, followed by advisor A)
  'GET /api/v1/beneficiaries': {
    expect: '401 2 2 2 2 2 403 2 403',
    scopes: ['beneficiaries:read'],
    call: () => ({}),
    why: 'lists are scoped: advisor B sees B, the provider the people referred to its programmes',
  },
  'POST /api/v1/beneficiaries': {
    expect: '401 2 2 2 422 403 403 2 403',
    scopes: ['beneficiaries:write'],
    call: (w) => ({ body: beneficiaryInput(w.communeA) }),
    why: 'advisor B cannot create a person living in a commune of A: 422 OUTSIDE_AGENCY_TERRITORY (the body names the commune)',
  },
  'GET /api/v1/beneficiaries/{id}': {
    expect: '401 2 2 2 404 2 403 2 403',
    scopes: ['beneficiaries:read'],
    call: (w) => ({ path: P(w) }),
    why: 'the fixture person is referred to the programme of provider P, who reads their minimal identity',
  },
  'PATCH /api/v1/beneficiaries/{id}': { expect: PERSON_WRITE, scopes: ['beneficiaries:write'], call: (w) => ({ path: P(w), body: { phone: '06 12 34 56 78' } }) },
  'GET /api/v1/beneficiaries/{id}/action-plan': { expect: PERSON_READ, scopes: ['beneficiaries:read'], call: (w) => ({ path: P(w) }) },
  'PATCH /api/v1/beneficiaries/{id}/action-plan/actions/{actionId}': {
    expect: PERSON_WRITE,
    scopes: ['beneficiaries:write'],
    call: (w) => ({ path: { id: w.person, actionId: w.action }, body: { title: `Atelier ${letters(4)}` } }),
  },
  'POST /api/v1/beneficiaries/{id}/action-plan/focuses': {
    expect: PERSON_WRITE,
    scopes: ['beneficiaries:write'],
    call: async (w) => ({ path: { id: await fresh.person(w) }, body: { theme: 'mobility' } }),
    why: 'one focus per theme (409): a fresh person each time',
  },
  'POST /api/v1/beneficiaries/{id}/action-plan/focuses/{focusId}/targets': {
    expect: PERSON_WRITE,
    scopes: ['beneficiaries:write'],
    call: (w) => ({ path: { id: w.person, focusId: w.focus }, body: { title: `Objectif ${letters(4)}` } }),
  },
  'POST /api/v1/beneficiaries/{id}/action-plan/targets/{targetId}/actions': {
    expect: PERSON_WRITE,
    scopes: ['beneficiaries:write'],
    call: (w) => ({ path: { id: w.person, targetId: w.target }, body: { title: `Action ${letters(4)}`, dueOn: isoDay(30) } }),
  },
  'POST /api/v1/beneficiaries/{id}/assignment': {
    expect: '401 2 2 403 403 403 403 2 403',
    scopes: ['beneficiaries:write'],
    call: (w) => ({ path: P(w), body: { advisorId: w.advisorA.id } }),
    why: 'advisor B is refused by role (403) before scope',
  },
  'GET /api/v1/beneficiaries/{id}/barriers': { expect: PERSON_READ, scopes: ['beneficiaries:read'], call: (w) => ({ path: P(w) }) },
  'POST /api/v1/beneficiaries/{id}/barriers': {
    expect: PERSON_WRITE,
    scopes: ['beneficiaries:write'],
    call: async (w) => ({ path: { id: await fresh.person(w) }, body: { theme: 'language', severity: 'high' } }),
    why: 'one open barrier per theme (409): a fresh person each time',
  },
  'GET /api/v1/beneficiaries/{id}/barriers/{barrierId}': { expect: PERSON_READ, scopes: ['beneficiaries:read'], call: (w) => ({ path: { id: w.person, barrierId: w.barrier } }) },
  'PATCH /api/v1/beneficiaries/{id}/barriers/{barrierId}': {
    expect: PERSON_WRITE,
    scopes: ['beneficiaries:write'],
    call: (w) => ({ path: { id: w.person, barrierId: w.barrier }, body: { note: `Suivi ${letters(4)}` } }),
  },
  'POST /api/v1/beneficiaries/{id}/barriers/{barrierId}/resolve': {
    expect: PERSON_WRITE,
    scopes: ['beneficiaries:write'],
    call: async (w) => ({ path: await fresh.barrier(w), body: {} }),
  },
  'GET /api/v1/beneficiaries/{id}/contracts': { expect: PERSON_READ, scopes: ['beneficiaries:read'], call: (w) => ({ path: P(w) }) },
  'POST /api/v1/beneficiaries/{id}/contracts': {
    expect: PERSON_WRITE,
    scopes: ['beneficiaries:write'],
    call: async (w) => ({ path: { id: await fresh.person(w) }, body: { startsOn: isoDay(), weeklyActivityHours: 15 } }),
  },
  'GET /api/v1/beneficiaries/{id}/contracts/{contractId}': { expect: PERSON_READ, scopes: ['beneficiaries:read'], call: (w) => ({ path: { id: w.person, contractId: w.contract } }) },
  'PATCH /api/v1/beneficiaries/{id}/contracts/{contractId}': {
    expect: PERSON_WRITE,
    scopes: ['beneficiaries:write'],
    call: (w) => ({ path: { id: w.person, contractId: w.contract }, body: { actionPlan: `Plan ${letters(4)}` } }),
  },
  'POST /api/v1/beneficiaries/{id}/contracts/{contractId}/end': {
    expect: PERSON_WRITE,
    scopes: ['beneficiaries:write'],
    call: async (w, c) => {
      if (c === 'advB' || c === 'anon' || c === 'prov' || c === 'anal' || c === 'cli-') return { path: { id: w.person, contractId: w.contract }, body: {} };
      const [id, contractId] = (await fresh.signedContract(w)).split('/');
      return { path: { id, contractId }, body: {} };
    },
  },
  'POST /api/v1/beneficiaries/{id}/contracts/{contractId}/sign': {
    expect: PERSON_WRITE,
    scopes: ['beneficiaries:write'],
    call: async (w) => {
      const id = await fresh.person(w);
      return { path: { id, contractId: await fresh.contract(w, id) }, body: {} };
    },
  },
  'POST /api/v1/beneficiaries/{id}/exit': {
    expect: PERSON_WRITE,
    scopes: ['beneficiaries:write'],
    call: async (w) => ({ path: { id: await fresh.person(w) }, body: { exitedOn: isoDay(), reason: 'employment' } }),
  },
  'GET /api/v1/beneficiaries/{id}/export': { expect: '401 2 2 403 403 403 403 403 403', scopes: [], call: (w) => ({ path: P(w) }), why: 'managers and admins only (GDPR access request)' },
  'GET /api/v1/beneficiaries/{id}/journal': { expect: PERSON_STAFF, scopes: [], call: (w) => ({ path: P(w) }) },
  'POST /api/v1/beneficiaries/{id}/journal': { expect: PERSON_STAFF, scopes: [], call: (w) => ({ path: P(w), body: { body: 'Appel', category: 'phone_call' } }) },
  'GET /api/v1/beneficiaries/{id}/journal/{noteId}': { expect: PERSON_STAFF, scopes: [], call: (w) => ({ path: { id: w.person, noteId: w.note } }) },
  'POST /api/v1/beneficiaries/{id}/orientation': {
    expect: '401 2 2 403 403 403 403 2 403',
    scopes: ['beneficiaries:write'],
    call: async (w) => ({ path: { id: await fresh.person(w, false) }, body: { path: 'socio_professional', referentBody: 'departement' } }),
    why: 'orientation is decided by managers; advisors request a reorientation',
  },
  'GET /api/v1/beneficiaries/{id}/orientations': { expect: PERSON_READ, scopes: ['beneficiaries:read'], call: (w) => ({ path: P(w) }) },
  'POST /api/v1/beneficiaries/{id}/reentry': {
    expect: PERSON_WRITE,
    scopes: ['beneficiaries:write'],
    call: async (w) => {
      const id = await fresh.person(w);
      await http(w.app).post(`/api/v1/beneficiaries/${id}/exit`).set({ authorization: `Bearer ${w.managerA.token}` }).send({ exitedOn: isoDay(), reason: 'moved_out' });
      return { path: { id } };
    },
  },
  'GET /api/v1/beneficiaries/{id}/reorientation-requests': { expect: PERSON_STAFF, scopes: [], call: (w) => ({ path: P(w) }) },
  'POST /api/v1/beneficiaries/{id}/reorientation-requests': {
    expect: PERSON_STAFF,
    scopes: [],
    call: async (w) => ({ path: { id: await fresh.person(w) }, body: { path: 'social', referentBody: 'departement', reason: 'Santé' } }),
    why: 'one pending request per person: a fresh person each time',
  },
  'POST /api/v1/beneficiaries/{id}/reorientation-requests/{requestId}/accept': {
    expect: '401 2 2 403 403 403 403 403 403',
    scopes: [],
    call: async (w) => {
      const r = await fresh.reorientation(w);
      return { path: { id: r.person, requestId: r.request }, body: {} };
    },
  },
  'POST /api/v1/beneficiaries/{id}/reorientation-requests/{requestId}/deny': {
    expect: '401 2 2 403 403 403 403 403 403',
    scopes: [],
    call: async (w) => {
      const r = await fresh.reorientation(w);
      return { path: { id: r.person, requestId: r.request }, body: { reason: 'Pas maintenant' } };
    },
  },
  'GET /api/v1/beneficiaries/{id}/suspensions': { expect: PERSON_STAFF, scopes: [], call: (w) => ({ path: P(w) }) },
  'POST /api/v1/beneficiaries/{id}/suspensions': {
    expect: PERSON_STAFF,
    scopes: [],
    call: async (w) => ({ path: { id: await fresh.person(w) }, body: { ground: 'appointment_missed', facts: 'Absent au rendez-vous du 3' } }),
    why: 'one open procedure per person (409): a fresh person each time',
  },
  'GET /api/v1/beneficiaries/{id}/suspensions/{suspensionId}': { expect: PERSON_STAFF, scopes: [], call: (w) => ({ path: { id: w.person, suspensionId: w.suspension } }) },
  'POST /api/v1/beneficiaries/{id}/suspensions/{suspensionId}/decide': {
    expect: '401 2 2 403 403 403 403 403 403',
    scopes: [],
    call: async (w) => ({ path: await fresh.suspension(w), body: { outcome: 'no_sanction', reason: 'Motif légitime' } }),
    why: 'the département decides: managers and admins',
  },
  'POST /api/v1/beneficiaries/{id}/suspensions/{suspensionId}/lift': {
    expect: '401 2 2 403 403 403 403 403 403',
    scopes: [],
    call: async (w) => ({ path: await fresh.suspension(w, true), body: { reason: 'Contrat signé' } }),
    why: 'the département decides: managers and admins',
  },
  'GET /api/v1/beneficiaries/{id}/timeline': { expect: PERSON_READ, scopes: ['beneficiaries:read'], call: (w) => ({ path: P(w) }) },

  // ---- imports (admins and connectors)
  'POST /api/v1/beneficiary-imports': {
    expect: '401 2 403 403 403 403 403 2 403',
    scopes: ['beneficiaries:write'],
    call: (w) => ({ file: { field: 'file', content: importCsv(w.communeA), name: 'people.csv' } }),
  },
  'GET /api/v1/beneficiary-imports/{id}': {
    expect: '401 2 403 403 403 403 403 2 403',
    scopes: ['beneficiaries:write'],
    call: async (w, c) => ({ path: { id: c === 'cli+' ? await fresh.importBy(w, await w.client(['beneficiaries:write'])) : w.import } }),
    why: "an import is seen by admins and its submitter (another client's import is a 404): the client reads its own",
  },
  'POST /api/v1/beneficiary-imports/{id}/retry': {
    expect: '401 B 403 403 403 403 403 B 403',
    scopes: ['beneficiaries:write'],
    call: async (w, c) => ({ path: { id: c === 'cli+' ? await fresh.importBy(w, await w.client(['beneficiaries:write'])) : w.import } }),
    why: 'only a failed import can run again: 422 IMPORT_NOT_RETRYABLE when it is queued, running or completed',
  },
  'POST /api/v1/caseload-transfers': {
    expect: '401 2 2 403 403 403 403 403 403',
    scopes: [],
    call: async (w) => ({ body: { fromAdvisorId: await fresh.advisorOfA(w), toAdvisorId: w.advisorA2.id } }),
  },
  'GET /api/v1/communes': { expect: REFERENCE, scopes: ['reference:read'], call: () => ({}) },

  // ---- construction pathway (operation and participant of agency A)
  'GET /api/v1/construction-pathway/alerts': { expect: '401 2 2 2 2 403 403 2 403', scopes: CP, call: () => ({}) },
  'GET /api/v1/construction-pathway/dashboard': { expect: '401 2 2 2 2 403 2 2 403', scopes: CP, call: () => ({}) },
  'GET /api/v1/construction-pathway/operations': { expect: '401 2 2 2 2 403 2 2 403', scopes: CP, call: () => ({}) },
  'POST /api/v1/construction-pathway/operations': {
    expect: '401 2 2 403 403 403 403 2 403',
    scopes: CPW,
    call: (w) => ({ body: { name: 'Médiathèque', contractingAuthority: 'Ville', communeCode: w.communeA, lots: [{ label: 'Lot 1', requiredHours: 200, companyName: 'BTP', companySiret: '73282932000074' }] } }),
  },
  'GET /api/v1/construction-pathway/operations/{id}': { expect: '401 2 2 2 2 403 2 2 403', scopes: CP, call: (w) => ({ path: { id: w.operation } }), why: 'operations are shared by every agency' },
  'GET /api/v1/construction-pathway/operations/{id}/hours': { expect: '401 2 2 2 2 403 403 2 403', scopes: CP, call: (w) => ({ path: { id: w.operation } }) },
  'POST /api/v1/construction-pathway/operations/{id}/hours': {
    expect: '401 2 2 2 422 403 403 2 403',
    scopes: CPW,
    call: (w) => ({ path: { id: w.operation }, body: { participantId: w.participant, month: thisMonth(), hours: 7 } }),
    why: 'operations are shared; the participant of A, named in the body, is unknown to advisor B: 422 UNKNOWN_PARTICIPANT',
  },
  'POST /api/v1/construction-pathway/operations/{id}/lots': {
    expect: '401 2 2 403 403 403 403 2 403',
    scopes: CPW,
    call: (w) => ({ path: { id: w.operation }, body: { label: `Lot ${letters(3)}`, requiredHours: 10, companyName: 'Menuiserie', companySiret: '73282932000074' } }),
  },
  'GET /api/v1/construction-pathway/participants': { expect: '401 2 2 2 2 403 403 2 403', scopes: CP, call: () => ({}) },
  'POST /api/v1/construction-pathway/participants': {
    expect: '401 2 2 2 404 403 403 2 403',
    scopes: CPW,
    call: async (w) => ({ body: { beneficiaryId: await fresh.person(w), targetTrades: ['F1703'], enrolledOn: isoDay(-5) } }),
  },
  'GET /api/v1/construction-pathway/participants/{id}': { expect: '401 2 2 2 404 403 403 2 403', scopes: CP, call: (w) => ({ path: { id: w.participant } }) },
  'PATCH /api/v1/construction-pathway/participants/{id}': {
    expect: '401 2 2 2 404 403 403 2 403',
    scopes: CPW,
    call: (w) => ({ path: { id: w.participant }, body: { sourcingChannel: 'agency' } }),
  },
  'GET /api/v1/construction-pathway/participants/{id}/employments': { expect: '401 2 2 2 404 403 403 2 403', scopes: CP, call: (w) => ({ path: { id: w.participant } }) },
  'POST /api/v1/construction-pathway/participants/{id}/employments': {
    expect: '401 2 2 2 404 403 403 2 403',
    scopes: CPW,
    call: async (w) => ({
      path: { id: await fresh.participant(w) },
      body: { contractType: 'cdi', employerName: 'BTP 93', romeCode: 'F1703', startsOn: isoDay(-3), weeklyHours: 35 },
    }),
  },
  'PATCH /api/v1/construction-pathway/participants/{id}/employments/{employmentId}': {
    expect: '401 2 2 2 404 403 403 2 403',
    scopes: CPW,
    call: (w) => ({ path: { id: w.participant, employmentId: w.employment }, body: { weeklyHours: 30 } }),
  },
  'POST /api/v1/construction-pathway/participants/{id}/employments/{employmentId}/follow-ups/{month}': {
    expect: '401 B B B 404 403 403 B 403',
    scopes: CPW,
    call: (w) => ({ path: { id: w.participant, employmentId: w.employment, month: '1' }, body: { contactedOn: isoDay(), outcome: 'still_employed' } }),
    why: 'the month-1 follow-up of an employment that started 10 days ago is not due yet (422)',
  },
  'POST /api/v1/construction-pathway/participants/{id}/exit': {
    expect: '401 2 2 2 404 403 403 2 403',
    scopes: CPW,
    call: async (w, c) => ({ path: { id: ['admin', 'mgrA', 'advA', 'cli+'].includes(c) ? await fresh.participant(w) : w.participant }, body: { exitedOn: isoDay(), reason: 'withdrawn' } }),
  },
  'GET /api/v1/construction-pathway/participants/{id}/steps': { expect: '401 2 2 2 404 403 403 2 403', scopes: CP, call: (w) => ({ path: { id: w.participant } }) },
  'POST /api/v1/construction-pathway/participants/{id}/steps': {
    expect: '401 2 2 2 404 403 403 2 403',
    scopes: CPW,
    call: async (w) => ({ path: { id: await fresh.participant(w) }, body: { type: 'trade_discovery', status: 'in_progress', startsOn: isoDay(-1) } }),
  },
  'PATCH /api/v1/construction-pathway/participants/{id}/steps/{stepId}': {
    expect: '401 2 2 2 404 403 403 2 403',
    scopes: CPW,
    call: (w) => ({ path: { id: w.participant, stepId: w.step }, body: { note: `Note ${letters(4)}` } }),
  },
  'GET /api/v1/construction-pathway/trades': { expect: REFERENCE, scopes: ['reference:read', ...CP], call: () => ({}) },

  // ---- programmes (run by provider P)
  'GET /api/v1/programmes': { expect: REFERENCE, scopes: ['programmes:read'], call: () => ({}) },
  'POST /api/v1/programmes': {
    expect: ADMIN_ONLY,
    scopes: [],
    call: (w) => ({
      body: { code: fresh.uniqueCode(), name: 'Atelier', type: 'training', capacity: 5, startsOn: isoDay(30), communeCode: w.communeA, eligiblePaths: ['professional'], providerId: w.providerP },
    }),
  },
  'GET /api/v1/programmes/occupancy': { expect: REFERENCE, scopes: ['programmes:read'], call: () => ({}) },
  'GET /api/v1/programmes/{id}': { expect: REFERENCE, scopes: ['programmes:read'], call: (w) => ({ path: { id: w.programme } }) },
  'PATCH /api/v1/programmes/{id}': {
    expect: '401 2 403 403 403 2 403 403 403',
    scopes: [],
    call: (w) => ({ path: { id: w.programme }, body: { description: `Description ${letters(4)}` } }),
    why: 'provider P runs the programme',
  },
  'GET /api/v1/programmes/{id}/occupancy': { expect: REFERENCE, scopes: ['programmes:read'], call: (w) => ({ path: { id: w.programme } }) },

  // ---- providers
  'GET /api/v1/providers': { expect: REFERENCE, scopes: ['reference:read', 'programmes:read'], call: () => ({}) },
  'POST /api/v1/providers': { expect: ADMIN_ONLY, scopes: [], call: (w) => ({ body: { name: `Structure ${letters(5)}`, siret: fresh.siret(), communeCode: w.communeA } }) },
  'GET /api/v1/providers/{id}': { expect: REFERENCE, scopes: ['reference:read', 'programmes:read'], call: (w) => ({ path: { id: w.providerP } }), why: 'provider P reads itself' },
  'PATCH /api/v1/providers/{id}': { expect: ADMIN_ONLY, scopes: [], call: (w) => ({ path: { id: w.providerQ }, body: { email: 'contact@structure.example' } }) },

  // ---- referrals (person of A to the programme of P)
  'GET /api/v1/referrals': { expect: '401 2 2 2 2 2 403 2 403', scopes: ['referrals:read'], call: () => ({}) },
  'POST /api/v1/referrals': {
    expect: '401 2 2 2 404 403 403 2 403',
    scopes: ['referrals:write'],
    call: async (w) => ({ body: { beneficiaryId: await fresh.person(w), programmeId: w.programme } }),
    why: 'one open referral per person and programme (409): a fresh person each time',
  },
  'GET /api/v1/referrals/{id}': { expect: '401 2 2 2 404 2 403 2 403', scopes: ['referrals:read'], call: (w) => ({ path: { id: w.referral } }) },
  'POST /api/v1/referrals/{id}/abandon': {
    expect: '401 2 403 403 403 2 403 403 403',
    scopes: [],
    call: async (w) => ({ path: { id: await fresh.referral(w, ['accept', 'start']) }, body: { reason: 'Déménagement' } }),
  },
  'POST /api/v1/referrals/{id}/accept': { expect: '401 2 403 403 403 2 403 403 403', scopes: [], call: async (w) => ({ path: { id: await fresh.referral(w) } }) },
  'POST /api/v1/referrals/{id}/cancel': {
    expect: '401 2 2 2 404 403 403 2 403',
    scopes: ['referrals:write'],
    call: async (w) => ({ path: { id: await fresh.referral(w) }, body: { reason: 'Erreur' } }),
  },
  'POST /api/v1/referrals/{id}/complete': { expect: '401 2 403 403 403 2 403 403 403', scopes: [], call: async (w) => ({ path: { id: await fresh.referral(w, ['accept', 'start']) } }) },
  'POST /api/v1/referrals/{id}/decline': { expect: '401 2 403 403 403 2 403 403 403', scopes: [], call: async (w) => ({ path: { id: await fresh.referral(w) }, body: { reason: 'Complet' } }) },
  'POST /api/v1/referrals/{id}/start': { expect: '401 2 403 403 403 2 403 403 403', scopes: [], call: async (w) => ({ path: { id: await fresh.referral(w, ['accept']) } }) },

  // ---- reports
  'GET /api/v1/reports/agencies': { expect: '401 2 2 403 403 403 2 403 403', scopes: [], call: () => ({}) },
  'GET /api/v1/reports/overview': { expect: '401 2 2 403 403 403 2 403 403', scopes: [], call: () => ({}) },
  'GET /api/v1/reports/programmes': { expect: '401 2 2 403 403 2 2 403 403', scopes: [], call: () => ({}) },
  'GET /api/v1/reports/snapshots': { expect: '401 2 2 403 403 2 2 403 403', scopes: [], call: () => ({ query: { month: longAgo() } }) },
  'POST /api/v1/reports/snapshots': { expect: ADMIN_ONLY, scopes: [], call: () => ({ body: { month: longAgo() } }) },
  'GET /api/v1/retention/preview': { expect: ADMIN_ONLY, scopes: [], call: () => ({}) },
  'POST /api/v1/retention/run': { expect: ADMIN_ONLY, scopes: [], call: () => ({}) },

  // ---- users
  'GET /api/v1/users': { expect: '401 2 2 403 403 403 403 403 403', scopes: [], call: () => ({}) },
  'POST /api/v1/users': {
    expect: '401 2 2 403 403 403 403 403 403',
    scopes: [],
    call: (w) => ({ body: { email: `new.${letters(8)}@test.parcours.example`, firstName: 'Nina', lastName: 'Nouvelle', password: 'orange-vélo-minuit-42-cascade', role: Role.Advisor, agencyId: w.agencyA } }),
  },
  'GET /api/v1/users/{id}': { expect: '401 2 2 403 403 403 403 403 403', scopes: [], call: (w) => ({ path: { id: w.advisorA2.id } }) },
  'PATCH /api/v1/users/{id}': { expect: '401 2 2 403 403 403 403 403 403', scopes: [], call: (w) => ({ path: { id: w.advisorA2.id }, body: { lastName: `Conseil ${letters(4)}` } }) },
  'POST /api/v1/users/{id}/deactivate': { expect: '401 2 2 403 403 403 403 403 403', scopes: [], call: async (w) => ({ path: { id: await fresh.advisorOfA(w) } }) },

  // ---- webhook endpoints (admins and connectors with webhooks:manage)
  'GET /api/v1/webhook-endpoints': { expect: WEBHOOKS, scopes: ['webhooks:manage'], call: () => ({}) },
  'POST /api/v1/webhook-endpoints': { expect: WEBHOOKS, scopes: ['webhooks:manage'], call: (w) => ({ body: { url: `${w.receiver.url}/new`, eventTypes: ['beneficiary.created'] } }) },
  'DELETE /api/v1/webhook-endpoints/{id}': { expect: WEBHOOKS, scopes: ['webhooks:manage'], call: async (w, c) => ({ path: { id: await fresh.endpoint(w, c) } }) },
  'GET /api/v1/webhook-endpoints/{id}': { expect: WEBHOOKS, scopes: ['webhooks:manage'], call: async (w, c) => ({ path: { id: (await fresh.endpointOf(w, c)).id } }) },
  'PATCH /api/v1/webhook-endpoints/{id}': {
    expect: WEBHOOKS,
    scopes: ['webhooks:manage'],
    call: async (w, c) => ({ path: { id: (await fresh.endpointOf(w, c)).id }, body: { description: `Test ${letters(4)}` } }),
  },
  'GET /api/v1/webhook-endpoints/{id}/deliveries': { expect: WEBHOOKS, scopes: ['webhooks:manage'], call: async (w, c) => ({ path: { id: (await fresh.endpointOf(w, c)).id } }) },
  'GET /api/v1/webhook-endpoints/{id}/deliveries/{deliveryId}': { expect: WEBHOOKS, scopes: ['webhooks:manage'], call: async (w, c) => ({ path: await fresh.endpointOf(w, c) }) },
  'POST /api/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/retry': {
    expect: '401 B 403 403 403 403 403 B 403',
    scopes: ['webhooks:manage'],
    call: async (w, c) => ({ path: await fresh.endpointOf(w, c) }),
    why: 'a delivery already delivered cannot be retried (409)',
  },
  'POST /api/v1/webhook-endpoints/{id}/rotate-secret': { expect: WEBHOOKS, scopes: ['webhooks:manage'], call: async (w, c) => ({ path: { id: (await fresh.endpointOf(w, c)).id } }) },
  'POST /api/v1/webhook-endpoints/{id}/test': { expect: WEBHOOKS, scopes: ['webhooks:manage'], call: async (w, c) => ({ path: { id: (await fresh.endpointOf(w, c)).id } }) },

  // ---- webhooks in
  'POST /api/v1/webhooks/france-travail': { expect: PUBLIC, scopes: [], call: () => ({ body: ftEvent(), signed: true }), why: 'authenticated by its signature, not a token' },
  'GET /api/v1/webhooks/inbox': { expect: ADMIN_ONLY, scopes: [], call: () => ({}) },
  'GET /api/v1/webhooks/inbox/{id}': { expect: ADMIN_ONLY, scopes: [], call: (w) => ({ path: { id: w.inbox } }) },
  'POST /api/v1/webhooks/inbox/{id}/reprocess': {
    expect: '401 B 403 403 403 403 403 403 403',
    scopes: [],
    call: (w) => ({ path: { id: w.inbox } }),
    why: 'an entry still being processed cannot be reprocessed (409)',
  },

  // ---- health
  'GET /health/live': { expect: PUBLIC, scopes: [], call: () => ({}) },
  'GET /health/ready': { expect: PUBLIC, scopes: [], call: () => ({}) },
};


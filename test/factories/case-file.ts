import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes, randomInt } from 'node:crypto';
import { today } from '../../src/common/time/local-day';
import { nirKey } from '../../src/common/validation/nir';
import { StaffAccount, bearer } from './identity';
import { http } from '../setup/app';

/**
 * Helpers for the case-file tests: unique CAF numbers and NIRs (the database
 * is shared by every test file running at the same time), dates relative to
 * the app's today (in the département's time zone), a beneficiary body and machine clients.
 */

const usedCaf = new Set<string>();

/** A random 7-digit CAF number that this process has not handed out yet (never starts with 0: unpadded = padded). */
export function randomCafNumber(): string {
  for (;;) {
    const caf = String(randomInt(1_000_000, 10_000_000));
    if (!usedCaf.has(caf)) {
      usedCaf.add(caf);
      return caf;
    }
  }
}

/**
 * A random CAF number shorter than 7 digits (the API pads it to 7), in [min, max):
 * never one the 7-digit generator makes. Test files that use it pick disjoint ranges.
 */
export function randomShortCafNumber(min = 100, max = 100_000): string {
  for (;;) {
    const caf = String(randomInt(min, max));
    const padded = caf.padStart(7, '0');
    if (caf !== '4242' && !usedCaf.has(padded)) {
      usedCaf.add(padded);
      return caf;
    }
  }
}

/** The 13 first characters of a random NIR: sex, year, month, département (or 2A/2B), commune, order. */
export function randomNirBase(departement?: string): string {
  const d = (n: number) => Array.from({ length: n }, () => randomInt(0, 10)).join('');
  const sex = String(randomInt(1, 3));
  const year = d(2);
  const month = String(randomInt(1, 13)).padStart(2, '0');
  const dep = departement ?? String(randomInt(10, 96));
  const commune = String(randomInt(1, 1000)).padStart(3, '0');
  const order = String(randomInt(1, 1000)).padStart(3, '0');
  return `${sex}${year}${month}${dep}${commune}${order}`;
}

/** A random NIR with its correct key. */
export function randomNir(departement?: string): string {
  return withNirKey(randomNirBase(departement));
}

/** The 13 digits of a NIR followed by their key: a valid NIR. */
export const withNirKey = (first13: string) => `${first13}${nirKey(first13)}`;

/** A random NIR with a wrong key. */
export function nirWithWrongKey(): string {
  const base = randomNirBase();
  const good = Number(nirKey(base));
  const bad = good === 97 ? 1 : good + 1;
  return `${base}${String(bad).padStart(2, '0')}`;
}

/** A short random tag of letters only (names are searched and sorted on letters). */
export function letters(n = 8): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz';
  return Array.from(randomBytes(n), (b) => alphabet[b % 26]).join('');
}

/** Today plus `days` as YYYY-MM-DD: the app's today, in the département's time zone (TIME_ZONE). */
export function isoDay(days = 0): string {
  return plusDays(today(), days);
}

export function plusDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Calendar months, the day clamped to the end of the month. */
export function plusMonths(iso: string, months: number): string {
  const [y, m, day] = iso.split('-').map(Number);
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(day, last));
  return first.toISOString().slice(0, 10);
}

export type BeneficiaryInput = Record<string, unknown>;

/** A valid creation body: random CAF number and NIR, the given commune. */
export function beneficiaryInput(communeCode: string, overrides: BeneficiaryInput = {}): BeneficiaryInput {
  return {
    cafNumber: randomCafNumber(),
    nir: randomNir(),
    firstName: 'Camille',
    lastName: `Testcase ${letters(6)}`,
    birthDate: '1984-03-12',
    sex: 'F',
    communeCode,
    ...overrides,
  };
}

export interface CreatedBeneficiary {
  id: string;
  version: number;
  [key: string]: unknown;
}

/** Creates a beneficiary over HTTP and fails loudly when it is not a 201. */
export async function createBeneficiary(
  app: NestFastifyApplication,
  by: { token: string },
  communeCode: string,
  overrides: BeneficiaryInput = {},
): Promise<CreatedBeneficiary> {
  let res = await http(app).post('/api/v1/beneficiaries').set(bearer(by)).send(beneficiaryInput(communeCode, overrides));
  // The test files share one database and draw CAF numbers at random: another file may have drawn
  // the same one. Unless the caller chose the number, draw another.
  for (let tries = 0; res.status === 409 && res.body?.code === 'CAF_NUMBER_TAKEN' && overrides.cafNumber === undefined && tries < 5; tries += 1) {
    res = await http(app).post('/api/v1/beneficiaries').set(bearer(by)).send(beneficiaryInput(communeCode, overrides));
  }
  if (res.status !== 201) throw new Error(`creating a beneficiary failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Orients a case (as an admin or agency manager); fails loudly when it is not a 200. */
export async function orient(
  app: NestFastifyApplication,
  by: { token: string },
  id: string,
  body: { path?: string; referentBody?: string; decidedOn?: string; reason?: string } = {},
): Promise<CreatedBeneficiary> {
  const res = await http(app)
    .post(`/api/v1/beneficiaries/${id}/orientation`)
    .set(bearer(by))
    .send({ path: 'professional', referentBody: 'france_travail', ...body });
  if (res.status !== 200) throw new Error(`orienting ${id} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Assigns a case to an advisor (as an admin or agency manager); fails loudly when it is not a 200. */
export async function assign(app: NestFastifyApplication, by: { token: string }, id: string, advisorId: string): Promise<CreatedBeneficiary> {
  const res = await http(app).post(`/api/v1/beneficiaries/${id}/assignment`).set(bearer(by)).send({ advisorId });
  if (res.status !== 200) throw new Error(`assigning ${id} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A machine client with these scopes, created by an admin, and its access token (client credentials grant). */
export async function machineClientToken(app: NestFastifyApplication, admin: StaffAccount, scopes: string[]): Promise<{ token: string; id: string }> {
  const created = await http(app)
    .post('/api/v1/api-clients')
    .set(bearer(admin))
    .send({ name: `Connecteur ${letters(8)}`, scopes });
  if (created.status !== 201) throw new Error(`creating an API client failed: ${created.status} ${JSON.stringify(created.body)}`);
  const token = await http(app)
    .post('/api/v1/auth/token')
    .type('form')
    .send({ grant_type: 'client_credentials', client_id: created.body.clientId, client_secret: created.body.clientSecret });
  if (token.status !== 200) throw new Error(`client credentials grant failed: ${token.status} ${JSON.stringify(token.body)}`);
  return { token: token.body.access_token, id: created.body.id };
}

/** Every item of a paginated list, walking `nextCursor`. */
export async function walkPages<T>(
  fetchPage: (cursor: string | undefined) => Promise<{ status: number; body: { data: T[]; page: { nextCursor: string | null; hasNextPage: boolean } } }>,
  maxPages = 100,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const res = await fetchPage(cursor);
    if (res.status !== 200) throw new Error(`page ${pages + 1} answered ${res.status} ${JSON.stringify(res.body)}`);
    pages += 1;
    items.push(...res.body.data);
    expect(res.body.page.hasNextPage).toBe(res.body.page.nextCursor !== null);
    if (!res.body.page.nextCursor) break;
    if (pages >= maxPages) throw new Error('too many pages');
    cursor = res.body.page.nextCursor;
  }
  return { items, pages };
}

/** A 400 VALIDATION_FAILED problem naming every one of these fields in `errors` (the diff shows the whole body when it fails). */
export function expectFieldErrors(res: { status: number; headers: Record<string, string>; body: unknown }, ...fields: string[]): void {
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({
    status: 400,
    code: 'VALIDATION_FAILED',
    errors: expect.arrayContaining(fields.map((field) => expect.objectContaining({ field, message: expect.any(String) }))),
  });
}

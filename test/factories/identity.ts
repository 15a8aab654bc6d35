import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/roles';
import { AgencyCommune } from '../../src/modules/agencies/entities/agency-commune.entity';
import { Agency } from '../../src/modules/agencies/entities/agency.entity';
import { Provider } from '../../src/modules/providers/entities/provider.entity';
import { User } from '../../src/modules/users/entities/user.entity';
import { hashPassword } from '../../src/modules/users/users.service';
import { http } from '../setup/app';

export const TEST_PASSWORD = 'violet-tramway-figue-7-brume';
let passwordHash: Promise<string> | undefined;

const db = (app: NestFastifyApplication) => app.get(DataSource);
const unique = () => randomUUID().slice(0, 8);

export interface StaffAccount {
  id: string;
  email: string;
  password: string;
  role: Role;
  agencyId: string | null;
  providerId: string | null;
  token: string;
}

/** An agency with the given communes (none by default: communes are shared by every test file). */
export async function createAgency(app: NestFastifyApplication, communeCodes: string[] = []): Promise<Agency> {
  const agency = await db(app).getRepository(Agency).save({ code: `T-${unique().toUpperCase()}`, name: `Agence test ${unique()}` });
  if (communeCodes.length) await db(app).getRepository(AgencyCommune).insert(communeCodes.map((communeCode) => ({ agencyId: agency.id, communeCode })));
  return agency;
}

/**
 * A commune of the test file's own (the département's are shared out between files):
 * a code from 93100 to 93979, where no real commune lies, in the territory `eptCode`
 * ("TT" by default; give a code of the file's own to test figures by territory).
 * `UNKNOWN_COMMUNE` (93999) is never made: tests use it for a commune that does not exist.
 */
export async function createTestCommune(app: NestFastifyApplication, eptCode = 'TT'): Promise<string> {
  for (let tries = 0; tries < 1000; tries += 1) {
    const code = String(TEST_COMMUNES_FROM + Math.floor(Math.random() * TEST_COMMUNES_COUNT));
    const rows = (await db(app).query(
      `INSERT INTO communes (insee_code, name, ept_code, ept_name) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING insee_code`,
      [code, `Commune de test ${code}`, eptCode, `Territoire de test ${eptCode}`],
    )) as unknown[];
    if (rows.length) return code;
  }
  throw new Error('no free test commune code left');
}

/** The first code of the communes made by createTestCommune, and how many there can be. */
export const TEST_COMMUNES_FROM = 93100;
const TEST_COMMUNES_COUNT = 880;
/** A commune code of the département's range that no test ever creates. */
export const UNKNOWN_COMMUNE = '93999';

export async function createProvider(app: NestFastifyApplication): Promise<Provider> {
  return db(app).getRepository(Provider).save({ name: `Structure ${unique()}`, siret: randomSiret(), communeCode: '93066' });
}

/** A staff account written directly in the database, then logged in over HTTP. */
export async function createStaff(
  app: NestFastifyApplication,
  role: Role,
  attach: { agencyId?: string; providerId?: string } = {},
): Promise<StaffAccount> {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const email = `${role}.${unique()}@test.parcours.example`;
  const user = await db(app).getRepository(User).save({
    email,
    passwordHash: await passwordHash,
    role,
    firstName: 'Test',
    lastName: `${role}-${unique()}`,
    agencyId: attach.agencyId ?? null,
    providerId: attach.providerId ?? null,
  });
  const res = await http(app).post('/api/v1/auth/login').send({ email, password: TEST_PASSWORD });
  if (res.status !== 200) throw new Error(`login of ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: user.id, email, password: TEST_PASSWORD, role, agencyId: user.agencyId, providerId: user.providerId, token: res.body.accessToken };
}

export function randomSiret(): string {
  for (;;) {
    const base = Array.from({ length: 13 }, () => Math.floor(Math.random() * 10)).join('');
    if (base.startsWith('356000000')) continue;
    for (let d = 0; d < 10; d += 1) {
      const candidate = `${base}${d}`;
      let sum = 0;
      for (let i = 0; i < 14; i += 1) {
        let digit = Number(candidate[13 - i]);
        if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
        sum += digit;
      }
      if (sum % 10 === 0) return candidate;
    }
  }
}

export const bearer = (account: { token: string }) => ({ authorization: `Bearer ${account.token}` });

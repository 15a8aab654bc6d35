import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { bearer } from '../factories/identity';
import { createBeneficiary, orient } from '../factories/case-file';
import { http } from '../setup/app';

/**
 * Helpers of the referral tests. Agencies of these files serve only 93005,
 * 93006 and 93007 (lifecycle: 93005 and 93006; places: 93007).
 */

export interface ProgrammeInput {
  providerId: string;
  capacity?: number;
  eligiblePaths?: string[];
  [key: string]: unknown;
}

/** Creates a programme over HTTP as an admin; fails loudly when it is not a 201. */
export async function createProgramme(app: NestFastifyApplication, admin: { token: string }, input: ProgrammeInput): Promise<{ id: string; version: number; [k: string]: unknown }> {
  const res = await http(app)
    .post('/api/v1/programmes')
    .set(bearer(admin))
    .send({
      code: `T-${randomUUID().slice(0, 8)}`,
      name: 'Atelier remobilisation',
      type: 'remobilisation',
      capacity: 3,
      startsOn: '2026-09-01',
      communeCode: '93005',
      eligiblePaths: ['professional', 'socio_professional'],
      weeklyHours: 20,
      ...input,
    });
  if (res.status !== 201) throw new Error(`creating a programme failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A person of the commune's agency, created by `creator` and oriented by `manager` on `path`. */
export async function orientedPerson(app: NestFastifyApplication, creator: { token: string }, manager: { token: string }, communeCode: string, path = 'professional'): Promise<string> {
  const b = await createBeneficiary(app, creator, communeCode);
  await orient(app, manager, b.id, { path });
  return b.id;
}

/** Submits a referral and fails loudly when it is not a 201. */
export async function refer(app: NestFastifyApplication, by: { token: string }, beneficiaryId: string, programmeId: string): Promise<{ id: string; status: string }> {
  const res = await http(app).post('/api/v1/referrals').set(bearer(by)).send({ beneficiaryId, programmeId });
  if (res.status !== 201) throw new Error(`referring ${beneficiaryId} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Runs `fn` over `items`, `width` at a time. */
export async function inBatches<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += width) out.push(...(await Promise.all(items.slice(i, i + width).map(fn))));
  return out;
}

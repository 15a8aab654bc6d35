import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { bearer, StaffAccount } from '../factories/identity';
import { http } from '../setup/app';

/** The documented CSV columns, as the first line of a file. */
export const CSV_HEADER =
  'cafNumber,nir,lastName,firstName,birthName,birthDate,sex,communeCode,address,phone,email,householdRole,rightsState,subjectToRightsAndDuties,rightsOpenedOn';

/** POST /beneficiary-imports with `content` as the multipart `file`. */
export const uploadImport = (app: NestFastifyApplication, by: StaffAccount, content: string | Buffer, filename = 'file.csv') =>
  http(app).post('/api/v1/beneficiary-imports').set(bearer(by)).attach('file', Buffer.from(content), filename);

/** Polls the import until the worker has finished with it (`completed` or `failed`); its body. */
export async function importFinished(app: NestFastifyApplication, by: StaffAccount, id: string) {
  for (let i = 0; i < 100; i += 1) {
    const res = await http(app).get(`/api/v1/beneficiary-imports/${id}`).set(bearer(by));
    if (res.body.status === 'completed' || res.body.status === 'failed') return res.body;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`import ${id} did not finish`);
}

import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Role } from '../../src/common/auth/roles';
import { IF_MATCH_MAX_LENGTH } from '../../src/common/http/if-match';
import { NIR_MAX_LENGTH } from '../../src/common/validation/nir';
import { WEBHOOK_SIGNATURE_MAX_LENGTH } from '../../src/modules/webhooks-inbound/webhook-inbox.service';
import { beneficiaryInput, createBeneficiary, randomNir } from '../factories/case-file';
import { bearer, createStaff, createTestCommune, StaffAccount } from '../factories/identity';
import { expectProblem, http, startTestApp } from '../setup/app';
import { newSecret, sendSigned } from '../webhooks/webhook-helpers';

/**
 * The limits the OpenAPI document states for request values are enforced: a
 * value one past the limit is a 400 problem, never accepted nor a 500 (the
 * document itself is linted by spectral: every request string has a maxLength).
 */
describe('request limits of the OpenAPI document are enforced', () => {
  let app: NestFastifyApplication;
  let admin: StaffAccount;
  let communeCode: string;
  const webhookSecret = newSecret();

  beforeAll(async () => {
    process.env.FRANCE_TRAVAIL_WEBHOOK_SECRET = webhookSecret;
    app = await startTestApp();
    admin = await createStaff(app, Role.Admin);
    communeCode = await createTestCommune(app);
  });
  afterAll(async () => {
    await app.close();
    delete process.env.FRANCE_TRAVAIL_WEBHOOK_SECRET;
  });

  it('refuses an If-Match longer than documented', async () => {
    const b = await createBeneficiary(app, admin, communeCode);
    const tooLong = `"1", ${'"9", '.repeat(IF_MATCH_MAX_LENGTH / 5)}"2"`;
    expect(tooLong.length).toBeGreaterThan(IF_MATCH_MAX_LENGTH);
    const res = await http(app).patch(`/api/v1/beneficiaries/${b.id}`).set(bearer(admin)).set('if-match', tooLong).send({ phone: '0655555555' });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors).toEqual([{ field: 'If-Match', message: expect.stringContaining(String(IF_MATCH_MAX_LENGTH)) }]);
    const ok = await http(app).patch(`/api/v1/beneficiaries/${b.id}`).set(bearer(admin)).set('if-match', '"1"').send({ phone: '0655555555' });
    expect(ok.status).toBe(200);
  });

  it('accepts a NIR written with separators, up to the documented length', async () => {
    const nir = randomNir();
    const spaced = `${nir.slice(0, 1)} ${nir.slice(1, 3)} ${nir.slice(3, 5)} ${nir.slice(5, 7)} ${nir.slice(7, 10)} ${nir.slice(10, 13)} ${nir.slice(13)}`;
    const created = await http(app).post('/api/v1/beneficiaries').set(bearer(admin)).send(beneficiaryInput(communeCode, { nir: spaced }));
    expect(created.status).toBe(201);
    const padded = `${nir}${' '.repeat(NIR_MAX_LENGTH - nir.length + 1)}`;
    const refused = await http(app).post('/api/v1/beneficiaries').set(bearer(admin)).send(beneficiaryInput(communeCode, { nir: padded }));
    expectProblem(refused, 400, 'VALIDATION_FAILED');
    expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual(['nir']);
  });

  it('refuses a webhook-signature longer than documented, even with a valid signature in it', async () => {
    // A payload that fails its schema: once the signature passes it is stored as rejected (400), and
    // nothing is queued for other test files to see.
    const event = { type: 'jobseeker.deregistered', timestamp: new Date().toISOString(), data: {} };
    const id = `msg_limits_${Date.now()}`;
    const at = new Date();
    const { Webhook } = await import('standardwebhooks');
    const valid = new Webhook(webhookSecret).sign(id, at, JSON.stringify(event));
    const padded = `${valid} v1,${'A'.repeat(WEBHOOK_SIGNATURE_MAX_LENGTH)}`;
    const refused = await sendSigned(app, event, { secret: webhookSecret, id, timestamp: at, signature: padded });
    expectProblem(refused, 401, 'WEBHOOK_SIGNATURE_INVALID');
    const signedOk = await sendSigned(app, event, { secret: webhookSecret, id, timestamp: at, signature: valid });
    expectProblem(signedOk, 400, 'WEBHOOK_PAYLOAD_INVALID');
  });

  it('refuses strings one past a pattern-derived maxLength and arrays past maxItems', async () => {
    const longCaf = await http(app).post('/api/v1/beneficiaries').set(bearer(admin)).send(beneficiaryInput(communeCode, { cafNumber: '12345678' }));
    expectProblem(longCaf, 400, 'VALIDATION_FAILED');
    const scopes = await http(app)
      .post('/api/v1/api-clients')
      .set(bearer(admin))
      .send({ name: 'Too many scopes', scopes: Array.from({ length: 50 }, () => 'beneficiaries:read') });
    expectProblem(scopes, 400, 'VALIDATION_FAILED');
    const date = await http(app).get('/api/v1/audit-events').query({ from: `2026-01-01T00:00:00.${'1'.repeat(40)}Z` }).set(bearer(admin));
    expectProblem(date, 400, 'VALIDATION_FAILED');
  });
});

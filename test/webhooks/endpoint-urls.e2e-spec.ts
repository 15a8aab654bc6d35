import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { hostname } from 'node:os';
import { Role } from '../../src/common/auth/roles';
import { bearer, createStaff, StaffAccount } from '../factories/identity';
import { expectProblem, http, startTestApp } from '../setup/app';

describe('webhook endpoints: private and loopback addresses refused (WEBHOOK_ALLOW_PRIVATE_URLS=false); no France Travail secret', () => {
  let app: NestFastifyApplication;
  let admin: StaffAccount;

  const saved = process.env.WEBHOOK_ALLOW_PRIVATE_URLS;
  beforeAll(async () => {
    process.env.WEBHOOK_ALLOW_PRIVATE_URLS = 'false';
    app = await startTestApp();
    admin = await createStaff(app, Role.Admin);
  });
  afterAll(async () => {
    await app.close();
    if (saved === undefined) delete process.env.WEBHOOK_ALLOW_PRIVATE_URLS;
    else process.env.WEBHOOK_ALLOW_PRIVATE_URLS = saved;
  });

  // Disabled: the database is shared with the other test files, whose events must not be sent to these addresses.
  const post = (url: string) => http(app).post('/api/v1/webhook-endpoints').set(bearer(admin)).send({ url, eventTypes: ['referral.reminder'], enabled: false });

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://localhost/hook',
    'https://10.1.2.3/hook',
    'https://192.168.0.10/hook',
    'http://172.20.0.1/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]/hook',
    'http://[fd00::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://0.0.0.0/hook',
  ])('refuses %s', async (url) => {
    const res = await post(url);
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors).toEqual([{ field: 'url', message: 'url must not point to a loopback, private or link-local address' }]);
  });

  it('resolves host names: a name of this machine that resolves to loopback is refused', async () => {
    // /etc/hosts maps the machine's own names to 127.0.0.1 (or the name does not resolve at all): refused either way.
    const res = await post(`http://${hostname()}/hook`);
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors[0].field).toBe('url');
  });

  it('accepts a public address', async () => {
    const res = await post('https://93.184.216.34/hook');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ url: 'https://93.184.216.34/hook', enabled: false });
  });

  it('without FRANCE_TRAVAIL_WEBHOOK_SECRET the inbound route answers 503, whatever is sent', async () => {
    expect(process.env.FRANCE_TRAVAIL_WEBHOOK_SECRET).toBeUndefined();
    const res = await http(app).post('/api/v1/webhooks/france-travail').set({ 'content-type': 'application/json', 'webhook-id': 'msg_x', 'webhook-timestamp': '1', 'webhook-signature': 'v1,AAAA' }).send('{}');
    expectProblem(res, 503, 'WEBHOOKS_NOT_CONFIGURED');
  });
});

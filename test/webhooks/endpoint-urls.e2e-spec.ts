import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/roles';
import { bearer, createStaff, StaffAccount } from '../factories/identity';
import { expectProblem, http, startTestApp } from '../setup/app';
import { startReceiver, waitFor } from './webhook-helpers';

describe('webhook endpoints: private and loopback addresses refused (WEBHOOK_ALLOW_PRIVATE_URLS unset)', () => {
  let app: NestFastifyApplication;
  let admin: StaffAccount;

  beforeAll(async () => {
    delete process.env.WEBHOOK_ALLOW_PRIVATE_URLS;
    app = await startTestApp();
    admin = await createStaff(app, Role.Admin);
  });
  afterAll(() => app.close());

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

  it('checks the address again when connecting: a saved host name now resolving to loopback is not called', async () => {
    const receiver = await startReceiver();
    try {
      const created = await post('https://93.184.216.34/hook');
      expect(created.status).toBe(201);
      expect((await http(app).patch(`/api/v1/webhook-endpoints/${created.body.id}`).set(bearer(admin)).send({ enabled: true })).status).toBe(200);
      // As if the name had been re-pointed after the check: the row now names this machine's loopback.
      await app.get(DataSource).query(`UPDATE webhook_endpoints SET url = $2 WHERE id = $1`, [created.body.id, receiver.url.replace('127.0.0.1', 'localhost')]);
      const ping = await http(app).post(`/api/v1/webhook-endpoints/${created.body.id}/test`).set(bearer(admin));
      expect(ping.status).toBe(202);
      const attempted = await waitFor(async () => {
        const d = (await http(app).get(`/api/v1/webhook-endpoints/${created.body.id}/deliveries/${ping.body.id}`).set(bearer(admin))).body;
        return d.attemptLog.length > 0 ? d : undefined;
      }, 10_000, 'the first attempt');
      expect(attempted.attemptLog[0]).toMatchObject({ attempt: 1, responseCode: null, error: 'localhost resolves to a private address' });
      expect(attempted.status).toBe('pending');
      expect(receiver.received).toHaveLength(0);
      expect((await http(app).delete(`/api/v1/webhook-endpoints/${created.body.id}`).set(bearer(admin))).status).toBe(204);
    } finally {
      await receiver.close();
    }
  });
});

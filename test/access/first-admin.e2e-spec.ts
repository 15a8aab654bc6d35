import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { http, startTestApp } from '../setup/app';
import { ownMigratedDatabase } from '../setup/test-database';

/** On a database of its own: "no admin exists yet" cannot hold on the shared test database. */
describe('first admin from ADMIN_EMAIL and ADMIN_PASSWORD', () => {
  const sharedUrl = process.env.DATABASE_URL!;
  let drop: () => Promise<void>;
  const password = 'lilas-funiculaire-42-orage';
  let app: NestFastifyApplication | undefined;

  beforeAll(async () => {
    const own = await ownMigratedDatabase('first_admin');
    drop = own.drop;
    process.env.DATABASE_URL = own.url;
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(async () => {
    process.env.DATABASE_URL = sharedUrl;
    delete process.env.ADMIN_EMAIL;
    delete process.env.ADMIN_PASSWORD;
    await drop?.();
  });

  it('creates the admin on first start only, and nothing else creates one', async () => {
    app = await startTestApp();
    expect((await http(app).post('/api/v1/auth/login').send({ email: 'first.admin@dept93.example', password })).status).toBe(401);
    await app.close();

    process.env.ADMIN_EMAIL = 'First.Admin@dept93.example';
    process.env.ADMIN_PASSWORD = password;
    app = await startTestApp();
    const login = await http(app).post('/api/v1/auth/login').send({ email: 'first.admin@dept93.example', password });
    expect(login.status).toBe(200);
    const me = await http(app).get('/api/v1/auth/me').set('authorization', `Bearer ${login.body.accessToken}`);
    expect(me.body).toMatchObject({ email: 'first.admin@dept93.example', role: 'admin' });
    await app.close();

    process.env.ADMIN_EMAIL = 'second.admin@dept93.example';
    app = await startTestApp();
    expect((await http(app).post('/api/v1/auth/login').send({ email: 'second.admin@dept93.example', password })).status).toBe(401);
    const admins = await http(app)
      .get('/api/v1/users')
      .query({ role: 'admin' })
      .set('authorization', `Bearer ${login.body.accessToken}`);
    expect(admins.body.data.map((u: { email: string }) => u.email)).toEqual(['first.admin@dept93.example']);

    // The only admin cannot be deactivated nor demoted: nothing could create another one.
    const adminId = admins.body.data[0].id as string;
    const auth = { authorization: `Bearer ${login.body.accessToken}` };
    const deactivate = await http(app).post(`/api/v1/users/${adminId}/deactivate`).set(auth);
    expect(deactivate.status).toBe(422);
    expect(deactivate.body.code).toBe('LAST_ADMIN');
    expect((await http(app).patch(`/api/v1/users/${adminId}`).set(auth).send({ role: 'analyst' })).body.code).toBe('LAST_ADMIN');
  });
});

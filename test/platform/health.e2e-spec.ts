import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Role } from '../../src/common/auth/roles';
import { bearer, createStaff, StaffAccount } from '../factories/identity';
import { http, startTestApp } from '../setup/app';

describe('health and metrics', () => {
  let app: NestFastifyApplication;
  let admin: StaffAccount;

  beforeAll(async () => {
    app = await startTestApp();
    admin = await createStaff(app, Role.Admin);
  });
  afterAll(() => app.close());

  it('is live', async () => {
    const res = await http(app).get('/health/live');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('is ready when the database answers', async () => {
    const res = await http(app).get('/health/ready');
    expect(res.status).toBe(200);
    expect(res.body.info.database.status).toBe('up');
  });

  it('keeps the probes outside /api/v1', async () => {
    expect((await http(app).get('/api/v1/health/live')).status).toBe(404);
  });

  it('exposes Prometheus metrics with route templates as labels', async () => {
    await http(app).get('/api/v1/communes?limit=1').set(bearer(admin));
    await http(app).get('/api/v1/does-not-exist/123');
    expect((await http(app).get('/metrics')).status).toBe(401);
    const res = await http(app).get('/metrics').set(bearer(admin));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toContain('process_cpu_user_seconds_total');
    expect(res.text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/communes",status_code="200"\} \d+/);
    expect(res.text).toMatch(/route="unmatched",status_code="404"/);
    expect(res.text).not.toContain('/does-not-exist/123');
  });
});

import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { expectProblem, http, startTestApp } from '../setup/app';

/**
 * The per-address limit of /api/ (in memory, per instance): headers on every
 * response, 429 problem+json with Retry-After beyond the limit, probes untouched.
 * A one-day window, so that no window boundary falls within the test.
 */
describe('API rate limit', () => {
  const LIMIT = 5;
  let app: NestFastifyApplication;
  const saved = { max: process.env.RATE_LIMIT_MAX, window: process.env.RATE_LIMIT_WINDOW_SECONDS };

  beforeAll(async () => {
    process.env.RATE_LIMIT_MAX = String(LIMIT);
    process.env.RATE_LIMIT_WINDOW_SECONDS = '86400';
    app = await startTestApp();
  });
  afterAll(async () => {
    await app.close();
    process.env.RATE_LIMIT_MAX = saved.max;
    if (saved.window === undefined) delete process.env.RATE_LIMIT_WINDOW_SECONDS;
    else process.env.RATE_LIMIT_WINDOW_SECONDS = saved.window;
  });

  it('sends RateLimit-* on every /api/ response and answers 429 problem+json beyond the limit', async () => {
    for (let i = 1; i <= LIMIT; i += 1) {
      const res = await http(app).get('/api/v1/auth/me');
      expectProblem(res, 401, 'UNAUTHORIZED');
      expect(res.headers['ratelimit-limit']).toBe(String(LIMIT));
      expect(res.headers['ratelimit-remaining']).toBe(String(LIMIT - i));
      const reset = Number(res.headers['ratelimit-reset']);
      expect(reset).toBeGreaterThanOrEqual(1);
      expect(reset).toBeLessThanOrEqual(86400);
    }
    const limited = await http(app).get('/api/v1/auth/me');
    expectProblem(limited, 429, 'TOO_MANY_REQUESTS');
    expect(limited.headers['ratelimit-remaining']).toBe('0');
    expect(limited.headers['retry-after']).toBe(limited.headers['ratelimit-reset']);
    expect(limited.headers['cache-control']).toBe('no-store');
    // Counted before routing and before the body is read: a POST with a body is refused the same way.
    const post = await http(app).post('/api/v1/auth/login').send({ email: 'a@example.org', password: 'x' });
    expectProblem(post, 429, 'TOO_MANY_REQUESTS');
  });

  it('leaves the probes and the docs alone', async () => {
    const live = await http(app).get('/health/live');
    expect(live.status).toBe(200);
    expect(live.headers['ratelimit-limit']).toBeUndefined();
    expect((await http(app).get('/docs/openapi.json')).status).toBe(200);
  });

  it('leaves the signed France Travail webhook alone: past the limit, its signature is still checked', async () => {
    // The limit is spent by the first test; an unsigned event is refused for its signature, not its rate.
    expectProblem(await http(app).get('/api/v1/auth/me'), 429, 'TOO_MANY_REQUESTS');
    for (let i = 0; i < LIMIT + 2; i += 1) {
      const res = await http(app).post('/api/v1/webhooks/france-travail').set('content-type', 'application/json').send({ type: 'training.started', timestamp: new Date().toISOString(), data: {} });
      expect(res.status).not.toBe(429);
      expect(res.headers['ratelimit-limit']).toBeUndefined();
    }
  });
});

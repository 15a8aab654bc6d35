import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Type } from 'class-transformer';
import { IsDateString, IsInt, IsString, Length, Min, ValidateNested } from 'class-validator';
import { DataSource } from 'typeorm';
import { Public } from '../../src/common/auth/access.decorator';
import { expectProblem, http, startTestApp } from '../setup/app';

class AddressInput {
  @IsString()
  @Length(5, 5)
  postcode!: string;
}

class ProbeInput {
  @IsString()
  name!: string;

  @IsInt()
  @Min(0)
  hours!: number;

  @IsDateString()
  startsOn!: string;

  @ValidateNested()
  @Type(() => AddressInput)
  address!: AddressInput;
}

/** Routes that exist only in this test, to reach the error paths of the platform. */
@Public()
@Controller('platform-probe')
class ProbeController {
  constructor(private readonly dataSource: DataSource) {}

  @Post('echo')
  echo(@Body() body: ProbeInput): ProbeInput {
    return body;
  }

  @Get('boom')
  boom(): never {
    throw new Error('secret-token=hunter2 in /srv/parcours/src/boom.ts');
  }

  @Post('duplicate-commune')
  async duplicate(): Promise<void> {
    await this.dataSource.query(`INSERT INTO communes (insee_code, name, ept_code, ept_name) VALUES ('93001', 'x', 'T6', 'x')`);
  }

  @Get('bad-cast')
  async badCast(): Promise<void> {
    await this.dataSource.query('SELECT $1::integer', ['not-a-number']);
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

describe('HTTP platform', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await startTestApp([ProbeModule]);
  });
  afterAll(() => app.close());

  it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
    const res = await http(app).post('/api/v1/platform-probe/echo').set('content-type', 'application/json').send('{"name": ');
    expectProblem(res, 400, 'MALFORMED_JSON');
  });

  it('answers a 2 MB body with 413', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) });
    const res = await http(app).post('/api/v1/platform-probe/echo').set('content-type', 'application/json').send(big);
    expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('answers an unsupported media type with 415', async () => {
    const res = await http(app).post('/api/v1/platform-probe/echo').set('content-type', 'text/xml').send('<a/>');
    expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers an unknown route with 404 problem+json', async () => {
    const res = await http(app).get('/api/v1/no-such-thing');
    expectProblem(res, 404, 'NOT_FOUND');
    expect(res.body.instance).toBe('/api/v1/no-such-thing');
  });

  it('lists every invalid field, with nested paths, and refuses unknown fields', async () => {
    const res = await http(app)
      .post('/api/v1/platform-probe/echo')
      .send({ name: 42, hours: -1, startsOn: 'tomorrow', address: { postcode: '9' }, extra: true });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(['address.postcode', 'extra', 'hours', 'name', 'startsOn']);
  });

  it('accepts a valid body', async () => {
    const body = { name: 'Atelier', hours: 15, startsOn: '2026-12-01', address: { postcode: '93200' } };
    const res = await http(app).post('/api/v1/platform-probe/echo').send(body);
    expect(res.status).toBe(201);
    expect(res.body).toEqual(body);
  });

  it('hides an unexpected error behind a generic 500', async () => {
    const res = await http(app).get('/api/v1/platform-probe/boom');
    expectProblem(res, 500, 'INTERNAL_ERROR');
    expect(JSON.stringify(res.body)).not.toMatch(/hunter2|boom\.ts|\bat\b.*\.ts/);
    expect(res.body).not.toHaveProperty('stack');
  });

  it('maps a unique violation to 409 and a bad cast to 400', async () => {
    expectProblem(await http(app).post('/api/v1/platform-probe/duplicate-commune'), 409, 'UNIQUE_VIOLATION');
    expectProblem(await http(app).get('/api/v1/platform-probe/bad-cast'), 400, 'INVALID_INPUT');
  });

  it('round-trips X-Request-Id and makes one when absent or unsafe', async () => {
    const given = await http(app).get('/api/v1/no-such-thing').set('x-request-id', 'agency-front-42');
    expect(given.headers['x-request-id']).toBe('agency-front-42');
    expect(given.body.correlationId).toBe('agency-front-42');

    const made = await http(app).get('/health/live');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);

    const unsafe = await http(app).get('/health/live').set('x-request-id', 'bad id <script>');
    expect(unsafe.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends security headers and no x-powered-by', async () => {
    const res = await http(app).get('/health/live');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('refuses cross-origin requests when no origin is configured', async () => {
    const res = await http(app).options('/api/v1/communes').set('origin', 'https://evil.example').set('access-control-request-method', 'GET');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('HTTP platform with CORS_ORIGINS', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    process.env.CORS_ORIGINS = 'https://agence.seinesaintdenis.fr';
    app = await startTestApp();
  });
  afterAll(async () => {
    delete process.env.CORS_ORIGINS;
    await app.close();
  });

  it('allows the configured origin only', async () => {
    const ok = await http(app).get('/health/live').set('origin', 'https://agence.seinesaintdenis.fr');
    expect(ok.headers['access-control-allow-origin']).toBe('https://agence.seinesaintdenis.fr');
    const other = await http(app).get('/health/live').set('origin', 'https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

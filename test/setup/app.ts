import { DynamicModule, Type } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { resetEnvCache } from '../../src/config/configuration';

/** Whether this test file (Jest loads this module once per file) has started an app yet. */
let fileStarted = false;

/**
 * The real application on the test database, initialised and ready for supertest.
 * The test files share one database and each disables its own webhook endpoints when it
 * ends. When a file starts its first app, endpoints left enabled by a file that did not end
 * (untouched for 10 minutes: no test file runs that long) are disabled, so that this file's
 * dispatcher does not spend its pool and time retrying dead receivers; the endpoints of files
 * running at the same time stay as they are.
 */
export async function startTestApp(extraModules: (Type | DynamicModule)[] = []): Promise<NestFastifyApplication> {
  resetEnvCache();
  const app = await createApp(extraModules);
  if (!fileStarted) {
    fileStarted = true;
    await app.get(DataSource).query(`UPDATE webhook_endpoints SET enabled = false WHERE enabled AND updated_at < now() - interval '10 minutes'`);
  }
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

export function http(app: NestFastifyApplication) {
  return request(app.getHttpServer());
}

/** Asserts the RFC 9457 shape every error shares. */
export function expectProblem(res: request.Response, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code, type: expect.stringMatching(/^urn:parcours:problem:/) });
  expect(typeof res.body.title).toBe('string');
  expect(typeof res.body.detail).toBe('string');
  expect(res.body.correlationId).toBe(res.headers['x-request-id']);
}

import { DynamicModule, Type } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createApp } from '../../src/app.factory';
import { resetEnvCache } from '../../src/config/configuration';

/** The real application on the test database, initialised and ready for supertest. */
export async function startTestApp(extraModules: (Type | DynamicModule)[] = []): Promise<NestFastifyApplication> {
  resetEnvCache();
  const app = await createApp(extraModules);
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

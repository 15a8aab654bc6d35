import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { http, startTestApp } from '../setup/app';

const ROOT = join(__dirname, '..', '..');
const BUILT_GENERATOR = join(ROOT, 'dist', 'src', 'cli', 'openapi.js');

type Operation = { operationId?: string; responses: Record<string, { content?: Record<string, unknown> }> };

describe('OpenAPI document', () => {
  const committed = JSON.parse(readFileSync(join(ROOT, 'openapi', 'openapi.json'), 'utf8'));

  it('is committed exactly as the built app generates it', () => {
    // The document comes from the built app, where the Swagger CLI plugin has run (`npm test` builds first).
    expect(existsSync(BUILT_GENERATOR)).toBe(true);
    const check = spawnSync(process.execPath, [BUILT_GENERATOR, '--check'], { cwd: ROOT, encoding: 'utf8' });
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('gives every operation a unique operationId, a summary and problem+json errors', () => {
    const ids: string[] = [];
    for (const [path, item] of Object.entries(committed.paths as Record<string, Record<string, Operation & { summary?: string }>>)) {
      for (const [method, op] of Object.entries(item)) {
        expect({ path, method, operationId: op.operationId }).toEqual({ path, method, operationId: expect.any(String) });
        expect(op.summary).toEqual(expect.any(String));
        ids.push(op.operationId!);
        expect(op.responses['500']?.content).toHaveProperty(['application/problem+json']);
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) >= 400) expect(Object.keys(response.content ?? {})).toEqual(['application/problem+json']);
        }
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('listCommunes');
  });

  describe('served by the app', () => {
    let app: NestFastifyApplication;
    beforeAll(async () => {
      app = await startTestApp();
    });
    afterAll(() => app.close());

    it('serves Swagger UI at /docs and the JSON at /docs/openapi.json', async () => {
      const ui = await http(app).get('/docs');
      expect(ui.status).toBe(200);
      expect(ui.text).toContain('swagger-ui');
      const json = await http(app).get('/docs/openapi.json');
      expect(json.status).toBe(200);
      expect(json.body.info.title).toBe('Parcours API');
      expect(Object.keys(json.body.paths)).toEqual(expect.arrayContaining(Object.keys(committed.paths)));
    });
  });
});

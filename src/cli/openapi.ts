import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { API_VERSION, configureRouting } from '../app.factory';
import { AppModule } from '../app.module';
import { createFastifyAdapter } from '../common/http/fastify';
import { buildOpenApiDocument, duplicateOperationIds, serializeOpenApi } from '../common/openapi/openapi';

export const OPENAPI_FILE = join(__dirname, '..', '..', '..', 'openapi', 'openapi.json');

/**
 * The OpenAPI document of the built app, made without a database: the module
 * graph is scanned in preview mode, nothing is instantiated.
 */
export async function generateOpenApi(): Promise<string> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule,
    createFastifyAdapter({ bodyLimit: 1_048_576, trustProxy: false, logLevel: 'silent' }),
    { preview: true, logger: false, abortOnError: false },
  );
  configureRouting(app);
  const document = buildOpenApiDocument(app, API_VERSION);
  const duplicates = duplicateOperationIds(document);
  if (duplicates.length > 0) throw new Error(`duplicate operationId: ${duplicates.join(', ')}`);
  return serializeOpenApi(document);
}

async function main(): Promise<void> {
  const generated = await generateOpenApi();
  if (process.argv.includes('--check')) {
    const committed = readFileSync(OPENAPI_FILE, 'utf8');
    if (committed !== generated) {
      console.error('openapi/openapi.json is out of date: run `npm run build && npm run openapi` and commit it.');
      process.exit(1);
    }
    console.log('openapi/openapi.json is up to date.');
    return;
  }
  writeFileSync(OPENAPI_FILE, generated);
  console.log(`wrote ${OPENAPI_FILE}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

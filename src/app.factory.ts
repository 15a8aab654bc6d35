import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import { DynamicModule, RequestMethod, Type, VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger, PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { createFastifyAdapter, registerJsonParser, registerRequestIdEcho, registerSecurityHeaders } from './common/http/fastify';
import { registerRateLimit } from './common/http/rate-limit';
import { rootLogger } from './common/logging/root-logger';
import { buildOpenApiDocument } from './common/openapi/openapi';
import { appConfig } from './config/configuration';
import { MetricsService } from './modules/metrics/metrics.service';
import { version } from '../package.json';

export const API_VERSION = version;

/** Routes outside `/api/v1`. */
const UNPREFIXED_ROUTES = [
  { path: 'health/live', method: RequestMethod.GET },
  { path: 'health/ready', method: RequestMethod.GET },
  { path: 'metrics', method: RequestMethod.GET },
];

/** Prefix `/api` and URI versioning `v1`: the routing every document and client relies on. */
export function configureRouting(app: NestFastifyApplication): void {
  app.setGlobalPrefix('api', { exclude: UNPREFIXED_ROUTES });
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
}

/** Everything around the routes: logger, parsers, headers, CORS, metrics, Swagger UI. */
export async function configureApp(app: NestFastifyApplication): Promise<void> {
  const config = appConfig();
  // Nest's own logs through nestjs-pino, on the process's one pino logger (also Fastify's).
  app.useLogger(new Logger(new PinoLogger({ pinoHttp: { logger: rootLogger(config.logLevel) } }), {}));
  app.flushLogs();
  const fastify = app.getHttpAdapter().getInstance();
  registerJsonParser(fastify, config.bodyLimit);
  await app.register(formbody, { bodyLimit: config.bodyLimit });
  await app.register(multipart, { limits: { fileSize: config.importMaxBytes, files: 1, fields: 5, parts: 6 } });
  registerRequestIdEcho(fastify);
  registerRateLimit(fastify, config.rateLimit);
  app.get(MetricsService).instrument(fastify);
  registerSecurityHeaders(fastify);
  if (config.corsOrigins.length > 0) {
    // Without configured origins no CORS header is ever sent: browsers refuse cross-origin calls.
    app.enableCors({
      origin: config.corsOrigins,
      credentials: false,
      exposedHeaders: ['x-request-id', 'etag', 'retry-after', 'location', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'],
    });
  }
  configureRouting(app);
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app, API_VERSION), {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
    customSiteTitle: 'Parcours API',
    swaggerOptions: { persistAuthorization: true, displayOperationId: true, tryItOutEnabled: true },
  });
}

/**
 * The application, ready to `listen` (used by main.ts, the tests and the
 * benchmarks). Tests may add modules of their own beside AppModule.
 */
export async function createApp(extraModules: (Type | DynamicModule)[] = []): Promise<NestFastifyApplication> {
  const config = appConfig();
  const root: DynamicModule = { module: class ParcoursRoot {}, imports: [AppModule, ...extraModules] };
  const app = await NestFactory.create<NestFastifyApplication>(
    root,
    createFastifyAdapter({ bodyLimit: config.bodyLimit, trustProxy: config.trustProxy, logLevel: config.logLevel }),
    // Body parsers are registered by configureApp (JSON keeps the raw bytes; errors become problems).
    { bufferLogs: true, bodyParser: false },
  );
  await configureApp(app);
  return app;
}

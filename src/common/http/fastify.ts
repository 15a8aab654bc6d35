import { FastifyAdapter } from '@nestjs/platform-fastify';
import helmet from 'helmet';
import type { FastifyBodyParser, FastifyInstance } from 'fastify';
import { AppException } from '../errors/app.exception';
import { RequestLogController, rootLogger } from '../logging/root-logger';
import { genRequestId, REQUEST_ID_HEADER } from './request-id';

export interface HttpSettings {
  bodyLimit: number;
  trustProxy: boolean;
  logLevel: string;
}

/** The Fastify server under Nest: body limit, request ids, proxy trust. */
export function createFastifyAdapter(settings: HttpSettings): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: settings.bodyLimit,
    trustProxy: settings.trustProxy,
    genReqId: genRequestId,
    loggerInstance: rootLogger(settings.logLevel),
    logController: new RequestLogController({ requestIdLogLabel: 'reqId' }),
    return503OnClosing: true,
    connectionTimeout: 30_000,
    requestTimeout: 60_000,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  });
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The body as received, for signature checks (JSON requests only). */
    rawBody?: Buffer;
  }
}

/**
 * JSON parsing with Fastify's own safe parser, keeping the raw bytes (signed
 * webhooks need them) and answering malformed JSON with a `MALFORMED_JSON` problem.
 */
export function registerJsonParser(fastify: FastifyInstance, bodyLimit: number): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  const parser: FastifyBodyParser<Buffer> = (request, body, done) => {
    request.rawBody = body;
    // Routes marked `@RouteConfig({ rawBody: true })` (signed webhooks) parse the bytes themselves,
    // after checking the signature: a malformed body must still be seen, and stored.
    if ((request.routeOptions.config as { rawBody?: boolean } | undefined)?.rawBody) {
      done(null, body);
      return;
    }
    void parse(request, body.toString('utf8'), (error: Error | null, value?: unknown) => {
      if (error) {
        const detail = body.length === 0 ? 'The body is declared as JSON but is empty.' : 'The request body is not valid JSON.';
        done(new AppException(400, 'MALFORMED_JSON', detail), undefined);
        return;
      }
      done(null, value);
    });
  };
  fastify.removeContentTypeParser(['application/json']);
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, parser);
  fastify.addContentTypeParser(/^application\/[\w.-]+\+json$/i, { parseAs: 'buffer', bodyLimit }, parser);
}

/** Echoes the correlation id to the caller on every response. */
export function registerRequestIdEcho(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
}

/**
 * Security headers from helmet, built once (the Fastify plugin rebuilds them on
 * every request). The CSP lets Swagger UI at /docs run from its own files.
 */
export function registerSecurityHeaders(fastify: FastifyInstance): void {
  const headers = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: [`'self'`],
        styleSrc: [`'self'`, `'unsafe-inline'`],
        imgSrc: [`'self'`, 'data:'],
        scriptSrc: [`'self'`],
        connectSrc: [`'self'`],
      },
    },
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    headers(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined));
  });
}

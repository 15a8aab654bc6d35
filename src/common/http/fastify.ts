import { FastifyAdapter } from '@nestjs/platform-fastify';
import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBodyParser, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppException } from '../errors/app.exception';
import { PROBLEM_CONTENT_TYPE } from '../errors/problem';
import { toProblem } from '../errors/problem-mapper';
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
    frameworkErrors: answerFrameworkError,
  });
}

/**
 * Errors Fastify raises while routing, before Nest and its exception filter
 * (a malformed URL, a path parameter over `maxParamLength`): answered as
 * problem+json like every other error, instead of Fastify's own JSON.
 */
export function answerFrameworkError(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  const { problem, headers } = toProblem(error);
  void reply
    .status(problem.status)
    .headers(headers)
    .header(REQUEST_ID_HEADER, String(request.id))
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .header('cache-control', 'no-store')
    .send({ ...problem, instance: request.url?.split('?')[0], correlationId: String(request.id) });
}

/**
 * JSON nested deeper than this is refused (400 `JSON_TOO_DEEP`) before it is
 * parsed: the validation pipe walks bodies recursively, and a body of a few
 * kilobytes of `[[[[…` would exhaust the stack (a 500).
 */
export const MAX_JSON_DEPTH = 64;

/** A `\uD800`–`\uDFFF` escape: the only way a JSON text can carry a lone surrogate (UTF-8 bytes cannot). */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * true when every string (and key) of a parsed body is well-formed Unicode. A lone
 * surrogate makes validators that call `encodeURI` throw (class-validator's
 * `IsEmail`: a 500) and cannot be stored as UTF-8 anyway: such bodies are a 400 `INVALID_UNICODE`.
 */
export function wellFormed(value: unknown): boolean {
  return everyString(value, (s) => !LONE_SURROGATE.test(s));
}

/** A `\u0000` escape: the only way a JSON text can carry a NUL (JSON.parse refuses the raw character). */
const NUL_ESCAPE = /\\u0000/;

/**
 * true when PostgreSQL can store every string (and key) of a parsed JSON text, as text or jsonb:
 * no lone surrogate and no NUL. Only a text holding one of those escapes is walked.
 */
export function storableJson(text: string, value: unknown): boolean {
  if (SURROGATE_ESCAPE.test(text) && !wellFormed(value)) return false;
  return !NUL_ESCAPE.test(text) || everyString(value, (s) => !s.includes('\u0000'));
}

/** true when `ok` holds for every string and every key of a parsed JSON value. */
function everyString(value: unknown, ok: (s: string) => boolean): boolean {
  if (typeof value === 'string') return ok(value);
  if (Array.isArray(value)) return value.every((v) => everyString(v, ok));
  if (value && typeof value === 'object') return Object.entries(value).every(([k, v]) => ok(k) && everyString(v, ok));
  return true;
}

/** The deepest nesting of arrays and objects in a JSON text (brackets inside strings do not count). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i += 1; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      depth += 1;
      if (depth > max) max = depth;
    } else if (c === 93 || c === 125) depth -= 1;
  }
  return max;
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
    const text = body.toString('utf8');
    if (jsonDepth(text) > MAX_JSON_DEPTH) {
      done(new AppException(400, 'JSON_TOO_DEEP', `The request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`), undefined);
      return;
    }
    void parse(request, text, (error: Error | null, value?: unknown) => {
      if (error) {
        const detail = body.length === 0 ? 'The body is declared as JSON but is empty.' : 'The request body is not valid JSON.';
        done(new AppException(400, 'MALFORMED_JSON', detail), undefined);
        return;
      }
      if (SURROGATE_ESCAPE.test(text) && !wellFormed(value)) {
        done(new AppException(400, 'INVALID_UNICODE', 'The request body contains a string that is not valid Unicode (a lone surrogate escape such as \\ud800).'), undefined);
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
 * Security headers from helmet. They depend on nothing in the request: helmet
 * writes them once, at start, into a plain object, and each response gets that
 * object (helmet's middleware on every request set them one by one on the raw
 * response). The CSP lets Swagger UI at /docs run from its own files.
 */
export function registerSecurityHeaders(fastify: FastifyInstance): void {
  const headers = securityHeaders();
  fastify.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(headers);
    done();
  });
}

/** The headers helmet sets on a response, with this API's CSP. */
export function securityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  let finished = false;
  helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: [`'self'`],
        styleSrc: [`'self'`, `'unsafe-inline'`],
        imgSrc: [`'self'`, 'data:'],
        scriptSrc: [`'self'`],
        connectSrc: [`'self'`],
      },
    },
  })({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error instanceof Error ? error : new Error(String(error));
    finished = true;
  });
  // helmet is synchronous: a version that no longer is would leave headers out.
  if (!finished) throw new Error('helmet did not finish synchronously');
  return headers;
}

import { HttpException } from '@nestjs/common';
import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { AppException } from './app.exception';
import { FieldError, Problem, STATUS_CODES, STATUS_TITLES, problemType } from './problem';

export interface MappedProblem {
  problem: Omit<Problem, 'correlationId' | 'instance'>;
  headers: Record<string, string>;
  /** true when the error is a defect or an outage to log with its stack. */
  unexpected: boolean;
}

interface PgError {
  code?: string;
  detail?: string;
  constraint?: string;
  column?: string;
}

/** Fastify's own errors (body limit, media type, empty body...) carry `statusCode` and an `FST_` code. */
interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
}

const FASTIFY_CODES: Record<string, { code: string; detail: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', detail: 'The request body is larger than the server accepts.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'The request body has a media type the server does not accept.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'MALFORMED_JSON', detail: 'The body is declared as JSON but is empty.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'BAD_REQUEST', detail: 'The Content-Length header does not match the body.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'MALFORMED_JSON', detail: 'The request body is not valid JSON.' },
  FST_ERR_BAD_URL: { code: 'BAD_REQUEST', detail: 'The request URL is malformed.' },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'URI_TOO_LONG', detail: 'A path parameter of the request URL is too long.' },
};

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

function make(
  status: number,
  code: string,
  detail: string,
  extra: { errors?: FieldError[]; headers?: Record<string, string>; unexpected?: boolean; extensions?: Record<string, string> } = {},
): MappedProblem {
  return {
    problem: {
      type: problemType(code),
      title: STATUS_TITLES[status] ?? 'Error',
      status,
      detail,
      code,
      ...(extra.errors ? { errors: extra.errors } : {}),
      ...extra.extensions,
    },
    headers: extra.headers ?? {},
    unexpected: extra.unexpected ?? false,
  };
}

function fromHttpException(exception: HttpException): MappedProblem {
  const status = exception.getStatus();
  if (exception instanceof AppException) {
    return make(status, exception.code, exception.detail, { errors: exception.errors, headers: exception.headers, extensions: exception.extensions });
  }
  const response = exception.getResponse();
  let detail = exception.message;
  if (typeof response === 'object' && response !== null && 'message' in response) {
    const message = (response as { message: unknown }).message;
    detail = Array.isArray(message) ? message.join('; ') : String(message);
  }
  if (status === 404 && /^Cannot [A-Z]+ /.test(detail)) detail = 'No resource matches this path and method.';
  const unexpected = status >= 500 && status !== 503;
  if (unexpected) detail = 'An unexpected error occurred. Quote the correlationId when reporting it.';
  if (status === 503) detail = 'The service is not ready: a dependency does not answer.';
  return make(status, STATUS_CODES[status] ?? `HTTP_${status}`, detail, { unexpected });
}

function fromDatabaseError(error: PgError): MappedProblem | undefined {
  switch (error.code) {
    case '23505':
      return make(409, 'UNIQUE_VIOLATION', 'A resource with the same unique value already exists.');
    case '23503':
      return error.detail?.includes('is still referenced')
        ? make(409, 'RESOURCE_IN_USE', 'The resource is still referenced by other records.')
        : make(422, 'REFERENCE_NOT_FOUND', 'A referenced resource does not exist.');
    case '23514':
      return make(422, 'CONSTRAINT_VIOLATION', 'The change breaks a rule of the data.');
    case '23502':
      return make(400, 'VALIDATION_FAILED', 'A required value is missing.');
    case '22P02':
    case '22007':
    case '22008':
    case '22009':
    case '22003':
    case '22001':
    case '22021':
    case '22023':
      return make(400, 'INVALID_INPUT', 'A value has the wrong type, format or size.');
    case '40001':
    case '40P01':
      return make(409, 'CONCURRENT_UPDATE', 'The change conflicted with a concurrent one; retry it.');
    case '57014':
      return make(503, 'DATABASE_TIMEOUT', 'The database did not answer in time; retry later.', {
        headers: { 'retry-after': '5' },
        unexpected: true,
      });
    default:
      if (error.code && /^(08|53|57P)/.test(error.code)) return databaseUnavailable();
      return undefined;
  }
}

function databaseUnavailable(): MappedProblem {
  return make(503, 'DATABASE_UNAVAILABLE', 'The database is unavailable; retry later.', {
    headers: { 'retry-after': '5' },
    unexpected: true,
  });
}

/** Maps anything thrown while serving a request to the problem the client receives. */
export function toProblem(exception: unknown): MappedProblem {
  if (exception instanceof HttpException) return fromHttpException(exception);
  if (exception instanceof QueryFailedError) {
    const mapped = fromDatabaseError(exception.driverError as PgError);
    if (mapped) return mapped;
  }
  const err = (exception ?? {}) as FastifyLikeError & PgError;
  if (typeof err.code === 'string') {
    const fastify = FASTIFY_CODES[err.code];
    if (fastify && err.statusCode) return make(err.statusCode, fastify.code, fastify.detail);
    if (err.code.startsWith('FST_') && err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return make(err.statusCode, STATUS_CODES[err.statusCode] ?? `HTTP_${err.statusCode}`, STATUS_TITLES[err.statusCode] ?? 'Client error');
    }
    if (CONNECTION_ERRORS.has(err.code)) return databaseUnavailable();
    const pg = fromDatabaseError(err);
    if (pg) return pg;
  }
  // TypeORM releases a query runner whose connection broke (the server stopped mid-transaction):
  // the transaction's next query throws one of these (a query builder's or `manager.query`'s).
  // node-postgres says "not queryable" in that case.
  if (exception instanceof QueryRunnerAlreadyReleasedError || exception instanceof QueryRunnerProviderAlreadyReleasedError) return databaseUnavailable();
  // node-postgres's own limit (query_timeout, data-source.ts): the server did not answer at all.
  if (exception instanceof Error && exception.message === 'Query read timeout') return fromDatabaseError({ code: '57014' })!;
  if (
    exception instanceof Error &&
    /Connection terminated|timeout exceeded when trying to connect|Cannot use a pool after calling end|is not queryable/i.test(exception.message)
  ) {
    return databaseUnavailable();
  }
  return make(500, 'INTERNAL_ERROR', 'An unexpected error occurred. Quote the correlationId when reporting it.', {
    unexpected: true,
  });
}

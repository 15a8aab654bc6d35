import { BadRequestException, NotFoundException } from '@nestjs/common';
import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { AppException, ValidationFailedException } from './app.exception';
import { toProblem } from './problem-mapper';

const pgError = (code: string, detail = '') =>
  new QueryFailedError('INSERT ...', [], Object.assign(new Error('db'), { code, detail }));

describe('toProblem', () => {
  it('keeps the code and field errors of an AppException', () => {
    const { problem } = toProblem(new ValidationFailedException([{ field: 'a.b', message: 'must be a string' }]));
    expect(problem).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      type: 'urn:parcours:problem:validation-failed',
      errors: [{ field: 'a.b', message: 'must be a string' }],
    });
    expect(toProblem(new AppException(409, 'PLACE_CAPACITY_REACHED', 'full')).problem.code).toBe('PLACE_CAPACITY_REACHED');
  });

  it('gives plain HTTP exceptions a code from their status', () => {
    expect(toProblem(new NotFoundException('Cannot GET /nope')).problem).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      detail: 'No resource matches this path and method.',
    });
    expect(toProblem(new BadRequestException('bad')).problem.code).toBe('BAD_REQUEST');
  });

  it.each([
    ['23505', '', 409, 'UNIQUE_VIOLATION'],
    ['23503', 'Key (id)=(x) is still referenced from table "y".', 409, 'RESOURCE_IN_USE'],
    ['23503', 'Key (agency_id)=(x) is not present in table "agencies".', 422, 'REFERENCE_NOT_FOUND'],
    ['22P02', '', 400, 'INVALID_INPUT'],
    ['22009', '', 400, 'INVALID_INPUT'],
    ['23514', '', 422, 'CONSTRAINT_VIOLATION'],
    ['57P01', '', 503, 'DATABASE_UNAVAILABLE'],
  ])('maps PostgreSQL error %s (%s) to %d %s', (code, detail, status, expected) => {
    const { problem } = toProblem(pgError(code, detail));
    expect(problem.status).toBe(status);
    expect(problem.code).toBe(expected);
    expect(problem.detail).not.toContain('Key (');
  });

  it('maps a connection lost in the middle of a transaction to 503 DATABASE_UNAVAILABLE', () => {
    // The database stopped under a transaction: TypeORM released its runner, node-postgres refuses the client.
    for (const error of [
      new QueryRunnerAlreadyReleasedError(),
      new QueryRunnerProviderAlreadyReleasedError(),
      new Error('Client has encountered a connection error and is not queryable'),
      new Error('Connection terminated unexpectedly'),
    ]) {
      expect(toProblem(error)).toMatchObject({ problem: { status: 503, code: 'DATABASE_UNAVAILABLE' }, headers: { 'retry-after': '5' } });
    }
  });

  it('maps a query the server never answered (node-postgres query_timeout) to 503 DATABASE_TIMEOUT', () => {
    expect(toProblem(new Error('Query read timeout'))).toMatchObject({ problem: { status: 503, code: 'DATABASE_TIMEOUT' }, headers: { 'retry-after': '5' } });
  });

  it('maps Fastify body errors', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 });
    expect(toProblem(tooLarge).problem).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('hides unknown errors behind a generic 500', () => {
    const mapped = toProblem(new Error('password=hunter2 at /srv/app.js:12'));
    expect(mapped.unexpected).toBe(true);
    expect(mapped.problem.status).toBe(500);
    expect(mapped.problem.detail).not.toContain('hunter2');
  });
});

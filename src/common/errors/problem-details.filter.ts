import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, Problem } from './problem';
import { toProblem } from './problem-mapper';

/**
 * The one place where errors become responses: every error, from validation to
 * an unknown bug, is answered as RFC 9457 problem+json with a stable `code` and
 * the request's `correlationId`. Details of unexpected errors stay in the log.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { problem, headers, unexpected } = toProblem(exception);
    const body: Problem = {
      ...problem,
      instance: request.url?.split('?')[0],
      correlationId: String(request.id),
    };
    if (unexpected) {
      this.logger.error({ err: exception, correlationId: body.correlationId, status: body.status }, 'request failed');
    }
    if (reply.sent) return;
    void reply
      .status(body.status)
      .headers(headers)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .header('cache-control', 'no-store')
      .send(body);
  }
}

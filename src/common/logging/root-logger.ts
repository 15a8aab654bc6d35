import { LogController } from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import pino, { Logger } from 'pino';

/** Paths never written to the log, wherever they appear. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["webhook-signature"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.nir',
  '*.refreshToken',
  '*.accessToken',
  '*.clientSecret',
  '*.client_secret',
  '*.secret',
  'password',
  'nir',
  'refreshToken',
];

let root: Logger | undefined;

/**
 * The one pino logger of the process: Fastify logs requests with it (a child
 * per request carrying `reqId`), and Nest's own logs go through nestjs-pino to it.
 */
export function rootLogger(level: string): Logger {
  if (!root || root.level !== level) {
    root = pino({ level, base: { service: 'parcours' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
  }
  return root;
}

const QUIET_ROUTES = new Set(['/health/live', '/health/ready', '/metrics']);

/** One line per request, when it completes: method, route template, status and time; probes stay quiet. */
export class RequestLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const route = request.routeOptions.url;
    if (route && QUIET_ROUTES.has(route) && reply.statusCode < 400) return;
    const line = {
      method: request.method,
      url: request.url.split('?')[0],
      route,
      statusCode: reply.statusCode,
      responseTime: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error || reply.statusCode >= 500) request.log.error({ ...line, err: error }, 'request failed');
    else if (reply.statusCode >= 400) request.log.warn(line, 'request completed');
    else request.log.info(line, 'request completed');
  }
}

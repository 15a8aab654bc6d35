import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppException } from '../errors/app.exception';
import { PROBLEM_CONTENT_TYPE, Problem } from '../errors/problem';
import { toProblem } from '../errors/problem-mapper';

export interface RateLimitSettings {
  /** Requests per window from one client address. */
  max: number;
  windowSeconds: number;
}

/** The headers sent on every /api/ response (IETF draft "RateLimit header fields for HTTP"). */
export const RATE_LIMIT_HEADERS = {
  limit: 'RateLimit-Limit',
  remaining: 'RateLimit-Remaining',
  reset: 'RateLimit-Reset',
} as const;

/** Only the API is limited: probes (/health), the metrics scraper and the docs are not. */
const LIMITED_PREFIX = '/api/';

/**
 * Not limited per address: France Travail's signed events come from few addresses in bursts
 * (thousands a minute); each is checked by its signature before anything is stored, and a
 * sender answered 429 would only delay them.
 */
export const UNLIMITED_PATHS: readonly string[] = ['/api/v1/webhooks/france-travail'];

/** Whether a request URL (path and query) falls under the per-address limit. */
export function isRateLimited(url: string): boolean {
  if (!url.startsWith(LIMITED_PREFIX)) return false;
  const path = url.split('?')[0];
  return !UNLIMITED_PATHS.includes(path);
}

/**
 * Fixed-window request counter per client address, in this instance's memory:
 * every window starts at the same time for every address, and the counters of
 * the previous window are dropped in one go (no timers, no per-key expiry).
 */
export class FixedWindowCounter {
  private counts = new Map<string, number>();
  private windowStart = 0;
  private readonly windowMs: number;

  constructor(readonly settings: RateLimitSettings) {
    this.windowMs = settings.windowSeconds * 1000;
  }

  /** Counts one request; the count in the current window and the seconds left in it. */
  hit(key: string, now = Date.now()): { count: number; resetSeconds: number } {
    const start = now - (now % this.windowMs);
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.counts = new Map();
    }
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return { count, resetSeconds: Math.max(1, Math.ceil((start + this.windowMs - now) / 1000)) };
  }
}

/**
 * Per-instance rate limit of /api/: every response says the limit, what is
 * left and when the window resets (`RateLimit-*`); over the limit the request
 * is answered 429 `TOO_MANY_REQUESTS` (problem+json, `Retry-After`) before any
 * body parsing, authentication or database work. Keyed by the client address
 * (`request.ip`: behind a proxy, `TRUST_PROXY=true` makes it the real client's).
 */
export function registerRateLimit(fastify: FastifyInstance, settings: RateLimitSettings): FixedWindowCounter {
  const counter = new FixedWindowCounter(settings);
  const limit = String(settings.max);
  // preParsing: after every onRequest hook (request id, security and CORS headers are on the
  // reply, so that a browser can read a 429), before the body is read.
  fastify.addHook('preParsing', (request: FastifyRequest, reply: FastifyReply, payload, done) => {
    if (!isRateLimited(request.url)) {
      done(null, payload);
      return;
    }
    const { count, resetSeconds } = counter.hit(request.ip);
    const reset = String(resetSeconds);
    void reply.header(RATE_LIMIT_HEADERS.limit, limit);
    void reply.header(RATE_LIMIT_HEADERS.remaining, String(Math.max(0, settings.max - count)));
    void reply.header(RATE_LIMIT_HEADERS.reset, reset);
    if (count <= settings.max) {
      done(null, payload);
      return;
    }
    const { problem } = toProblem(new AppException(429, 'TOO_MANY_REQUESTS', `More than ${limit} requests in ${settings.windowSeconds} s from this address: retry after ${reset} s.`));
    const body: Problem = { ...problem, instance: request.url.split('?')[0], correlationId: String(request.id) };
    void reply
      .status(429)
      .header('retry-after', reset)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .header('cache-control', 'no-store')
      .send(body);
  });
  return counter;
}

import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ThrottlerLimitDetail } from '@nestjs/throttler/dist/throttler.guard.interface';
import { AppException } from '../../common/errors/app.exception';
import { parseBasicAuth } from './basic-auth';

/** Throttles the credential endpoints; over the limit: 429 problem with `Retry-After` (seconds). */
@Injectable()
export class AuthThrottlerGuard extends ThrottlerGuard {
  protected override throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new AppException(429, 'TOO_MANY_REQUESTS', 'Too many attempts: wait before trying again.', undefined, {
      'retry-after': String(Math.max(1, detail.timeToBlockExpire)),
    });
  }
}

/**
 * The account a credential request is about: the e-mail of a login, the client
 * of a token request (form, JSON or HTTP Basic), the user of a refresh token
 * (read without verification: it is only a counter key). Else the address.
 */
export function credentialTracker(req: { body?: unknown; headers?: Record<string, unknown>; ip?: string }): string {
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (typeof body.email === 'string' && body.email.trim()) return `email:${body.email.trim().toLowerCase()}`;
  if (typeof body.client_id === 'string' && body.client_id.trim()) return `client:${body.client_id.trim()}`;
  const basic = parseBasicAuth(typeof req.headers?.authorization === 'string' ? req.headers.authorization : undefined);
  if (basic) return `client:${basic.id}`;
  if (typeof body.refreshToken === 'string') {
    const sub = unverifiedSubject(body.refreshToken);
    if (sub) return `user:${sub}`;
  }
  return `ip:${String(req.ip)}`;
}

function unverifiedSubject(jwt: string): string | null {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: unknown };
    return typeof payload.sub === 'string' && payload.sub.length <= 64 ? payload.sub : null;
  } catch {
    return null;
  }
}

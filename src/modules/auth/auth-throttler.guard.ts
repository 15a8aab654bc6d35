import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ThrottlerLimitDetail } from '@nestjs/throttler/dist/throttler.guard.interface';
import { AppException } from '../../common/errors/app.exception';

/** Throttles the credential endpoints; over the limit: 429 problem with `Retry-After` (seconds). */
@Injectable()
export class AuthThrottlerGuard extends ThrottlerGuard {
  protected override throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new AppException(429, 'TOO_MANY_REQUESTS', 'Too many attempts: wait before trying again.', undefined, {
      'retry-after': String(Math.max(1, detail.timeToBlockExpire)),
    });
  }
}

/** The account a credential request is about: the e-mail of a login, the client of a token request. */
export function credentialTracker(req: Record<string, unknown>): string {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const who = typeof body.email === 'string' ? body.email : typeof body.client_id === 'string' ? body.client_id : '';
  return who.trim().toLowerCase() || `ip:${String(req.ip)}`;
}

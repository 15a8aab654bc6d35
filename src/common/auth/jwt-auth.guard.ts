import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { AppException } from '../errors/app.exception';
import { ACCESS_KEY, AccessMetadata } from './access.decorator';
import { bearerToken } from './bearer-token';
import { VerifiedTokens } from './verified-tokens';

/**
 * Global: every route needs a valid access token unless it is @Public. A token
 * passport-jwt has already verified is taken from VerifiedTokens until it expires.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly verified: VerifiedTokens,
  ) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const access = this.reflector.getAllAndOverride<AccessMetadata | undefined>(ACCESS_KEY, [context.getHandler(), context.getClass()]);
    if (access?.public) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: unknown }>();
    const token = bearerToken(request);
    const principal = token ? this.verified.get(token) : undefined;
    if (principal) {
      request.user = principal;
      return true;
    }
    return super.canActivate(context);
  }

  override handleRequest<T>(error: unknown, principal: T): T {
    if (error || !principal) {
      throw new AppException(401, 'UNAUTHORIZED', 'A valid access token is required.', undefined, {
        'www-authenticate': 'Bearer realm="parcours"',
      });
    }
    return principal;
  }
}

import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AppException } from '../errors/app.exception';
import { ACCESS_KEY, AccessMetadata } from './access.decorator';

/** Global: every route needs a valid access token unless it is @Public. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const access = this.reflector.getAllAndOverride<AccessMetadata | undefined>(ACCESS_KEY, [context.getHandler(), context.getClass()]);
    if (access?.public) return true;
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

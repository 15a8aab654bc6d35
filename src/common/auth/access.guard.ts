import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AppException } from '../errors/app.exception';
import { ACCESS_KEY, AccessMetadata } from './access.decorator';
import { Principal } from './principal';
import { INTEGRATION, Role } from './roles';

/** Global, after authentication: the caller's role (or a client's scopes) must match the route's @Access. */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const access = this.reflector.getAllAndOverride<AccessMetadata | undefined>(ACCESS_KEY, [context.getHandler(), context.getClass()]);
    if (!access) {
      throw new AppException(403, 'ACCESS_NOT_DECLARED', 'This route declares no access rule, so nobody may call it.');
    }
    if (access.public) return true;
    const principal = context.switchToHttp().getRequest<FastifyRequest & { user?: Principal }>().user;
    if (principal && isAllowed(principal, access)) return true;
    throw new AppException(403, 'FORBIDDEN', 'Your role does not allow this operation.');
  }
}

export function isAllowed(principal: Principal, access: { roles: Role[]; scopes: string[] }): boolean {
  if (principal.role === INTEGRATION) return access.scopes.some((s) => principal.scopes.includes(s));
  return access.roles.includes(principal.role);
}

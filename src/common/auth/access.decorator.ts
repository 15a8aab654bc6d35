import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Principal } from './principal';
import { Role, Scope } from './roles';

export const ACCESS_KEY = 'parcours:access';

export interface AccessRule {
  /** Staff roles allowed; none means no staff user. */
  roles?: Role[];
  /** Scopes that let a machine client in (any one of them); none means no machine client. */
  scopes?: Scope[];
}

export type AccessMetadata = { public: true } | ({ public: false } & Required<AccessRule>);

/** No token needed (login, token, health, docs, signed webhooks). */
export function Public() {
  return SetMetadata(ACCESS_KEY, { public: true } satisfies AccessMetadata);
}

/**
 * Who may call the route: staff roles and/or machine-client scopes. Every
 * route declares one (or @Public); the global guard refuses the others. The
 * rule is written into the OpenAPI document as `x-access`.
 */
export function Access(rule: AccessRule) {
  const metadata: AccessMetadata = { public: false, roles: rule.roles ?? [], scopes: rule.scopes ?? [] };
  return applyDecorators(
    SetMetadata(ACCESS_KEY, metadata),
    ApiBearerAuth('bearer'),
    ApiExtension('x-access', { roles: metadata.roles, scopes: metadata.scopes }),
    ApiUnauthorizedResponse({ description: 'No valid access token.' }),
    ApiForbiddenResponse({ description: 'The caller\'s role or scopes do not allow this.' }),
  );
}

/** The authenticated caller of the request. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest & { user?: Principal }>();
  return request.user!;
});

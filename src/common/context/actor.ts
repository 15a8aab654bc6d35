import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Principal } from '../auth/principal';

/** The caller and the request, as services need them to check scope and write the audit log. */
export interface Actor {
  principal: Principal;
  requestId: string;
  ip: string | null;
}

/** Context of an unauthenticated request (login, token). */
export interface RequestMeta {
  requestId: string;
  ip: string | null;
}

export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest & { user: Principal }>();
  return { principal: request.user, requestId: String(request.id), ip: request.ip ?? null };
});

export const CurrentRequest = createParamDecorator((_data: unknown, ctx: ExecutionContext): RequestMeta => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  return { requestId: String(request.id), ip: request.ip ?? null };
});

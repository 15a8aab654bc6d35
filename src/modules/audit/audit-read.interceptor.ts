import { applyDecorators, CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata, UseInterceptors } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { from, Observable, switchMap } from 'rxjs';
import { Principal } from '../../common/auth/principal';
import { AuditService } from './audit.service';

const AUDIT_READ_KEY = 'parcours:audit-read';

interface AuditReadRule {
  resourceType: string;
  /** The path parameter holding the resource id. */
  idParam: string;
}

/** Records `<resourceType>.read` in the audit log when the route answers successfully. */
@Injectable()
export class AuditReadInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const rule = this.reflector.get<AuditReadRule | undefined>(AUDIT_READ_KEY, context.getHandler());
    if (!rule) return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest & { user: Principal; params: Record<string, string> }>();
    return next.handle().pipe(
      switchMap((body) =>
        from(
          this.audit
            .record(
              { principal: request.user, requestId: String(request.id), ip: request.ip ?? null },
              { action: `${rule.resourceType}.read`, resourceType: rule.resourceType, resourceId: request.params[rule.idParam] ?? null, details: { route: request.routeOptions.url } },
            )
            .then(() => body),
        ),
      ),
    );
  }
}

/** Audits every successful read of the route (personal data). */
export function AuditRead(resourceType: string, idParam = 'id') {
  return applyDecorators(SetMetadata(AUDIT_READ_KEY, { resourceType, idParam } satisfies AuditReadRule), UseInterceptors(AuditReadInterceptor));
}

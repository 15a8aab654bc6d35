import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { DataSource, EntityManager } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { auditConfig } from '../../config/configuration';
import { Actor, RequestMeta } from '../../common/context/actor';
import { decodeCursor, Page, toPage } from '../../common/pagination/pagination';
import { JobsService } from '../jobs/jobs.service';
import { AuditEventDto } from './dto/audit-event.dto';
import { ListAuditEventsQueryDto } from './dto/list-audit-events-query.dto';
import { AuditEvent } from './entities/audit-event.entity';

export interface AuditEntry {
  action: string;
  resourceType: string;
  resourceId?: string | null;
  details?: Record<string, unknown>;
}

export const AUDIT_PURGE_JOB = 'audit.purge';

/** The append-only log of who read or changed what (domain.md §7). */
@Injectable()
export class AuditService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuditService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobsService,
    @Inject(auditConfig.KEY) private readonly config: ConfigType<typeof auditConfig>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.schedule(AUDIT_PURGE_JOB, '17 3 * * *', async () => {
      const deleted = await this.purge();
      this.logger.log(`audit purge: ${deleted} events older than ${this.config.retentionMonths} months deleted`);
    });
  }

  /** Records an event by an authenticated caller, inside the caller's transaction when given. */
  record(actor: Actor, entry: AuditEntry, manager: EntityManager = this.dataSource.manager): Promise<void> {
    return this.insert(manager, {
      actorType: actor.principal.kind,
      actorId: actor.principal.id,
      actorRole: actor.principal.role,
      requestId: actor.requestId,
      ip: actor.ip,
      ...entry,
    });
  }

  /** Records an event of an unauthenticated request (failed login...) or of the system. */
  recordAnonymous(meta: RequestMeta | null, entry: AuditEntry & { actorId?: string | null }, manager: EntityManager = this.dataSource.manager): Promise<void> {
    return this.insert(manager, {
      actorType: meta ? 'anonymous' : 'system',
      actorId: entry.actorId ?? null,
      actorRole: null,
      requestId: meta?.requestId ?? null,
      ip: meta?.ip ?? null,
      ...entry,
    });
  }

  private async insert(manager: EntityManager, row: Partial<AuditEvent> & AuditEntry): Promise<void> {
    await manager.insert(AuditEvent, {
      actorType: row.actorType,
      actorId: row.actorId ?? null,
      actorRole: row.actorRole ?? null,
      action: row.action,
      resourceType: row.resourceType,
      resourceId: row.resourceId ?? null,
      requestId: row.requestId ?? null,
      ip: row.ip ?? null,
      details: (row.details ?? {}) as QueryDeepPartialEntity<Record<string, unknown>>,
    });
  }

  async list(query: ListAuditEventsQueryDto): Promise<Page<AuditEventDto>> {
    const qb = this.dataSource
      .getRepository(AuditEvent)
      .createQueryBuilder('e')
      .orderBy('e.occurredAt', 'DESC')
      .addOrderBy('e.id', 'DESC')
      .limit(query.limit + 1);
    if (query.actorId) qb.andWhere('e.actorId = :actorId', { actorId: query.actorId });
    if (query.resourceType) qb.andWhere('e.resourceType = :resourceType', { resourceType: query.resourceType });
    if (query.resourceId) qb.andWhere('e.resourceId = :resourceId', { resourceId: query.resourceId });
    if (query.action) qb.andWhere('e.action = :action', { action: query.action });
    if (query.from) qb.andWhere('e.occurredAt >= :from', { from: query.from });
    if (query.to) qb.andWhere('e.occurredAt < :to', { to: query.to });
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor, ['string', 'string']) as [string, string];
      qb.andWhere('(e.occurredAt, e.id) < (:at::timestamptz, :id::uuid)', { at, id });
    }
    const rows = await qb.getMany();
    return toPage(rows, query.limit, (e) => [e.occurredAt.toISOString(), e.id], toAuditEventDto);
  }

  /** Deletes events older than the retention period; the only deletion the append-only trigger lets through. */
  async purge(now = new Date()): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL parcours.audit_purge = 'on'`);
      const result = await manager.query(
        `DELETE FROM audit_events WHERE occurred_at < $1::timestamptz - make_interval(months => $2)`,
        [now.toISOString(), this.config.retentionMonths],
      );
      return (result as [unknown, number])[1] ?? 0;
    });
  }
}

export function toAuditEventDto(e: AuditEvent): AuditEventDto {
  return {
    id: e.id,
    occurredAt: e.occurredAt.toISOString(),
    actorType: e.actorType,
    actorId: e.actorId,
    actorRole: e.actorRole,
    action: e.action,
    resourceType: e.resourceType,
    resourceId: e.resourceId,
    requestId: e.requestId,
    ip: e.ip,
    details: e.details,
  };
}

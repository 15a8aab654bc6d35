import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { DataSource, EntityManager } from 'typeorm';
import { auditConfig } from '../../config/configuration';
import { Actor, RequestMeta } from '../../common/context/actor';
import { decodeCursor, Page, toPage } from '../../common/pagination/pagination';
import { Sql, isoMicros } from '../../database/sql';
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
    private readonly sql: Sql,
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

  /** One plain statement (TypeORM's insert builder would also read the generated columns back). */
  private async insert(manager: EntityManager, row: Partial<AuditEvent> & AuditEntry): Promise<void> {
    await manager.query(
      `INSERT INTO audit_events (actor_type, actor_id, actor_role, action, resource_type, resource_id, request_id, ip, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [row.actorType, row.actorId ?? null, row.actorRole ?? null, row.action, row.resourceType, row.resourceId ?? null, row.requestId ?? null, row.ip ?? null, row.details ?? {}],
    );
  }

  /** Newest first; the cursor keeps the microseconds of `occurred_at`, so no event of the same millisecond is skipped. */
  async list(query: ListAuditEventsQueryDto): Promise<Page<AuditEventDto>> {
    const after = query.cursor ? (decodeCursor(query.cursor, ['timestamp', 'uuid']) as [string, string]) : [null, null];
    const rows = await this.sql.rows<AuditEventDto>(
      `SELECT id,
              ${isoMicros('occurred_at')} AS "occurredAt",
              actor_type AS "actorType", actor_id AS "actorId", actor_role AS "actorRole", action,
              resource_type AS "resourceType", resource_id AS "resourceId", request_id AS "requestId",
              host(ip) AS ip, details
         FROM audit_events
        WHERE ($1::uuid IS NULL OR actor_id = $1)
          AND ($2::text IS NULL OR resource_type = $2)
          AND ($3::text IS NULL OR resource_id = $3)
          AND ($4::text IS NULL OR action = $4)
          AND ($5::timestamptz IS NULL OR occurred_at >= $5)
          AND ($6::timestamptz IS NULL OR occurred_at < $6)
          AND ($7::timestamptz IS NULL OR (occurred_at, id) < ($7::timestamptz, $8::uuid))
        ORDER BY occurred_at DESC, id DESC
        LIMIT $9`,
      [query.actorId ?? null, query.resourceType ?? null, query.resourceId ?? null, query.action ?? null, query.from ?? null, query.to ?? null, after[0], after[1], query.limit + 1],
    );
    return toPage(rows, query.limit, (e) => [e.occurredAt, e.id], (e) => e);
  }

  /** Every event about one resource, oldest first (data-subject export). */
  forResource(resourceType: string, resourceId: string): Promise<AuditEventDto[]> {
    return this.sql.rows<AuditEventDto>(
      `SELECT id, ${isoMicros('occurred_at')} AS "occurredAt",
              actor_type AS "actorType", actor_id AS "actorId", actor_role AS "actorRole", action,
              resource_type AS "resourceType", resource_id AS "resourceId", request_id AS "requestId", host(ip) AS ip, details
         FROM audit_events WHERE resource_type = $1 AND resource_id = $2 ORDER BY occurred_at, id`,
      [resourceType, resourceId],
    );
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

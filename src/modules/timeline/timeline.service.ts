import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { decodeCursor, Page, toPage } from '../../common/pagination/pagination';
import { Sql, isoMicros } from '../../database/sql';
import { TimelineEvent } from './entities/timeline-event.entity';

export interface TimelineEntry {
  beneficiaryId: string;
  type: string;
  summary: string;
  data?: Record<string, string | number | boolean | null>;
  actorId?: string | null;
  /** When it happened; now when absent. */
  occurredAt?: Date;
  /** About health data: hidden from readers who may not see it. */
  sensitive?: boolean;
}

export interface TimelineItem {
  id: string;
  occurredAt: string;
  type: string;
  summary: string;
  data: Record<string, unknown>;
  actorId: string | null;
}

/** The dated events of each case, written in the transaction of the change. */
@Injectable()
export class TimelineService {
  constructor(private readonly sql: Sql) {}

  async record(manager: EntityManager, entry: TimelineEntry): Promise<void> {
    await manager.insert(TimelineEvent, {
      beneficiaryId: entry.beneficiaryId,
      type: entry.type,
      summary: entry.summary,
      data: (entry.data ?? {}) as QueryDeepPartialEntity<Record<string, unknown>>,
      actorId: entry.actorId ?? null,
      sensitive: entry.sensitive ?? false,
      ...(entry.occurredAt ? { occurredAt: entry.occurredAt } : {}),
    });
  }

  /** Newest first; the caller has checked that the case is visible. */
  async list(beneficiaryId: string, query: { limit: number; cursor?: string }, includeSensitive: boolean): Promise<Page<TimelineItem>> {
    const [at, id] = query.cursor ? (decodeCursor(query.cursor, ['timestamp', 'uuid']) as [string, string]) : [null, null];
    const rows = await this.sql.rows<TimelineItem>(
      `SELECT id, ${isoMicros('occurred_at')} AS "occurredAt",
              type, summary, data, actor_id AS "actorId"
         FROM timeline_events
        WHERE beneficiary_id = $1
          AND ($2::timestamptz IS NULL OR (occurred_at, id) < ($2::timestamptz, $3::uuid))
          AND (NOT sensitive OR $5)
        ORDER BY occurred_at DESC, id DESC
        LIMIT $4`,
      [beneficiaryId, at, id, query.limit + 1, includeSensitive],
    );
    return toPage(rows, query.limit, (e) => [e.occurredAt, e.id], (e) => e);
  }

  all(beneficiaryId: string): Promise<TimelineItem[]> {
    return this.sql.rows<TimelineItem>(
      `SELECT id, ${isoMicros('occurred_at')} AS "occurredAt",
              type, summary, data, actor_id AS "actorId"
         FROM timeline_events WHERE beneficiary_id = $1 ORDER BY occurred_at DESC, id DESC`,
      [beneficiaryId],
    );
  }
}

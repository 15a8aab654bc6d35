import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { decodeCursor, Page, toPage } from '../../common/pagination/pagination';
import { Sql, isoMicros } from '../../database/sql';

export interface TimelineEntry {
  beneficiaryId: string;
  type: string;
  summary: string;
  data?: Record<string, string | number | boolean | null>;
  actorId?: string | null;
  /** When it happened; now when absent. */
  occurredAt?: Date;
  /** About health data or a sanction: hidden from readers who may not see the sensitive part of a case (admins and the person's agency staff do). */
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

  /**
   * One plain statement: TypeORM's insert builder (metadata, `RETURNING` of the generated
   * columns, merge back into an entity) cost more than the insert itself on the hot paths
   * (France Travail events, referral actions).
   */
  async record(manager: EntityManager, entry: TimelineEntry): Promise<void> {
    await manager.query(
      `INSERT INTO timeline_events (beneficiary_id, type, summary, data, actor_id, sensitive, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7::timestamptz, now()))`,
      [entry.beneficiaryId, entry.type, entry.summary, entry.data ?? {}, entry.actorId ?? null, entry.sensitive ?? false, entry.occurredAt ?? null],
    );
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

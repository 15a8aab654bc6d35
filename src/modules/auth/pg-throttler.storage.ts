import { Injectable } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { DataSource } from 'typeorm';

/**
 * @nestjs/throttler counters in PostgreSQL (table rate_limits), so that every
 * instance of the API counts the same attempts. One statement per hit.
 */
@Injectable()
export class PgThrottlerStorage implements ThrottlerStorage {
  constructor(private readonly dataSource: DataSource) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const [row] = (await this.dataSource.query(
      `INSERT INTO rate_limits AS r (key, hits, expires_at, blocked_until)
            VALUES ($1, 1, now() + $2 * interval '1 millisecond', CASE WHEN 1 > $3 THEN now() + $4 * interval '1 millisecond' END)
       ON CONFLICT (key) DO UPDATE SET
            hits = CASE WHEN r.expires_at <= now() THEN 1 ELSE r.hits + 1 END,
            expires_at = CASE WHEN r.expires_at <= now() THEN EXCLUDED.expires_at ELSE r.expires_at END,
            blocked_until = CASE
              WHEN r.blocked_until > now() THEN r.blocked_until
              WHEN (CASE WHEN r.expires_at <= now() THEN 1 ELSE r.hits + 1 END) > $3 THEN now() + $4 * interval '1 millisecond'
            END
       RETURNING hits,
                 ceil(extract(epoch FROM expires_at - now()))::int AS expires_in,
                 COALESCE(blocked_until > now(), false) AS blocked,
                 COALESCE(ceil(extract(epoch FROM blocked_until - now()))::int, 0) AS blocked_for`,
      [`${throttlerName}:${key}`, ttl, limit, blockDuration],
    )) as { hits: number; expires_in: number; blocked: boolean; blocked_for: number }[];
    return {
      totalHits: row.hits,
      timeToExpire: Math.max(0, row.expires_in),
      isBlocked: row.blocked,
      timeToBlockExpire: row.blocked ? Math.max(1, row.blocked_for) : 0,
    };
  }
}

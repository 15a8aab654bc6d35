import { Injectable } from '@nestjs/common';
import type { Pool, QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * Plain parameterised SQL on the application's own connection pool, for hot
 * read paths (lists, reports). It skips TypeORM's per-query runner, which
 * costs more than the query itself on short reads. Writes stay in TypeORM
 * transactions.
 */
@Injectable()
export class Sql {
  private readonly pool: Pool;

  constructor(dataSource: DataSource) {
    this.pool = (dataSource.driver as PostgresDriver).master as Pool;
  }

  async rows<T extends QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
    return (await this.pool.query<T>(text, values)).rows;
  }
}

/**
 * A timestamptz column as ISO 8601 UTC with microseconds: keyset cursors built
 * from it never skip rows written in the same millisecond.
 */
export const isoMicros = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

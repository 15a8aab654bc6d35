import { Injectable } from '@nestjs/common';
import { Sql } from '../../database/sql';
import { CommuneDto } from './dto/commune.dto';

export interface CommuneFilter {
  eptCode?: string;
  active?: boolean;
  afterInseeCode?: string;
  limit: number;
}

@Injectable()
export class CommunesRepository {
  constructor(private readonly sql: Sql) {}

  /** Keyset page ordered by INSEE code (the primary key). */
  list(filter: CommuneFilter): Promise<CommuneDto[]> {
    return this.sql.rows<CommuneDto>(
      `SELECT insee_code AS "inseeCode", name, ept_code AS "eptCode", ept_name AS "eptName", active
         FROM communes
        WHERE ($1::text IS NULL OR ept_code = $1)
          AND ($2::boolean IS NULL OR active = $2)
          AND ($3::text IS NULL OR insee_code > $3)
        ORDER BY insee_code
        LIMIT $4`,
      [filter.eptCode ?? null, filter.active ?? null, filter.afterInseeCode ?? null, filter.limit],
    );
  }

  async isActive(inseeCode: string): Promise<boolean> {
    const rows = await this.sql.rows(`SELECT 1 FROM communes WHERE insee_code = $1 AND active`, [inseeCode]);
    return rows.length === 1;
  }
}

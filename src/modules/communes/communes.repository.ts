import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Commune } from './entities/commune.entity';

export interface CommuneFilter {
  eptCode?: string;
  active?: boolean;
  afterInseeCode?: string;
  limit: number;
}

@Injectable()
export class CommunesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Keyset page ordered by INSEE code (the primary key). */
  list(filter: CommuneFilter): Promise<Commune[]> {
    const qb = this.dataSource
      .getRepository(Commune)
      .createQueryBuilder('c')
      .select(['c.inseeCode', 'c.name', 'c.eptCode', 'c.eptName', 'c.active'])
      .orderBy('c.inseeCode', 'ASC')
      .limit(filter.limit);
    if (filter.eptCode !== undefined) qb.andWhere('c.eptCode = :eptCode', { eptCode: filter.eptCode });
    if (filter.active !== undefined) qb.andWhere('c.active = :active', { active: filter.active });
    if (filter.afterInseeCode !== undefined) qb.andWhere('c.inseeCode > :after', { after: filter.afterInseeCode });
    return qb.getMany();
  }

  findByCodes(codes: string[]): Promise<Commune[]> {
    return this.dataSource
      .getRepository(Commune)
      .createQueryBuilder('c')
      .where('c.inseeCode = ANY(:codes)', { codes })
      .getMany();
  }
}

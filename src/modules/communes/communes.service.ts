import { Injectable } from '@nestjs/common';
import { decodeCursor, Page, toPage } from '../../common/pagination/pagination';
import { CommunesRepository } from './communes.repository';
import { CommuneDto } from './dto/commune.dto';
import { ListCommunesQueryDto } from './dto/list-communes-query.dto';

@Injectable()
export class CommunesService {
  constructor(private readonly communes: CommunesRepository) {}

  async list(query: ListCommunesQueryDto): Promise<Page<CommuneDto>> {
    const after = query.cursor ? (decodeCursor(query.cursor, ['string'])[0] as string) : undefined;
    const rows = await this.communes.list({
      eptCode: query.eptCode,
      active: query.active,
      afterInseeCode: after,
      limit: query.limit + 1,
    });
    return toPage(rows, query.limit, (c) => [c.inseeCode], (c) => c);
  }

  async isActive(inseeCode: string): Promise<boolean> {
    return this.communes.isActive(inseeCode);
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { violatedConstraint } from '../../common/errors/database-errors';
import { Principal } from '../../common/auth/principal';
import { Role } from '../../common/auth/roles';
import { Actor } from '../../common/context/actor';
import { decodeCursor, Page, toPage } from '../../common/pagination/pagination';
import { AuditService } from '../audit/audit.service';
import { CreateProviderDto, ListProvidersQueryDto, ProviderDto, UpdateProviderDto } from './dto/provider.dto';
import { Provider } from './entities/provider.entity';
import { providerNotFound, siretTaken, unknownCommune } from './providers.errors';

/** Structures running insertion programmes. Provider staff see their own structure only. */
@Injectable()
export class ProvidersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  private get repo() {
    return this.dataSource.getRepository(Provider);
  }

  async create(actor: Actor, input: CreateProviderDto): Promise<ProviderDto> {
    return this.dataSource.transaction(async (manager) => {
      const provider = await manager
        .save(manager.create(Provider, { ...input, email: input.email?.toLowerCase() ?? null, active: input.active ?? true }))
        .catch(mapProviderError);
      await this.audit.record(actor, { action: 'provider.create', resourceType: 'provider', resourceId: provider.id }, manager);
      return toProviderDto(provider);
    });
  }

  async update(actor: Actor, id: string, input: UpdateProviderDto): Promise<ProviderDto> {
    return this.dataSource.transaction(async (manager) => {
      const provider = await manager.findOne(Provider, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!provider) throw providerNotFound();
      manager.merge(Provider, provider, { ...input, email: input.email?.toLowerCase() ?? provider.email });
      await manager.save(provider).catch(mapProviderError);
      await this.audit.record(actor, { action: 'provider.update', resourceType: 'provider', resourceId: id, details: { fields: Object.keys(input) } }, manager);
      return toProviderDto(provider);
    });
  }

  async get(principal: Principal, id: string): Promise<ProviderDto> {
    if (principal.role === Role.Provider && principal.providerId !== id) throw providerNotFound();
    const provider = await this.repo.findOne({ where: { id } });
    if (!provider) throw providerNotFound();
    return toProviderDto(provider);
  }

  async list(principal: Principal, query: ListProvidersQueryDto): Promise<Page<ProviderDto>> {
    const qb = this.repo.createQueryBuilder('p').orderBy('p.name', 'ASC').addOrderBy('p.id', 'ASC').limit(query.limit + 1);
    if (principal.role === Role.Provider) qb.andWhere('p.id = :own', { own: principal.providerId });
    if (query.communeCode) qb.andWhere('p.communeCode = :communeCode', { communeCode: query.communeCode });
    if (query.cursor) {
      const [name, id] = decodeCursor(query.cursor, ['string', 'uuid']);
      qb.andWhere('(p.name, p.id) > (:name, :id::uuid)', { name, id });
    }
    return toPage(await qb.getMany(), query.limit, (p) => [p.name, p.id], toProviderDto);
  }

  exists(id: string): Promise<boolean> {
    return this.repo.exists({ where: { id } });
  }
}

function mapProviderError(e: unknown): never {
  const constraint = violatedConstraint(e);
  if (constraint === 'uq_providers_siret') throw siretTaken();
  if (constraint === 'fk_providers_commune') throw unknownCommune();
  throw e;
}

export function toProviderDto(p: Provider): ProviderDto {
  return {
    id: p.id,
    name: p.name,
    siret: p.siret,
    communeCode: p.communeCode,
    email: p.email,
    active: p.active,
    createdAt: p.createdAt.toISOString(),
  };
}

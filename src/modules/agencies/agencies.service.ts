import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { violatedConstraint } from '../../common/errors/database-errors';
import { Actor } from '../../common/context/actor';
import { decodeCursor, Page, toPage } from '../../common/pagination/pagination';
import { AuditService } from '../audit/audit.service';
import { Commune } from '../communes/entities/commune.entity';
import { agencyCodeTaken, agencyNotFound, communesAlreadyServed, unknownCommunes } from './agencies.errors';
import { AgencyDto, CreateAgencyDto, ListAgenciesQueryDto, UpdateAgencyDto } from './dto/agency.dto';
import { AgencyCommune } from './entities/agency-commune.entity';
import { Agency } from './entities/agency.entity';

/** Agences Locales d'Insertion and the communes each one serves. */
@Injectable()
export class AgenciesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async create(actor: Actor, input: CreateAgencyDto): Promise<AgencyDto> {
    const id = await this.dataSource.transaction(async (manager) => {
      const agency = await manager.save(
        manager.create(Agency, {
          code: input.code,
          name: input.name,
          address: input.address ?? null,
          email: input.email?.toLowerCase() ?? null,
          phone: input.phone ?? null,
          active: input.active ?? true,
        }),
      ).catch(rethrowCodeTaken);
      if (agency.active) await this.setCommunes(manager, agency.id, input.communeCodes);
      await this.audit.record(actor, { action: 'agency.create', resourceType: 'agency', resourceId: agency.id }, manager);
      return agency.id;
    });
    return this.get(id);
  }

  async update(actor: Actor, id: string, input: UpdateAgencyDto): Promise<AgencyDto> {
    await this.dataSource.transaction(async (manager) => {
      const agency = await manager.findOne(Agency, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!agency) throw agencyNotFound();
      const { communeCodes, ...fields } = input;
      manager.merge(Agency, agency, { ...fields, email: fields.email?.toLowerCase() ?? agency.email });
      await manager.save(agency).catch(rethrowCodeTaken);
      if (!agency.active) {
        // An inactive agency serves no commune: its territory is free for another one.
        await manager.delete(AgencyCommune, { agencyId: id });
      } else if (communeCodes !== undefined) {
        await this.setCommunes(manager, id, communeCodes);
      }
      await this.audit.record(actor, { action: 'agency.update', resourceType: 'agency', resourceId: id, details: { fields: Object.keys(input) } }, manager);
    });
    return this.get(id);
  }

  async get(id: string): Promise<AgencyDto> {
    const [row] = await this.query({ id, limit: 1 });
    if (!row) throw agencyNotFound();
    return row;
  }

  async list(query: ListAgenciesQueryDto): Promise<Page<AgencyDto>> {
    const after = query.cursor ? (decodeCursor(query.cursor, ['string', 'uuid']) as [string, string]) : undefined;
    const rows = await this.query({ active: query.active, communeCode: query.communeCode, after, limit: query.limit + 1 });
    return toPage(rows, query.limit, (a) => [a.code, a.id], (a) => a);
  }

  /** The active agency serving a commune, if any (routing of new beneficiaries). */
  async agencyIdForCommune(communeCode: string, manager: EntityManager = this.dataSource.manager): Promise<string | null> {
    const row = await manager.findOne(AgencyCommune, { where: { communeCode } });
    return row?.agencyId ?? null;
  }

  isActive(id: string, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    return manager.exists(Agency, { where: { id, active: true } });
  }

  private async setCommunes(manager: EntityManager, agencyId: string, codes: string[]): Promise<void> {
    if (codes.length > 0) {
      const known = await manager
        .createQueryBuilder(Commune, 'c')
        .select('c.inseeCode', 'code')
        .where('c.inseeCode = ANY(:codes) AND c.active', { codes })
        .getRawMany<{ code: string }>();
      const knownCodes = new Set(known.map((k) => k.code));
      const unknown = codes.filter((c) => !knownCodes.has(c));
      if (unknown.length > 0) throw unknownCommunes(unknown);
      const taken = await manager
        .createQueryBuilder(AgencyCommune, 'ac')
        .where('ac.communeCode = ANY(:codes) AND ac.agencyId <> :agencyId', { codes, agencyId })
        .getMany();
      if (taken.length > 0) throw communesAlreadyServed(taken.map((t) => t.communeCode));
    }
    await manager.delete(AgencyCommune, { agencyId });
    if (codes.length > 0) {
      // The primary key on commune_code is the last word if two agencies claim a commune at once.
      await manager.insert(AgencyCommune, codes.map((communeCode) => ({ agencyId, communeCode }))).catch((e: unknown) => {
        if (e instanceof QueryFailedError && (e.driverError as { code?: string }).code === '23505') throw communesAlreadyServed(codes);
        throw e;
      });
    }
  }

  private async query(filter: { id?: string; active?: boolean; communeCode?: string; after?: [string, string]; limit: number }): Promise<AgencyDto[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.id) add('a.id = ?', filter.id);
    if (filter.active !== undefined) add('a.active = ?', filter.active);
    if (filter.communeCode) add('EXISTS (SELECT 1 FROM agency_communes x WHERE x.agency_id = a.id AND x.commune_code = ?)', filter.communeCode);
    if (filter.after) {
      params.push(filter.after[0], filter.after[1]);
      where.push(`(a.code, a.id) > ($${params.length - 1}, $${params.length}::uuid)`);
    }
    params.push(filter.limit);
    const rows: AgencyRow[] = await this.dataSource.query(
      `SELECT a.id, a.code, a.name, a.address, a.email, a.phone, a.active, a.created_at, a.updated_at,
              COALESCE((SELECT array_agg(ac.commune_code::text ORDER BY ac.commune_code) FROM agency_communes ac WHERE ac.agency_id = a.id), '{}') AS commune_codes
         FROM agencies a
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY a.code, a.id
        LIMIT $${params.length}`,
      params,
    );
    return rows.map(toAgencyDto);
  }
}

interface AgencyRow {
  id: string;
  code: string;
  name: string;
  address: string | null;
  email: string | null;
  phone: string | null;
  active: boolean;
  created_at: Date;
  updated_at: Date;
  commune_codes: string[];
}

function toAgencyDto(r: AgencyRow): AgencyDto {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    communeCodes: r.commune_codes,
    address: r.address,
    email: r.email,
    phone: r.phone,
    active: r.active,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

function rethrowCodeTaken(e: unknown): never {
  if (violatedConstraint(e) === 'uq_agencies_code') throw agencyCodeTaken();
  throw e;
}

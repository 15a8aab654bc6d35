import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, Not } from 'typeorm';
import { violatedConstraint } from '../../common/errors/database-errors';
import { Principal } from '../../common/auth/principal';
import { newestFirstPage } from '../../common/pagination/newest-first';
import { Page } from '../../common/pagination/pagination';
import { Actor } from '../../common/context/actor';
import { AuditService } from '../audit/audit.service';
import { CaseAccessService } from '../beneficiaries/case-access.service';
import { CaseFileService } from '../beneficiaries/case-file.service';
import { today } from '../../common/time/local-day';
import { Beneficiary } from '../beneficiaries/entities/beneficiary.entity';
import { isSensitiveTheme, SENSITIVE_THEMES, themeData, themeLabel } from './barrier.enums';
import { barrierAlreadyOpen, barrierDates, barrierNotFound, barrierResolved, sensitiveThemeNotAllowed } from './barriers.errors';
import { BarrierDto, CreateBarrierDto, ListBarriersQueryDto, ResolveBarrierDto, UpdateBarrierDto } from './dto/barrier.dto';
import { Barrier } from './entities/barrier.entity';

/**
 * Barriers ("freins") of a case: identified, re-assessed, resolved. Health
 * barriers exist only for admins and the person's agency staff: hidden from
 * lists and 404 for anyone else, machine clients included.
 */
@Injectable()
export class BarriersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: CaseAccessService,
    private readonly caseFile: CaseFileService,
    private readonly audit: AuditService,
  ) {}

  async create(actor: Actor, beneficiaryId: string, input: CreateBarrierDto): Promise<BarrierDto> {
    return this.dataSource.transaction(async (manager) => {
      const b = await this.access.findWritable(actor.principal, beneficiaryId, manager);
      if (isSensitiveTheme(input.theme) && !this.access.seesSensitive(actor.principal, b)) throw sensitiveThemeNotAllowed();
      const barrier = await manager
        .save(
          manager.create(Barrier, {
            beneficiaryId,
            theme: input.theme,
            severity: input.severity,
            note: input.note ?? null,
            identifiedOn: input.identifiedOn ?? today(),
            resolvedOn: null,
            createdBy: actor.principal.kind === 'user' ? actor.principal.id : null,
          }),
        )
        .catch((e: unknown) => {
          if (violatedConstraint(e) === 'uq_barriers_open_theme') throw barrierAlreadyOpen();
          throw e;
        });
      await this.caseFile.event(manager, actor, b, {
        type: 'barrier.identified',
        summary: themeLabel('Barrier identified', barrier.theme),
        data: { barrierId: barrier.id, ...themeData(barrier.theme) },
        sensitive: isSensitiveTheme(barrier.theme),
      });
      await this.audit.record(actor, { action: 'barrier.create', resourceType: 'beneficiary', resourceId: beneficiaryId, details: { barrierId: barrier.id, theme: barrier.theme } }, manager);
      return toBarrierDto(barrier);
    });
  }

  /** Newest identified first, a page at a time; health barriers only for those who may see them. */
  async list(principal: Principal, beneficiaryId: string, query: ListBarriersQueryDto): Promise<Page<BarrierDto>> {
    const b = await this.access.findVisible(principal, beneficiaryId);
    const qb = this.dataSource.getRepository(Barrier).createQueryBuilder('barrier').where('barrier.beneficiaryId = :beneficiaryId', { beneficiaryId });
    if (query.resolved !== undefined) qb.andWhere(query.resolved ? 'barrier.resolvedOn IS NOT NULL' : 'barrier.resolvedOn IS NULL');
    if (!this.access.seesSensitive(principal, b)) qb.andWhere('barrier.theme <> ALL(:sensitive)', { sensitive: SENSITIVE_THEMES });
    return newestFirstPage(qb, query, toBarrierDto, { column: 'identified_on', of: (barrier) => barrier.identifiedOn });
  }

  async get(principal: Principal, beneficiaryId: string, barrierId: string): Promise<BarrierDto> {
    const b = await this.access.findVisible(principal, beneficiaryId);
    return toBarrierDto(await this.findBarrier(this.dataSource.manager, principal, b, barrierId));
  }

  async update(actor: Actor, beneficiaryId: string, barrierId: string, input: UpdateBarrierDto): Promise<BarrierDto> {
    return this.dataSource.transaction(async (manager) => {
      const b = await this.access.findWritable(actor.principal, beneficiaryId, manager);
      const barrier = await this.findBarrier(manager, actor.principal, b, barrierId, true);
      if (barrier.resolvedOn) throw barrierResolved();
      const fields = Object.keys(input).filter((k) => input[k as keyof UpdateBarrierDto] !== undefined);
      if (fields.length === 0) return toBarrierDto(barrier);
      if (input.severity !== undefined) barrier.severity = input.severity;
      if (input.note !== undefined) barrier.note = input.note;
      const saved = await manager.save(barrier);
      await this.caseFile.event(manager, actor, b, {
        type: 'barrier.updated',
        summary: themeLabel('Barrier updated', barrier.theme),
        data: { barrierId, ...themeData(barrier.theme) },
        sensitive: isSensitiveTheme(barrier.theme),
      });
      await this.audit.record(actor, { action: 'barrier.update', resourceType: 'beneficiary', resourceId: beneficiaryId, details: { barrierId, fields } }, manager);
      return toBarrierDto(saved);
    });
  }

  async resolve(actor: Actor, beneficiaryId: string, barrierId: string, input: ResolveBarrierDto): Promise<BarrierDto> {
    return this.dataSource.transaction(async (manager) => {
      const b = await this.access.findWritable(actor.principal, beneficiaryId, manager);
      const barrier = await this.findBarrier(manager, actor.principal, b, barrierId, true);
      if (barrier.resolvedOn) throw barrierResolved();
      const resolvedOn = input.resolvedOn ?? today();
      if (resolvedOn < barrier.identifiedOn) throw barrierDates();
      barrier.resolvedOn = resolvedOn;
      const saved = await manager.save(barrier);
      await this.caseFile.event(manager, actor, b, {
        type: 'barrier.resolved',
        summary: themeLabel('Barrier resolved', barrier.theme),
        data: { barrierId, resolvedOn, ...themeData(barrier.theme) },
        sensitive: isSensitiveTheme(barrier.theme),
      });
      await this.audit.record(actor, { action: 'barrier.resolve', resourceType: 'beneficiary', resourceId: beneficiaryId, details: { barrierId } }, manager);
      return toBarrierDto(saved);
    });
  }

  /** The barrier of this case, or 404 when absent or sensitive for a caller who may not see it. */
  private async findBarrier(manager: EntityManager, principal: Principal, b: Beneficiary, barrierId: string, lock = false): Promise<Barrier> {
    const barrier = await manager.findOne(Barrier, {
      where: { id: barrierId, beneficiaryId: b.id, ...(this.access.seesSensitive(principal, b) ? {} : { theme: Not(In([...SENSITIVE_THEMES])) }) },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!barrier) throw barrierNotFound();
    return barrier;
  }
}

export function toBarrierDto(barrier: Barrier): BarrierDto {
  return {
    id: barrier.id,
    beneficiaryId: barrier.beneficiaryId,
    theme: barrier.theme,
    severity: barrier.severity,
    note: barrier.note,
    identifiedOn: barrier.identifiedOn,
    resolvedOn: barrier.resolvedOn,
    resolved: barrier.resolvedOn !== null,
    createdAt: barrier.createdAt.toISOString(),
    updatedAt: barrier.updatedAt.toISOString(),
  };
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { violatedConstraint } from '../../common/errors/database-errors';
import { Principal } from '../../common/auth/principal';
import { Actor } from '../../common/context/actor';
import { ValidationFailedException } from '../../common/errors/app.exception';
import { newestFirstPage } from '../../common/pagination/newest-first';
import { Page } from '../../common/pagination/pagination';
import { PaginationQueryDto } from '../../common/pagination/pagination-query.dto';
import { AuditService } from '../audit/audit.service';
import { OutboxService } from '../outbox/outbox.service';
import { ContractStatus } from './beneficiary.enums';
import { contractAlreadyOpen, contractDates, contractNotDraft, contractNotFound, contractNotSigned, exitedCase, notOriented } from './beneficiaries.errors';
import { CaseAccessService } from './case-access.service';
import { CaseFileService } from './case-file.service';
import { today } from '../../common/time/local-day';
import { ContractDto, CreateContractDto, UpdateContractDto } from './dto/contract.dto';
import { Contract } from './entities/contract.entity';

/** Contrats d'engagement: draft → signed → ended; one open contract per person. */
@Injectable()
export class ContractsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: CaseAccessService,
    private readonly caseFile: CaseFileService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
  ) {}

  async create(actor: Actor, beneficiaryId: string, input: CreateContractDto): Promise<ContractDto> {
    if (input.endsOn && input.endsOn < input.startsOn) throw contractDates();
    return this.dataSource.transaction(async (manager) => {
      const b = await this.access.findWritable(actor.principal, beneficiaryId, manager);
      if (b.exitedOn) throw exitedCase();
      const contract = await manager
        .save(
          manager.create(Contract, {
            beneficiaryId,
            weeklyActivityHours: input.weeklyActivityHours ?? 15,
            hoursJustification: input.hoursJustification ?? null,
            actionPlan: input.actionPlan ?? '',
            startsOn: input.startsOn,
            endsOn: input.endsOn ?? null,
          }),
        )
        .catch((e: unknown) => {
          if (violatedConstraint(e) === 'uq_contracts_open') throw contractAlreadyOpen();
          throw e;
        });
      await this.caseFile.event(manager, actor, b, { type: 'contract.drafted', summary: 'Contract drafted', data: { contractId: contract.id } });
      await this.audit.record(actor, { action: 'contract.create', resourceType: 'beneficiary', resourceId: beneficiaryId, details: { contractId: contract.id } }, manager);
      return toContractDto(contract);
    });
  }

  /** Newest drafted first, a page at a time. */
  async list(principal: Principal, beneficiaryId: string, query: PaginationQueryDto): Promise<Page<ContractDto>> {
    await this.access.findVisible(principal, beneficiaryId);
    const qb = this.dataSource.getRepository(Contract).createQueryBuilder('c').where('c.beneficiaryId = :beneficiaryId', { beneficiaryId });
    return newestFirstPage(qb, query, toContractDto);
  }

  async get(principal: Principal, beneficiaryId: string, contractId: string): Promise<ContractDto> {
    await this.access.findVisible(principal, beneficiaryId);
    const contract = await this.dataSource.getRepository(Contract).findOne({ where: { id: contractId, beneficiaryId } });
    if (!contract) throw contractNotFound();
    return toContractDto(contract);
  }

  async update(actor: Actor, beneficiaryId: string, contractId: string, input: UpdateContractDto): Promise<ContractDto> {
    return this.dataSource.transaction(async (manager) => {
      await this.access.findWritable(actor.principal, beneficiaryId, manager);
      const contract = await manager.findOne(Contract, { where: { id: contractId, beneficiaryId }, lock: { mode: 'pessimistic_write' } });
      if (!contract) throw contractNotFound();
      if (contract.status !== ContractStatus.Draft) throw contractNotDraft();
      manager.merge(Contract, contract, input);
      if (contract.endsOn && contract.endsOn < contract.startsOn) throw contractDates();
      if (contract.weeklyActivityHours < 15 && !contract.hoursJustification) {
        throw new ValidationFailedException([{ field: 'hoursJustification', message: 'hoursJustification is required below 15 hours a week' }]);
      }
      await manager.save(contract);
      await this.audit.record(actor, { action: 'contract.update', resourceType: 'beneficiary', resourceId: beneficiaryId, details: { contractId, fields: Object.keys(input) } }, manager);
      return toContractDto(contract);
    });
  }

  async sign(actor: Actor, beneficiaryId: string, contractId: string, signedOn: string | undefined): Promise<ContractDto> {
    return this.dataSource.transaction(async (manager) => {
      const b = await this.access.findWritable(actor.principal, beneficiaryId, manager);
      if (b.exitedOn) throw exitedCase();
      if (!b.orientedOn) throw notOriented();
      const contract = await manager.findOne(Contract, { where: { id: contractId, beneficiaryId }, lock: { mode: 'pessimistic_write' } });
      if (!contract) throw contractNotFound();
      if (contract.status !== ContractStatus.Draft) throw contractNotDraft();
      contract.status = ContractStatus.Signed;
      contract.signedOn = signedOn ?? today();
      await manager.save(contract);
      const previousStatus = b.status;
      b.contractSignedOn = contract.signedOn;
      await this.caseFile.save(manager, actor, b, previousStatus);
      await this.caseFile.event(manager, actor, b, { type: 'contract.signed', summary: 'Contract signed', data: { contractId, signedOn: contract.signedOn, weeklyActivityHours: contract.weeklyActivityHours } });
      await this.outbox.write(manager, { type: 'contract.signed', resourceType: 'contract', resourceId: contractId, data: { beneficiaryId, signedOn: contract.signedOn } });
      await this.audit.record(actor, { action: 'contract.sign', resourceType: 'beneficiary', resourceId: beneficiaryId, details: { contractId } }, manager);
      return toContractDto(contract);
    });
  }

  /** Ends a signed contract: the person needs a new one (the contract deadline runs again). */
  async end(actor: Actor, beneficiaryId: string, contractId: string, endedOn: string | undefined): Promise<ContractDto> {
    return this.dataSource.transaction(async (manager) => {
      const b = await this.access.findWritable(actor.principal, beneficiaryId, manager);
      const contract = await manager.findOne(Contract, { where: { id: contractId, beneficiaryId }, lock: { mode: 'pessimistic_write' } });
      if (!contract) throw contractNotFound();
      if (contract.status !== ContractStatus.Signed) throw contractNotSigned();
      const endsOn = endedOn ?? today();
      if (endsOn < contract.startsOn) throw contractDates();
      contract.status = ContractStatus.Ended;
      contract.endsOn = endsOn;
      await manager.save(contract);
      const previousStatus = b.status;
      b.contractSignedOn = null;
      b.contractEndedOn = endsOn;
      await this.caseFile.save(manager, actor, b, previousStatus);
      await this.caseFile.event(manager, actor, b, { type: 'contract.ended', summary: 'Contract ended', data: { contractId, endedOn: endsOn } });
      await this.audit.record(actor, { action: 'contract.end', resourceType: 'beneficiary', resourceId: beneficiaryId, details: { contractId } }, manager);
      return toContractDto(contract);
    });
  }
}

export function toContractDto(c: Contract): ContractDto {
  return {
    id: c.id,
    beneficiaryId: c.beneficiaryId,
    status: c.status,
    weeklyActivityHours: c.weeklyActivityHours,
    hoursJustification: c.hoursJustification,
    actionPlan: c.actionPlan,
    startsOn: c.startsOn,
    endsOn: c.endsOn,
    signedOn: c.signedOn,
    createdAt: c.createdAt.toISOString(),
  };
}

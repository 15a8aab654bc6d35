import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '../../common/auth/principal';
import { Actor } from '../../common/context/actor';
import { violatedConstraint } from '../../common/errors/database-errors';
import { newestFirstPage } from '../../common/pagination/newest-first';
import { Page } from '../../common/pagination/pagination';
import { PaginationQueryDto } from '../../common/pagination/pagination-query.dto';
import { today } from '../../common/time/local-day';
import { suspensionsConfig } from '../../config/configuration';
import { AuditService } from '../audit/audit.service';
import { exitedCase } from '../beneficiaries/beneficiaries.errors';
import { OPEN_RIGHTS_STATES } from '../beneficiaries/beneficiary.enums';
import { CaseAccessService } from '../beneficiaries/case-access.service';
import { CaseFileService } from '../beneficiaries/case-file.service';
import { addMonths } from '../beneficiaries/case-rules';
import { Beneficiary } from '../beneficiaries/entities/beneficiary.entity';
import { DecideSuspensionDto, LiftSuspensionDto, OpenSuspensionDto, SuspensionProcedureDto } from './dto/suspension.dto';
import { SuspensionProcedure } from './entities/suspension-procedure.entity';
import { decisionErrors, suspensionEndsOn } from './suspension-rules';
import { SuspensionOutcome, SuspensionStatus } from './suspension.enums';
import {
  notSubjectToObligations,
  suspensionAlreadyOpen,
  suspensionDates,
  suspensionNotFound,
  suspensionNotLiftable,
  suspensionNotOpen,
  suspensionTerms,
} from './suspensions.errors';

/** The latest first day of a suspension, in months after the decision: a bound on typing errors, not a rule of law. */
const LATEST_START_MONTHS = 12;

/**
 * The suspension procedures of a case (domain.md §3). The person's referent opens one on a
 * failure to meet the obligations; an agency manager or an admin decides it (a suspension
 * within the configured bounds, or no sanction) and may lift a suspension once the person
 * meets the obligations again. Parcours records; it does not compute the allowance.
 */
@Injectable()
export class SuspensionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: CaseAccessService,
    private readonly caseFile: CaseFileService,
    private readonly audit: AuditService,
    @Inject(suspensionsConfig.KEY) private readonly settings: ConfigType<typeof suspensionsConfig>,
  ) {}

  async open(actor: Actor, beneficiaryId: string, input: OpenSuspensionDto): Promise<SuspensionProcedureDto> {
    return this.dataSource.transaction(async (manager) => {
      const b = await this.access.findWritable(actor.principal, beneficiaryId, manager);
      if (b.exitedOn) throw exitedCase();
      // An unknown rights state (null) is let through: the case may have been created without the CAF's file.
      if (!b.subjectToRightsAndDuties || (b.rightsState !== null && !OPEN_RIGHTS_STATES.includes(b.rightsState))) throw notSubjectToObligations();
      const procedure = await manager
        .save(
          manager.create(SuspensionProcedure, {
            beneficiaryId,
            ground: input.ground,
            facts: input.facts,
            openedOn: input.openedOn ?? today(),
            openedBy: actor.principal.id,
            status: SuspensionStatus.Open,
          }),
        )
        .catch((e: unknown) => {
          if (violatedConstraint(e) === 'uq_suspension_procedures_open') throw suspensionAlreadyOpen();
          throw e;
        });
      await this.caseFile.touch(manager, beneficiaryId);
      await this.caseFile.event(manager, actor, b, {
        type: 'suspension.opened',
        summary: `Suspension procedure opened: ${procedure.ground}`,
        data: { suspensionId: procedure.id, ground: procedure.ground },
        sensitive: true,
      });
      await this.audit.record(actor, { action: 'suspension.open', resourceType: 'beneficiary', resourceId: beneficiaryId, details: { suspensionId: procedure.id, ground: procedure.ground } }, manager);
      return toSuspensionDto(procedure);
    });
  }

  /** Newest opened first, a page at a time. */
  async list(principal: Principal, beneficiaryId: string, query: PaginationQueryDto): Promise<Page<SuspensionProcedureDto>> {
    await this.access.findVisible(principal, beneficiaryId);
    const qb = this.dataSource.getRepository(SuspensionProcedure).createQueryBuilder('s').where('s.beneficiaryId = :beneficiaryId', { beneficiaryId });
    return newestFirstPage(qb, query, toSuspensionDto, { column: 'opened_on', of: (p) => p.openedOn });
  }

  async get(principal: Principal, beneficiaryId: string, suspensionId: string): Promise<SuspensionProcedureDto> {
    const b = await this.access.findVisible(principal, beneficiaryId);
    return toSuspensionDto(await this.find(this.dataSource.manager, b, suspensionId));
  }

  async decide(actor: Actor, beneficiaryId: string, suspensionId: string, input: DecideSuspensionDto): Promise<SuspensionProcedureDto> {
    return this.dataSource.transaction(async (manager) => {
      const b = await this.access.findVisible(actor.principal, beneficiaryId, manager, true);
      const procedure = await this.find(manager, b, suspensionId, true);
      if (procedure.status !== SuspensionStatus.Open) throw suspensionNotOpen(procedure.status);
      const decidedOn = input.decidedOn ?? today();
      if (decidedOn < procedure.openedOn) throw suspensionDates('decidedOn', 'is before openedOn');
      const errors = decisionErrors(this.settings, input, await this.suspendedBefore(manager, beneficiaryId));
      if (errors.length > 0) throw suspensionTerms(errors);
      if (input.outcome === SuspensionOutcome.Suspension) {
        const startsOn = input.startsOn ?? decidedOn;
        if (startsOn < decidedOn) throw suspensionDates('startsOn', 'is before decidedOn');
        if (startsOn > addMonths(decidedOn, LATEST_START_MONTHS)) throw suspensionDates('startsOn', `is more than ${LATEST_START_MONTHS} months after decidedOn`);
        Object.assign(procedure, {
          ratePercent: input.ratePercent!,
          months: input.months!,
          multiPersonHousehold: input.multiPersonHousehold ?? false,
          startsOn,
          endsOn: suspensionEndsOn(startsOn, input.months!),
        });
      }
      Object.assign(procedure, {
        status: SuspensionStatus.Decided,
        outcome: input.outcome,
        decidedOn,
        decisionReason: input.reason,
        decidedBy: actor.principal.id,
      });
      const saved = await manager.save(procedure);
      await this.caseFile.touch(manager, beneficiaryId);
      await this.caseFile.event(manager, actor, b, {
        type: 'suspension.decided',
        summary: saved.outcome === SuspensionOutcome.Suspension ? `Suspension decided: ${saved.ratePercent} % for ${saved.months} month(s)` : 'Suspension procedure closed: no sanction',
        data: { suspensionId, outcome: saved.outcome, ratePercent: saved.ratePercent, months: saved.months, startsOn: saved.startsOn, endsOn: saved.endsOn },
        sensitive: true,
      });
      await this.audit.record(actor, { action: 'suspension.decide', resourceType: 'beneficiary', resourceId: beneficiaryId, details: { suspensionId, outcome: saved.outcome } }, manager);
      return toSuspensionDto(saved);
    });
  }

  async lift(actor: Actor, beneficiaryId: string, suspensionId: string, input: LiftSuspensionDto): Promise<SuspensionProcedureDto> {
    return this.dataSource.transaction(async (manager) => {
      const b = await this.access.findVisible(actor.principal, beneficiaryId, manager, true);
      const procedure = await this.find(manager, b, suspensionId, true);
      if (procedure.status === SuspensionStatus.Open) throw suspensionNotLiftable('the procedure is not decided yet');
      if (procedure.status === SuspensionStatus.Lifted) throw suspensionNotLiftable('it is already lifted');
      if (procedure.outcome !== SuspensionOutcome.Suspension) throw suspensionNotLiftable('the decision was no sanction');
      const liftedOn = input.liftedOn ?? today();
      if (liftedOn < procedure.decidedOn!) throw suspensionDates('liftedOn', 'is before decidedOn');
      if (liftedOn > procedure.endsOn!) throw suspensionDates('liftedOn', 'is after the last day of the suspension');
      Object.assign(procedure, { status: SuspensionStatus.Lifted, liftedOn, liftReason: input.reason, liftedBy: actor.principal.id });
      const saved = await manager.save(procedure);
      await this.caseFile.touch(manager, beneficiaryId);
      await this.caseFile.event(manager, actor, b, { type: 'suspension.lifted', summary: 'Suspension lifted', data: { suspensionId, liftedOn }, sensitive: true });
      await this.audit.record(actor, { action: 'suspension.lift', resourceType: 'beneficiary', resourceId: beneficiaryId, details: { suspensionId } }, manager);
      return toSuspensionDto(saved);
    });
  }

  /** An earlier procedure of the person decided as a suspension (lifted or not): a repeated failure. */
  private async suspendedBefore(manager: EntityManager, beneficiaryId: string): Promise<boolean> {
    return manager.exists(SuspensionProcedure, { where: { beneficiaryId, outcome: SuspensionOutcome.Suspension } });
  }

  private async find(manager: EntityManager, b: Beneficiary, suspensionId: string, lock = false): Promise<SuspensionProcedure> {
    const procedure = await manager.findOne(SuspensionProcedure, {
      where: { id: suspensionId, beneficiaryId: b.id },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!procedure) throw suspensionNotFound();
    return procedure;
  }
}

export function toSuspensionDto(p: SuspensionProcedure): SuspensionProcedureDto {
  return {
    id: p.id,
    beneficiaryId: p.beneficiaryId,
    ground: p.ground,
    facts: p.facts,
    openedOn: p.openedOn,
    openedBy: p.openedBy,
    status: p.status,
    outcome: p.outcome,
    decidedOn: p.decidedOn,
    decisionReason: p.decisionReason,
    decidedBy: p.decidedBy,
    ratePercent: p.ratePercent,
    months: p.months,
    multiPersonHousehold: p.multiPersonHousehold,
    startsOn: p.startsOn,
    endsOn: p.endsOn,
    liftedOn: p.liftedOn,
    liftReason: p.liftReason,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

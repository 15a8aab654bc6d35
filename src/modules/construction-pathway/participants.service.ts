import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { DataSource, EntityManager, In } from 'typeorm';
import { Principal } from '../../common/auth/principal';
import { Role } from '../../common/auth/roles';
import { Actor } from '../../common/context/actor';
import { violatedConstraint } from '../../common/errors/database-errors';
import { ifMatchAllows } from '../../common/http/if-match';
import { decodeCursor, Page, toPage } from '../../common/pagination/pagination';
import { isIsoDate } from '../../common/validation/dates';
import { isValidSiret } from '../../common/validation/siret';
import { pathwayConfig } from '../../config/configuration';
import { Sql } from '../../database/sql';
import { AuditService } from '../audit/audit.service';
import { exitedCase, invalidAdvisor } from '../beneficiaries/beneficiaries.errors';
import { CaseAccessService } from '../beneficiaries/case-access.service';
import { CaseFileService } from '../beneficiaries/case-file.service';
import { today } from '../../common/time/local-day';
import { Beneficiary } from '../beneficiaries/entities/beneficiary.entity';
import { OutboxService } from '../outbox/outbox.service';
import { ProgrammesService } from '../programmes/programmes.service';
import { ReferralFacts, ReferralsService } from '../referrals/referrals.service';
import { TimelineService } from '../timeline/timeline.service';
import { User } from '../users/entities/user.entity';
import {
  alreadyEnrolled,
  alreadyExited,
  employmentDates,
  employmentNotFound,
  exitBeforeEnrolment,
  followUpNotFound,
  followUpTooEarly,
  invalidCursor,
  invalidEmployment,
  invalidStepTransition,
  participantExited,
  participantNotFound,
  participantVersionMismatch,
  programmeAndReferral,
  referralAlreadyLinked,
  stepDates,
  stepFollowsReferral,
  stepNotFound,
  unknownOperation,
  unknownProgramme,
  unknownReferral,
  unknownTrades,
} from './construction-pathway.errors';
import {
  CreateEmploymentDto,
  CreateParticipantDto,
  CreateStepDto,
  EmploymentDto,
  ExitParticipantDto,
  ListParticipantsQueryDto,
  ParticipantDto,
  RecordFollowUpDto,
  StepDto,
  UpdateEmploymentDto,
  UpdateParticipantDto,
  UpdateStepDto,
} from './dto/participant.dto';
import { Employment } from './entities/employment.entity';
import { FollowUp } from './entities/follow-up.entity';
import { Operation } from './entities/operation.entity';
import { ParticipantTrade } from './entities/participant-trade.entity';
import { Participant } from './entities/participant.entity';
import { RomeCode } from './entities/rome-code.entity';
import { Step } from './entities/step.entity';
import { canMoveStep, deriveParticipantState, followUpDueOn, isLastingEmployment, stepStatusOfReferral } from './pathway-rules';
import { ContractType, FOLLOW_UP_MONTHS, FollowUpOutcome, OPEN_STEP_STATUSES, StepStatus, StepType } from './pathway.enums';

/** An employment as the France Travail connector reports it (webhook `employment.started`). */
export interface IntegrationEmploymentInput {
  /** Unknown when the integration does not send it (France Travail's `employment.started`). */
  employerName: string | null;
  employerSiret?: string | null;
  contractType: string;
  startsOn: string;
  endsOn?: string | null;
  weeklyHours?: number | null;
  romeCode?: string | null;
}

interface EmploymentInput {
  employerName: string | null;
  employerSiret: string | null;
  contractType: ContractType;
  startsOn: string;
  endsOn: string | null;
  weeklyHours: number | null;
  romeCode: string | null;
  operationId: string | null;
  source: 'staff' | 'integration';
}

const date = (column: string) => `to_char(${column}, 'YYYY-MM-DD')`;
const ts = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const PARTICIPANT_COLUMNS = `p.id, p.beneficiary_id AS "beneficiaryId", b.agency_id AS "agencyId", p.advisor_id AS "advisorId",
       json_build_object('firstName', b.first_name, 'lastName', b.last_name) AS person,
       COALESCE((SELECT array_agg(t.rome_code::text ORDER BY t.rome_code) FROM pathway_participant_trades t WHERE t.participant_id = p.id), '{}') AS "targetTrades",
       ${date('p.enrolled_on')} AS "enrolledOn", p.sourcing_channel AS "sourcingChannel", p.current_stage AS "currentStage",
       ${date('p.without_solution_since')} AS "withoutSolutionSince", ${date('p.exited_on')} AS "exitedOn", p.exit_reason AS "exitReason",
       p.version, ${ts('p.created_at')} AS "createdAt"`;

const PARTICIPANT_FROM = `pathway_participants p JOIN beneficiaries b ON b.id = p.beneficiary_id`;

type ParticipantRow = Omit<ParticipantDto, 'daysWithoutSolution' | 'withoutSolution'>;

const STEP_COLUMNS = `s.id, s.participant_id AS "participantId", s.type, s.status, ${date('s.starts_on')} AS "startsOn", ${date('s.ends_on')} AS "endsOn",
       s.programme_id AS "programmeId", s.referral_id AS "referralId", s.operation_id AS "operationId",
       (SELECT e.id FROM pathway_employments e WHERE e.step_id = s.id) AS "employmentId", s.note,
       ${ts('s.created_at')} AS "createdAt", ${ts('s.updated_at')} AS "updatedAt"`;

const EMPLOYMENT_COLUMNS = `e.id, e.participant_id AS "participantId", e.step_id AS "stepId", e.employer_name AS "employerName", e.employer_siret AS "employerSiret",
       e.contract_type AS "contractType", ${date('e.starts_on')} AS "startsOn", ${date('e.ends_on')} AS "endsOn",
       e.weekly_hours::float8 AS "weeklyHours", e.rome_code AS "romeCode", e.operation_id AS "operationId", e.lasting, e.source,
       COALESCE((SELECT json_agg(json_build_object('month', f.month, 'dueOn', ${date('f.due_on')}, 'contactedOn', ${date('f.contacted_on')},
                                                   'outcome', f.outcome, 'note', f.note) ORDER BY f.month)
                   FROM pathway_follow_ups f WHERE f.employment_id = e.id), '[]') AS "followUps",
       ${ts('e.created_at')} AS "createdAt"`;

/** Follow-ups are due up to 6 months later: a job must start early enough for them to be dates. */
const LAST_START = '2099-06-30';

/** The later of two ISO dates. */
const later = (a: string, b: string) => (a > b ? a : b);

/**
 * Participants of the construction pathway, their steps, employments and follow-ups.
 * Scope is the case's (CaseAccessService): agency staff their agency's people, advisors
 * writing on their caseload, admins and machine clients everything. Every change is one
 * transaction with its timeline line, outbox event and audit row, and refreshes the
 * participant's derived stage and "without a solution" date.
 */
@Injectable()
export class ParticipantsService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sql: Sql,
    private readonly access: CaseAccessService,
    private readonly caseFile: CaseFileService,
    private readonly timeline: TimelineService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly programmes: ProgrammesService,
    private readonly referrals: ReferralsService,
    @Inject(pathwayConfig.KEY) private readonly config: ConfigType<typeof pathwayConfig>,
  ) {}

  onModuleInit(): void {
    this.referrals.onStatusChanged((manager, actor, referral) => this.followReferral(manager, actor, referral));
  }

  // ---------------------------------------------------------------- participants

  async enrol(actor: Actor, input: CreateParticipantDto): Promise<ParticipantDto> {
    const id = await this.dataSource.transaction(async (manager) => {
      const b = await this.access.findWritable(actor.principal, input.beneficiaryId, manager);
      if (b.exitedOn) throw exitedCase();
      await this.checkTrades(manager, input.targetTrades, 'targetTrades');
      const advisorId = input.advisorId ? await this.checkAdvisor(manager, b, input.advisorId) : b.advisorId;
      const { identifiers } = await manager
        .insert(Participant, {
          beneficiaryId: b.id,
          enrolledOn: input.enrolledOn,
          sourcingChannel: input.sourcingChannel,
          advisorId,
          withoutSolutionSince: input.enrolledOn,
          createdBy: actor.principal.id,
        })
        .catch((e: unknown) => {
          if (violatedConstraint(e) === 'uq_pathway_participants_beneficiary') throw alreadyEnrolled();
          throw e;
        });
      const participantId = identifiers[0].id as string;
      await manager.insert(ParticipantTrade, input.targetTrades.map((romeCode) => ({ participantId, romeCode })));
      await this.record(manager, actor, { id: participantId, beneficiaryId: b.id }, {
        type: 'participant.enrolled',
        summary: 'Enrolled in the construction pathway "Bâtissons nos emplois"',
        data: { enrolledOn: input.enrolledOn, sourcingChannel: input.sourcingChannel ?? 'agency', advisorId },
      });
      return participantId;
    });
    return this.get(actor.principal, id);
  }

  async get(principal: Principal, id: string): Promise<ParticipantDto> {
    const params: unknown[] = [id];
    const scope = this.access.scopeCondition(principal, params);
    const [row] = await this.sql.rows<ParticipantRow>(`SELECT ${PARTICIPANT_COLUMNS} FROM ${PARTICIPANT_FROM} WHERE p.id = $1 AND ${scope}`, params);
    if (!row) throw participantNotFound();
    return this.toDto(row);
  }

  /** Most recently enrolled first, scoped in the query. */
  async list(principal: Principal, query: ListParticipantsQueryDto): Promise<Page<ParticipantDto>> {
    const params: unknown[] = [];
    const where = [this.access.scopeCondition(principal, params)];
    const add = (condition: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(condition(`$${params.length}`));
    };
    if (!query.includeExited) where.push('p.exited_on IS NULL');
    if (query.stage === 'none') where.push('p.current_stage IS NULL');
    else if (query.stage) add((p) => `p.current_stage = ${p}`, query.stage);
    if (query.advisorId) add((p) => `p.advisor_id = ${p}`, query.advisorId);
    if (query.withoutSolution === true) {
      add((p) => `p.exited_on IS NULL AND p.without_solution_since < ${p}::date`, this.withoutSolutionBefore());
    } else if (query.withoutSolution === false) {
      add((p) => `(p.without_solution_since IS NULL OR p.without_solution_since >= ${p}::date)`, this.withoutSolutionBefore());
    }
    if (query.cursor) {
      const [enrolledOn, cursorId] = decodeCursor(query.cursor, ['string', 'uuid']);
      if (!isIsoDate(enrolledOn)) throw invalidCursor();
      params.push(enrolledOn, cursorId);
      where.push(`(p.enrolled_on, p.id) < ($${params.length - 1}::date, $${params.length}::uuid)`);
    }
    params.push(query.limit + 1);
    const rows = await this.sql.rows<ParticipantRow>(
      `SELECT ${PARTICIPANT_COLUMNS} FROM ${PARTICIPANT_FROM}
        WHERE ${where.join(' AND ')}
        ORDER BY p.enrolled_on DESC, p.id DESC
        LIMIT $${params.length}`,
      params,
    );
    return toPage(rows, query.limit, (r) => [r.enrolledOn, r.id], (r) => this.toDto(r));
  }

  /** Target trades, sourcing channel, advisor; `If-Match` guards against lost updates. */
  async update(actor: Actor, id: string, input: UpdateParticipantDto, ifMatch: string | undefined): Promise<ParticipantDto> {
    await this.dataSource.transaction(async (manager) => {
      const { participant: p, beneficiary: b } = await this.writable(actor.principal, id, manager);
      if (!ifMatchAllows(ifMatch, p.version)) throw participantVersionMismatch(p.version);
      if (p.exitedOn) throw participantExited();
      const fields = Object.keys(input).filter((k) => (input as Record<string, unknown>)[k] !== undefined);
      if (input.targetTrades) {
        await this.checkTrades(manager, input.targetTrades, 'targetTrades');
        await manager.delete(ParticipantTrade, { participantId: p.id });
        await manager.insert(ParticipantTrade, input.targetTrades.map((romeCode) => ({ participantId: p.id, romeCode })));
      }
      if (input.advisorId) p.advisorId = await this.checkAdvisor(manager, b, input.advisorId);
      if (input.sourcingChannel) p.sourcingChannel = input.sourcingChannel;
      p.updatedAt = new Date(); // a change of trades alone must still bump the version
      await manager.save(p);
      await this.record(manager, actor, p, { type: 'participant.updated', summary: 'Pathway details changed', data: { fields: fields.join(',') } });
    });
    return this.get(actor.principal, id);
  }

  async exit(actor: Actor, id: string, input: ExitParticipantDto): Promise<ParticipantDto> {
    await this.dataSource.transaction(async (manager) => {
      const { participant: p } = await this.writable(actor.principal, id, manager);
      if (p.exitedOn) throw alreadyExited();
      if (input.exitedOn < p.enrolledOn) throw exitBeforeEnrolment();
      await manager.update(Participant, { id: p.id }, { exitedOn: input.exitedOn, exitReason: input.reason });
      await this.caseFile.refreshStatus(manager, actor, p.beneficiaryId);
      await this.record(manager, actor, p, {
        type: 'participant.exited',
        summary: `Left the construction pathway (${input.reason})`,
        data: { exitedOn: input.exitedOn, reason: input.reason },
      });
    });
    return this.get(actor.principal, id);
  }

  // ---------------------------------------------------------------- steps

  async listSteps(principal: Principal, participantId: string, query: { limit: number; cursor?: string }): Promise<Page<StepDto>> {
    await this.get(principal, participantId);
    const params: unknown[] = [participantId];
    const where = ['s.participant_id = $1'];
    if (query.cursor) {
      const [startsOn, createdAt, cursorId] = decodeCursor(query.cursor, ['string', 'timestamp', 'uuid']);
      if (!isIsoDate(startsOn)) throw invalidCursor();
      params.push(startsOn, createdAt, cursorId);
      where.push(`(s.starts_on, s.created_at, s.id) > ($2::date, $3::timestamptz, $4::uuid)`);
    }
    params.push(query.limit + 1);
    const rows = await this.sql.rows<StepDto & { cursorAt: string }>(
      `SELECT ${STEP_COLUMNS}, to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "cursorAt"
         FROM pathway_steps s WHERE ${where.join(' AND ')}
        ORDER BY s.starts_on, s.created_at, s.id LIMIT $${params.length}`,
      params,
    );
    return toPage(rows, query.limit, (r) => [r.startsOn, r.cursorAt, r.id], ({ cursorAt: _c, ...r }) => r);
  }

  /**
   * A step with its status and dates, or made from a referral of the person: then its
   * programme and status come from the referral, and follow it.
   */
  async createStep(actor: Actor, participantId: string, input: CreateStepDto): Promise<StepDto> {
    const stepId = await this.dataSource.transaction(async (manager) => {
      // The referral first: its status changes lock it before the person's case, so the same order here.
      const referral = input.referralId ? await this.referrals.findForUpdate(manager, input.referralId) : null;
      const { participant: p } = await this.writable(actor.principal, participantId, manager);
      if (p.exitedOn) throw participantExited();
      let status = input.status!;
      let startsOn = input.startsOn!;
      let programmeId = input.programmeId ?? null;
      if (input.referralId) {
        if (!referral || referral.beneficiaryId !== p.beneficiaryId) throw unknownReferral();
        if (input.programmeId) throw programmeAndReferral();
        const followed = stepStatusOfReferral(referral.status);
        if (input.status && input.status !== followed) throw stepFollowsReferral();
        status = followed;
        startsOn = input.startsOn ?? (referral.startedAt ? today(referral.startedAt) : today());
        programmeId = referral.programmeId;
      } else if (programmeId && !(await this.programmes.findForReferral(manager, programmeId))) {
        throw unknownProgramme();
      }
      if (input.operationId) await this.checkOperation(manager, input.operationId);
      const endsOn = this.endOf(status, startsOn, input.endsOn ?? null);
      const { identifiers } = await manager
        .insert(Step, {
          participantId: p.id,
          type: input.type,
          status,
          startsOn,
          endsOn,
          programmeId,
          referralId: input.referralId ?? null,
          operationId: input.operationId ?? null,
          note: input.note ?? null,
          createdBy: actor.principal.id,
        })
        .catch((e: unknown) => {
          if (violatedConstraint(e) === 'uq_pathway_steps_referral') throw referralAlreadyLinked();
          throw e;
        });
      const id = identifiers[0].id as string;
      await this.stepChanged(manager, actor, p, { id, type: input.type, status, startsOn, endsOn }, null);
      return id;
    });
    return this.getStep(actor.principal, participantId, stepId);
  }

  async updateStep(actor: Actor, participantId: string, stepId: string, input: UpdateStepDto): Promise<StepDto> {
    await this.dataSource.transaction(async (manager) => {
      const { participant: p } = await this.writable(actor.principal, participantId, manager);
      if (p.exitedOn) throw participantExited();
      const step = await manager.findOne(Step, { where: { id: stepId, participantId: p.id }, lock: { mode: 'pessimistic_write' } });
      if (!step) throw stepNotFound();
      const from = step.status;
      if (input.status && input.status !== from) {
        if (step.referralId) throw stepFollowsReferral();
        if (!canMoveStep(from, input.status)) throw invalidStepTransition(from, input.status);
        step.status = input.status;
      }
      if (input.startsOn) step.startsOn = input.startsOn;
      if (input.endsOn) step.endsOn = input.endsOn;
      if (input.note !== undefined) step.note = input.note;
      step.endsOn = this.endOf(step.status, step.startsOn, step.endsOn);
      await manager.save(step);
      await this.stepChanged(manager, actor, p, step, from);
    });
    return this.getStep(actor.principal, participantId, stepId);
  }

  async getStep(principal: Principal, participantId: string, stepId: string): Promise<StepDto> {
    await this.get(principal, participantId);
    const [row] = await this.sql.rows<StepDto>(`SELECT ${STEP_COLUMNS} FROM pathway_steps s WHERE s.id = $1 AND s.participant_id = $2`, [stepId, participantId]);
    if (!row) throw stepNotFound();
    return row;
  }

  /** In the transaction of a referral's change: the step made from it takes the matching status. */
  private async followReferral(manager: EntityManager, actor: Actor | null, referral: ReferralFacts): Promise<void> {
    // Most referrals have no step: a plain indexed lookup before loading one.
    const [found] = (await manager.query(`SELECT id FROM pathway_steps WHERE referral_id = $1`, [referral.id])) as { id: string }[];
    if (!found) return;
    const step = await manager.findOne(Step, { where: { id: found.id } });
    if (!step) return;
    const to = stepStatusOfReferral(referral.status);
    if (to === step.status) return;
    const p = await manager.findOne(Participant, { where: { id: step.participantId }, lock: { mode: 'pessimistic_write' } });
    if (!p) return;
    const from = step.status;
    step.status = to;
    step.endsOn = this.endOf(to, step.startsOn, step.endsOn);
    await manager.save(step);
    await this.stepChanged(manager, actor, p, step, from);
  }

  // ---------------------------------------------------------------- employments

  /** Latest start first. */
  async listEmployments(principal: Principal, participantId: string, query: { limit: number; cursor?: string }): Promise<Page<EmploymentDto>> {
    await this.get(principal, participantId);
    const params: unknown[] = [participantId];
    const where = ['e.participant_id = $1'];
    if (query.cursor) {
      const [startsOn, cursorId] = decodeCursor(query.cursor, ['string', 'uuid']);
      if (!isIsoDate(startsOn)) throw invalidCursor();
      params.push(startsOn, cursorId);
      where.push(`(e.starts_on, e.id) < ($2::date, $3::uuid)`);
    }
    params.push(query.limit + 1);
    const rows = await this.sql.rows<EmploymentDto>(
      `SELECT ${EMPLOYMENT_COLUMNS} FROM pathway_employments e WHERE ${where.join(' AND ')} ORDER BY e.starts_on DESC, e.id DESC LIMIT $${params.length}`,
      params,
    );
    return toPage(rows, query.limit, (r) => [r.startsOn, r.id], (r) => r);
  }

  async getEmployment(principal: Principal, participantId: string, employmentId: string): Promise<EmploymentDto> {
    await this.get(principal, participantId);
    const [row] = await this.sql.rows<EmploymentDto>(`SELECT ${EMPLOYMENT_COLUMNS} FROM pathway_employments e WHERE e.id = $1 AND e.participant_id = $2`, [
      employmentId,
      participantId,
    ]);
    if (!row) throw employmentNotFound();
    return row;
  }

  /** A job, its `employment` step and its follow-ups due at 1, 3 and 6 months. */
  async createEmployment(actor: Actor, participantId: string, input: CreateEmploymentDto): Promise<EmploymentDto> {
    const employmentId = await this.dataSource.transaction(async (manager) => {
      const { participant: p } = await this.writable(actor.principal, participantId, manager);
      if (p.exitedOn) throw participantExited();
      await this.checkTrades(manager, [input.romeCode], 'romeCode');
      if (input.operationId) await this.checkOperation(manager, input.operationId);
      if (input.endsOn && input.endsOn < input.startsOn) throw employmentDates();
      const { employmentId } = await this.addEmployment(manager, actor, p, {
        employerName: input.employerName,
        employerSiret: input.employerSiret ?? null,
        contractType: input.contractType,
        startsOn: input.startsOn,
        endsOn: input.endsOn ?? null,
        weeklyHours: input.weeklyHours,
        romeCode: input.romeCode,
        operationId: input.operationId ?? null,
        source: 'staff',
      });
      return employmentId;
    });
    return this.getEmployment(actor.principal, participantId, employmentId);
  }

  /** The end of the contract or the weekly hours; lasting employment and the job's step follow. */
  async updateEmployment(actor: Actor, participantId: string, employmentId: string, input: UpdateEmploymentDto): Promise<EmploymentDto> {
    await this.dataSource.transaction(async (manager) => {
      const { participant: p } = await this.writable(actor.principal, participantId, manager);
      const e = await manager.findOne(Employment, { where: { id: employmentId, participantId: p.id }, lock: { mode: 'pessimistic_write' } });
      if (!e) throw employmentNotFound();
      if (input.endsOn !== undefined) e.endsOn = input.endsOn;
      if (input.weeklyHours !== undefined) e.weeklyHours = input.weeklyHours;
      if (e.endsOn && e.endsOn < e.startsOn) throw employmentDates();
      e.lasting = isLastingEmployment(e.contractType, e.startsOn, e.endsOn);
      await manager.save(e);
      const step = e.stepId ? await manager.findOne(Step, { where: { id: e.stepId }, lock: { mode: 'pessimistic_write' } }) : null;
      if (step) {
        const from = step.status;
        step.endsOn = e.endsOn;
        if (step.status !== StepStatus.Abandoned) step.status = this.employmentStepStatus(e.startsOn, e.endsOn);
        step.endsOn = this.endOf(step.status, step.startsOn, step.endsOn);
        await manager.save(step);
        await this.refreshState(manager, actor, p);
        if (from !== step.status) await this.stepChanged(manager, actor, p, step, from);
      }
      await this.record(manager, actor, p, {
        type: 'participant.employment_updated',
        summary: 'Employment updated',
        data: { employmentId: e.id, endsOn: e.endsOn, lasting: e.lasting },
      });
    });
    return this.getEmployment(actor.principal, participantId, employmentId);
  }

  /**
   * The contact of the 1-, 3- or 6-month follow-up and its outcome; the first contact adds a
   * done `employment_follow_up` step, and "no longer employed" ends the job's step.
   */
  async recordFollowUp(actor: Actor, participantId: string, employmentId: string, month: number, input: RecordFollowUpDto): Promise<EmploymentDto> {
    if (!FOLLOW_UP_MONTHS.includes(month)) throw followUpNotFound();
    await this.dataSource.transaction(async (manager) => {
      const { participant: p } = await this.writable(actor.principal, participantId, manager);
      const e = await manager.findOne(Employment, { where: { id: employmentId, participantId: p.id } });
      if (!e) throw employmentNotFound();
      const f = await manager.findOne(FollowUp, { where: { employmentId: e.id, month }, lock: { mode: 'pessimistic_write' } });
      if (!f) throw followUpNotFound();
      if (input.contactedOn < e.startsOn) throw followUpTooEarly();
      const first = f.contactedOn === null;
      Object.assign(f, { contactedOn: input.contactedOn, outcome: input.outcome, note: input.note ?? null, recordedBy: actor.principal.id });
      await manager.save(f);
      if (first && !p.exitedOn) {
        await manager.insert(Step, {
          participantId: p.id,
          type: StepType.EmploymentFollowUp,
          status: StepStatus.Done,
          startsOn: input.contactedOn,
          endsOn: input.contactedOn,
          operationId: e.operationId,
          note: `Suivi à ${month} mois`,
          createdBy: actor.principal.id,
        });
      }
      // No longer employed: the job's step ends on the contact, so the person is back in the
      // "nobody without a solution" watch (the contract's own end date is left as entered).
      const step = input.outcome === FollowUpOutcome.NotEmployed && e.stepId ? await manager.findOne(Step, { where: { id: e.stepId }, lock: { mode: 'pessimistic_write' } }) : null;
      if (step && OPEN_STEP_STATUSES.includes(step.status)) {
        const from = step.status;
        step.status = StepStatus.Done;
        step.endsOn = later(step.startsOn, input.contactedOn);
        await manager.save(step);
        await this.stepChanged(manager, actor, p, step, from);
      } else if (first && !p.exitedOn) {
        await this.refreshState(manager, actor, p);
      }
      await this.record(manager, actor, p, {
        type: 'participant.follow_up_recorded',
        summary: `Follow-up at ${month} month${month > 1 ? 's' : ''}: ${input.outcome === 'still_employed' ? 'still employed' : 'no longer employed'}`,
        data: { employmentId: e.id, month, contactedOn: input.contactedOn, outcome: input.outcome },
      });
    });
    return this.getEmployment(actor.principal, participantId, employmentId);
  }

  /**
   * For the France Travail connector: records a job reported for a beneficiary, with
   * its `employment` step (planned, in progress or done as its dates say) and its
   * follow-ups, in the caller's transaction. Null when the person is not enrolled in
   * the pathway (exited participants included: the job is a fact). A blank employer name,
   * 0 weekly hours, an unknown or non-construction ROME code and an invalid SIRET are
   * stored as unknown (null); an unknown contract type, invalid dates or an end before
   * the start throw a 422 INVALID_EMPLOYMENT AppException (the caller's transaction
   * should then roll back).
   */
  async recordEmploymentFromIntegration(
    manager: EntityManager,
    beneficiaryId: string,
    input: IntegrationEmploymentInput,
  ): Promise<{ participantId: string; employmentId: string; stepId: string } | null> {
    const p = await manager.findOne(Participant, { where: { beneficiaryId }, lock: { mode: 'pessimistic_write' } });
    if (!p) return null;
    const employerName = typeof input.employerName === 'string' && input.employerName.trim() ? input.employerName.trim().slice(0, 200) : null;
    if (!(Object.values(ContractType) as string[]).includes(input.contractType)) throw invalidEmployment('contractType', `unknown contract type ${input.contractType}`);
    if (!isIsoDate(input.startsOn)) throw invalidEmployment('startsOn', 'startsOn must be a date (YYYY-MM-DD)');
    const endsOn = input.endsOn ?? null;
    if (endsOn !== null && !isIsoDate(endsOn)) throw invalidEmployment('endsOn', 'endsOn must be a date (YYYY-MM-DD)');
    if (endsOn !== null && endsOn < input.startsOn) throw invalidEmployment('endsOn', 'endsOn is before startsOn');
    // France Travail may send 0 for "not known": stored as unknown.
    const hours = input.weeklyHours ? input.weeklyHours : null;
    if (hours !== null && !(Number.isFinite(hours) && hours > 0 && hours <= 48)) throw invalidEmployment('weeklyHours', 'weeklyHours must be between 0 and 48');
    const rome = input.romeCode?.trim().toUpperCase() ?? null;
    const knownRome = rome && (await manager.count(RomeCode, { where: { code: rome } })) > 0 ? rome : null;
    const siret = input.employerSiret && isValidSiret(input.employerSiret) ? input.employerSiret : null;
    const { employmentId, stepId } = await this.addEmployment(manager, null, p, {
      employerName,
      employerSiret: siret,
      contractType: input.contractType as ContractType,
      startsOn: input.startsOn,
      endsOn,
      weeklyHours: hours === null ? null : Math.round(hours * 10) / 10,
      romeCode: knownRome,
      operationId: null,
      source: 'integration',
    });
    return { participantId: p.id, employmentId, stepId };
  }

  private async addEmployment(manager: EntityManager, actor: Actor | null, p: Participant, input: EmploymentInput): Promise<{ employmentId: string; stepId: string }> {
    if (input.startsOn > LAST_START) throw invalidEmployment('startsOn', `startsOn must be ${LAST_START} at the latest`);
    const status = this.employmentStepStatus(input.startsOn, input.endsOn);
    const step = await manager.insert(Step, {
      participantId: p.id,
      type: StepType.Employment,
      status,
      startsOn: input.startsOn,
      endsOn: this.endOf(status, input.startsOn, input.endsOn),
      operationId: input.operationId,
      note: null,
      createdBy: actor?.principal.id ?? null,
    });
    const stepId = step.identifiers[0].id as string;
    const lasting = isLastingEmployment(input.contractType, input.startsOn, input.endsOn);
    const employment = await manager.insert(Employment, { ...input, participantId: p.id, stepId, lasting, createdBy: actor?.principal.id ?? null });
    const employmentId = employment.identifiers[0].id as string;
    await manager.insert(
      FollowUp,
      FOLLOW_UP_MONTHS.map((month) => ({ employmentId, month, dueOn: followUpDueOn(input.startsOn, month) })),
    );
    await this.refreshState(manager, actor, p);
    await this.record(manager, actor, p, {
      type: 'participant.employed',
      summary: `Employment: ${input.contractType}${lasting ? ' (lasting)' : ''}`,
      data: {
        employmentId,
        stepId,
        contractType: input.contractType,
        startedOn: input.startsOn,
        endsOn: input.endsOn,
        lasting,
        operationId: input.operationId,
        source: input.source,
      },
    });
    return { employmentId, stepId };
  }

  // ---------------------------------------------------------------- shared

  /** The participant and their case, locked for a change by the caller: 404 outside scope, 403 outside an advisor's caseload. */
  async writable(principal: Principal, id: string, manager: EntityManager): Promise<{ participant: Participant; beneficiary: Beneficiary }> {
    const found = await manager.findOne(Participant, { where: { id }, select: ['id', 'beneficiaryId'] });
    if (!found) throw participantNotFound();
    let beneficiary: Beneficiary;
    try {
      beneficiary = await this.access.findWritable(principal, found.beneficiaryId, manager);
    } catch (e) {
      if ((e as { code?: string }).code === 'BENEFICIARY_NOT_FOUND') throw participantNotFound();
      throw e;
    }
    const participant = await manager.findOne(Participant, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!participant) throw participantNotFound();
    return { participant, beneficiary };
  }

  /** A step's timeline line, `participant.step_changed` event and audit row, after refreshing the derived state. */
  private async stepChanged(
    manager: EntityManager,
    actor: Actor | null,
    p: Participant,
    step: { id: string; type: StepType; status: StepStatus; startsOn: string; endsOn: string | null },
    from: StepStatus | null,
  ): Promise<void> {
    const state = await this.refreshState(manager, actor, p);
    await this.record(manager, actor, p, {
      type: 'participant.step_changed',
      summary: from ? `Step ${step.type}: ${from} → ${step.status}` : `Step ${step.type}: ${step.status}`,
      data: { stepId: step.id, stage: step.type, status: step.status, previousStatus: from, startsOn: step.startsOn, endsOn: step.endsOn, currentStage: state.currentStage },
    });
  }

  /**
   * Recomputes and stores the current stage and the "without a solution" date from the steps,
   * and the case status (a step under way puts the person `in_pathway`).
   */
  private async refreshState(manager: EntityManager, actor: Actor | null, p: Pick<Participant, 'id' | 'enrolledOn' | 'beneficiaryId'>): Promise<ReturnType<typeof deriveParticipantState>> {
    const steps = (await manager.query(
      `SELECT type, status, ${date('starts_on')} AS "startsOn", ${date('ends_on')} AS "endsOn" FROM pathway_steps WHERE participant_id = $1`,
      [p.id],
    )) as Parameters<typeof deriveParticipantState>[1];
    const state = deriveParticipantState(p.enrolledOn, steps);
    await manager.query(`UPDATE pathway_participants SET current_stage = $2, without_solution_since = $3 WHERE id = $1`, [p.id, state.currentStage, state.withoutSolutionSince]);
    await this.caseFile.refreshStatus(manager, actor, p.beneficiaryId);
    return state;
  }

  /** Timeline line on the person's case, outbox event (ids, states and dates only) and audit row, in the transaction. */
  async record(
    manager: EntityManager,
    actor: Actor | null,
    p: Pick<Participant, 'id' | 'beneficiaryId'>,
    entry: { type: string; summary: string; data: Record<string, string | number | boolean | null> },
  ): Promise<void> {
    const data = { participantId: p.id, ...entry.data };
    await this.timeline.record(manager, { beneficiaryId: p.beneficiaryId, type: entry.type, summary: entry.summary, data, actorId: actor?.principal.id ?? null });
    await this.outbox.write(manager, { type: entry.type, resourceType: 'participant', resourceId: p.id, data: { ...data, beneficiaryId: p.beneficiaryId } });
    const audit = { action: entry.type, resourceType: 'participant', resourceId: p.id, details: { beneficiaryId: p.beneficiaryId } };
    if (actor) await this.audit.record(actor, audit, manager);
    else await this.audit.recordAnonymous(null, audit, manager);
  }

  /** 400 naming every code that is not in the reference data. */
  private async checkTrades(manager: EntityManager, codes: string[], field: string): Promise<void> {
    const known = await manager.find(RomeCode, { where: { code: In(codes) }, select: ['code'] });
    const missing = codes.filter((c) => !known.some((k) => k.code === c));
    if (missing.length) throw unknownTrades(field, missing);
  }

  /** An active advisor of the person's agency. */
  private async checkAdvisor(manager: EntityManager, b: Beneficiary, advisorId: string): Promise<string> {
    const advisor = await manager.findOne(User, { where: { id: advisorId, role: Role.Advisor, active: true } });
    if (!advisor || advisor.agencyId === null || advisor.agencyId !== b.agencyId) throw invalidAdvisor();
    return advisor.id;
  }

  private async checkOperation(manager: EntityManager, id: string): Promise<void> {
    if (!(await manager.exists(Operation, { where: { id } }))) throw unknownOperation();
  }

  /** A closed step without an end date ends today (never before it starts). */
  private endOf(status: StepStatus, startsOn: string, endsOn: string | null): string | null {
    if (endsOn && endsOn < startsOn) throw stepDates();
    if (endsOn || (status !== StepStatus.Done && status !== StepStatus.Abandoned)) return endsOn;
    return later(startsOn, today());
  }

  /** The status of a job's step: planned before it starts, done once it has ended, in progress between. */
  private employmentStepStatus(startsOn: string, endsOn: string | null): StepStatus {
    const now = today();
    if (startsOn > now) return StepStatus.Planned;
    if (endsOn !== null && endsOn < now) return StepStatus.Done;
    return StepStatus.InProgress;
  }

  /** The first day that does not yet count as "without a solution": since before it = more than N days. */
  withoutSolutionBefore(): string {
    const d = new Date(`${today()}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() - this.config.withoutSolutionDays);
    return d.toISOString().slice(0, 10);
  }

  private toDto(row: ParticipantRow): ParticipantDto {
    // A step ending in the future starts the clock then: 0 days until that day.
    const days = row.withoutSolutionSince && !row.exitedOn ? Math.max(0, daysBetween(row.withoutSolutionSince, today())) : null;
    return { ...row, daysWithoutSolution: days, withoutSolution: days !== null && days > this.config.withoutSolutionDays };
  }
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { violatedConstraint } from '../../common/errors/database-errors';
import { Principal } from '../../common/auth/principal';
import { Role } from '../../common/auth/roles';
import { Actor } from '../../common/context/actor';
import { FieldEncryption } from '../../common/crypto/field-encryption';
import { ValidationFailedException } from '../../common/errors/app.exception';
import { ifMatchAllows } from '../../common/http/if-match';
import { Page, toPage } from '../../common/pagination/pagination';
import { today } from '../../common/time/local-day';
import { beneficiariesConfig } from '../../config/configuration';
import { agencyNotFound as agencyOutOfScope } from '../agencies/agencies.errors';
import { AgenciesService } from '../agencies/agencies.service';
import { AuditService } from '../audit/audit.service';
import { CommunesService } from '../communes/communes.service';
import { TimelineService } from '../timeline/timeline.service';
import { User } from '../users/entities/user.entity';
import {
  alreadyExited,
  beneficiaryNotFound,
  cafNumberTaken,
  exitBeforeEntry,
  filtersNotForProviders,
  invalidAdvisor,
  nirTaken,
  notExited,
  outsideAgencyTerritory,
  unknownCommune,
  versionMismatch,
} from './beneficiaries.errors';
import { BeneficiariesRepository } from './beneficiaries.repository';
import { CaseAccessService } from './case-access.service';
import { CaseFileService } from './case-file.service';
import { isCafNumberQuery } from './case-rules';
import {
  BeneficiaryDto,
  BeneficiarySummaryDto,
  CreateBeneficiaryDto,
  ListBeneficiariesQueryDto,
  ReferredBeneficiaryDto,
  UpdateBeneficiaryDto,
} from './dto/beneficiary.dto';
import { ExitInputDto } from './dto/case-actions.dto';
import { AgencyCaseloadSummaryDto } from './dto/caseload-summary.dto';
import { Assignment } from './entities/assignment.entity';
import { Beneficiary } from './entities/beneficiary.entity';
import { Contract } from './entities/contract.entity';
import { Orientation } from './entities/orientation.entity';
import { ReorientationRequest } from './entities/reorientation-request.entity';

/** The beneficiary's identity, rights, agency and advisor, exit and re-entry, and the data-subject export. */
@Injectable()
export class BeneficiariesService {
  private readonly crypto: FieldEncryption;

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: BeneficiariesRepository,
    private readonly access: CaseAccessService,
    private readonly caseFile: CaseFileService,
    private readonly agencies: AgenciesService,
    private readonly communes: CommunesService,
    private readonly audit: AuditService,
    private readonly timeline: TimelineService,
    @Inject(beneficiariesConfig.KEY) private readonly config: ConfigType<typeof beneficiariesConfig>,
  ) {
    this.crypto = new FieldEncryption(config.nirEncryptionKey, config.nirHashKey);
  }

  async create(actor: Actor, input: CreateBeneficiaryDto): Promise<BeneficiaryDto> {
    const principal = actor.principal;
    if (!(await this.communes.isActive(input.communeCode))) throw unknownCommune();
    const b = await this.dataSource.transaction(async (manager) => {
      const agencyId = await this.agencies.agencyIdForCommune(input.communeCode, manager);
      if ((principal.role === Role.AgencyManager || principal.role === Role.Advisor) && agencyId !== principal.agencyId) {
        throw outsideAgencyTerritory();
      }
      const entity = manager.create(Beneficiary, {
        ...this.identityFields(input),
        subjectToRightsAndDuties: input.subjectToRightsAndDuties ?? true,
        noFixedAddress: input.noFixedAddress ?? false,
        agencyId,
        advisorId: null,
        orientationPath: null,
        referentBody: null,
        orientedOn: null,
        contractSignedOn: null,
        exitReason: null,
        exitedOn: null,
      });
      const saved = await this.caseFile.save(manager, actor, entity, null).catch(mapBeneficiaryError);
      await this.caseFile.event(manager, actor, saved, {
        type: 'beneficiary.created',
        summary: 'Case opened',
        data: { agencyId, status: saved.status },
        eventType: 'beneficiary.created',
      });
      if (this.config.autoAssignAdvisor && agencyId) {
        const advisorId = await this.leastLoadedAdvisor(manager, agencyId);
        if (advisorId) await this.assignIn(manager, actor, saved, advisorId);
      }
      await this.audit.record(actor, { action: 'beneficiary.create', resourceType: 'beneficiary', resourceId: saved.id }, manager);
      return saved;
    });
    return this.toDto(principal, b);
  }

  /** The case; for a provider, its minimal view of a person referred to its programmes (404 otherwise). */
  async get(principal: Principal, id: string): Promise<BeneficiaryDto | ReferredBeneficiaryDto> {
    if (principal.role === Role.Provider) {
      const person = await this.repository.findReferred(principal, id);
      if (!person) throw beneficiaryNotFound();
      return person;
    }
    return this.toDto(principal, await this.access.findVisible(principal, id));
  }

  /** The visible cases; for a provider, the people referred to it, found by name (not CAF number), commune or orientation path only. */
  async list(principal: Principal, query: ListBeneficiariesQueryDto): Promise<Page<BeneficiarySummaryDto | ReferredBeneficiaryDto>> {
    if (principal.role !== Role.Provider) return this.listCases(principal, query);
    const refused: string[] = PROVIDER_HIDDEN_FILTERS.filter((f) => query[f] !== undefined);
    // A `q` of digits searches CAF numbers, which a provider does not see either.
    if (query.q !== undefined && isCafNumberQuery(query.q)) refused.push('q');
    if (refused.length > 0) throw filtersNotForProviders(refused);
    return linesPage(await this.repository.listReferred(principal, query), query.limit);
  }

  /** The visible cases, as the list shows them to agency staff and admins. */
  async listCases(principal: Principal, query: ListBeneficiariesQueryDto): Promise<Page<BeneficiarySummaryDto>> {
    return linesPage(await this.repository.list(principal, query), query.limit);
  }

  /** The agency's work-queue figures; agency staff see their own agency only (404 otherwise). */
  async agencySummary(principal: Principal, agencyId: string): Promise<AgencyCaseloadSummaryDto> {
    if (!this.access.canSee(principal, { agencyId })) throw agencyOutOfScope();
    return this.repository.agencySummary(agencyId);
  }

  caseloadCounts(advisorIds: string[]): Promise<Map<string, { caseloadSize: number; overdueCount: number }>> {
    return this.repository.caseloadCounts(advisorIds);
  }

  async update(actor: Actor, id: string, input: UpdateBeneficiaryDto, ifMatch: string | undefined): Promise<BeneficiaryDto> {
    const nulls = REQUIRED_FIELDS.filter((field) => (input as Record<string, unknown>)[field] === null);
    if (nulls.length > 0) throw new ValidationFailedException(nulls.map((field) => ({ field, message: `${field} cannot be removed` })));
    if (input.communeCode !== undefined && !(await this.communes.isActive(input.communeCode))) throw unknownCommune();
    const b = await this.dataSource.transaction(async (manager) => {
      const b = await this.access.findWritable(actor.principal, id, manager);
      checkIfMatch(ifMatch, b.version);
      const previousStatus = b.status;
      Object.assign(b, this.identityFields({ ...this.currentIdentity(b), ...input }, b));
      if (input.subjectToRightsAndDuties !== undefined) b.subjectToRightsAndDuties = input.subjectToRightsAndDuties;
      if (input.noFixedAddress !== undefined) b.noFixedAddress = input.noFixedAddress;
      if (input.communeCode !== undefined) {
        const agencyId = await this.agencies.agencyIdForCommune(input.communeCode, manager);
        if (agencyId !== b.agencyId) {
          // A move to another agency's territory hands the case over: the advisor is released.
          b.agencyId = agencyId;
          if (b.advisorId) await this.endAssignment(manager, b.id);
          b.advisorId = null;
          await this.caseFile.event(manager, actor, b, { type: 'agency.changed', summary: 'Case handed over to another agency', data: { agencyId } });
        }
      }
      const saved = await this.caseFile.save(manager, actor, b, previousStatus).catch(mapBeneficiaryError);
      await this.audit.record(actor, { action: 'beneficiary.update', resourceType: 'beneficiary', resourceId: id, details: { fields: Object.keys(input) } }, manager);
      return saved;
    });
    return this.toDto(actor.principal, b);
  }

  /** Assigns the case to an active advisor of its agency (agency managers and admins). */
  async assign(actor: Actor, id: string, advisorId: string): Promise<BeneficiaryDto> {
    const b = await this.dataSource.transaction(async (manager) => {
      const b = await this.access.findWritable(actor.principal, id, manager);
      if (b.exitedOn) throw alreadyExited();
      await this.assignIn(manager, actor, b, advisorId);
      await this.audit.record(actor, { action: 'beneficiary.assign', resourceType: 'beneficiary', resourceId: id, details: { advisorId } }, manager);
      return b;
    });
    return this.toDto(actor.principal, b);
  }

  /** Moves every open case of one advisor to another advisor of the same agency, in one transaction. */
  async transferCaseload(actor: Actor, fromAdvisorId: string, toAdvisorId: string): Promise<{ transferred: number }> {
    return this.dataSource.transaction(async (manager) => {
      const from = await manager.findOne(User, { where: { id: fromAdvisorId, role: Role.Advisor } });
      if (!from || !from.agencyId || !this.access.canSee(actor.principal, { agencyId: from.agencyId })) throw invalidAdvisor();
      const cases = await manager.find(Beneficiary, { where: { advisorId: fromAdvisorId, exitedOn: IsNull() }, lock: { mode: 'pessimistic_write' } });
      for (const b of cases) await this.assignIn(manager, actor, b, toAdvisorId);
      await this.audit.record(actor, { action: 'caseload.transfer', resourceType: 'user', resourceId: fromAdvisorId, details: { toAdvisorId, count: cases.length } }, manager);
      return { transferred: cases.length };
    });
  }

  async exit(actor: Actor, id: string, input: ExitInputDto): Promise<BeneficiaryDto> {
    const b = await this.dataSource.transaction(async (manager) => {
      const b = await this.access.findWritable(actor.principal, id, manager);
      if (b.exitedOn) throw alreadyExited();
      if (b.orientedOn && input.exitedOn < b.orientedOn) throw exitBeforeEntry();
      const previousStatus = b.status;
      b.exitReason = input.reason;
      b.exitedOn = input.exitedOn;
      const saved = await this.caseFile.save(manager, actor, b, previousStatus);
      await this.caseFile.event(manager, actor, saved, {
        type: 'beneficiary.exited',
        summary: `Exit: ${input.reason}`,
        data: { reason: input.reason, exitedOn: input.exitedOn },
        eventType: 'beneficiary.exited',
      });
      await this.audit.record(actor, { action: 'beneficiary.exit', resourceType: 'beneficiary', resourceId: id }, manager);
      return saved;
    });
    return this.toDto(actor.principal, b);
  }

  /** Re-entry after an exit: the case resumes where it was (orientation and contract kept). */
  async reenter(actor: Actor, id: string): Promise<BeneficiaryDto> {
    const b = await this.dataSource.transaction(async (manager) => {
      const b = await this.access.findWritable(actor.principal, id, manager);
      if (!b.exitedOn) throw notExited();
      const previousStatus = b.status;
      b.exitReason = null;
      b.exitedOn = null;
      const saved = await this.caseFile.save(manager, actor, b, previousStatus);
      await this.caseFile.event(manager, actor, saved, { type: 'beneficiary.reentered', summary: 'Re-entry into the scheme', data: { status: saved.status } });
      await this.audit.record(actor, { action: 'beneficiary.reenter', resourceType: 'beneficiary', resourceId: id }, manager);
      return saved;
    });
    return this.toDto(actor.principal, b);
  }

  /** Everything held on the person (GDPR art. 15), including who accessed the file. */
  async export(actor: Actor, id: string): Promise<Record<string, unknown>> {
    const b = await this.access.findVisible(actor.principal, id);
    const where = { beneficiaryId: id };
    const rowsOf = (table: string) => this.dataSource.query(`SELECT * FROM ${table} WHERE beneficiary_id = $1 ORDER BY created_at, id`, [id]);
    const [orientations, reorientationRequests, assignments, contracts, timeline, accessLog, barriers, focuses, targets, actions, journal, suspensions] = await Promise.all([
      this.dataSource.getRepository(Orientation).find({ where, order: { decidedOn: 'ASC', createdAt: 'ASC' } }),
      this.dataSource.getRepository(ReorientationRequest).find({ where, order: { requestedAt: 'ASC' } }),
      this.dataSource.getRepository(Assignment).find({ where, order: { assignedAt: 'ASC' } }),
      this.dataSource.getRepository(Contract).find({ where, order: { createdAt: 'ASC' } }),
      this.timeline.all(id),
      this.audit.forResource('beneficiary', id),
      rowsOf('barriers'),
      rowsOf('action_plan_focuses'),
      rowsOf('action_plan_targets'),
      rowsOf('action_plan_actions'),
      rowsOf('journal_notes'),
      rowsOf('suspension_procedures'),
    ]);
    await this.audit.record(actor, { action: 'beneficiary.export', resourceType: 'beneficiary', resourceId: id });
    return {
      exportedAt: new Date().toISOString(),
      beneficiary: this.toDto(actor.principal, b),
      orientations,
      reorientationRequests,
      assignments,
      contracts,
      barriers,
      actionPlan: { focuses, targets, actions },
      journal,
      suspensions,
      timeline,
      accessLog,
    };
  }

  /** Only advisors of the agency who are active; the caller may see the case. */
  private async assignIn(manager: EntityManager, actor: Actor, b: Beneficiary, advisorId: string): Promise<void> {
    const advisor = await manager.findOne(User, { where: { id: advisorId, role: Role.Advisor, active: true } });
    if (!advisor || advisor.agencyId === null || advisor.agencyId !== b.agencyId) throw invalidAdvisor();
    if (b.advisorId === advisorId) return;
    await this.endAssignment(manager, b.id);
    await manager.insert(Assignment, { beneficiaryId: b.id, advisorId, assignedBy: actor.principal.kind === 'user' ? actor.principal.id : null });
    const previousStatus = b.status;
    b.advisorId = advisorId;
    await this.caseFile.save(manager, actor, b, previousStatus);
    await this.caseFile.event(manager, actor, b, { type: 'advisor.assigned', summary: 'Advisor assigned', data: { advisorId }, eventType: 'beneficiary.assigned' });
  }

  private async endAssignment(manager: EntityManager, beneficiaryId: string): Promise<void> {
    await manager.update(Assignment, { beneficiaryId, endedAt: IsNull() }, { endedAt: () => 'now()' });
  }

  /** The active advisor of the agency with the most free capacity left, if any has some. */
  private async leastLoadedAdvisor(manager: EntityManager, agencyId: string): Promise<string | null> {
    const [row] = (await manager.query(
      `SELECT u.id
         FROM users u
         LEFT JOIN beneficiaries b ON b.advisor_id = u.id AND b.exited_on IS NULL
        WHERE u.agency_id = $1 AND u.role = 'advisor' AND u.active
        GROUP BY u.id, u.caseload_capacity
       HAVING count(b.id) < u.caseload_capacity
        ORDER BY u.caseload_capacity - count(b.id) DESC, u.id
        LIMIT 1`,
      [agencyId],
    )) as { id: string }[];
    return row?.id ?? null;
  }

  private currentIdentity(b: Beneficiary): CreateBeneficiaryDto {
    return {
      cafNumber: b.cafNumber,
      firstName: b.firstName,
      lastName: b.lastName,
      birthName: b.birthName ?? undefined,
      birthDate: b.birthDate,
      sex: b.sex,
      communeCode: b.communeCode,
      address: b.address ?? undefined,
      phone: b.phone ?? undefined,
      email: b.email ?? undefined,
      householdRole: b.householdRole ?? undefined,
      rightsState: b.rightsState ?? undefined,
      rightsOpenedOn: b.rightsOpenedOn ?? undefined,
      franceTravailId: b.franceTravailId ?? undefined,
    };
  }

  /** The stored identity fields of an input; the NIR is encrypted and hashed, kept as is when absent. */
  private identityFields(input: CreateBeneficiaryDto, current?: Beneficiary): Partial<Beneficiary> {
    const nir = input.nir as string | null | undefined;
    const nirFields = nir ? { nirEncrypted: this.crypto.encrypt(nir), nirHash: this.crypto.hash(nir) } : nir === undefined && current ? {} : { nirEncrypted: null, nirHash: null };
    return {
      cafNumber: input.cafNumber,
      ...nirFields,
      firstName: input.firstName,
      lastName: input.lastName,
      birthName: input.birthName ?? null,
      birthDate: input.birthDate,
      sex: input.sex,
      communeCode: input.communeCode,
      address: input.address ?? null,
      phone: input.phone ?? null,
      email: input.email?.toLowerCase() ?? null,
      householdRole: input.householdRole ?? null,
      rightsState: input.rightsState ?? null,
      rightsOpenedOn: input.rightsOpenedOn ?? null,
      franceTravailId: input.franceTravailId ?? null,
    };
  }

  /** The keyed hash of a NIR, for matching (imports, France Travail events). */
  nirHash(nir: string): string {
    return this.crypto.hash(nir);
  }

  toDto(principal: Principal, b: Beneficiary): BeneficiaryDto {
    const showNir = this.access.seesSensitive(principal, b);
    return {
      id: b.id,
      cafNumber: b.cafNumber,
      ...(showNir ? { nir: b.nirEncrypted ? this.crypto.decrypt(b.nirEncrypted) : null } : {}),
      franceTravailId: b.franceTravailId,
      firstName: b.firstName,
      lastName: b.lastName,
      birthName: b.birthName,
      birthDate: b.birthDate,
      sex: b.sex,
      communeCode: b.communeCode,
      address: b.address,
      noFixedAddress: b.noFixedAddress,
      phone: b.phone,
      email: b.email,
      householdRole: b.householdRole,
      rightsState: b.rightsState,
      subjectToRightsAndDuties: b.subjectToRightsAndDuties,
      rightsOpenedOn: b.rightsOpenedOn,
      status: b.status,
      agencyId: b.agencyId,
      advisorId: b.advisorId,
      orientation: b.orientationPath && b.referentBody && b.orientedOn ? { path: b.orientationPath, referentBody: b.referentBody, decidedOn: b.orientedOn } : null,
      contractSignedOn: b.contractSignedOn,
      exit: b.exitReason && b.exitedOn ? { reason: b.exitReason, exitedOn: b.exitedOn } : null,
      deadlines: {
        orientationDueOn: b.orientationDueOn,
        contractDueOn: b.contractDueOn,
        reviewDueOn: b.reviewDueOn,
        nextDueOn: b.nextDueOn,
        overdue: b.nextDueOn !== null && b.nextDueOn < today(),
      },
      version: b.version,
      createdAt: b.createdAt.toISOString(),
      updatedAt: b.updatedAt.toISOString(),
    };
  }
}

/** Fields a PATCH may change but not remove (`null`). */
const REQUIRED_FIELDS = ['cafNumber', 'firstName', 'lastName', 'birthDate', 'sex', 'communeCode'] as const;

/** A page of list lines, the keyset on (sort key, id). */
function linesPage<T extends { id: string }>(rows: (T & { sortKey: string })[], limit: number): Page<T> {
  return toPage(rows, limit, (r) => [r.sortKey, r.id], ({ sortKey: _sortKey, ...line }) => line as unknown as T);
}

/** List filters on what a provider does not see of a person (the case's agency, advisor, status, deadlines). */
const PROVIDER_HIDDEN_FILTERS = ['agencyId', 'advisorId', 'status', 'overdue'] as const;

/** `If-Match: "<version>"` (or `*`); absent means no precondition. */
function checkIfMatch(ifMatch: string | undefined, version: number): void {
  if (!ifMatchAllows(ifMatch, version)) throw versionMismatch(version);
}

function mapBeneficiaryError(e: unknown): never {
  const constraint = violatedConstraint(e);
  if (constraint === 'uq_beneficiaries_caf_birth') throw cafNumberTaken();
  if (constraint === 'uq_beneficiaries_nir_hash') throw nirTaken();
  if (constraint === 'fk_beneficiaries_commune') throw unknownCommune();
  throw e;
}

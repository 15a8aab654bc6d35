import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { Principal } from '../../common/auth/principal';
import { Role } from '../../common/auth/roles';
import { Actor } from '../../common/context/actor';
import { decodeCursor, Page, toPage } from '../../common/pagination/pagination';
import { referralsConfig } from '../../config/configuration';
import { Sql, isoMicros } from '../../database/sql';
import { AuditService } from '../audit/audit.service';
import { REFERRED_PERSON_JSON } from '../beneficiaries/beneficiaries.repository';
import { CaseAccessService } from '../beneficiaries/case-access.service';
import { CaseFileService } from '../beneficiaries/case-file.service';
import { JobsService } from '../jobs/jobs.service';
import { OutboxService } from '../outbox/outbox.service';
import { ProgrammesService } from '../programmes/programmes.service';
import { CreateReferralDto, ListReferralsQueryDto, ReferralDto } from './dto/referral.dto';
import { Referral } from './entities/referral.entity';
import { nextReferralStatus, ReferralAction, ReferralStatus, releasesPlace } from './referral-transitions';
import {
  declineNeedsReason,
  invalidTransition,
  notEligible,
  placeCapacityReached,
  referralAlreadyOpen,
  referralNotFound,
  referralProgrammeNotFound,
} from './referrals.errors';

export const REFERRAL_EXPIRY_JOB = 'referrals.expiry';

/** Actions of the programme's provider (and admins); `cancel` belongs to the prescriber. */
const PROVIDER_ACTIONS: readonly ReferralAction[] = [ReferralAction.Accept, ReferralAction.Decline, ReferralAction.Start, ReferralAction.Complete, ReferralAction.Abandon];

/**
 * Timeline line and outbox event type of each status a referral enters: the
 * webhook contract's types (api.md), plus `referral.abandoned` and
 * `referral.expired`, which the contract lacks; a waitlisted referral is
 * `referral.submitted` with `status: waitlisted`.
 */
const EVENTS: Record<ReferralStatus, { type: string; summary: string; eventType: string }> = {
  [ReferralStatus.Submitted]: { type: 'referral.submitted', summary: 'Referral submitted', eventType: 'referral.submitted' },
  [ReferralStatus.Waitlisted]: { type: 'referral.waitlisted', summary: 'Referral on the waiting list', eventType: 'referral.submitted' },
  [ReferralStatus.Accepted]: { type: 'referral.accepted', summary: 'Referral accepted: a place is held', eventType: 'referral.accepted' },
  [ReferralStatus.Declined]: { type: 'referral.declined', summary: 'Referral declined', eventType: 'referral.declined' },
  [ReferralStatus.InProgress]: { type: 'referral.started', summary: 'Programme started', eventType: 'referral.started' },
  [ReferralStatus.Completed]: { type: 'referral.completed', summary: 'Programme completed', eventType: 'referral.completed' },
  [ReferralStatus.Abandoned]: { type: 'referral.abandoned', summary: 'Programme abandoned', eventType: 'referral.abandoned' },
  [ReferralStatus.Cancelled]: { type: 'referral.cancelled', summary: 'Referral cancelled', eventType: 'referral.cancelled' },
  [ReferralStatus.Expired]: { type: 'referral.expired', summary: 'Referral expired without an answer', eventType: 'referral.expired' },
};

const ts = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const REFERRAL_COLUMNS = `r.id, r.beneficiary_id AS "beneficiaryId", r.programme_id AS "programmeId", r.status, r.note,
       ${REFERRED_PERSON_JSON} AS person,
       r.created_by AS "createdBy", ${ts('r.submitted_at')} AS "submittedAt", ${ts('r.accepted_at')} AS "acceptedAt", r.accepted_by AS "acceptedBy",
       ${ts('r.started_at')} AS "startedAt", r.started_by AS "startedBy", ${ts('r.closed_at')} AS "closedAt", r.closed_by AS "closedBy",
       r.close_reason AS "closeReason", ${ts('r.created_at')} AS "createdAt",
       ${isoMicros('r.created_at')} AS "cursorAt"`;

const REFERRAL_FROM = `referrals r JOIN programmes p ON p.id = r.programme_id JOIN beneficiaries b ON b.id = r.beneficiary_id`;

type ReferralRow = ReferralDto & { cursorAt: string };

/** What another module may know of a referral, and be told when its status changes. */
export type ReferralFacts = Pick<Referral, 'id' | 'beneficiaryId' | 'programmeId' | 'status'>;

/**
 * Called in the transaction of every status a referral enters (the construction
 * pathway keeps the step made from a referral in step with it).
 */
export type ReferralStatusListener = (manager: EntityManager, actor: Actor | null, referral: ReferralFacts) => Promise<void>;

/** A referral locked for a state change, with its programme's provider. */
type LockedReferral = Pick<Referral, 'id' | 'beneficiaryId' | 'programmeId' | 'status'> & { providerId: string };

/**
 * Referrals of beneficiaries to programmes and their places. Every use case is
 * one transaction: the referral, the programme's places (conditional UPDATE),
 * the promotion from the waitlist, the timeline line, the outbox events and the audit row.
 */
@Injectable()
export class ReferralsService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(ReferralsService.name);
  private readonly statusListeners: ReferralStatusListener[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly sql: Sql,
    private readonly access: CaseAccessService,
    private readonly caseFile: CaseFileService,
    private readonly programmes: ProgrammesService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly jobs: JobsService,
    @Inject(referralsConfig.KEY) private readonly config: ConfigType<typeof referralsConfig>,
  ) {}

  onModuleInit(): void {
    this.programmes.onPlacesAdded((manager, actor, places, added) => this.promoteWaitlisted(manager, actor, places, added));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.schedule(REFERRAL_EXPIRY_JOB, '11 6 * * *', async () => {
      const { reminded, expired } = await this.expireAndRemind();
      this.logger.log(`referrals: ${reminded} reminders, ${expired} expired`);
    });
  }

  /** Registers what happens, in the same transaction, when a referral enters a status. */
  onStatusChanged(listener: ReferralStatusListener): void {
    this.statusListeners.push(listener);
  }

  /** A referral, locked against concurrent changes until the caller's transaction ends; null when it does not exist. */
  async findForUpdate(manager: EntityManager, id: string): Promise<(ReferralFacts & { startedAt: Date | null }) | null> {
    const [row] = (await manager.query(
      `SELECT id, beneficiary_id AS "beneficiaryId", programme_id AS "programmeId", status, started_at AS "startedAt" FROM referrals WHERE id = $1 FOR UPDATE`,
      [id],
    )) as (ReferralFacts & { startedAt: Date | null })[];
    return row ?? null;
  }

  /**
   * Submitted, or waitlisted when every place is held; the person must be oriented on an eligible
   * path. Any advisor of the person's agency may refer them (api.md: "create for own agency"),
   * not only the one whose caseload holds them.
   */
  async create(actor: Actor, input: CreateReferralDto): Promise<ReferralDto> {
    const id = await this.dataSource.transaction(async (manager) => {
      const b = await this.access.findVisible(actor.principal, input.beneficiaryId, manager, true);
      const programme = await this.programmes.findForReferral(manager, input.programmeId);
      if (!programme) throw referralProgrammeNotFound();
      if (!programme.active) throw notEligible('the programme is not active');
      if (b.exitedOn) throw notEligible('the person has exited the scheme');
      if (!b.orientationPath) throw notEligible('the person is not oriented yet');
      if (!programme.eligiblePaths.includes(b.orientationPath)) throw notEligible(`the programme does not take the ${b.orientationPath} path`);
      const status = programme.placesHeld >= programme.capacity ? ReferralStatus.Waitlisted : ReferralStatus.Submitted;
      const referral = await manager
        .save(
          manager.create(Referral, {
            beneficiaryId: b.id,
            programmeId: programme.id,
            status,
            note: input.note ?? null,
            createdBy: actor.principal.id,
            submittedAt: status === ReferralStatus.Submitted ? new Date() : null,
          }),
        )
        .catch((e: unknown) => {
          if (e instanceof QueryFailedError && (e.driverError as { constraint?: string }).constraint === 'uq_referrals_open') throw referralAlreadyOpen();
          throw e;
        });
      await this.record(manager, actor, referral);
      return referral.id;
    });
    return this.get(actor.principal, id);
  }

  async get(principal: Principal, id: string): Promise<ReferralDto> {
    const params: unknown[] = [id];
    const scope = this.scopeCondition(principal, params);
    const [row] = await this.sql.rows<ReferralRow>(`SELECT ${REFERRAL_COLUMNS} FROM ${REFERRAL_FROM} WHERE r.id = $1 AND ${scope}`, params);
    if (!row) throw referralNotFound();
    return toDto(row);
  }

  /** Newest first, scoped in the query: agency staff their agency's people, provider staff their programmes. */
  async list(principal: Principal, query: ListReferralsQueryDto): Promise<Page<ReferralDto>> {
    const params: unknown[] = [];
    const where = [this.scopeCondition(principal, params)];
    const add = (condition: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(condition(`$${params.length}`));
    };
    if (query.programmeId) add((p) => `r.programme_id = ${p}`, query.programmeId);
    if (query.beneficiaryId) add((p) => `r.beneficiary_id = ${p}`, query.beneficiaryId);
    if (query.status) add((p) => `r.status = ${p}`, query.status);
    if (query.cursor) {
      const [at, cursorId] = decodeCursor(query.cursor, ['timestamp', 'uuid']);
      params.push(at, cursorId);
      where.push(`(r.created_at, r.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(query.limit + 1);
    const rows = await this.sql.rows<ReferralRow>(
      `SELECT ${REFERRAL_COLUMNS} FROM ${REFERRAL_FROM}
        WHERE ${where.join(' AND ')}
        ORDER BY r.created_at DESC, r.id DESC
        LIMIT $${params.length}`,
      params,
    );
    return toPage(rows, query.limit, (r) => [r.cursorAt, r.id], toDto);
  }

  /**
   * One action of the state machine. Accepting takes a place (409 when none is
   * free); ending a held place gives it back and promotes the oldest waitlisted referral.
   */
  async act(actor: Actor, id: string, action: ReferralAction, reason?: string): Promise<ReferralDto> {
    if (action === ReferralAction.Decline && !reason) throw declineNeedsReason();
    return this.dataSource.transaction(async (manager) => {
      const [referral] = (await manager.query(
        `SELECT r.id, r.beneficiary_id AS "beneficiaryId", r.programme_id AS "programmeId", r.status, p.provider_id AS "providerId"
           FROM referrals r JOIN programmes p ON p.id = r.programme_id WHERE r.id = $1 FOR UPDATE OF r`,
        [id],
      )) as LockedReferral[];
      if (!referral) throw referralNotFound();
      await this.checkActor(manager, actor.principal, referral, action);
      const from = referral.status;
      const to = nextReferralStatus(from, action);
      if (!to) throw invalidTransition(from, action);
      // The new state, stamped with who and when, read back with the person's summary in the same statement.
      const stamps =
        to === ReferralStatus.Accepted
          ? 'accepted_at = now(), accepted_by = $3'
          : to === ReferralStatus.InProgress
            ? 'started_at = now(), started_by = $3'
            : 'closed_at = now(), closed_by = $3, close_reason = $4';
      const params: unknown[] = [id, to, actor.principal.id];
      if (stamps.includes('$4')) params.push(reason ?? null);
      const [[row]] = (await manager.query(
        `UPDATE referrals r SET status = $2, updated_at = now(), ${stamps}
           FROM programmes p, beneficiaries b
          WHERE r.id = $1 AND p.id = r.programme_id AND b.id = r.beneficiary_id
          RETURNING ${REFERRAL_COLUMNS}`,
        params,
      )) as [ReferralRow[], number];
      referral.status = to;
      await this.record(manager, actor, referral);
      if (releasesPlace(from, to)) await this.placeFreed(manager, actor, referral.programmeId);
      // Last: the programme's row stays locked from this UPDATE to the commit only, so
      // concurrent acceptances of the programme queue for as short a time as possible.
      if (action === ReferralAction.Accept && !(await this.programmes.holdPlace(manager, referral.programmeId))) throw placeCapacityReached();
      return toDto(row);
    });
  }

  /**
   * The daily job: a reminder event (once) for referrals submitted more than
   * REFERRAL_REMINDER_DAYS (10) ago without an answer, then expiry of those submitted
   * or waitlisted for more than REFERRAL_EXPIRY_DAYS (30).
   */
  async expireAndRemind(now: Date = new Date()): Promise<{ reminded: number; expired: number }> {
    const reminded = await this.dataSource.transaction(async (manager) => {
      const [rows] = (await manager.query(
        `UPDATE referrals SET reminded_at = $1
          WHERE status = 'submitted' AND reminded_at IS NULL AND submitted_at < $1::timestamptz - make_interval(days => $2)
          RETURNING id, programme_id AS "programmeId", to_char(submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "submittedAt"`,
        [now, this.config.reminderDays],
      )) as [{ id: string; programmeId: string; submittedAt: string }[], number];
      for (const r of rows) {
        await this.outbox.write(manager, { type: 'referral.reminder', resourceType: 'referral', resourceId: r.id, data: { referralId: r.id, programmeId: r.programmeId, submittedAt: r.submittedAt } });
      }
      return rows.length;
    });
    const due = (await this.dataSource.query(
      `SELECT id FROM referrals
        WHERE (status = 'submitted' AND submitted_at < $1::timestamptz - make_interval(days => $2))
           OR (status = 'waitlisted' AND created_at < $1::timestamptz - make_interval(days => $2))
        ORDER BY created_at, id`,
      [now, this.config.expiryDays],
    )) as { id: string }[];
    let expired = 0;
    for (const { id } of due) {
      expired += await this.dataSource.transaction(async (manager) => {
        const referral = await manager.findOne(Referral, { where: { id }, lock: { mode: 'pessimistic_write' } });
        const to = referral && nextReferralStatus(referral.status, ReferralAction.Expire);
        if (!referral || !to) return 0;
        Object.assign(referral, { status: to, closedAt: now, closedBy: null, closeReason: `no answer within ${this.config.expiryDays} days` });
        await manager.save(referral);
        await this.record(manager, null, referral);
        return 1;
      });
    }
    return { reminded, expired };
  }

  /** 404 when the referral lies outside the caller's scope for this action: the programme's provider, or the person's agency for `cancel`. */
  private async checkActor(manager: EntityManager, principal: Principal, referral: LockedReferral, action: ReferralAction): Promise<void> {
    if (PROVIDER_ACTIONS.includes(action)) {
      if (principal.role === Role.Admin) return;
      if (principal.role !== Role.Provider || referral.providerId !== principal.providerId) throw referralNotFound();
      return;
    }
    // The prescriber's side (cancel) belongs to the person's agency, as the referral's creation does.
    try {
      await this.access.findVisible(principal, referral.beneficiaryId, manager);
    } catch (e) {
      if ((e as { code?: string }).code === 'BENEFICIARY_NOT_FOUND') throw referralNotFound();
      throw e;
    }
  }

  /** A place went back to the programme: the oldest waitlisted referral is submitted, and `place.freed` is written. */
  private async placeFreed(manager: EntityManager, actor: Actor | null, programmeId: string): Promise<void> {
    const places = await this.programmes.releasePlace(manager, programmeId);
    await this.promoteWaitlisted(manager, actor, { id: programmeId, ...places }, 1);
  }

  /**
   * `count` places became free (a release, or a capacity raise): the oldest
   * waitlisted referrals, up to `count`, are submitted in order, and one
   * `place.freed` event is written.
   */
  private async promoteWaitlisted(manager: EntityManager, actor: Actor | null, places: { id: string; placesHeld: number; capacity: number }, count: number): Promise<void> {
    const promoted = (await manager.query(
      `WITH next AS (
         SELECT id, created_at FROM referrals WHERE programme_id = $1 AND status = 'waitlisted'
          ORDER BY created_at, id LIMIT $2 FOR UPDATE SKIP LOCKED),
       promoted AS (
         UPDATE referrals r SET status = 'submitted', submitted_at = now(), updated_at = now() FROM next WHERE r.id = next.id
         RETURNING r.id, r.beneficiary_id AS "beneficiaryId", r.programme_id AS "programmeId", r.status, next.created_at)
       SELECT id, "beneficiaryId", "programmeId", status FROM promoted ORDER BY created_at, id`,
      [places.id, count],
    )) as Pick<Referral, 'id' | 'beneficiaryId' | 'programmeId' | 'status'>[];
    for (const next of promoted) await this.record(manager, actor, next, 'Referral promoted from the waiting list');
    await this.outbox.write(manager, {
      type: 'place.freed',
      resourceType: 'programme',
      resourceId: places.id,
      data: {
        programmeId: places.id,
        placesHeld: places.placesHeld,
        capacity: places.capacity,
        placesFreed: count,
        promotedCount: promoted.length,
        promotedReferralId: promoted[0]?.id ?? null,
      },
    });
  }

  /** The timeline line and outbox event on the person's case, and the audit row, of the status the referral just entered. */
  private async record(manager: EntityManager, actor: Actor | null, r: Pick<Referral, 'id' | 'beneficiaryId' | 'programmeId' | 'status'>, summary?: string): Promise<void> {
    const event = EVENTS[r.status];
    const data = { referralId: r.id, programmeId: r.programmeId, status: r.status };
    await this.caseFile.event(manager, actor, { id: r.beneficiaryId }, { type: event.type, summary: summary ?? event.summary, data });
    await this.outbox.write(manager, { type: event.eventType, resourceType: 'referral', resourceId: r.id, data: { ...data, beneficiaryId: r.beneficiaryId } });
    const entry = { action: `referral.${r.status}`, resourceType: 'referral', resourceId: r.id, details: { beneficiaryId: r.beneficiaryId, programmeId: r.programmeId } };
    if (actor) await this.audit.record(actor, entry, manager);
    else await this.audit.recordAnonymous(null, entry, manager);
    for (const listener of this.statusListeners) await listener(manager, actor, { id: r.id, beneficiaryId: r.beneficiaryId, programmeId: r.programmeId, status: r.status });
  }

  /** Provider staff: referrals to their programmes; others: the cases they see (CaseAccessService). */
  private scopeCondition(principal: Principal, params: unknown[]): string {
    if (principal.role === Role.Provider) {
      if (!principal.providerId) return 'FALSE';
      params.push(principal.providerId);
      return `p.provider_id = $${params.length} AND b.anonymised_at IS NULL`;
    }
    return this.access.scopeCondition(principal, params);
  }
}

function toDto({ cursorAt: _cursorAt, ...row }: ReferralRow): ReferralDto {
  return row;
}

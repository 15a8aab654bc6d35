import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { Principal } from '../../common/auth/principal';
import { Role } from '../../common/auth/roles';
import { Actor } from '../../common/context/actor';
import { decodeCursor, Page, toPage } from '../../common/pagination/pagination';
import { Sql } from '../../database/sql';
import { AuditService } from '../audit/audit.service';
import { ifMatchAllows } from '../../common/http/if-match';
import { CaseAccessService } from '../beneficiaries/case-access.service';
import { CreateProgrammeDto, ListProgrammesQueryDto, OccupancyDto, OccupancyGroupDto, ProgrammeDto, UpdateProgrammeDto } from './dto/programme.dto';
import { OCCUPANCY_GROUPS } from './occupancy-groups';
import { OccupancyGrouping } from './programme.enums';
import { Programme } from './entities/programme.entity';
import {
  capacityBelowHeld,
  programmeCodeTaken,
  programmeDates,
  programmeNotFound,
  programmeVersionMismatch,
  providerFieldsOnly,
  unknownCommune,
  unknownProvider,
} from './programmes.errors';

/** What a referral needs to know of its programme. */
export type ProgrammeForReferral = Pick<Programme, 'id' | 'providerId' | 'capacity' | 'placesHeld' | 'eligiblePaths' | 'active'>;

/**
 * Called in the transaction of a capacity raise, with the programme's places
 * after it: the referrals module promotes waitlisted referrals into the new places.
 */
export type PlacesAddedListener = (manager: EntityManager, actor: Actor, places: { id: string; placesHeld: number; capacity: number }, added: number) => Promise<void>;

/** The fields provider staff may change on their own programmes. */
const PROVIDER_FIELDS = ['description', 'capacity'];

/** Statuses of a referral that is still running (mirrors referral-transitions.ts, for the SQL here). */
const OPEN_REFERRAL = `('submitted', 'waitlisted', 'accepted', 'in_progress')`;

const PROGRAMME_COLUMNS = `p.id, p.code, p.name, p.provider_id AS "providerId", p.type, p.description, p.capacity,
       p.places_held AS "placesHeld", p.capacity - p.places_held AS "placesFree",
       (SELECT count(*)::int FROM referrals w WHERE w.programme_id = p.id AND w.status = 'waitlisted') AS "waitlistLength",
       to_char(p.starts_on, 'YYYY-MM-DD') AS "startsOn", to_char(p.ends_on, 'YYYY-MM-DD') AS "endsOn",
       p.commune_code AS "communeCode", p.eligible_paths AS "eligiblePaths", p.weekly_hours AS "weeklyHours", p.active, p.version,
       to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
       to_char(p.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "updatedAt"`;

/**
 * Programmes and their places. Admins write; provider staff see and edit
 * (description, capacity) their own programmes only. The places held change
 * only through `holdPlace` / `releasePlace`, in the caller's transaction.
 */
@Injectable()
export class ProgrammesService {
  private placesAdded?: PlacesAddedListener;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sql: Sql,
    private readonly access: CaseAccessService,
    private readonly audit: AuditService,
  ) {}

  /** Registers what happens, in the same transaction, when a capacity raise adds places. */
  onPlacesAdded(listener: PlacesAddedListener): void {
    this.placesAdded = listener;
  }

  async create(actor: Actor, input: CreateProgrammeDto): Promise<ProgrammeDto> {
    if (input.endsOn && input.endsOn < input.startsOn) throw programmeDates();
    const id = await this.dataSource.transaction(async (manager) => {
      const programme = await manager
        .save(
          manager.create(Programme, {
            ...input,
            description: input.description ?? null,
            endsOn: input.endsOn ?? null,
            weeklyHours: input.weeklyHours ?? null,
            active: input.active ?? true,
            placesHeld: 0,
          }),
        )
        .catch(mapProgrammeError);
      await this.audit.record(actor, { action: 'programme.create', resourceType: 'programme', resourceId: programme.id }, manager);
      return programme.id;
    });
    return this.get(actor.principal, id);
  }

  async update(actor: Actor, id: string, input: UpdateProgrammeDto, ifMatch: string | undefined): Promise<ProgrammeDto> {
    const principal = actor.principal;
    const fields = Object.keys(input).filter((k) => (input as Record<string, unknown>)[k] !== undefined);
    await this.dataSource.transaction(async (manager) => {
      const programme = await manager.findOne(Programme, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!programme || !this.canSee(principal, programme)) throw programmeNotFound();
      if (principal.role === Role.Provider) {
        const forbidden = fields.filter((f) => !PROVIDER_FIELDS.includes(f));
        if (forbidden.length) throw providerFieldsOnly(forbidden);
      }
      if (!ifMatchAllows(ifMatch, programme.version)) throw programmeVersionMismatch(programme.version);
      const capacityBefore = programme.capacity;
      manager.merge(Programme, programme, input);
      if (programme.endsOn && programme.endsOn < programme.startsOn) throw programmeDates();
      if (programme.capacity < programme.placesHeld) throw capacityBelowHeld(programme.placesHeld);
      await manager.save(programme).catch(mapProgrammeError);
      if (programme.capacity > capacityBefore) await this.placesAdded?.(manager, actor, programme, programme.capacity - capacityBefore);
      await this.audit.record(actor, { action: 'programme.update', resourceType: 'programme', resourceId: id, details: { fields } }, manager);
    });
    return this.get(principal, id);
  }

  async get(principal: Principal, id: string): Promise<ProgrammeDto> {
    const [row] = await this.sql.rows<ProgrammeDto>(`SELECT ${PROGRAMME_COLUMNS} FROM programmes p WHERE p.id = $1`, [id]);
    if (!row || !this.canSee(principal, row)) throw programmeNotFound();
    return row;
  }

  async list(principal: Principal, query: ListProgrammesQueryDto): Promise<Page<ProgrammeDto>> {
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (condition: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(condition(`$${params.length}`));
    };
    if (principal.role === Role.Provider) add((p) => `p.provider_id = ${p}`, principal.providerId);
    if (query.type) add((p) => `p.type = ${p}`, query.type);
    if (query.providerId) add((p) => `p.provider_id = ${p}`, query.providerId);
    if (query.communeCode) add((p) => `p.commune_code = ${p}`, query.communeCode);
    if (query.active !== undefined) add((p) => `p.active = ${p}`, query.active);
    if (query.hasFreePlaces === true) where.push('p.places_held < p.capacity');
    if (query.hasFreePlaces === false) where.push('p.places_held >= p.capacity');
    if (query.eligibleFor) {
      const b = await this.access.findVisible(principal, query.eligibleFor);
      if (!b.orientationPath || b.exitedOn) where.push('FALSE');
      else {
        add((p) => `${p} = ANY(p.eligible_paths)`, b.orientationPath);
        add((p) => `NOT EXISTS (SELECT 1 FROM referrals o WHERE o.programme_id = p.id AND o.beneficiary_id = ${p} AND o.status IN ${OPEN_REFERRAL})`, b.id);
        where.push('p.active');
      }
    }
    if (query.cursor) {
      const [code, cursorId] = decodeCursor(query.cursor, ['string', 'uuid']);
      params.push(code, cursorId);
      where.push(`(p.code, p.id) > ($${params.length - 1}, $${params.length}::uuid)`);
    }
    params.push(query.limit + 1);
    const rows = await this.sql.rows<ProgrammeDto>(
      `SELECT ${PROGRAMME_COLUMNS}
         FROM programmes p
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY p.code, p.id
        LIMIT $${params.length}`,
      params,
    );
    return toPage(rows, query.limit, (p) => [p.code, p.id], (p) => p);
  }

  /** Capacity, held, started, free, waiting, and the average days from submission to acceptance. */
  async occupancy(principal: Principal, id: string): Promise<OccupancyDto> {
    const [row] = await this.sql.rows<OccupancyDto & { providerId: string }>(
      `SELECT p.id AS "programmeId", p.provider_id AS "providerId", p.capacity, p.places_held AS held,
              count(r.id) FILTER (WHERE r.status = 'in_progress')::int AS "inProgress",
              p.capacity - p.places_held AS free,
              count(r.id) FILTER (WHERE r.status = 'waitlisted')::int AS waitlist,
              round((avg(extract(epoch FROM r.accepted_at - r.submitted_at)) FILTER (WHERE r.accepted_at IS NOT NULL) / 86400)::numeric, 1)::float8 AS "averageWaitDays"
         FROM programmes p
         LEFT JOIN referrals r ON r.programme_id = p.id
        WHERE p.id = $1
        GROUP BY p.id`,
      [id],
    );
    if (!row || !this.canSee(principal, row)) throw programmeNotFound();
    const { providerId: _providerId, ...occupancy } = row;
    return occupancy;
  }

  /**
   * Occupancy of the active programmes, each or summed by type, provider or EPT, in one
   * aggregate query; provider staff get their own programmes only.
   */
  async occupancyBy(principal: Principal, groupBy: OccupancyGrouping): Promise<OccupancyGroupDto[]> {
    const group = OCCUPANCY_GROUPS[groupBy];
    const params: unknown[] = [];
    const where = ['p.active'];
    if (principal.role === Role.Provider) {
      params.push(principal.providerId ?? null);
      where.push(`p.provider_id = $${params.length}`);
    }
    return this.sql.rows<OccupancyGroupDto>(
      `WITH r AS (
         SELECT programme_id,
                count(*) FILTER (WHERE status = 'in_progress') AS in_progress,
                count(*) FILTER (WHERE status = 'waitlisted') AS waitlist,
                count(*) FILTER (WHERE accepted_at IS NOT NULL) AS accepted,
                sum(extract(epoch FROM accepted_at - submitted_at)) FILTER (WHERE accepted_at IS NOT NULL) AS wait_seconds
           FROM referrals GROUP BY programme_id)
       SELECT ${group.key} AS key, ${group.label} AS label, count(*)::int AS programmes,
              sum(p.capacity)::int AS capacity, sum(p.places_held)::int AS held,
              coalesce(sum(r.in_progress), 0)::int AS "inProgress", sum(p.capacity - p.places_held)::int AS free,
              coalesce(sum(r.waitlist), 0)::int AS waitlist,
              round((sum(r.wait_seconds) / nullif(sum(r.accepted), 0) / 86400)::numeric, 1)::float8 AS "averageWaitDays"
         FROM programmes p ${group.join}
         LEFT JOIN r ON r.programme_id = p.id
        WHERE ${where.join(' AND ')}
        GROUP BY 1, 2
        ORDER BY 1`,
      params,
    );
  }

  /** Provider staff see their own programmes; every other caller allowed on the route sees all. */
  canSee(principal: Principal, programme: { providerId: string }): boolean {
    return principal.role !== Role.Provider || programme.providerId === principal.providerId;
  }

  /** The programme of a referral, or null. */
  findForReferral(manager: EntityManager, id: string): Promise<ProgrammeForReferral | null> {
    return manager.findOne(Programme, { where: { id }, select: ['id', 'providerId', 'capacity', 'placesHeld', 'eligiblePaths', 'active'] });
  }

  /**
   * Takes one place if one is free, in the caller's transaction: one conditional
   * UPDATE, so concurrent acceptances can never overbook. Null when full.
   */
  async holdPlace(manager: EntityManager, id: string): Promise<{ placesHeld: number; capacity: number } | null> {
    const rows = (await manager.query(
      `UPDATE programmes SET places_held = places_held + 1 WHERE id = $1 AND places_held < capacity RETURNING places_held AS "placesHeld", capacity`,
      [id],
    )) as [{ placesHeld: number; capacity: number }[], number];
    return rows[0][0] ?? null;
  }

  /** Gives one place back, in the caller's transaction (the CHECK refuses going below 0). */
  async releasePlace(manager: EntityManager, id: string): Promise<{ placesHeld: number; capacity: number }> {
    const rows = (await manager.query(`UPDATE programmes SET places_held = places_held - 1 WHERE id = $1 RETURNING places_held AS "placesHeld", capacity`, [
      id,
    ])) as [{ placesHeld: number; capacity: number }[], number];
    return rows[0][0];
  }
}

function mapProgrammeError(e: unknown): never {
  if (e instanceof QueryFailedError) {
    const { constraint } = e.driverError as { constraint?: string };
    if (constraint === 'uq_programmes_code') throw programmeCodeTaken();
    if (constraint === 'fk_programmes_provider') throw unknownProvider();
    if (constraint === 'fk_programmes_commune') throw unknownCommune();
    if (constraint === 'ck_programmes_places_held') throw capacityBelowHeld();
  }
  throw e;
}

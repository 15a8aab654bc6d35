import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Principal } from '../../common/auth/principal';
import { Role } from '../../common/auth/roles';
import { beneficiariesConfig } from '../../config/configuration';
import { Sql } from '../../database/sql';
import { agencyNotFound } from '../agencies/agencies.errors';
import { ExitReason } from '../beneficiaries/beneficiary.enums';
import { OCCUPANCY_GROUPS } from '../programmes/occupancy-groups';
import { OccupancyGrouping } from '../programmes/programme.enums';
import { AgencyReportRowDto, DeadlineKpiDto, OverviewDto, ProgrammeReportRowDto } from './dto/report.dto';
import { inLocalDays, today } from '../../common/time/local-day';
import { Period } from './report-period';

export const CONSTRUCTION_DASHBOARD_PATH = '/api/v1/construction-pathway/dashboard';

/** Which cases an overview counts: the whole département, one agency, or one EPT. */
export interface OverviewScope {
  agencyId: string | null;
  eptCode: string | null;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
const ratio = (a: number, b: number, digits: number) => (b > 0 ? round(a / b, digits) : null);

/**
 * The département's figures, each computed by aggregate statements in PostgreSQL:
 * no row of a person reaches the API and no figure names anyone.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly sql: Sql,
    @Inject(beneficiariesConfig.KEY) private readonly config: ConfigType<typeof beneficiariesConfig>,
  ) {}

  /** The scope a caller may see: agency managers their own agency only (another one → 404). */
  async overviewScope(principal: Principal, query: { agencyId?: string; eptCode?: string }): Promise<OverviewScope> {
    let agencyId = query.agencyId ?? null;
    if (principal.role === Role.AgencyManager) {
      if (agencyId && agencyId !== principal.agencyId) throw agencyNotFound();
      agencyId = principal.agencyId;
    } else if (agencyId) {
      const [found] = await this.sql.rows(`SELECT 1 FROM agencies WHERE id = $1`, [agencyId]);
      if (!found) throw agencyNotFound();
    }
    return { agencyId, eptCode: query.eptCode ?? null };
  }

  async overview(scope: OverviewScope, period: Period): Promise<OverviewDto> {
    // $1 agency, $2 EPT: the cases counted.
    const cases = `b.anonymised_at IS NULL AND ($1::uuid IS NULL OR b.agency_id = $1)
       AND ($2::text IS NULL OR b.commune_code IN (SELECT insee_code FROM communes WHERE ept_code = $2))`;
    const { orientationDays, contractDays } = this.config.deadlines;
    // One pass over the cases. The first orientation and the first signed contract are kept
    // on the case by triggers on their history tables, so a reorientation does not move them.
    const oriented = `b.first_oriented_on BETWEEN $3 AND $4 AND b.rights_opened_on IS NOT NULL`;
    const orientedDays = `greatest(b.first_oriented_on - b.rights_opened_on, 0)`;
    const contracted = `b.first_contract_signed_on BETWEEN $3 AND $4 AND b.first_oriented_on IS NOT NULL`;
    const contractedDays = `greatest(b.first_contract_signed_on - b.first_oriented_on, 0)`;
    const [[counts], exits] = await Promise.all([
      this.sql.rows<Record<string, number>>(
        `SELECT count(*)::int AS total,
                count(*) FILTER (WHERE b.status = 'to_orient')::int AS to_orient,
                count(*) FILTER (WHERE b.status = 'oriented')::int AS oriented,
                count(*) FILTER (WHERE b.status = 'in_pathway')::int AS in_pathway,
                count(*) FILTER (WHERE b.status = 'exited')::int AS exited,
                count(*) FILTER (WHERE b.orientation_path = 'professional')::int AS professional,
                count(*) FILTER (WHERE b.orientation_path = 'socio_professional')::int AS socio_professional,
                count(*) FILTER (WHERE b.orientation_path = 'social')::int AS social,
                count(*) FILTER (WHERE b.orientation_path IS NULL)::int AS none,
                count(*) FILTER (WHERE b.next_due_on < $5)::int AS overdue,
                count(*) FILTER (WHERE b.orientation_due_on < $5)::int AS overdue_orientation,
                count(*) FILTER (WHERE b.contract_due_on < $5)::int AS overdue_contract,
                count(*) FILTER (WHERE b.review_due_on < $5)::int AS overdue_review,
                count(*) FILTER (WHERE ${oriented})::int AS o_count,
                count(*) FILTER (WHERE ${oriented} AND ${orientedDays} <= $6)::int AS o_within,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY ${orientedDays}) FILTER (WHERE ${oriented}) AS o_median,
                count(*) FILTER (WHERE ${contracted})::int AS c_count,
                count(*) FILTER (WHERE ${contracted} AND ${contractedDays} <= $7)::int AS c_within,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY ${contractedDays}) FILTER (WHERE ${contracted}) AS c_median
           FROM beneficiaries b
          WHERE ${cases}`,
        [scope.agencyId, scope.eptCode, period.from, period.to, today(), orientationDays, contractDays],
      ),
      this.sql.rows<{ reason: string; n: number }>(
        `SELECT b.exit_reason AS reason, count(*)::int AS n
           FROM beneficiaries b
          WHERE ${cases} AND b.exited_on BETWEEN $3 AND $4
          GROUP BY 1`,
        [scope.agencyId, scope.eptCode, period.from, period.to],
      ),
    ]);
    const kpi = (deadlineDays: number, count: number, within: number, median: number | null): DeadlineKpiDto => ({
      deadlineDays,
      count,
      withinDeadline: within,
      share: ratio(within, count, 3),
      medianDays: median === null ? null : round(Number(median), 1),
    });
    const byReason = Object.fromEntries(Object.values(ExitReason).map((r) => [r, 0])) as Record<string, number>;
    for (const e of exits) byReason[e.reason] = e.n;
    return {
      agencyId: scope.agencyId,
      eptCode: scope.eptCode,
      period,
      beneficiaries: counts.total,
      byStatus: { to_orient: counts.to_orient, oriented: counts.oriented, in_pathway: counts.in_pathway, exited: counts.exited },
      byOrientationPath: { professional: counts.professional, socio_professional: counts.socio_professional, social: counts.social, none: counts.none },
      orientation: kpi(orientationDays, counts.o_count, counts.o_within, counts.o_median),
      contracts: kpi(contractDays, counts.c_count, counts.c_within, counts.c_median),
      overdue: { total: counts.overdue, orientation: counts.overdue_orientation, contract: counts.overdue_contract, review: counts.overdue_review },
      exits: { total: exits.reduce((sum, e) => sum + e.n, 0), byReason },
      links: { constructionPathwayDashboard: CONSTRUCTION_DASHBOARD_PATH },
    };
  }

  /** Per agency (agency managers: their own): caseload, advisors and their capacity, overdue cases. */
  async agencies(principal: Principal): Promise<AgencyReportRowDto[]> {
    return this.agencyRows(principal.role === Role.AgencyManager ? principal.agencyId : null);
  }

  /** Every agency's row, or one agency's. Inactive agencies appear while they still hold cases. */
  async agencyRows(agencyId: string | null): Promise<AgencyReportRowDto[]> {
    const rows = await this.sql.rows<Record<string, string & number>>(
      `WITH b AS (
         SELECT agency_id,
                count(*) FILTER (WHERE status <> 'exited')::int AS caseload,
                count(*) FILTER (WHERE status = 'to_orient')::int AS to_orient,
                count(*) FILTER (WHERE status = 'oriented')::int AS oriented,
                count(*) FILTER (WHERE status = 'in_pathway')::int AS in_pathway,
                count(*) FILTER (WHERE status = 'exited')::int AS exited,
                count(*) FILTER (WHERE status <> 'exited' AND advisor_id IS NULL)::int AS unassigned,
                count(*) FILTER (WHERE status <> 'exited' AND advisor_id IS NOT NULL)::int AS assigned,
                count(*) FILTER (WHERE next_due_on < $2)::int AS overdue
           FROM beneficiaries
          WHERE anonymised_at IS NULL AND agency_id IS NOT NULL AND ($1::uuid IS NULL OR agency_id = $1)
          GROUP BY agency_id
       ), u AS (
         SELECT agency_id, count(*)::int AS advisors, sum(caseload_capacity)::int AS capacity
           FROM users
          WHERE role = 'advisor' AND active AND ($1::uuid IS NULL OR agency_id = $1)
          GROUP BY agency_id
       )
       SELECT a.id, a.code, a.name,
              coalesce(b.caseload, 0) AS caseload, coalesce(b.to_orient, 0) AS to_orient, coalesce(b.oriented, 0) AS oriented,
              coalesce(b.in_pathway, 0) AS in_pathway, coalesce(b.exited, 0) AS exited, coalesce(b.unassigned, 0) AS unassigned,
              coalesce(b.assigned, 0) AS assigned, coalesce(b.overdue, 0) AS overdue,
              coalesce(u.advisors, 0) AS advisors, coalesce(u.capacity, 0) AS capacity
         FROM agencies a
         LEFT JOIN b ON b.agency_id = a.id
         LEFT JOIN u ON u.agency_id = a.id
        WHERE ($1::uuid IS NULL OR a.id = $1) AND (a.active OR b.caseload > 0)
        ORDER BY a.code`,
      [agencyId, today()],
    );
    return rows.map((r) => ({
      agencyId: r.id,
      code: r.code,
      name: r.name,
      caseload: r.caseload,
      byStatus: { to_orient: r.to_orient, oriented: r.oriented, in_pathway: r.in_pathway, exited: r.exited },
      unassigned: r.unassigned,
      advisors: r.advisors,
      capacity: r.capacity,
      caseloadPerAdvisor: ratio(r.assigned, r.advisors, 1),
      capacityPerAdvisor: ratio(r.capacity, r.advisors, 1),
      utilisation: ratio(r.assigned, r.capacity, 3),
      overdue: r.overdue,
    }));
  }

  /** Occupancy now and referral outcomes in the period; provider staff: their own programmes. */
  async programmes(principal: Principal, groupBy: OccupancyGrouping, period: Period): Promise<ProgrammeReportRowDto[]> {
    if (principal.role !== Role.Provider) return this.programmeRows(null, groupBy, period);
    return principal.providerId ? this.programmeRows(principal.providerId, groupBy, period) : [];
  }

  async programmeRows(providerId: string | null, groupBy: OccupancyGrouping, period: Period): Promise<ProgrammeReportRowDto[]> {
    const group = OCCUPANCY_GROUPS[groupBy];
    const closed = (status: string) => `count(*) FILTER (WHERE status = '${status}' AND ${inLocalDays('closed_at', 1, 2)}) AS ${status}`;
    const rows = await this.sql.rows<Record<string, string & number>>(
      `WITH r AS (
         SELECT programme_id,
                count(*) FILTER (WHERE status = 'in_progress') AS in_progress,
                count(*) FILTER (WHERE status = 'waitlisted') AS waitlist,
                count(*) FILTER (WHERE ${inLocalDays('created_at', 1, 2)}) AS submitted,
                count(*) FILTER (WHERE ${inLocalDays('accepted_at', 1, 2)}) AS accepted,
                sum(extract(epoch FROM accepted_at - submitted_at)) FILTER (WHERE ${inLocalDays('accepted_at', 1, 2)}) AS wait_seconds,
                count(*) FILTER (WHERE ${inLocalDays('started_at', 1, 2)}) AS started,
                ${['completed', 'abandoned', 'declined', 'cancelled', 'expired'].map(closed).join(',\n                ')}
           FROM referrals
          GROUP BY programme_id
       )
       SELECT ${group.key} AS key, ${group.label} AS label, count(*)::int AS programmes,
              sum(p.capacity)::int AS capacity, sum(p.places_held)::int AS held,
              coalesce(sum(r.in_progress), 0)::int AS in_progress, sum(p.capacity - p.places_held)::int AS free,
              coalesce(sum(r.waitlist), 0)::int AS waitlist,
              round((sum(r.wait_seconds) / nullif(sum(r.accepted), 0) / 86400)::numeric, 1)::float8 AS average_wait_days,
              coalesce(sum(r.submitted), 0)::int AS submitted, coalesce(sum(r.accepted), 0)::int AS accepted,
              coalesce(sum(r.started), 0)::int AS started, coalesce(sum(r.completed), 0)::int AS completed,
              coalesce(sum(r.abandoned), 0)::int AS abandoned, coalesce(sum(r.declined), 0)::int AS declined,
              coalesce(sum(r.cancelled), 0)::int AS cancelled, coalesce(sum(r.expired), 0)::int AS expired
         FROM programmes p ${group.join}
         LEFT JOIN r ON r.programme_id = p.id
        WHERE p.active AND ($3::uuid IS NULL OR p.provider_id = $3)
        GROUP BY 1, 2
        ORDER BY 2, 1`,
      [period.from, period.to, providerId],
    );
    return rows.map((r) => ({
      key: r.key,
      label: r.label,
      programmes: r.programmes,
      capacity: r.capacity,
      held: r.held,
      inProgress: r.in_progress,
      free: r.free,
      waitlist: r.waitlist,
      averageWaitDays: r.average_wait_days,
      outcomes: {
        submitted: r.submitted,
        accepted: r.accepted,
        started: r.started,
        completed: r.completed,
        abandoned: r.abandoned,
        declined: r.declined,
        cancelled: r.cancelled,
        expired: r.expired,
      },
    }));
  }
}

import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { Principal } from '../../common/auth/principal';
import { Role } from '../../common/auth/roles';
import { decodeCursor, Page, toPage } from '../../common/pagination/pagination';
import { isIsoDate } from '../../common/validation/dates';
import { pathwayConfig } from '../../config/configuration';
import { Sql } from '../../database/sql';
import { CaseAccessService } from '../beneficiaries/case-access.service';
import { today } from '../../common/time/local-day';
import { JobsService } from '../jobs/jobs.service';
import { OutboxService } from '../outbox/outbox.service';
import { TimelineService } from '../timeline/timeline.service';
import { agencyNotFound, invalidCursor, invalidPeriod } from './construction-pathway.errors';
import { AlertDto, DashboardDto, DashboardQueryDto, ListAlertsQueryDto, StageCountsDto, TradeDto } from './dto/cohort.dto';
import { daysBetween, ParticipantsService } from './participants.service';
import { StepType } from './pathway.enums';

export const WITHOUT_SOLUTION_JOB = 'construction-pathway.without-solution';

/**
 * The cohort as a whole: the trades of the pathway, the alert queue of participants
 * without a solution (axis 3) and its daily event, and the dashboard of cohort KPIs.
 */
@Injectable()
export class CohortService implements OnApplicationBootstrap {
  private readonly logger = new Logger(CohortService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly sql: Sql,
    private readonly access: CaseAccessService,
    private readonly participants: ParticipantsService,
    private readonly timeline: TimelineService,
    private readonly outbox: OutboxService,
    private readonly jobs: JobsService,
    @Inject(pathwayConfig.KEY) private readonly config: ConfigType<typeof pathwayConfig>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.schedule(WITHOUT_SOLUTION_JOB, '7 6 * * *', async () => {
      const notified = await this.notifyWithoutSolution();
      this.logger.log(`construction pathway: ${notified} participants newly without a solution`);
    });
  }

  /** ROME codes of family F of the reference data, by code. */
  async trades(query: { limit: number; cursor?: string }): Promise<Page<TradeDto>> {
    const after = query.cursor ? (decodeCursor(query.cursor, ['string'])[0] as string) : '';
    const rows = await this.sql.rows<TradeDto>(`SELECT code::text AS code, label FROM rome_codes WHERE code LIKE 'F%' AND code > $1 ORDER BY code LIMIT $2`, [after, query.limit + 1]);
    return toPage(rows, query.limit, (r) => [r.code], (r) => r);
  }

  /** Participants without a planned or in-progress step for more than the configured days, longest first. */
  async alerts(principal: Principal, query: ListAlertsQueryDto): Promise<Page<AlertDto>> {
    const params: unknown[] = [];
    const where = [this.access.scopeCondition(principal, params), 'p.exited_on IS NULL'];
    params.push(this.participants.withoutSolutionBefore());
    where.push(`p.without_solution_since < $${params.length}::date`);
    if (query.agencyId) {
      params.push(query.agencyId);
      where.push(`b.agency_id = $${params.length}`);
    }
    if (query.cursor) {
      const [since, cursorId] = decodeCursor(query.cursor, ['string', 'uuid']);
      if (!isIsoDate(since)) throw invalidCursor();
      params.push(since, cursorId);
      where.push(`(p.without_solution_since, p.id) > ($${params.length - 1}::date, $${params.length}::uuid)`);
    }
    params.push(query.limit + 1);
    const rows = await this.sql.rows<Omit<AlertDto, 'daysWithoutSolution'>>(
      `SELECT p.id AS "participantId", p.beneficiary_id AS "beneficiaryId", b.agency_id AS "agencyId", p.advisor_id AS "advisorId",
              json_build_object('firstName', b.first_name, 'lastName', b.last_name) AS person, p.current_stage AS "currentStage",
              to_char(p.without_solution_since, 'YYYY-MM-DD') AS "withoutSolutionSince"
         FROM pathway_participants p JOIN beneficiaries b ON b.id = p.beneficiary_id
        WHERE ${where.join(' AND ')}
        ORDER BY p.without_solution_since, p.id
        LIMIT $${params.length}`,
      params,
    );
    const now = today();
    return toPage(rows, query.limit, (r) => [r.withoutSolutionSince, r.participantId], (r) => ({ ...r, daysWithoutSolution: daysBetween(r.withoutSolutionSince, now) }));
  }

  /**
   * The daily job: a `participant.without_solution` event (and a timeline line) for each
   * participant who has just gone past the threshold, once per period without a solution.
   */
  async notifyWithoutSolution(): Promise<number> {
    const now = today();
    return this.dataSource.transaction(async (manager) => {
      const [rows] = (await manager.query(
        `UPDATE pathway_participants p SET without_solution_notified_for = p.without_solution_since
           FROM beneficiaries b
          WHERE b.id = p.beneficiary_id AND b.anonymised_at IS NULL AND p.exited_on IS NULL
            AND p.without_solution_since < $1::date
            AND p.without_solution_notified_for IS DISTINCT FROM p.without_solution_since
          RETURNING p.id, p.beneficiary_id AS "beneficiaryId", b.agency_id AS "agencyId", to_char(p.without_solution_since, 'YYYY-MM-DD') AS since`,
        [this.participants.withoutSolutionBefore()],
      )) as [{ id: string; beneficiaryId: string; agencyId: string | null; since: string }[], number];
      for (const r of rows) {
        const data = { participantId: r.id, agencyId: r.agencyId, since: r.since, daysWithoutSolution: daysBetween(r.since, now) };
        await this.timeline.record(manager, {
          beneficiaryId: r.beneficiaryId,
          type: 'participant.without_solution',
          summary: `No planned or in-progress step for more than ${this.config.withoutSolutionDays} days`,
          data,
        });
        await this.outbox.write(manager, { type: 'participant.without_solution', resourceType: 'participant', resourceId: r.id, data: { ...data, beneficiaryId: r.beneficiaryId } });
      }
      return rows.length;
    });
  }

  /**
   * Cohort KPIs. The period selects the participants enrolled in it and the months of
   * hours worked; `to` (default today) is the day employment is counted on. Stages,
   * steps and exits are today's. Anonymised people still count (statistics are kept).
   * Agency staff get their own agency's figures.
   */
  async dashboard(principal: Principal, query: DashboardQueryDto): Promise<DashboardDto> {
    const to = query.to ?? today();
    const from = query.from ?? null;
    if (from && from > to) throw invalidPeriod();
    let agencyId = query.agencyId ?? null;
    if (principal.role === Role.AgencyManager || principal.role === Role.Advisor) {
      if (!principal.agencyId || (agencyId && agencyId !== principal.agencyId)) throw agencyNotFound();
      agencyId = principal.agencyId;
    }
    const params = [agencyId, from, to, this.participants.withoutSolutionBefore()];
    const [cohort] = await this.sql.rows<{
      enrolled: number;
      exited: number;
      active: number;
      withActiveStep: number;
      withoutSolution: number;
      inEmployment: number;
      inLastingEmployment: number;
      byStage: Record<string, number> | null;
    }>(
      `WITH cohort AS (
         SELECT p.id, p.current_stage, p.exited_on, p.without_solution_since
           FROM pathway_participants p JOIN beneficiaries b ON b.id = p.beneficiary_id
          WHERE ($1::uuid IS NULL OR b.agency_id = $1::uuid)
            AND ($2::date IS NULL OR p.enrolled_on >= $2::date)
            AND p.enrolled_on <= $3::date),
       employed AS (
         SELECT e.participant_id, bool_or(e.lasting) AS lasting
           FROM pathway_employments e JOIN cohort c ON c.id = e.participant_id
          WHERE e.starts_on <= $3::date AND (e.ends_on IS NULL OR e.ends_on >= $3::date)
            AND NOT EXISTS (SELECT 1 FROM pathway_follow_ups f
                             WHERE f.employment_id = e.id AND f.outcome = 'not_employed' AND f.contacted_on <= $3::date)
          GROUP BY e.participant_id)
       SELECT count(*)::int AS enrolled,
              count(*) FILTER (WHERE c.exited_on IS NOT NULL)::int AS exited,
              count(*) FILTER (WHERE c.exited_on IS NULL)::int AS active,
              count(*) FILTER (WHERE c.exited_on IS NULL AND EXISTS (
                SELECT 1 FROM pathway_steps s WHERE s.participant_id = c.id AND s.status = 'in_progress'))::int AS "withActiveStep",
              count(*) FILTER (WHERE c.exited_on IS NULL AND c.without_solution_since < $4::date)::int AS "withoutSolution",
              (SELECT count(*)::int FROM employed) AS "inEmployment",
              (SELECT count(*)::int FROM employed WHERE lasting) AS "inLastingEmployment",
              (SELECT json_object_agg(COALESCE(stage, 'notStarted'), n) FROM (
                 SELECT current_stage AS stage, count(*)::int AS n FROM cohort WHERE exited_on IS NULL GROUP BY current_stage) s) AS "byStage"
         FROM cohort c`,
      params,
    );
    const [hours] = await this.sql.rows<{ required: number; worked: number }>(
      `SELECT (SELECT COALESCE(sum(l.required_hours), 0)::int
                 FROM clause_lots l JOIN clause_operations o ON o.id = l.operation_id
                WHERE $1::uuid IS NULL OR o.commune_code IN (SELECT ac.commune_code FROM agency_communes ac WHERE ac.agency_id = $1::uuid)) AS required,
              (SELECT COALESCE(sum(h.hours), 0)::float8
                 FROM clause_hours h JOIN pathway_participants p ON p.id = h.participant_id JOIN beneficiaries b ON b.id = p.beneficiary_id
                WHERE ($1::uuid IS NULL OR b.agency_id = $1::uuid)
                  AND ($2::date IS NULL OR h.month >= date_trunc('month', $2::date)::date)
                  AND h.month <= $3::date) AS worked`,
      [agencyId, from, to],
    );
    const byStage = { notStarted: 0, ...Object.fromEntries(Object.values(StepType).map((s) => [s, 0])), ...cohort.byStage } as StageCountsDto;
    const worked = Math.round(hours.worked * 100) / 100;
    return {
      from,
      to,
      agencyId,
      target: this.config.targetParticipants,
      enrolled: cohort.enrolled,
      targetPercent: Math.round((cohort.enrolled / this.config.targetParticipants) * 1000) / 10,
      exited: cohort.exited,
      active: cohort.active,
      byStage,
      withActiveStep: cohort.withActiveStep,
      withoutSolution: cohort.withoutSolution,
      withoutSolutionDays: this.config.withoutSolutionDays,
      inEmployment: cohort.inEmployment,
      inLastingEmployment: cohort.inLastingEmployment,
      hours: { required: hours.required, worked, remaining: Math.max(0, Math.round((hours.required - worked) * 100) / 100) },
    };
  }
}

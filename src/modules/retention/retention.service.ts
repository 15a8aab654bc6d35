import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { DataSource, EntityManager } from 'typeorm';
import { Actor } from '../../common/context/actor';
import { retentionConfig } from '../../config/configuration';
import { AuditService } from '../audit/audit.service';
import { JobsService } from '../jobs/jobs.service';
import { RetentionReportDto } from './dto/retention.dto';

export const RETENTION_JOB = 'rgpd.retention';
const BATCH = 2000;

/**
 * Active retention (CNIL): people whose last contact is older than the period
 * (24 months by default) are anonymised. What remains is statistics: status,
 * agency, orientation path and referent body, contract hours, exit reason,
 * with dates cut to the month and the birth date to the year. Names,
 * identifiers, contacts, notes (construction pathway included), the journal and the timeline are erased.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap {
  private readonly logger = new Logger(RetentionService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobsService,
    private readonly audit: AuditService,
    @Inject(retentionConfig.KEY) private readonly config: ConfigType<typeof retentionConfig>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.schedule(RETENTION_JOB, '47 2 * * *', async () => {
      const report = await this.run(null);
      this.logger.log(`retention: ${report.count} people anonymised (last contact before ${report.cutoff})`);
    });
  }

  cutoff(now = new Date()): Date {
    const d = new Date(now);
    d.setUTCMonth(d.getUTCMonth() - this.config.retentionMonths);
    return d;
  }

  /** Dry run: who would be anonymised now, counted by status. */
  async preview(actor: Actor): Promise<RetentionReportDto> {
    const cutoff = this.cutoff();
    const rows: { status: string; count: number; oldest: Date | null }[] = await this.dataSource.query(
      `SELECT status, count(*)::int AS count, min(last_contact_at) AS oldest
         FROM beneficiaries WHERE anonymised_at IS NULL AND last_contact_at < $1 GROUP BY status`,
      [cutoff],
    );
    await this.audit.record(actor, { action: 'retention.preview', resourceType: 'retention', details: { count: rows.reduce((n, r) => n + r.count, 0) } });
    return this.report(true, cutoff, rows);
  }

  /** Anonymises everyone past the period, in batches, each batch in its own transaction. */
  async run(actor: Actor | null): Promise<RetentionReportDto> {
    const cutoff = this.cutoff();
    const tally = new Map<string, number>();
    let oldest: Date | null = null;
    for (;;) {
      const batch = await this.dataSource.transaction((manager) => this.anonymiseBatch(manager, cutoff));
      for (const r of batch) {
        tally.set(r.status, (tally.get(r.status) ?? 0) + 1);
        if (!oldest || r.last_contact_at < oldest) oldest = r.last_contact_at;
      }
      if (batch.length < BATCH) break;
    }
    const rows = [...tally].map(([status, count]) => ({ status, count, oldest }));
    const report = this.report(false, cutoff, rows);
    const entry = { action: 'retention.run', resourceType: 'retention', details: { count: report.count, byStatus: report.byStatus } };
    await (actor ? this.audit.record(actor, entry) : this.audit.recordAnonymous(null, entry));
    return report;
  }

  private async anonymiseBatch(manager: EntityManager, cutoff: Date): Promise<{ id: string; status: string; last_contact_at: Date }[]> {
    const [rows] = (await manager.query(
      `WITH targets AS (
         SELECT id, last_contact_at FROM beneficiaries
          WHERE anonymised_at IS NULL AND last_contact_at < $1
          ORDER BY last_contact_at LIMIT $2 FOR UPDATE SKIP LOCKED
       )
       UPDATE beneficiaries b SET
         caf_number = '0000000', nir_encrypted = NULL, nir_hash = NULL, france_travail_id = NULL,
         first_name = 'Anonymised', last_name = 'Anonymised', birth_name = NULL, sort_key = 'ANONYMISED', search_text = '',
         birth_date = date_trunc('year', b.birth_date)::date,
         address = NULL, no_fixed_address = false, phone = NULL, email = NULL, advisor_id = NULL,
         rights_opened_on = date_trunc('month', b.rights_opened_on)::date,
         oriented_on = date_trunc('month', b.oriented_on)::date,
         contract_signed_on = date_trunc('month', b.contract_signed_on)::date,
         exited_on = date_trunc('month', b.exited_on)::date,
         orientation_due_on = NULL, contract_due_on = NULL, review_due_on = NULL, next_due_on = NULL,
         anonymised_at = now(), version = b.version + 1, updated_at = now()
       FROM targets WHERE b.id = targets.id
       RETURNING b.id, b.status, targets.last_contact_at`,
      [cutoff, BATCH],
    )) as [{ id: string; status: string; last_contact_at: Date }[], number];
    if (rows.length === 0) return rows;
    const ids = rows.map((r) => r.id);
    const erase = [
      `DELETE FROM timeline_events WHERE beneficiary_id = ANY($1)`,
      `DELETE FROM journal_notes WHERE beneficiary_id = ANY($1)`,
      `DELETE FROM beneficiary_assignments WHERE beneficiary_id = ANY($1)`,
      `UPDATE orientations SET reason = NULL, decided_by = NULL, decided_on = date_trunc('month', decided_on)::date,
              ended_on = date_trunc('month', ended_on)::date WHERE beneficiary_id = ANY($1)`,
      `UPDATE reorientation_requests SET reason = 'anonymised', decision_reason = NULL, requested_by = NULL, decided_by = NULL WHERE beneficiary_id = ANY($1)`,
      `UPDATE contracts SET action_plan = '', hours_justification = CASE WHEN weekly_activity_hours < 15 THEN 'anonymised' END,
              starts_on = date_trunc('month', starts_on)::date, ends_on = date_trunc('month', ends_on)::date,
              signed_on = date_trunc('month', signed_on)::date WHERE beneficiary_id = ANY($1)`,
      `UPDATE barriers SET note = NULL, created_by = NULL, identified_on = date_trunc('month', identified_on)::date,
              resolved_on = date_trunc('month', resolved_on)::date WHERE beneficiary_id = ANY($1)`,
      `UPDATE suspension_procedures SET facts = 'anonymised', decision_reason = CASE WHEN decision_reason IS NOT NULL THEN 'anonymised' END,
              lift_reason = CASE WHEN lift_reason IS NOT NULL THEN 'anonymised' END, opened_by = NULL, decided_by = NULL, lifted_by = NULL,
              opened_on = date_trunc('month', opened_on)::date, decided_on = date_trunc('month', decided_on)::date,
              starts_on = date_trunc('month', starts_on)::date, ends_on = date_trunc('month', ends_on)::date,
              lifted_on = date_trunc('month', lifted_on)::date WHERE beneficiary_id = ANY($1)`,
      `UPDATE action_plan_focuses SET title = NULL, created_by = NULL WHERE beneficiary_id = ANY($1)`,
      `UPDATE action_plan_targets SET title = 'anonymised', created_by = NULL WHERE beneficiary_id = ANY($1)`,
      `UPDATE action_plan_actions SET title = 'anonymised', created_by = NULL, due_on = date_trunc('month', due_on)::date WHERE beneficiary_id = ANY($1)`,
      // Construction pathway: notes and who-did-what go, dates are cut to the month; stages, contract types and hours stay for the cohort figures.
      `UPDATE pathway_follow_ups f SET note = NULL, recorded_by = NULL, due_on = date_trunc('month', f.due_on)::date, contacted_on = date_trunc('month', f.contacted_on)::date
         FROM pathway_employments e JOIN pathway_participants p ON p.id = e.participant_id WHERE e.id = f.employment_id AND p.beneficiary_id = ANY($1)`,
      `UPDATE pathway_employments e SET employer_name = 'anonymised', employer_siret = NULL, created_by = NULL,
              starts_on = date_trunc('month', e.starts_on)::date, ends_on = date_trunc('month', e.ends_on)::date
         FROM pathway_participants p WHERE p.id = e.participant_id AND p.beneficiary_id = ANY($1)`,
      `UPDATE pathway_steps s SET note = NULL, created_by = NULL, starts_on = date_trunc('month', s.starts_on)::date, ends_on = date_trunc('month', s.ends_on)::date
         FROM pathway_participants p WHERE p.id = s.participant_id AND p.beneficiary_id = ANY($1)`,
      `UPDATE pathway_participants SET advisor_id = NULL, created_by = NULL, enrolled_on = date_trunc('month', enrolled_on)::date,
              exited_on = date_trunc('month', exited_on)::date, without_solution_since = date_trunc('month', without_solution_since)::date,
              without_solution_notified_for = NULL WHERE beneficiary_id = ANY($1)`,
    ];
    for (const statement of erase) await manager.query(statement, [ids]);
    return rows;
  }

  private report(dryRun: boolean, cutoff: Date, rows: { status: string; count: number; oldest: Date | null }[]): RetentionReportDto {
    const oldest = rows.map((r) => r.oldest).filter((d): d is Date => d !== null).sort((a, b) => a.getTime() - b.getTime())[0];
    return {
      dryRun,
      cutoff: cutoff.toISOString(),
      retentionMonths: this.config.retentionMonths,
      count: rows.reduce((n, r) => n + r.count, 0),
      byStatus: Object.fromEntries(rows.map((r) => [r.status, r.count])),
      oldestLastContact: oldest?.toISOString() ?? null,
    };
  }
}

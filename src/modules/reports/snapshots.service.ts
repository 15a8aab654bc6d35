import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Principal } from '../../common/auth/principal';
import { Role } from '../../common/auth/roles';
import { Actor } from '../../common/context/actor';
import { Sql } from '../../database/sql';
import { AuditService } from '../audit/audit.service';
import { JobsService } from '../jobs/jobs.service';
import { OccupancyGrouping } from '../programmes/programme.enums';
import { SnapshotDto } from './dto/report.dto';
import { SnapshotKind } from './entities/report-snapshot.entity';
import { today } from '../../common/time/local-day';
import { monthPeriod, previousMonth } from './report-period';
import { monthNotOver } from './reports.errors';
import { ReportsService } from './reports.service';

export const REPORT_SNAPSHOTS_JOB = 'reports.snapshots';

interface SnapshotRow {
  kind: SnapshotKind;
  subjectId: string;
  providerId: string | null;
  label: string;
  figures: Record<string, unknown>;
}

/**
 * Monthly snapshots: the month's figures per agency and per programme, frozen so
 * that reports to the State survive later corrections and anonymisation.
 */
@Injectable()
export class SnapshotsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(SnapshotsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly sql: Sql,
    private readonly reports: ReportsService,
    private readonly jobs: JobsService,
    private readonly audit: AuditService,
  ) {}

  /** On the 1st of each month at 01:30 (local time, TIME_ZONE), once across instances: freeze the month just over. */
  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.schedule(REPORT_SNAPSHOTS_JOB, '30 1 1 * *', async () => {
      const month = previousMonth(today());
      const written = await this.take(month);
      this.logger.log(`reports: ${written} snapshots of ${month} written`);
    });
  }

  /** Freezes a month already over; what is frozen already stays as it was. Returns the rows written. */
  async take(month: string): Promise<number> {
    const period = monthPeriod(month);
    if (period.to >= today()) throw monthNotOver(month);
    const [agencies, programmes, providers] = await Promise.all([
      this.reports.agencyRows(null),
      this.reports.programmeRows(null, OccupancyGrouping.Programme, period),
      this.sql.rows<{ id: string; providerId: string }>(`SELECT id, provider_id AS "providerId" FROM programmes WHERE active`),
    ]);
    const providerOf = new Map(providers.map((p) => [p.id, p.providerId]));
    const rows: SnapshotRow[] = [];
    for (const agency of agencies) {
      const overview = await this.reports.overview({ agencyId: agency.agencyId, eptCode: null }, period);
      rows.push({ kind: SnapshotKind.Agency, subjectId: agency.agencyId, providerId: null, label: `${agency.code} ${agency.name}`, figures: { agency, overview } });
    }
    for (const programme of programmes) {
      rows.push({ kind: SnapshotKind.Programme, subjectId: programme.key, providerId: providerOf.get(programme.key) ?? null, label: programme.label, figures: { programme } });
    }
    const inserted = (await this.dataSource.query(
      `INSERT INTO report_snapshots (month, kind, subject_id, provider_id, label, figures)
       SELECT $1, r.kind, r."subjectId", r."providerId", r.label, r.figures
         FROM jsonb_to_recordset($2::jsonb) AS r(kind text, "subjectId" uuid, "providerId" uuid, label text, figures jsonb)
       ON CONFLICT (month, kind, subject_id) DO NOTHING
       RETURNING id`,
      [month, JSON.stringify(rows)],
    )) as unknown[];
    return inserted.length;
  }

  /** POST /reports/snapshots: an admin freezes a month now (e.g. after a failed job). */
  async takeAsAdmin(actor: Actor, month: string): Promise<number> {
    const written = await this.take(month);
    await this.audit.record(actor, { action: 'report.snapshot', resourceType: 'report_snapshot', details: { month, written } });
    return written;
  }

  /** A month's snapshots the caller may see: agency managers their agency's and the programmes', providers their programmes'. */
  list(principal: Principal, month: string): Promise<SnapshotDto[]> {
    const params: unknown[] = [month];
    let scope = 'true';
    if (principal.role === Role.AgencyManager) {
      params.push(principal.agencyId);
      scope = `(kind = 'programme' OR subject_id = $2)`;
    } else if (principal.role === Role.Provider) {
      params.push(principal.providerId);
      scope = `(kind = 'programme' AND provider_id = $2)`;
    }
    return this.sql.rows<SnapshotDto>(
      `SELECT month, kind, subject_id AS "subjectId", label, figures,
              to_char(taken_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "takenAt"
         FROM report_snapshots
        WHERE month = $1 AND ${scope}
        ORDER BY kind, label, subject_id`,
      params,
    );
  }
}

import { ApiProperty } from '@nestjs/swagger';
import { OccupancyGrouping } from '../../programmes/programme.enums';
import { SnapshotKind } from '../entities/report-snapshot.entity';

export class PeriodDto {
  @ApiProperty({ format: 'date' }) from!: string;
  @ApiProperty({ format: 'date' }) to!: string;
}

export class CountsByStatusDto {
  @ApiProperty() to_orient!: number;
  @ApiProperty() oriented!: number;
  @ApiProperty() in_pathway!: number;
  @ApiProperty() exited!: number;
}

export class CountsByPathDto {
  @ApiProperty() professional!: number;
  @ApiProperty() socio_professional!: number;
  @ApiProperty() social!: number;
  @ApiProperty({ description: 'Not oriented yet.' }) none!: number;
}

export class DeadlineKpiDto {
  @ApiProperty({ description: 'The deadline in days (configuration).' }) deadlineDays!: number;
  @ApiProperty({ description: 'People whose first orientation (or first signed contract) falls in the period.' }) count!: number;
  @ApiProperty({ description: 'Of them, within the deadline.' }) withinDeadline!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'withinDeadline ÷ count, 0 to 1; null when count is 0.' }) share!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Median days taken; null when count is 0.' }) medianDays!: number | null;
}

export class OverdueDto {
  @ApiProperty({ description: 'Open cases with any deadline passed.' }) total!: number;
  @ApiProperty({ description: 'Still to orient past the orientation deadline.' }) orientation!: number;
  @ApiProperty({ description: 'Oriented, no contract signed past the contract deadline.' }) contract!: number;
  @ApiProperty({ description: 'Social path past its review date.' }) review!: number;
}

export class ExitsDto {
  @ApiProperty({ description: 'Exits dated in the period.' }) total!: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: { employment: 12, training: 3, end_of_rights: 20, moved_out: 4, other: 1 } })
  byReason!: Record<string, number>;
}

export class ReportLinksDto {
  @ApiProperty({ description: "The construction pathway's cohort dashboard.", example: '/api/v1/construction-pathway/dashboard' })
  constructionPathwayDashboard!: string;
}

export class OverviewDto {
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) agencyId!: string | null;
  @ApiProperty({ type: String, nullable: true }) eptCode!: string | null;
  @ApiProperty() period!: PeriodDto;
  @ApiProperty({ description: 'Cases (not anonymised), as of now.' }) beneficiaries!: number;
  @ApiProperty() byStatus!: CountsByStatusDto;
  @ApiProperty() byOrientationPath!: CountsByPathDto;
  @ApiProperty({ description: 'First orientation within DEADLINE_ORIENTATION_DAYS of the opening of rights.' }) orientation!: DeadlineKpiDto;
  @ApiProperty({ description: 'First contract signed within DEADLINE_CONTRACT_DAYS of the first orientation.' }) contracts!: DeadlineKpiDto;
  @ApiProperty() overdue!: OverdueDto;
  @ApiProperty() exits!: ExitsDto;
  @ApiProperty() links!: ReportLinksDto;
}

export class AgencyReportRowDto {
  @ApiProperty({ format: 'uuid' }) agencyId!: string;
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'Open cases (not exited).' }) caseload!: number;
  @ApiProperty() byStatus!: CountsByStatusDto;
  @ApiProperty({ description: 'Open cases without an advisor.' }) unassigned!: number;
  @ApiProperty({ description: 'Active advisors.' }) advisors!: number;
  @ApiProperty({ description: "Sum of the active advisors' caseload capacities." }) capacity!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Open cases with an advisor ÷ advisors; null without advisors.' }) caseloadPerAdvisor!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Capacity ÷ advisors; null without advisors.' }) capacityPerAdvisor!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Open cases with an advisor ÷ capacity, 0 to 1 and above when overloaded; null without capacity.' })
  utilisation!: number | null;
  @ApiProperty() overdue!: number;
}

export class AgenciesReportDto {
  @ApiProperty({ type: [AgencyReportRowDto] }) data!: AgencyReportRowDto[];
}

export class ReferralOutcomesDto {
  @ApiProperty({ description: 'Referrals made in the period.' }) submitted!: number;
  @ApiProperty({ description: 'Accepted in the period.' }) accepted!: number;
  @ApiProperty({ description: 'Started in the period.' }) started!: number;
  @ApiProperty({ description: 'Ended in the period, by how.' }) completed!: number;
  @ApiProperty() abandoned!: number;
  @ApiProperty() declined!: number;
  @ApiProperty() cancelled!: number;
  @ApiProperty() expired!: number;
}

export class ProgrammeReportRowDto {
  @ApiProperty({ description: 'The programme id, the type, the provider id or the EPT code.' }) key!: string;
  @ApiProperty() label!: string;
  @ApiProperty() programmes!: number;
  @ApiProperty() capacity!: number;
  @ApiProperty() held!: number;
  @ApiProperty() inProgress!: number;
  @ApiProperty() free!: number;
  @ApiProperty() waitlist!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Average days from submission to acceptance, over the referrals accepted in the period; null when none.' })
  averageWaitDays!: number | null;
  @ApiProperty() outcomes!: ReferralOutcomesDto;
}

export class ProgrammesReportDto {
  @ApiProperty({ enum: OccupancyGrouping, enumName: 'OccupancyGrouping' }) groupBy!: OccupancyGrouping;
  @ApiProperty() period!: PeriodDto;
  @ApiProperty({ type: [ProgrammeReportRowDto] }) data!: ProgrammeReportRowDto[];
}

export class SnapshotDto {
  @ApiProperty({ example: '2026-10' }) month!: string;
  @ApiProperty({ enum: SnapshotKind, enumName: 'SnapshotKind' }) kind!: SnapshotKind;
  @ApiProperty({ format: 'uuid' }) subjectId!: string;
  @ApiProperty({ description: "The agency's code and name, or the programme's code and name, at the time." }) label!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: "The figures as frozen: an agency's overview and agencies-report row, or a programme's report row, for the month." })
  figures!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) takenAt!: string;
}

export class SnapshotsDto {
  @ApiProperty() month!: string;
  @ApiProperty({ type: [SnapshotDto] }) data!: SnapshotDto[];
}

export class TakeSnapshotResultDto {
  @ApiProperty() month!: string;
  @ApiProperty({ description: 'Snapshots written now; 0 when the month was already frozen.' }) written!: number;
}

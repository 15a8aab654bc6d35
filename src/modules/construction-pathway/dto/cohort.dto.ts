import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { CsvQueryDto } from '../../../common/http/csv';
import { PaginationQueryDto } from '../../../common/pagination/pagination-query.dto';
import { IsCalendarDate } from '../../../common/validation/dates';
import { StepType } from '../pathway.enums';
import { ParticipantPersonDto } from './participant.dto';

export class TradeDto {
  /** @example "F1703" */
  code!: string;
  /** @example "Maçonnerie" */
  label!: string;
}

export class ListAlertsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  agencyId?: string;
}

export class AlertDto {
  @ApiProperty({ format: 'uuid' })
  participantId!: string;
  @ApiProperty({ format: 'uuid' })
  beneficiaryId!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  agencyId!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  advisorId!: string | null;
  person!: ParticipantPersonDto;
  @ApiProperty({ enum: StepType, enumName: 'StepType', nullable: true })
  currentStage!: StepType | null;
  @ApiProperty({ format: 'date' })
  withoutSolutionSince!: string;
  /** Days without a planned or in-progress step. @example 42 */
  daysWithoutSolution!: number;
}

export class DashboardQueryDto extends CsvQueryDto {
  /** Participants enrolled from this day; hours worked from this month. @example "2026-01-01" */
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  /** Participants enrolled up to this day; hours worked up to this month; the day employment is counted on (default today). @example "2026-12-31" */
  @IsOptional()
  @IsCalendarDate()
  to?: string;

  /** One agency (agency managers: always their own). */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  agencyId?: string;
}

export class StageCountsDto {
  /** Participants with no stage yet. */
  notStarted!: number;
  information_session!: number;
  trade_discovery!: number;
  site_immersion!: number;
  pre_qualification!: number;
  qualifying_training!: number;
  employment!: number;
  employment_follow_up!: number;
  social_support!: number;
}

export class ClauseHoursTotalsDto {
  /** Required insertion hours of the lots of every operation (with `agencyId`: of the operations in the agency's communes). */
  required!: number;
  /** Hours worked by the participants counted, in the period. */
  worked!: number;
  /** required − worked, never below 0. */
  remaining!: number;
}

export class DashboardDto {
  @ApiProperty({ type: String, format: 'date', nullable: true })
  from!: string | null;
  /** The reference day (the `to` filter, or today). */
  @ApiProperty({ format: 'date' })
  to!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  agencyId!: string | null;
  /** People the cohort aims for (PATHWAY_TARGET_PARTICIPANTS). @example 500 */
  target!: number;
  /** Participants enrolled (in the period, of the agency), exited or not. */
  enrolled!: number;
  /** enrolled ÷ target, in percent, one decimal. */
  targetPercent!: number;
  /** Enrolled participants who have left the cohort. */
  exited!: number;
  /** Enrolled participants still in the cohort: the base of the figures below. */
  active!: number;
  /** Active participants by current stage. */
  byStage!: StageCountsDto;
  /** Active participants with a step in progress. */
  withActiveStep!: number;
  /** Active participants with no planned or in-progress step for more than `withoutSolutionDays` days. */
  withoutSolution!: number;
  withoutSolutionDays!: number;
  /** Participants (exited or not) with a job covering the reference day. */
  inEmployment!: number;
  /** Participants with a lasting job (CDI, CDD or interim of 6 months or more, business creation) covering the reference day. */
  inLastingEmployment!: number;
  hours!: ClauseHoursTotalsDto;
}

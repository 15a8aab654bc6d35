import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsOptional, IsUUID, Matches, MaxLength } from 'class-validator';
import { CsvQueryDto } from '../../../common/http/csv';
import { IsCalendarDate } from '../../../common/validation/dates';
import { OccupancyGrouping } from '../../programmes/programme.enums';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** A period of calendar days, both included; by default the year up to today. */
export class PeriodQueryDto extends CsvQueryDto {
  @ApiPropertyOptional({ description: 'First day of the period (default: a year before `to`).', example: '2026-01-01' })
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({ description: 'Last day of the period (default: today).', example: '2026-10-31' })
  @IsOptional()
  @IsCalendarDate()
  to?: string;
}

export class OverviewQueryDto extends PeriodQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'One agency only (agency managers: their own, by default).' })
  @IsOptional()
  @IsUUID()
  agencyId?: string;

  @ApiPropertyOptional({ description: 'One territory (EPT) only, by the commune of the person.', example: 'T6', pattern: '^[A-Z0-9]{1,10}$' })
  @IsOptional()
  @Matches(/^[A-Z0-9]{1,10}$/, { message: 'eptCode must be an EPT code such as T6' })
  @MaxLength(10)
  eptCode?: string;
}

export class ProgrammesReportQueryDto extends PeriodQueryDto {
  @ApiPropertyOptional({ enum: OccupancyGrouping, enumName: 'OccupancyGrouping', default: OccupancyGrouping.Programme, description: 'One row per programme (default), or summed by type, provider or EPT.' })
  @IsOptional()
  @IsEnum(OccupancyGrouping)
  groupBy: OccupancyGrouping = OccupancyGrouping.Programme;
}

export class SnapshotsQueryDto {
  @ApiProperty({ description: 'The month frozen.', example: '2026-10', pattern: MONTH.source })
  @Matches(MONTH, { message: 'month must be a month as YYYY-MM' })
  @MaxLength(7)
  month!: string;
}

export class TakeSnapshotDto {
  @ApiProperty({ description: 'The month to freeze (a month already over).', example: '2026-10', pattern: MONTH.source })
  @Matches(MONTH, { message: 'month must be a month as YYYY-MM' })
  @MaxLength(7)
  month!: string;
}

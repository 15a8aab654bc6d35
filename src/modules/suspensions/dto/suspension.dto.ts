import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsEnum, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { IsCalendarDate } from '../../../common/validation/dates';
import { SuspensionGround, SuspensionOutcome, SuspensionStatus } from '../suspension.enums';

export class OpenSuspensionDto {
  @ApiProperty({ enum: SuspensionGround, enumName: 'SuspensionGround' })
  @IsEnum(SuspensionGround)
  ground!: SuspensionGround;

  /** The failure observed, in the referent's words. @example "Absent from the appointments of 3 and 17 March, no answer to the letter of 20 March." */
  @IsString()
  @Length(3, 4000)
  facts!: string;

  /** When the procedure starts; today when absent. @example "2026-11-02" */
  @IsOptional()
  @IsCalendarDate({ notFuture: true })
  openedOn?: string;
}

export class DecideSuspensionDto {
  @ApiProperty({ enum: SuspensionOutcome, enumName: 'SuspensionOutcome' })
  @IsEnum(SuspensionOutcome)
  outcome!: SuspensionOutcome;

  /** Why this decision, after the person was heard. @example "No legitimate reason given at the hearing of 14 November." */
  @IsString()
  @Length(3, 4000)
  reason!: string;

  /** When it was decided; today when absent. Not before the opening. */
  @IsOptional()
  @IsCalendarDate({ notFuture: true })
  decidedOn?: string;

  /**
   * A suspension only: the share of the allowance suspended, in percent: from `SUSPENSION_MIN_RATE_PERCENT`
   * (30) to 100, at most `SUSPENSION_HOUSEHOLD_MAX_RATE_PERCENT` (50) for a household of more than one person.
   * @example 50
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  ratePercent?: number;

  /**
   * A suspension only: how many months, at most `SUSPENSION_MAX_MONTHS` (2), or
   * `SUSPENSION_REPEATED_MAX_MONTHS` (4) when the person was suspended before.
   * @example 1
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(12)
  months?: number;

  /** A suspension only: its first day, from the day of the decision (the default) to 12 months after it. */
  @IsOptional()
  @IsCalendarDate()
  startsOn?: string;

  /** The household has more than one person: the rate is capped. */
  @IsOptional()
  @IsBoolean()
  multiPersonHousehold?: boolean;
}

export class LiftSuspensionDto {
  /** Why it is lifted: the person met the obligations again. @example "Contract signed on 2 December." */
  @IsString()
  @Length(3, 4000)
  reason!: string;

  /** From when; today when absent. Between the decision and the last day of the suspension. */
  @IsOptional()
  @IsCalendarDate({ notFuture: true })
  liftedOn?: string;
}

export class SuspensionProcedureDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ format: 'uuid' })
  beneficiaryId!: string;
  @ApiProperty({ enum: SuspensionGround, enumName: 'SuspensionGround' })
  ground!: SuspensionGround;
  facts!: string;
  @ApiProperty({ format: 'date' })
  openedOn!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  openedBy!: string | null;
  @ApiProperty({ enum: SuspensionStatus, enumName: 'SuspensionStatus' })
  status!: SuspensionStatus;
  @ApiProperty({ enum: SuspensionOutcome, enumName: 'SuspensionOutcome', nullable: true })
  outcome!: SuspensionOutcome | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' })
  decidedOn!: string | null;
  @ApiProperty({ type: String, nullable: true })
  decisionReason!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  decidedBy!: string | null;
  @ApiProperty({ type: Number, nullable: true })
  ratePercent!: number | null;
  @ApiProperty({ type: Number, nullable: true })
  months!: number | null;
  @ApiProperty({ type: Boolean, nullable: true })
  multiPersonHousehold!: boolean | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' })
  startsOn!: string | null;
  /** The last day of the suspension. */
  @ApiProperty({ type: String, nullable: true, format: 'date' })
  endsOn!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' })
  liftedOn!: string | null;
  @ApiProperty({ type: String, nullable: true })
  liftReason!: string | null;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

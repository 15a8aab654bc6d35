import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEnum,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { IsDecimal } from '../../../common/validation/decimals';
import { PaginationQueryDto } from '../../../common/pagination/pagination-query.dto';
import { IsCalendarDate } from '../../../common/validation/dates';
import { IsSiret } from '../../../common/validation/siret';
import { ContractType, FollowUpOutcome, ParticipantExitReason, SourcingChannel, StepStatus, StepType } from '../pathway.enums';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value);
const upperAll = ({ value }: { value: unknown }) => (Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.trim().toUpperCase() : v)) : value);
const bool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);
const ROME_F = /^F\d{4}$/;
const ROME_MESSAGE = 'must be a ROME code of family F (e.g. F1703)';

export class CreateParticipantDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  beneficiaryId!: string;

  /** Target trades: ROME codes of family F from `GET /trades`. @example ["F1703", "F1602"] */
  @Transform(upperAll)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ArrayUnique()
  @Matches(ROME_F, { each: true, message: `each value of targetTrades ${ROME_MESSAGE}` })
  @MaxLength(5, { each: true })
  targetTrades!: string[];

  /** Date of enrolment in the cohort, today at the latest. @example "2026-09-14" */
  @IsCalendarDate({ notFuture: true })
  enrolledOn!: string;

  @ApiPropertyOptional({ enum: SourcingChannel, enumName: 'SourcingChannel', default: SourcingChannel.Agency })
  @IsOptional()
  @IsEnum(SourcingChannel)
  sourcingChannel?: SourcingChannel;

  /** The advisor following the person: an active advisor of the person's agency; by default the person's own advisor. */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  advisorId?: string;
}

export class UpdateParticipantDto {
  /** @example ["F1703"] */
  @IsOptional()
  @Transform(upperAll)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ArrayUnique()
  @Matches(ROME_F, { each: true, message: `each value of targetTrades ${ROME_MESSAGE}` })
  @MaxLength(5, { each: true })
  targetTrades?: string[];

  @ApiPropertyOptional({ enum: SourcingChannel, enumName: 'SourcingChannel' })
  @IsOptional()
  @IsEnum(SourcingChannel)
  sourcingChannel?: SourcingChannel;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  advisorId?: string;
}

export class ExitParticipantDto {
  @ApiProperty({ enum: ParticipantExitReason, enumName: 'ParticipantExitReason' })
  @IsEnum(ParticipantExitReason)
  reason!: ParticipantExitReason;

  /** @example "2027-03-31" */
  @IsCalendarDate({ notFuture: true })
  exitedOn!: string;
}

export class ListParticipantsQueryDto extends PaginationQueryDto {
  /** Current stage; `none` for participants with no stage yet. */
  @ApiPropertyOptional({ enum: [...Object.values(StepType), 'none'] })
  @IsOptional()
  @IsIn([...Object.values(StepType), 'none'])
  stage?: StepType | 'none';

  /** true: only participants without a solution for more than the configured days (the alert queue). */
  @IsOptional()
  @Transform(bool)
  @IsBoolean()
  withoutSolution?: boolean;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  advisorId?: string;

  /** true: also exited participants. */
  @IsOptional()
  @Transform(bool)
  @IsBoolean()
  includeExited?: boolean;
}

export class ParticipantPersonDto {
  firstName!: string;
  lastName!: string;
}

export class ParticipantDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ format: 'uuid' })
  beneficiaryId!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  agencyId!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  advisorId!: string | null;
  person!: ParticipantPersonDto;
  /** @example ["F1703", "F1602"] */
  targetTrades!: string[];
  @ApiProperty({ format: 'date' })
  enrolledOn!: string;
  @ApiProperty({ enum: SourcingChannel, enumName: 'SourcingChannel' })
  sourcingChannel!: SourcingChannel;
  /** Derived from the steps; null before any step. */
  @ApiProperty({ enum: StepType, enumName: 'StepType', nullable: true })
  currentStage!: StepType | null;
  /** Since when the person has had no planned or in-progress step; null while they have one. */
  @ApiProperty({ type: String, format: 'date', nullable: true })
  withoutSolutionSince!: string | null;
  /** Days since `withoutSolutionSince`; null while the person has a step. */
  @ApiProperty({ type: Number, nullable: true })
  daysWithoutSolution!: number | null;
  /** More than the configured days (30 by default) without a solution: in the alert queue. */
  withoutSolution!: boolean;
  @ApiProperty({ type: String, format: 'date', nullable: true })
  exitedOn!: string | null;
  @ApiProperty({ enum: ParticipantExitReason, enumName: 'ParticipantExitReason', nullable: true })
  exitReason!: ParticipantExitReason | null;
  version!: number;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class CreateStepDto {
  @ApiProperty({ enum: StepType, enumName: 'StepType' })
  @IsEnum(StepType)
  type!: StepType;

  /** Required unless the step is made from a referral, whose status it then follows. */
  @ApiPropertyOptional({ enum: StepStatus, enumName: 'StepStatus' })
  @ValidateIf((o: CreateStepDto) => o.referralId === undefined || o.status !== undefined)
  @IsEnum(StepStatus)
  status?: StepStatus;

  /** Required unless the step is made from a referral (then the day the referral started, or today). @example "2026-10-05" */
  @ValidateIf((o: CreateStepDto) => o.referralId === undefined || o.startsOn !== undefined)
  @IsCalendarDate()
  startsOn?: string;

  /** @example "2026-10-09" */
  @IsOptional()
  @IsCalendarDate()
  endsOn?: string;

  /** The programme of the step (without a referral). */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  programmeId?: string;

  /** Make the step from this referral of the person: its programme and status come from the referral and follow it. */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  referralId?: string;

  /** The construction operation of the step (e.g. a site immersion). */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  operationId?: string;

  /** @example "Immersion de deux semaines sur le chantier du groupe scolaire" */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class UpdateStepDto {
  /** planned → in_progress | done | abandoned; in_progress → done | abandoned. Closing a step without `endsOn` ends it today. */
  @ApiPropertyOptional({ enum: StepStatus, enumName: 'StepStatus' })
  @IsOptional()
  @IsEnum(StepStatus)
  status?: StepStatus;

  @IsOptional()
  @IsCalendarDate()
  startsOn?: string;

  @IsOptional()
  @IsCalendarDate()
  endsOn?: string;

  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class StepDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ format: 'uuid' })
  participantId!: string;
  @ApiProperty({ enum: StepType, enumName: 'StepType' })
  type!: StepType;
  @ApiProperty({ enum: StepStatus, enumName: 'StepStatus' })
  status!: StepStatus;
  @ApiProperty({ format: 'date' })
  startsOn!: string;
  @ApiProperty({ type: String, format: 'date', nullable: true })
  endsOn!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  programmeId!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  referralId!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  operationId!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  employmentId!: string | null;
  @ApiProperty({ type: String, nullable: true })
  note!: string | null;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class CreateEmploymentDto {
  /** @example "Bâtiments Franciliens SAS" */
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  employerName!: string;

  /** @example "73282932000074" */
  @IsOptional()
  @IsSiret()
  employerSiret?: string;

  @ApiProperty({ enum: ContractType, enumName: 'ContractType' })
  @IsEnum(ContractType)
  contractType!: ContractType;

  /** @example "2026-11-02" */
  @IsCalendarDate()
  startsOn!: string;

  /** Required to count a CDD or interim contract as lasting. @example "2027-05-01" */
  @IsOptional()
  @IsCalendarDate()
  endsOn?: string;

  /** @example 35 */
  @IsDecimal(1)
  @Min(1)
  @Max(48)
  weeklyHours!: number;

  /** @example "F1703" */
  @Transform(upper)
  @Matches(ROME_F, { message: `romeCode ${ROME_MESSAGE}` })
  @MaxLength(5)
  romeCode!: string;

  /** The operation whose social clause the job counts for. */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  operationId?: string;
}

export class UpdateEmploymentDto {
  /** The end of the contract (or its new end). */
  @IsOptional()
  @IsCalendarDate()
  endsOn?: string;

  @IsOptional()
  @IsDecimal(1)
  @Min(1)
  @Max(48)
  weeklyHours?: number;
}

export class RecordFollowUpDto {
  /** @example "2026-12-03" */
  @IsCalendarDate({ notFuture: true })
  contactedOn!: string;

  @ApiProperty({ enum: FollowUpOutcome, enumName: 'FollowUpOutcome' })
  @IsEnum(FollowUpOutcome)
  outcome!: FollowUpOutcome;

  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class FollowUpDto {
  /** Months after hiring. @example 1 */
  @ApiProperty({ enum: [1, 3, 6] })
  month!: number;
  @ApiProperty({ format: 'date' })
  dueOn!: string;
  @ApiProperty({ type: String, format: 'date', nullable: true })
  contactedOn!: string | null;
  @ApiProperty({ enum: FollowUpOutcome, enumName: 'FollowUpOutcome', nullable: true })
  outcome!: FollowUpOutcome | null;
  @ApiProperty({ type: String, nullable: true })
  note!: string | null;
}

export class EmploymentDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ format: 'uuid' })
  participantId!: string;
  /** The participant's `employment` step for this job. */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  stepId!: string | null;
  /** Null when reported by France Travail without the employer's name. */
  @ApiProperty({ type: String, nullable: true })
  employerName!: string | null;
  @ApiProperty({ type: String, nullable: true })
  employerSiret!: string | null;
  @ApiProperty({ enum: ContractType, enumName: 'ContractType' })
  contractType!: ContractType;
  @ApiProperty({ format: 'date' })
  startsOn!: string;
  @ApiProperty({ type: String, format: 'date', nullable: true })
  endsOn!: string | null;
  @ApiProperty({ type: Number, nullable: true })
  weeklyHours!: number | null;
  @ApiProperty({ type: String, nullable: true })
  romeCode!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  operationId!: string | null;
  /** Lasting employment (emploi durable): a CDI, a business creation, or a CDD or interim contract of 6 months or more. */
  lasting!: boolean;
  /** `staff` (entered in the API) or `integration` (reported by France Travail). */
  @ApiProperty({ enum: ['staff', 'integration'] })
  source!: 'staff' | 'integration';
  @ApiProperty({ type: [FollowUpDto] })
  followUps!: FollowUpDto[];
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

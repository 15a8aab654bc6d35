import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsEnum, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { PaginationQueryDto } from '../../../common/pagination/pagination-query.dto';
import { IsCalendarDate } from '../../../common/validation/dates';
import { OrientationPath } from '../../beneficiaries/beneficiary.enums';
import { OccupancyGrouping, ProgrammeType } from '../programme.enums';

/** A programme lists each orientation path at most once. */
const PATH_COUNT = Object.values(OrientationPath).length;
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const bool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class CreateProgrammeDto {
  /** Unique code of the programme. @example "REMOB-2026-AUB" */
  @Transform(trim)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.-]{1,39}$/, { message: 'code must be 2 to 40 letters, digits, dots, dashes or underscores' })
  @MaxLength(40)
  code!: string;

  /** @example "Remobilisation Aubervilliers" */
  @Transform(trim)
  @IsString()
  @Length(2, 200)
  name!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  providerId!: string;

  @ApiProperty({ enum: ProgrammeType, enumName: 'ProgrammeType' })
  @IsEnum(ProgrammeType)
  type!: ProgrammeType;

  @IsOptional()
  @IsString()
  @MaxLength(5000)
  description?: string;

  /** Places available at the same time. @example 12 */
  @IsInt()
  @Min(0)
  @Max(10000)
  capacity!: number;

  /** @example "2026-09-01" */
  @IsCalendarDate()
  startsOn!: string;

  /** @example "2027-06-30" */
  @IsOptional()
  @IsCalendarDate()
  endsOn?: string;

  /** INSEE code of the commune where it takes place. @example "93001" */
  @Matches(/^93\d{3}$/, { message: 'communeCode must be an INSEE code of the département (93xxx)' })
  @MaxLength(5)
  communeCode!: string;

  /** Orientation paths the programme accepts. @example ["socio_professional", "social"] */
  @ApiProperty({ enum: OrientationPath, enumName: 'OrientationPath', isArray: true, maxItems: PATH_COUNT })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(PATH_COUNT)
  @ArrayUnique()
  @IsEnum(OrientationPath, { each: true })
  eligiblePaths!: OrientationPath[];

  /** @example 20 */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(60)
  weeklyHours?: number;

  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class UpdateProgrammeDto extends PartialType(OmitType(CreateProgrammeDto, ['providerId'] as const)) {}

export class ListProgrammesQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: ProgrammeType, enumName: 'ProgrammeType' })
  @IsOptional()
  @IsEnum(ProgrammeType)
  type?: ProgrammeType;

  @IsOptional()
  @IsUUID()
  providerId?: string;

  @IsOptional()
  @Matches(/^93\d{3}$/)
  @MaxLength(5)
  communeCode?: string;

  /** Only programmes with at least one free place. */
  @IsOptional()
  @Transform(bool)
  @IsBoolean()
  hasFreePlaces?: boolean;

  /** A beneficiary id: programmes open to their orientation path, without an open referral of theirs. */
  @IsOptional()
  @IsUUID()
  eligibleFor?: string;

  /** Active programmes only (default), or inactive ones with `false`. */
  @IsOptional()
  @Transform(bool)
  @IsBoolean()
  active?: boolean;
}

export class ProgrammeDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  code!: string;
  name!: string;
  @ApiProperty({ format: 'uuid' })
  providerId!: string;
  @ApiProperty({ enum: ProgrammeType, enumName: 'ProgrammeType' })
  type!: ProgrammeType;
  @ApiProperty({ type: String, nullable: true })
  description!: string | null;
  capacity!: number;
  /** Accepted and started referrals. */
  placesHeld!: number;
  placesFree!: number;
  /** Referrals waiting for a place. */
  waitlistLength!: number;
  @ApiProperty({ format: 'date' })
  startsOn!: string;
  @ApiProperty({ type: String, format: 'date', nullable: true })
  endsOn!: string | null;
  communeCode!: string;
  @ApiProperty({ enum: OrientationPath, enumName: 'OrientationPath', isArray: true })
  eligiblePaths!: OrientationPath[];
  @ApiProperty({ type: Number, nullable: true })
  weeklyHours!: number | null;
  active!: boolean;
  /** Optimistic version; the ETag is `"<version>"`. */
  version!: number;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class OccupancyDto {
  @ApiProperty({ format: 'uuid' })
  programmeId!: string;
  capacity!: number;
  /** Places held (accepted and started referrals). */
  held!: number;
  /** Referrals started. */
  inProgress!: number;
  free!: number;
  /** Referrals waiting for a place. */
  waitlist!: number;
  /** Average days from submission to acceptance, over the accepted referrals; null when none. */
  @ApiProperty({ type: Number, nullable: true })
  averageWaitDays!: number | null;
}


export class OccupancyByQueryDto {
  /** What to sum up by: each programme, programme type, provider, or EPT of the programme's commune. */
  @ApiPropertyOptional({ enum: OccupancyGrouping, enumName: 'OccupancyGrouping', default: OccupancyGrouping.Type })
  @IsOptional()
  @IsEnum(OccupancyGrouping)
  groupBy: OccupancyGrouping = OccupancyGrouping.Type;
}

export class OccupancyGroupDto {
  /** The programme id, the type, the provider id, or the EPT code. @example "remobilisation" */
  key!: string;
  /** The programme's code and name, the type, the provider's name, or the EPT's name. @example "remobilisation" */
  label!: string;
  /** Active programmes in the group. */
  programmes!: number;
  capacity!: number;
  held!: number;
  inProgress!: number;
  free!: number;
  waitlist!: number;
  /** Average days from submission to acceptance over the group's accepted referrals; null when none. */
  @ApiProperty({ type: Number, nullable: true })
  averageWaitDays!: number | null;
}

export class OccupancyByDto {
  @ApiProperty({ enum: OccupancyGrouping, enumName: 'OccupancyGrouping' })
  groupBy!: OccupancyGrouping;
  @ApiProperty({ type: [OccupancyGroupDto] })
  data!: OccupancyGroupDto[];
}

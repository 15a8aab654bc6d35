import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsEnum, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';
import { IsDecimal } from '../../../common/validation/decimals';
import { PaginationQueryDto } from '../../../common/pagination/pagination-query.dto';
import { IsSiret } from '../../../common/validation/siret';
import { FulfilmentMode } from '../pathway.enums';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const needsInputs = (o: CreateLotDto) => o.requiredHours === undefined;

/**
 * A contract (lot) with its awarded company. Give either `amount`, `labourSharePercent`,
 * `insertionRatePercent` and `hourlyCost` (the required hours are computed), or
 * `requiredHours` as stated in the contract.
 */
export class CreateLotDto {
  /** @example "Lot 2 – Gros œuvre" */
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  label!: string;

  /** Amount of the contract in euros, excluding tax. @example 1000000 */
  @ValidateIf((o: CreateLotDto) => needsInputs(o) || o.amount !== undefined)
  @IsInt()
  @Min(0)
  @Max(10_000_000_000)
  amount?: number;

  /** Labour share of the amount, in percent. @example 50 */
  @ValidateIf((o: CreateLotDto) => needsInputs(o) || o.labourSharePercent !== undefined)
  @IsDecimal(2)
  @Min(0.01)
  @Max(100)
  labourSharePercent?: number;

  /** Insertion rate: share of the labour for insertion, in percent. @example 5 */
  @ValidateIf((o: CreateLotDto) => needsInputs(o) || o.insertionRatePercent !== undefined)
  @IsDecimal(2)
  @Min(0.01)
  @Max(100)
  insertionRatePercent?: number;

  /** Average hourly labour cost in euros. @example 30 */
  @ValidateIf((o: CreateLotDto) => needsInputs(o) || o.hourlyCost !== undefined)
  @IsDecimal(2)
  @Min(0.01)
  @Max(10_000)
  hourlyCost?: number;

  /** Required insertion hours as stated in the contract; when given, they are not computed. @example 1200 */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  requiredHours?: number;

  /** The awarded company. @example "Bâtiments Franciliens SAS" */
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  companyName!: string;

  /** @example "73282932000074" */
  @IsSiret()
  companySiret!: string;

  @ApiPropertyOptional({ enum: FulfilmentMode, enumName: 'FulfilmentMode', default: FulfilmentMode.DirectHire })
  @IsOptional()
  @IsEnum(FulfilmentMode)
  fulfilmentMode?: FulfilmentMode;
}

export class CreateOperationDto {
  /** @example "Groupe scolaire Jean-Jaurès – reconstruction" */
  @Transform(trim)
  @IsString()
  @Length(2, 200)
  name!: string;

  /** The public buyer (maître d'ouvrage). @example "Ville de Bobigny" */
  @Transform(trim)
  @IsString()
  @Length(2, 200)
  contractingAuthority!: string;

  /** INSEE code of the commune of the site. @example "93008" */
  @Matches(/^93\d{3}$/, { message: 'communeCode must be an INSEE code of the département (93xxx)' })
  @MaxLength(5)
  communeCode!: string;

  @ApiProperty({ type: [CreateLotDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => CreateLotDto)
  lots!: CreateLotDto[];
}

export class LotDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  label!: string;
  @ApiProperty({ type: Number, nullable: true })
  amount!: number | null;
  @ApiProperty({ type: Number, nullable: true })
  labourSharePercent!: number | null;
  @ApiProperty({ type: Number, nullable: true })
  insertionRatePercent!: number | null;
  @ApiProperty({ type: Number, nullable: true })
  hourlyCost!: number | null;
  /** amount × labour share × insertion rate ÷ hourly cost, rounded to the hour; or as entered. */
  requiredHours!: number;
  /** true when `requiredHours` was entered, not computed. */
  hoursEntered!: boolean;
  companyName!: string;
  companySiret!: string;
  @ApiProperty({ enum: FulfilmentMode, enumName: 'FulfilmentMode' })
  fulfilmentMode!: FulfilmentMode;
}

export class OperationDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  name!: string;
  contractingAuthority!: string;
  communeCode!: string;
  @ApiProperty({ type: [LotDto] })
  lots!: LotDto[];
  /** Sum of the lots' required hours. */
  requiredHours!: number;
  /** Hours worked by participants, all months. */
  workedHours!: number;
  /** Required minus worked, never below 0. */
  remainingHours!: number;
  /** Participants with hours on the operation. */
  participantCount!: number;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class ListOperationsQueryDto extends PaginationQueryDto {
  @IsOptional()
  @Matches(/^93\d{3}$/, { message: 'communeCode must be an INSEE code of the département (93xxx)' })
  @MaxLength(5)
  communeCode?: string;
}

export class RecordHoursDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  participantId!: string;

  /** The month worked, not after the current month. @example "2026-10" */
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'month must be a month YYYY-MM' })
  @MaxLength(7)
  month!: string;

  /** Hours worked in the month; a later value for the same participant and month replaces it. @example 151.67 */
  @IsDecimal(2)
  @Min(0)
  @Max(744)
  hours!: number;
}

export class HoursDto {
  @ApiProperty({ format: 'uuid' })
  operationId!: string;
  @ApiProperty({ format: 'uuid' })
  participantId!: string;
  /** @example "2026-10" */
  month!: string;
  hours!: number;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class RecordedHoursDto extends HoursDto {
  /** true when the row replaced an earlier value for the same participant and month. */
  replaced!: boolean;
  /** The operation's totals after the change. */
  requiredHours!: number;
  workedHours!: number;
  remainingHours!: number;
}

export class ListHoursQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  participantId?: string;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEnum, IsOptional, IsString, Length, ValidateIf } from 'class-validator';
import { PaginationQueryDto } from '../../../common/pagination/pagination-query.dto';
import { IsCalendarDate } from '../../../common/validation/dates';
import { BarrierSeverity, BarrierTheme } from '../barrier.enums';

const bool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class CreateBarrierDto {
  @ApiProperty({ enum: BarrierTheme, enumName: 'BarrierTheme', description: '`health` is seen only by admins and the person\'s agency staff.' })
  @IsEnum(BarrierTheme)
  theme!: BarrierTheme;

  @ApiProperty({ enum: BarrierSeverity, enumName: 'BarrierSeverity' })
  @IsEnum(BarrierSeverity)
  severity!: BarrierSeverity;

  /** What the barrier is, in the advisor's words. @example "No driving licence; the nearest bus stop is 2 km away." */
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  note?: string;

  /** When it was identified; today when absent. @example "2026-11-05" */
  @IsOptional()
  @IsCalendarDate({ notFuture: true })
  identifiedOn?: string;
}

export class UpdateBarrierDto {
  @ApiPropertyOptional({ enum: BarrierSeverity, enumName: 'BarrierSeverity' })
  @ValidateIf((_: UpdateBarrierDto, value: unknown) => value !== undefined)
  @IsEnum(BarrierSeverity)
  severity?: BarrierSeverity;

  /** The new note; null clears it. */
  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  note?: string | null;
}

export class ResolveBarrierDto {
  /** When it was lifted; today when absent. */
  @IsOptional()
  @IsCalendarDate({ notFuture: true })
  resolvedOn?: string;
}

export class ListBarriersQueryDto extends PaginationQueryDto {
  /** true: resolved barriers only; false: unresolved only; absent: both. */
  @IsOptional()
  @Transform(bool)
  @IsBoolean()
  resolved?: boolean;
}

export class BarrierDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ format: 'uuid' })
  beneficiaryId!: string;
  @ApiProperty({ enum: BarrierTheme, enumName: 'BarrierTheme' })
  theme!: BarrierTheme;
  @ApiProperty({ enum: BarrierSeverity, enumName: 'BarrierSeverity' })
  severity!: BarrierSeverity;
  @ApiProperty({ type: String, nullable: true })
  note!: string | null;
  @ApiProperty({ format: 'date' })
  identifiedOn!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date' })
  resolvedOn!: string | null;
  resolved!: boolean;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

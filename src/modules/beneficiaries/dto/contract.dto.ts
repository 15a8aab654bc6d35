import { ApiProperty, PartialType } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { IsCalendarDate } from '../../../common/validation/dates';
import { ContractStatus } from '../beneficiary.enums';

export class CreateContractDto {
  /** Weekly activity hours, 15 by default; below 15 needs a justification. @example 15 */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(60)
  weeklyActivityHours?: number;

  /** Why fewer than 15 hours (health, disability, isolated parent without childcare...). */
  // Checked whenever given (not only below 15 hours: any type was stored as is), required below 15 hours.
  @ValidateIf(
    (c: CreateContractDto) =>
      (c.hoursJustification !== undefined && c.hoursJustification !== null) || (c.weeklyActivityHours !== undefined && c.weeklyActivityHours < 15),
  )
  @IsString({ message: 'hoursJustification is required below 15 hours a week' })
  @Length(3, 2000)
  hoursJustification?: string;

  /** The actions agreed. */
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  actionPlan?: string;

  /** @example "2026-12-01" */
  @IsCalendarDate()
  startsOn!: string;

  @IsOptional()
  @IsCalendarDate()
  endsOn?: string;
}

export class UpdateContractDto extends PartialType(CreateContractDto) {}

export class SignContractDto {
  /** Date of signature; today when absent. */
  @IsOptional()
  @IsCalendarDate({ notFuture: true })
  signedOn?: string;
}

export class EndContractDto {
  /** Last day of the contract; today when absent. */
  @IsOptional()
  @IsCalendarDate({ notFuture: true })
  endedOn?: string;
}

export class ContractDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ format: 'uuid' })
  beneficiaryId!: string;
  @ApiProperty({ enum: ContractStatus, enumName: 'ContractStatus' })
  status!: ContractStatus;
  weeklyActivityHours!: number;
  @ApiProperty({ type: String, nullable: true })
  hoursJustification!: string | null;
  actionPlan!: string;
  startsOn!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date' })
  endsOn!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' })
  signedOn!: string | null;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

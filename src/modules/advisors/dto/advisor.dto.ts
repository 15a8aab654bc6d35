import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { PaginationQueryDto } from '../../../common/pagination/pagination-query.dto';

export class AdvisorDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  firstName!: string;
  lastName!: string;
  email!: string;
  @ApiProperty({ format: 'uuid' })
  agencyId!: string;
  /** How many beneficiaries the advisor can follow. */
  caseloadCapacity!: number;
  /** Open cases assigned to the advisor. */
  caseloadSize!: number;
  /** Of those, cases with a passed due date. */
  overdueCount!: number;
  active!: boolean;
}

export class ListAdvisorsQueryDto extends PaginationQueryDto {
  /** Admins: the advisors of one agency. Agency staff always see their own agency. */
  @IsOptional()
  @IsUUID()
  agencyId?: string;
}

export class UpdateAdvisorDto {
  /** @example 80 */
  @IsInt()
  @Min(0)
  @Max(1000)
  caseloadCapacity!: number;
}

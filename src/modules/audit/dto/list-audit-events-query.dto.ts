import { IsDateString, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PaginationQueryDto } from '../../../common/pagination/pagination-query.dto';

export class ListAuditEventsQueryDto extends PaginationQueryDto {
  @IsOptional()
  @IsUUID()
  actorId?: string;

  /** @example "user" */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  resourceType?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  resourceId?: string;

  /** @example "user.create" */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  action?: string;

  /** Inclusive lower bound (ISO 8601). */
  @IsOptional()
  @IsDateString({ strict: true })
  @MaxLength(40)
  from?: string;

  /** Exclusive upper bound (ISO 8601). */
  @IsOptional()
  @IsDateString({ strict: true })
  @MaxLength(40)
  to?: string;
}

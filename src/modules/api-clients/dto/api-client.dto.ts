import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsEnum, IsOptional, IsString, Length } from 'class-validator';
import { Scope } from '../../../common/auth/roles';
import { PaginationQueryDto } from '../../../common/pagination/pagination-query.dto';

/** A client holds each scope at most once. */
const SCOPE_COUNT = Object.values(Scope).length;

export class CreateApiClientDto {
  /** @example "France Travail connector" */
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(2, 120)
  name!: string;

  /** What the client may do. @example ["beneficiaries:read","webhooks:manage"] */
  @ApiProperty({ enum: Scope, enumName: 'Scope', isArray: true, maxItems: SCOPE_COUNT })
  @IsArray()
  @ArrayMaxSize(SCOPE_COUNT)
  @ArrayUnique()
  @IsEnum(Scope, { each: true })
  scopes!: Scope[];
}

export class UpdateApiClientDto {
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(2, 120)
  name?: string;

  @ApiProperty({ enum: Scope, enumName: 'Scope', isArray: true, required: false, maxItems: SCOPE_COUNT })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(SCOPE_COUNT)
  @ArrayUnique()
  @IsEnum(Scope, { each: true })
  scopes?: Scope[];

  /** false revokes the client: its secret stops working. */
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class ListApiClientsQueryDto extends PaginationQueryDto {}

export class ApiClientDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  /** Sent as `client_id` to POST /api/v1/auth/token. @example "pc_3Jt9bq0Zc1xW" */
  clientId!: string;

  name!: string;

  @ApiProperty({ enum: Scope, enumName: 'Scope', isArray: true })
  scopes!: string[];

  active!: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastUsedAt!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

/** Returned once, at creation and at rotation: the secret is never shown again. */
export class ApiClientWithSecretDto extends ApiClientDto {
  /** @example "pcs_9n1yVq..." */
  clientSecret!: string;
}

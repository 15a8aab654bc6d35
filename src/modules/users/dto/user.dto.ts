import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsEnum, IsInt, IsOptional, IsString, IsUUID, Length, Max, MaxLength, Min } from 'class-validator';
import { Role } from '../../../common/auth/roles';
import { PaginationQueryDto } from '../../../common/pagination/pagination-query.dto';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const lower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

export class CreateUserDto {
  /** @example "camille.durand@ali-plainecommune.fr" */
  @Transform(lower)
  @IsEmail()
  @MaxLength(254)
  email!: string;

  /** At least 12 characters, not guessable (checked with zxcvbn), not containing the name or e-mail. @example "violet-tramway-figue-7-brume" */
  @IsString()
  @MaxLength(256)
  password!: string;

  @ApiProperty({ enum: Role, enumName: 'Role' })
  @IsEnum(Role)
  role!: Role;

  /** @example "Camille" */
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  firstName!: string;

  /** @example "Durand" */
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  lastName!: string;

  /** Required for agency_manager and advisor; an agency manager may omit it (their own agency). */
  @IsOptional()
  @IsUUID()
  agencyId?: string;

  /** Required for provider. */
  @IsOptional()
  @IsUUID()
  providerId?: string;

  /** Advisors: how many beneficiaries they can follow (default 60). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  caseloadCapacity?: number;
}

/** `null` is refused for the fields that cannot be empty (password, role, names: it reached the service, a 500); agencyId, providerId and caseloadCapacity may be cleared. */
export class UpdateUserDto extends PartialType(OmitType(CreateUserDto, ['email'] as const), { skipNullProperties: false }) {
  /** false deactivates the account and ends its sessions. */
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class ListUsersQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: Role, enumName: 'Role' })
  @IsOptional()
  @IsEnum(Role)
  role?: Role;

  @IsOptional()
  @IsUUID()
  agencyId?: string;

  @IsOptional()
  @IsUUID()
  providerId?: string;

  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  active?: boolean;
}

export class UserDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  email!: string;

  @ApiProperty({ enum: Role, enumName: 'Role' })
  role!: Role;

  firstName!: string;
  lastName!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  agencyId!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  providerId!: string | null;

  caseloadCapacity!: number;
  active!: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastLoginAt!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

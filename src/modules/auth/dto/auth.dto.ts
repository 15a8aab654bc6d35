import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, MaxLength } from 'class-validator';
import { PrincipalRole, Role } from '../../../common/auth/roles';

export class LoginDto {
  /** @example "admin@parcours.example" */
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @IsString()
  @MaxLength(256)
  password!: string;
}

export class RefreshDto {
  @IsString()
  @MaxLength(2048)
  refreshToken!: string;
}

export class TokenPairDto {
  /** JWT to send as `Authorization: Bearer`. */
  accessToken!: string;
  /** Exchange it once at POST /auth/refresh; each use returns a new one. */
  refreshToken!: string;
  @ApiProperty({ example: 'Bearer' })
  tokenType!: 'Bearer';
  /** Seconds until the access token expires. @example 900 */
  expiresIn!: number;
}

/** OAuth2 client credentials (RFC 6749 §4.4), as form fields or JSON; the client may also authenticate with HTTP Basic. */
export class ClientCredentialsDto {
  @ApiProperty({ example: 'client_credentials' })
  @IsString()
  @MaxLength(64)
  grant_type!: string;

  @ApiPropertyOptional({ example: 'pc_3Jt9bq0Zc1xW' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  client_id?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(256)
  client_secret?: string;

  /** Space-separated subset of the client's scopes; all of them when absent. */
  @ApiPropertyOptional({ example: 'beneficiaries:read' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  scope?: string;
}

export class ClientTokenDto {
  @ApiProperty()
  access_token!: string;
  @ApiProperty({ example: 'Bearer' })
  token_type!: 'Bearer';
  @ApiProperty({ example: 900 })
  expires_in!: number;
  @ApiProperty({ example: 'beneficiaries:read webhooks:manage' })
  scope!: string;
}

export class MeDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  email!: string;
  @ApiProperty({ enum: Role, enumName: 'Role' })
  role!: PrincipalRole;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  agencyId!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  providerId!: string | null;
  firstName!: string;
  lastName!: string;
}

import { ApiProperty, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { PaginationQueryDto } from '../../../common/pagination/pagination-query.dto';
import { IsSiret } from '../../../common/validation/siret';

export class CreateProviderDto {
  /** @example "Association Rebond 93" */
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(2, 200)
  name!: string;

  /** 14 digits, Luhn-checked. @example "73282932000074" */
  @Transform(({ value }) => (typeof value === 'string' ? value.replace(/\s/g, '') : value))
  @IsSiret()
  siret!: string;

  /** INSEE code of the commune of its premises. @example "93066" */
  @Matches(/^93\d{3}$/, { message: 'communeCode must be an INSEE code of the département (93xxx)' })
  @MaxLength(5)
  communeCode!: string;

  /** @example "contact@rebond93.org" */
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class UpdateProviderDto extends PartialType(CreateProviderDto) {}

export class ListProvidersQueryDto extends PaginationQueryDto {
  @IsOptional()
  @Matches(/^93\d{3}$/)
  @MaxLength(5)
  communeCode?: string;
}

export class ProviderDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  name!: string;
  siret!: string;
  communeCode!: string;

  @ApiProperty({ type: String, nullable: true })
  email!: string | null;

  active!: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

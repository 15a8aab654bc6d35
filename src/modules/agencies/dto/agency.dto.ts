import { ApiProperty, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { PaginationQueryDto } from '../../../common/pagination/pagination-query.dto';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateAgencyDto {
  /** Short unique code. @example "ALI-PC-1" */
  @Transform(trim)
  @IsString()
  @Matches(/^[A-Z0-9][A-Z0-9-]{1,31}$/, { message: 'code must be 2 to 32 upper-case letters, digits or dashes' })
  @MaxLength(32)
  code!: string;

  /** @example "ALI Plaine Commune Nord" */
  @Transform(trim)
  @IsString()
  @Length(2, 200)
  name!: string;

  /** INSEE codes of the communes the agency serves; a commune is served by one agency at most. @example ["93066","93079"] */
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(40)
  @Matches(/^93\d{3}$/, { each: true, message: 'each commune code must be an INSEE code of the département (93xxx)' })
  @MaxLength(5, { each: true })
  communeCodes!: string[];

  /** @example "12 rue de la République, 93200 Saint-Denis" */
  @IsOptional()
  @IsString()
  @MaxLength(300)
  address?: string;

  /** @example "ali.nord@seinesaintdenis.fr" */
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  /** @example "01 43 93 00 00" */
  @IsOptional()
  @IsString()
  @Matches(/^[0-9 +().-]{6,20}$/, { message: 'phone must be a phone number' })
  @MaxLength(20)
  phone?: string;

  /** An inactive agency serves no commune. */
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

/** `null` is refused for the fields that cannot be empty (name, code, communeCodes: `[]` frees the territory); optional ones may be cleared. */
export class UpdateAgencyDto extends PartialType(CreateAgencyDto, { skipNullProperties: false }) {}

export class ListAgenciesQueryDto extends PaginationQueryDto {
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  active?: boolean;

  /** The agency serving this commune. */
  @IsOptional()
  @Matches(/^93\d{3}$/)
  @MaxLength(5)
  communeCode?: string;
}

export class AgencyDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  code!: string;
  name!: string;
  communeCodes!: string[];

  @ApiProperty({ type: String, nullable: true })
  address!: string | null;

  @ApiProperty({ type: String, nullable: true })
  email!: string | null;

  @ApiProperty({ type: String, nullable: true })
  phone!: string | null;

  active!: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

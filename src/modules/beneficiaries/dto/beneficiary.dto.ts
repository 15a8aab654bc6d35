import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsEnum, IsIn, IsOptional, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';
import { PaginationQueryDto } from '../../../common/pagination/pagination-query.dto';
import { IsCalendarDate } from '../../../common/validation/dates';
import { IsNir, NIR_MAX_LENGTH } from '../../../common/validation/nir';
import { CaseStatus, ExitReason, HOUSEHOLD_ROLES, HouseholdRole, OrientationPath, ReferentBody, RIGHTS_STATES, RightsState } from '../beneficiary.enums';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const bool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class CreateBeneficiaryDto {
  /** CAF/MSA file number, up to 7 digits (left-padded with zeros). @example "1234567" */
  @Transform(({ value }) => (typeof value === 'string' && /^\d{1,7}$/.test(value.trim()) ? value.trim().padStart(7, '0') : value))
  @Matches(/^\d{7}$/, { message: 'cafNumber must be 1 to 7 digits' })
  @MaxLength(7)
  cafNumber!: string;

  /** 15 characters, key checked (Corsica 2A/2B included). Stored encrypted; only agency staff and admins see it. @example "185079306612345" */
  @IsOptional()
  // Separators are dropped before the check, but only from a NIR of at most NIR_MAX_LENGTH characters
  // as written: a longer one reaches @IsNir unchanged and is refused (the documented maxLength holds).
  @Transform(({ value }) => (typeof value === 'string' && value.length <= NIR_MAX_LENGTH ? value.replace(/[\s.-]/g, '').toUpperCase() : value))
  @IsNir()
  nir?: string;

  /** @example "Aïssatou" */
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  firstName!: string;

  /** @example "N'Diaye" */
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  lastName!: string;

  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  birthName?: string;

  /** @example "1985-07-14" */
  @IsCalendarDate({ past: true })
  birthDate!: string;

  @ApiProperty({ enum: ['F', 'M'] })
  @IsIn(['F', 'M'])
  sex!: 'F' | 'M';

  /** INSEE code of the commune of residence; it decides the agency. @example "93066" */
  @Matches(/^93\d{3}$/, { message: 'communeCode must be an INSEE code of the département (93xxx)' })
  @MaxLength(5)
  communeCode!: string;

  /** @example "12 rue Gabriel Péri" */
  @IsOptional()
  @IsString()
  @MaxLength(300)
  address?: string;

  /** No fixed address (domiciliation). */
  @IsOptional()
  @IsBoolean()
  noFixedAddress?: boolean;

  /** @example "06 12 34 56 78" */
  @IsOptional()
  @Matches(/^[0-9 +().-]{6,20}$/, { message: 'phone must be a phone number' })
  @MaxLength(20)
  phone?: string;

  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ enum: HOUSEHOLD_ROLES })
  @IsOptional()
  @IsIn(HOUSEHOLD_ROLES)
  householdRole?: HouseholdRole;

  /** CAF ETATDOSRSA: 0 new claim, 1 refused, 2 open and payable, 3 open and suspended, 4 open with payment suspended, 5 closed, 6 closed earlier, Z undefined. */
  @ApiPropertyOptional({ enum: RIGHTS_STATES })
  @IsOptional()
  @IsIn(RIGHTS_STATES)
  rightsState?: RightsState;

  /** Subject to rights and duties (TOPPERSDRODEVORSA). Default true. */
  @IsOptional()
  @IsBoolean()
  subjectToRightsAndDuties?: boolean;

  /** Opening of the right: starts the orientation deadline. @example "2026-10-01" */
  @IsOptional()
  @IsCalendarDate({ notFuture: true })
  rightsOpenedOn?: string;

  /** @example "FT1234567A" */
  @IsOptional()
  @Matches(/^[A-Za-z0-9]{4,20}$/, { message: 'franceTravailId must be 4 to 20 letters or digits' })
  @MaxLength(20)
  franceTravailId?: string;
}

export class UpdateBeneficiaryDto extends PartialType(CreateBeneficiaryDto) {}

export class ListBeneficiariesQueryDto extends PaginationQueryDto {
  /** Name (accents and case ignored) or CAF number. @example "ndiaye" */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(2, 100)
  q?: string;

  @ApiPropertyOptional({ enum: CaseStatus, enumName: 'CaseStatus' })
  @IsOptional()
  @IsEnum(CaseStatus)
  status?: CaseStatus;

  @IsOptional()
  @IsUUID()
  agencyId?: string;

  @IsOptional()
  @IsUUID()
  advisorId?: string;

  @ApiPropertyOptional({ enum: OrientationPath, enumName: 'OrientationPath' })
  @IsOptional()
  @IsEnum(OrientationPath)
  orientationPath?: OrientationPath;

  @IsOptional()
  @Matches(/^93\d{3}$/)
  @MaxLength(5)
  communeCode?: string;

  /** true: a deadline has passed; false: nothing overdue. */
  @IsOptional()
  @Transform(bool)
  @IsBoolean()
  overdue?: boolean;
}

export class OrientationSummaryDto {
  @ApiProperty({ enum: OrientationPath, enumName: 'OrientationPath' })
  path!: OrientationPath;
  @ApiProperty({ enum: ReferentBody, enumName: 'ReferentBody' })
  referentBody!: ReferentBody;
  decidedOn!: string;
}

export class DeadlinesDto {
  @ApiProperty({ type: String, nullable: true, format: 'date' })
  orientationDueOn!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' })
  contractDueOn!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' })
  reviewDueOn!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' })
  nextDueOn!: string | null;
  /** A due date has passed. */
  overdue!: boolean;
}

export class ExitDto {
  @ApiProperty({ enum: ExitReason, enumName: 'ExitReason' })
  reason!: ExitReason;
  exitedOn!: string;
}

/** The minimal identity a provider needs to receive the person: no NIR, no health data, no journal. */
export class ReferredPersonDto {
  firstName!: string;
  lastName!: string;
  @ApiProperty({ format: 'date' })
  birthDate!: string;
  communeCode!: string;
  @ApiProperty({ type: String, nullable: true })
  phone!: string | null;
  @ApiProperty({ type: String, nullable: true })
  email!: string | null;
  @ApiProperty({ enum: OrientationPath, enumName: 'OrientationPath', nullable: true })
  orientationPath!: OrientationPath | null;
}

/**
 * What a provider sees of a person referred to one of its programmes (`GET /beneficiaries`,
 * `GET /beneficiaries/{id}`): the minimal identity of a referral, and the id.
 */
export class ReferredBeneficiaryDto extends ReferredPersonDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
}

/** A line of the list: no NIR, no contact details. */
export class BeneficiarySummaryDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  cafNumber!: string;
  firstName!: string;
  lastName!: string;
  birthDate!: string;
  communeCode!: string;
  @ApiProperty({ enum: CaseStatus, enumName: 'CaseStatus' })
  status!: CaseStatus;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  agencyId!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  advisorId!: string | null;
  @ApiProperty({ enum: OrientationPath, enumName: 'OrientationPath', nullable: true })
  orientationPath!: OrientationPath | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' })
  nextDueOn!: string | null;
  overdue!: boolean;
}

export class BeneficiaryDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  cafNumber!: string;
  /** Present for admins and the person's agency staff only. */
  @ApiPropertyOptional({ type: String, nullable: true })
  nir?: string | null;
  @ApiProperty({ type: String, nullable: true })
  franceTravailId!: string | null;
  firstName!: string;
  lastName!: string;
  @ApiProperty({ type: String, nullable: true })
  birthName!: string | null;
  birthDate!: string;
  @ApiProperty({ enum: ['F', 'M'] })
  sex!: 'F' | 'M';
  communeCode!: string;
  @ApiProperty({ type: String, nullable: true })
  address!: string | null;
  noFixedAddress!: boolean;
  @ApiProperty({ type: String, nullable: true })
  phone!: string | null;
  @ApiProperty({ type: String, nullable: true })
  email!: string | null;
  @ApiProperty({ enum: HOUSEHOLD_ROLES, nullable: true })
  householdRole!: HouseholdRole | null;
  @ApiProperty({ enum: RIGHTS_STATES, nullable: true })
  rightsState!: RightsState | null;
  subjectToRightsAndDuties!: boolean;
  @ApiProperty({ type: String, nullable: true, format: 'date' })
  rightsOpenedOn!: string | null;
  @ApiProperty({ enum: CaseStatus, enumName: 'CaseStatus' })
  status!: CaseStatus;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  agencyId!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  advisorId!: string | null;
  @ApiProperty({ type: OrientationSummaryDto, nullable: true })
  orientation!: OrientationSummaryDto | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' })
  contractSignedOn!: string | null;
  @ApiProperty({ type: ExitDto, nullable: true })
  exit!: ExitDto | null;
  deadlines!: DeadlinesDto;
  /** Optimistic version; the ETag is `"<version>"`. */
  version!: number;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

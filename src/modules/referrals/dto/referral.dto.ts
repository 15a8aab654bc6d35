import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEnum, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { PaginationQueryDto } from '../../../common/pagination/pagination-query.dto';
import { ReferredPersonDto } from '../../beneficiaries/dto/beneficiary.dto';
import { ReferralStatus } from '../referral-transitions';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateReferralDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  beneficiaryId!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  programmeId!: string;

  /** For the provider. @example "Disponible le matin, a besoin d'un accompagnement numérique." */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(2000)
  note?: string;
}

/** The reason of a decline (required), a cancellation or an abandonment (optional). */
export class ReferralReasonDto {
  /** @example "Profil ne correspondant pas au prérequis de langue" */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 1000)
  reason?: string;
}

export class ListReferralsQueryDto extends PaginationQueryDto {
  @IsOptional()
  @IsUUID()
  programmeId?: string;

  @IsOptional()
  @IsUUID()
  beneficiaryId?: string;

  @ApiPropertyOptional({ enum: ReferralStatus, enumName: 'ReferralStatus' })
  @IsOptional()
  @IsEnum(ReferralStatus)
  status?: ReferralStatus;
}

export class ReferralDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ format: 'uuid' })
  beneficiaryId!: string;
  @ApiProperty({ format: 'uuid' })
  programmeId!: string;
  @ApiProperty({ enum: ReferralStatus, enumName: 'ReferralStatus' })
  status!: ReferralStatus;
  @ApiProperty({ type: String, nullable: true })
  note!: string | null;
  person!: ReferredPersonDto;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  createdBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  submittedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  acceptedAt!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  acceptedBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  startedBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  closedAt!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  closedBy!: string | null;
  @ApiProperty({ type: String, nullable: true })
  closeReason!: string | null;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

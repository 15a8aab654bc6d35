import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEnum, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { IsCalendarDate } from '../../../common/validation/dates';
import { ExitReason, OrientationPath, ReferentBody } from '../beneficiary.enums';

export class AssignmentDto {
  /** An active advisor of the person's agency. */
  @IsUUID()
  advisorId!: string;
}

export class TransferCaseloadDto {
  @IsUUID()
  fromAdvisorId!: string;

  @IsUUID()
  toAdvisorId!: string;
}

export class ExitInputDto {
  @ApiProperty({ enum: ExitReason, enumName: 'ExitReason' })
  @IsEnum(ExitReason)
  reason!: ExitReason;

  /** @example "2026-11-02" */
  @IsCalendarDate({ notFuture: true })
  exitedOn!: string;
}

export class OrientationInputDto {
  @ApiProperty({ enum: OrientationPath, enumName: 'OrientationPath' })
  @IsEnum(OrientationPath)
  path!: OrientationPath;

  @ApiProperty({ enum: ReferentBody, enumName: 'ReferentBody' })
  @IsEnum(ReferentBody)
  referentBody!: ReferentBody;

  /** Date of the decision; today when absent. */
  @IsOptional()
  @IsCalendarDate({ notFuture: true })
  decidedOn?: string;

  @IsOptional()
  @IsString()
  @Length(1, 2000)
  reason?: string;

  /**
   * Social path only: the person is in a listed situation of vulnerability, reviewed after
   * SOCIAL_REVIEW_MONTHS_VULNERABLE (12) months instead of SOCIAL_REVIEW_MONTHS (6).
   */
  @IsOptional()
  @IsBoolean()
  vulnerable?: boolean;
}

export class OrientationDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ enum: OrientationPath, enumName: 'OrientationPath' })
  path!: OrientationPath;
  @ApiProperty({ enum: ReferentBody, enumName: 'ReferentBody' })
  referentBody!: ReferentBody;
  decidedOn!: string;
  @ApiProperty({ type: String, nullable: true })
  reason!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' })
  endedOn!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  decidedBy!: string | null;
  /** A listed situation of vulnerability (social path): the review comes later. */
  vulnerable!: boolean;
}

export class ReorientationRequestInputDto {
  @ApiProperty({ enum: OrientationPath, enumName: 'OrientationPath' })
  @IsEnum(OrientationPath)
  path!: OrientationPath;

  @ApiProperty({ enum: ReferentBody, enumName: 'ReferentBody' })
  @IsEnum(ReferentBody)
  referentBody!: ReferentBody;

  @IsString()
  @Length(1, 2000)
  reason!: string;
}

export class ReorientationDecisionDto {
  /** Required when denying; told to the previous referent. */
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  reason?: string;
}

export class ReorientationRequestDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ format: 'uuid' })
  beneficiaryId!: string;
  @ApiProperty({ enum: OrientationPath, enumName: 'OrientationPath' })
  requestedPath!: OrientationPath;
  @ApiProperty({ enum: ReferentBody, enumName: 'ReferentBody' })
  requestedReferentBody!: ReferentBody;
  /** The referent body of the orientation in force when it was requested (told the decision). */
  @ApiProperty({ enum: ReferentBody, enumName: 'ReferentBody', nullable: true })
  previousReferentBody!: ReferentBody | null;
  reason!: string;
  @ApiProperty({ enum: ['pending', 'accepted', 'denied'] })
  status!: string;
  @ApiProperty({ type: String, nullable: true })
  decisionReason!: string | null;
  @ApiProperty({ format: 'date-time' })
  requestedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  decidedAt!: string | null;
}

export class TimelineEventDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ format: 'date-time' })
  occurredAt!: string;
  /** @example "orientation.decided" */
  type!: string;
  summary!: string;
  @ApiProperty({ type: 'object', additionalProperties: true })
  data!: Record<string, unknown>;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  actorId!: string | null;
}

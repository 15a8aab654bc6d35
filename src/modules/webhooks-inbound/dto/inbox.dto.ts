import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PaginationQueryDto } from '../../../common/pagination/pagination-query.dto';
import { InboxStatus } from '../entities/webhook-inbox-entry.entity';
import { FRANCE_TRAVAIL_EVENT_TYPES } from './france-travail-event.dto';

export class ListInboxQueryDto extends PaginationQueryDto {
  /** `unmatched` is the reconciliation queue. */
  @ApiPropertyOptional({ enum: InboxStatus, enumName: 'InboxStatus' })
  @IsOptional()
  @IsIn(Object.values(InboxStatus))
  status?: InboxStatus;

  @ApiPropertyOptional({ enum: FRANCE_TRAVAIL_EVENT_TYPES })
  @IsOptional()
  @IsIn(FRANCE_TRAVAIL_EVENT_TYPES)
  eventType?: string;
}

/** A received France Travail event. The NIR is never shown: `data.nirProvided` says whether one came. */
export class InboxEntryDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  /** The sender's `webhook-id`. */
  webhookId!: string;

  /** Null when the body was rejected before its type could be read. */
  @ApiProperty({ type: String, nullable: true, enum: FRANCE_TRAVAIL_EVENT_TYPES })
  eventType!: string | null;

  @ApiProperty({ enum: InboxStatus, enumName: 'InboxStatus' })
  status!: InboxStatus;

  /** Why it was rejected, unmatched or failed. */
  @ApiProperty({ type: String, nullable: true })
  error!: string | null;

  /** Processing attempts since it was received (or last reprocessed). */
  attempts!: number;

  /** The person it was matched to. */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  beneficiaryId!: string | null;

  /** The event's own `timestamp`. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  timestamp!: string | null;

  /** The event's `data` as validated (unknown fields dropped, `nir` replaced by `nirProvided`); null when rejected. */
  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true })
  data!: Record<string, unknown> | null;

  /** `webhook-timestamp` of the signature. */
  @ApiProperty({ format: 'date-time' })
  sentAt!: string;

  @ApiProperty({ format: 'date-time' })
  receivedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  processedAt!: string | null;

  /** When the next processing attempt is due (status `received` only). */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  nextAttemptAt!: string | null;
}

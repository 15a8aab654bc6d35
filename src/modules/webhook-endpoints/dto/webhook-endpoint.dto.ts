import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PaginationQueryDto } from '../../../common/pagination/pagination-query.dto';
import { DeliveryStatus } from '../entities/webhook-delivery.entity';
import { OUTBOUND_EVENT_TYPES } from '../webhook-events';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateWebhookEndpointDto {
  /** http(s) URL; private and loopback addresses are refused (the host name is resolved). @example "https://connecteur.francetravail.example/parcours/webhooks" */
  @Transform(trim)
  @IsString()
  @MaxLength(2000)
  url!: string;

  /** Event types delivered to this endpoint (see docs/webhooks.md). @example ["beneficiary.oriented","referral.accepted"] */
  @ApiProperty({ enum: OUTBOUND_EVENT_TYPES, enumName: 'WebhookEventType', isArray: true, maxItems: OUTBOUND_EVENT_TYPES.length })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(OUTBOUND_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(OUTBOUND_EVENT_TYPES, { each: true })
  eventTypes!: string[];

  /** @example "France Travail connector, production" */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(500)
  description?: string;

  /** false pauses deliveries (they wait); default true. */
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateWebhookEndpointDto extends PartialType(CreateWebhookEndpointDto) {}

export class ListWebhookEndpointsQueryDto extends PaginationQueryDto {}

export class WebhookEndpointDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  url!: string;

  @ApiProperty({ enum: OUTBOUND_EVENT_TYPES, enumName: 'WebhookEventType', isArray: true })
  eventTypes!: string[];

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  enabled!: boolean;

  /** Why the system disabled the endpoint (the receiver answered 410 Gone). */
  @ApiProperty({ type: String, nullable: true })
  disabledReason!: string | null;

  /** Until when the previous secret still signs beside the current one (after a rotation). */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  previousSecretExpiresAt!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class WebhookEndpointWithSecretDto extends WebhookEndpointDto {
  /** The signing secret, shown once (at creation and rotation). @example "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" */
  secret!: string;
}

export class ListDeliveriesQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: DeliveryStatus, enumName: 'WebhookDeliveryStatus' })
  @IsOptional()
  @IsIn(Object.values(DeliveryStatus))
  status?: DeliveryStatus;
}

export class WebhookDeliveryAttemptDto {
  attempt!: number;

  @ApiProperty({ format: 'date-time' })
  attemptedAt!: string;

  /** The receiver's HTTP status; null when none came (timeout, connection refused). */
  @ApiProperty({ type: Number, nullable: true })
  responseCode!: number | null;

  @ApiProperty({ type: String, nullable: true })
  error!: string | null;

  durationMs!: number;
}

export class WebhookDeliveryDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  endpointId!: string;

  /** The outbox event; null for a ping. */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  eventId!: string | null;

  /** The `webhook-id` header, the same on every attempt. */
  messageId!: string;

  eventType!: string;

  @ApiProperty({ enum: DeliveryStatus, enumName: 'WebhookDeliveryStatus' })
  status!: DeliveryStatus;

  attempts!: number;

  @ApiProperty({ type: Number, nullable: true })
  lastResponseCode!: number | null;

  @ApiProperty({ type: String, nullable: true })
  lastError!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastAttemptAt!: string | null;

  /** When the next attempt is due (pending deliveries). */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  nextAttemptAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  deliveredAt!: string | null;

  /** The body sent: `{ type, timestamp, data }`. */
  @ApiProperty({ type: 'object', additionalProperties: true })
  payload!: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class WebhookDeliveryDetailDto extends WebhookDeliveryDto {
  @ApiProperty({ type: [WebhookDeliveryAttemptDto] })
  attemptLog!: WebhookDeliveryAttemptDto[];
}

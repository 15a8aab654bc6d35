import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { WebhookEndpoint } from './webhook-endpoint.entity';

export enum DeliveryStatus {
  Pending = 'pending',
  /** Claimed by an instance, which is sending it; `nextAttemptAt` is the end of its lease. */
  Sending = 'sending',
  Delivered = 'delivered',
  Failed = 'failed',
}

/**
 * One event (or ping) for one endpoint. The body is fixed when the event fans
 * out, so every attempt and replay sends the same bytes under the same `webhook-id`.
 */
@Entity({ name: 'webhook_deliveries' })
@Check('ck_webhook_deliveries_status', `"status" IN ('pending', 'sending', 'delivered', 'failed')`)
@Index('uq_webhook_deliveries_event', ['endpointId', 'eventId'], { unique: true })
@Index('ix_webhook_deliveries_endpoint', ['endpointId', 'createdAt', 'id'])
@Index('ix_webhook_deliveries_due', ['nextAttemptAt'], { where: `"status" IN ('pending', 'sending')` })
export class WebhookDelivery {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_webhook_deliveries' })
  id!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => WebhookEndpoint, 'id', { name: 'fk_webhook_deliveries_endpoint', onDelete: 'CASCADE' })
  endpointId!: string;

  /** The outbox event delivered; null for a ping. */
  @Column({ type: 'uuid', nullable: true })
  eventId!: string | null;

  /** The `webhook-id` header, the same on every attempt. */
  @Column({ type: 'text' })
  messageId!: string;

  @Column({ type: 'text' })
  eventType!: string;

  /** `{ type, timestamp, data }`, as sent. */
  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Column({ type: 'text', default: DeliveryStatus.Pending })
  status!: DeliveryStatus;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  /** `attempts` when the current round began (0, or the count at the last manual retry): the backoff restarts there. */
  @Column({ type: 'int', default: 0 })
  roundStart!: number;

  @Column({ type: 'timestamptz', nullable: true, default: () => 'now()' })
  nextAttemptAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastAttemptAt!: Date | null;

  @Column({ type: 'int', nullable: true })
  lastResponseCode!: number | null;

  @Column({ type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  /** When the event happened (its outbox commit): the start of the delivery lag. */
  @Column({ type: 'timestamptz', default: () => 'now()' })
  occurredAt!: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

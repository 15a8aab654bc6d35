import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { WebhookDelivery } from './webhook-delivery.entity';

/** The outcome of one HTTP attempt of a delivery. */
@Entity({ name: 'webhook_delivery_attempts' })
@Index('ix_webhook_delivery_attempts_delivery', ['deliveryId', 'attempt'])
export class WebhookDeliveryAttempt {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_webhook_delivery_attempts' })
  id!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => WebhookDelivery, 'id', { name: 'fk_webhook_delivery_attempts_delivery', onDelete: 'CASCADE' })
  deliveryId!: string;

  @Column({ type: 'int' })
  attempt!: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  attemptedAt!: Date;

  /** The receiver's HTTP status; null when no answer came (timeout, refused connection). */
  @Column({ type: 'int', nullable: true })
  responseCode!: number | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'int' })
  durationMs!: number;
}

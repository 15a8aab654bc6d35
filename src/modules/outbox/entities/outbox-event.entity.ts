import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A domain event written in the same transaction as the change it reports,
 * for the webhook deliveries to pick up. Thin: ids, types, states and dates only.
 */
@Entity({ name: 'outbox_events' })
@Index('ix_outbox_events_unpublished', ['occurredAt', 'id'], { where: '"published_at" IS NULL' })
export class OutboxEvent {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_outbox_events' })
  id!: string;

  /** e.g. `beneficiary.oriented`. */
  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'text' })
  resourceType!: string;

  @Column({ type: 'uuid' })
  resourceId!: string;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  data!: Record<string, unknown>;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  occurredAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;
}

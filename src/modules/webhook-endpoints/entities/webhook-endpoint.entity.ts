import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * A subscriber's URL and the event types it receives. The signing secret is
 * stored encrypted; after a rotation the previous one keeps signing until
 * `previousSecretExpiresAt`.
 */
@Entity({ name: 'webhook_endpoints' })
@Check('ck_webhook_endpoints_url', `"url" ~ '^https?://'`)
export class WebhookEndpoint {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_webhook_endpoints' })
  id!: string;

  @Column({ type: 'text' })
  url!: string;

  @Column({ type: 'text', array: true })
  eventTypes!: string[];

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  /** Why the system disabled it (HTTP 410); null when enabled or disabled by a person. */
  @Column({ type: 'text', nullable: true })
  disabledReason!: string | null;

  @Column({ type: 'text' })
  secretEncrypted!: string;

  @Column({ type: 'text', nullable: true })
  previousSecretEncrypted!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  previousSecretExpiresAt!: Date | null;

  /** The staff user or machine client that created it. */
  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

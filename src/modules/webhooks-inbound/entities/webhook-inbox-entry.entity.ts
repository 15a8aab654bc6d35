import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Beneficiary } from '../../beneficiaries/entities/beneficiary.entity';

export enum InboxStatus {
  /** Stored, waiting for the processing job (or for its next attempt). */
  Received = 'received',
  Processed = 'processed',
  /** No beneficiary matches the person: waits in the reconciliation queue for a fix and a reprocess. */
  Unmatched = 'unmatched',
  /** Signed but malformed: answered 400, kept for investigation, never processed. */
  Rejected = 'rejected',
  /** Processing failed on every attempt (or was refused by a business rule): `error` says why. */
  Failed = 'failed',
}

/**
 * An event received from France Travail, stored before it is acknowledged and
 * processed asynchronously. One row per `webhook-id`: a redelivery is a no-op.
 * The NIR never lands here in clear: the payload keeps its keyed hash, and a
 * rejected body is stored encrypted.
 */
@Entity({ name: 'webhook_inbox' })
@Check('ck_webhook_inbox_status', `"status" IN ('received', 'processed', 'unmatched', 'rejected', 'failed')`)
@Check('ck_webhook_inbox_source', `"source" IN ('france_travail')`)
@Index('uq_webhook_inbox_message', ['source', 'webhookId'], { unique: true })
@Index('ix_webhook_inbox_status', ['status', 'receivedAt', 'id'])
@Index('ix_webhook_inbox_due', ['nextAttemptAt'], { where: `"status" = 'received'` })
export class WebhookInboxEntry {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_webhook_inbox' })
  id!: string;

  @Column({ type: 'text', default: 'france_travail' })
  source!: string;

  /** The sender's `webhook-id` header. */
  @Column({ type: 'text' })
  webhookId!: string;

  /** The sender's `webhook-timestamp`, as signed. */
  @Column({ type: 'timestamptz' })
  sentAt!: Date;

  @Column({ type: 'text', nullable: true })
  eventType!: string | null;

  @Column({ type: 'text' })
  status!: InboxStatus;

  /** The validated body `{ type, timestamp, data }`, with `data.nir` replaced by `data.nirHash`. */
  @Column({ type: 'jsonb', nullable: true })
  payload!: Record<string, unknown> | null;

  /** A rejected body as received, encrypted (it may hold a NIR). */
  @Column({ type: 'text', nullable: true })
  bodyEncrypted!: string | null;

  /** Why it was rejected, or the last processing error. */
  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ type: 'timestamptz', nullable: true, default: () => 'now()' })
  nextAttemptAt!: Date | null;

  /** The person the event was matched to. */
  @Column({ type: 'uuid', nullable: true })
  @ForeignKey(() => Beneficiary, 'id', { name: 'fk_webhook_inbox_beneficiary', onDelete: 'SET NULL' })
  beneficiaryId!: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  processedAt!: Date | null;
}

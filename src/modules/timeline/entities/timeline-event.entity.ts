import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Beneficiary } from '../../beneficiaries/entities/beneficiary.entity';

/** A dated event of a beneficiary's case, written when it happens (status, orientation, assignment, contract...). */
@Entity({ name: 'timeline_events' })
@Index('ix_timeline_events_beneficiary', ['beneficiaryId', 'occurredAt', 'id'])
export class TimelineEvent {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_timeline_events' })
  id!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => Beneficiary, 'id', { name: 'fk_timeline_events_beneficiary', onDelete: 'CASCADE' })
  beneficiaryId!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  occurredAt!: Date;

  /** e.g. `orientation.decided`, `status.changed`. */
  @Column({ type: 'text' })
  type!: string;

  /** A short summary for the timeline, without sensitive content. */
  @Column({ type: 'text' })
  summary!: string;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  data!: Record<string, unknown>;

  @Column({ type: 'uuid', nullable: true })
  actorId!: string | null;

  /** About special-category data (health) or a sanction (suspension procedures): shown only to those who may see it. */
  @Column({ type: 'boolean', default: false })
  sensitive!: boolean;
}

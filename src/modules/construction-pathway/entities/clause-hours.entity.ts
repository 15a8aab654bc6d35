import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Operation } from './operation.entity';
import { Participant } from './participant.entity';

/**
 * Hours worked in one month by one participant on one operation: one row per
 * operation, participant and month; a correction replaces the row.
 */
@Entity({ name: 'clause_hours' })
@Check('ck_clause_hours_hours', `"hours" >= 0 AND "hours" <= 744`)
@Check('ck_clause_hours_month', `EXTRACT(DAY FROM "month") = 1`)
@Index('uq_clause_hours_operation_participant_month', ['operationId', 'participantId', 'month'], { unique: true })
@Index('ix_clause_hours_participant_month', ['participantId', 'month'])
@Index('ix_clause_hours_month', ['month'])
export class ClauseHours {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_clause_hours' })
  id!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => Operation, 'id', { name: 'fk_clause_hours_operation', onDelete: 'CASCADE' })
  operationId!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => Participant, 'id', { name: 'fk_clause_hours_participant', onDelete: 'CASCADE' })
  participantId!: string;

  /** The first day of the month. */
  @Column({ type: 'date' })
  month!: string;

  @Column({ type: 'numeric', precision: 5, scale: 2, transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  hours!: number;

  @Column({ type: 'uuid', nullable: true })
  recordedBy!: string | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

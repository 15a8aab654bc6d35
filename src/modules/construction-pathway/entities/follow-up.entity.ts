import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { FollowUpOutcome } from '../pathway.enums';
import { Employment } from './employment.entity';

/** A follow-up contact due 1, 3 or 6 months after hiring, and its outcome once made. */
@Entity({ name: 'pathway_follow_ups' })
@Check('ck_pathway_follow_ups_month', `"month" IN (1, 3, 6)`)
@Check('ck_pathway_follow_ups_outcome', `"outcome" IN ('still_employed', 'not_employed')`)
@Check('ck_pathway_follow_ups_contact', `("contacted_on" IS NULL) = ("outcome" IS NULL)`)
@Index('uq_pathway_follow_ups_employment_month', ['employmentId', 'month'], { unique: true })
@Index('ix_pathway_follow_ups_due', ['dueOn'], { where: `"contacted_on" IS NULL` })
export class FollowUp {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_pathway_follow_ups' })
  id!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => Employment, 'id', { name: 'fk_pathway_follow_ups_employment', onDelete: 'CASCADE' })
  employmentId!: string;

  /** Months after hiring: 1, 3 or 6. */
  @Column({ type: 'smallint' })
  month!: number;

  @Column({ type: 'date' })
  dueOn!: string;

  @Column({ type: 'date', nullable: true })
  contactedOn!: string | null;

  @Column({ type: 'text', nullable: true })
  outcome!: FollowUpOutcome | null;

  @Column({ type: 'text', nullable: true })
  note!: string | null;

  @Column({ type: 'uuid', nullable: true })
  recordedBy!: string | null;
}

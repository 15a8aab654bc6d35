import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Beneficiary } from '../../beneficiaries/entities/beneficiary.entity';
import { Programme } from '../../programmes/entities/programme.entity';
import { ReferralStatus } from '../referral-transitions';

/**
 * A referral (prescription) of a beneficiary to a programme. Each step keeps
 * who and when; `*_by` hold the principal id (a staff user or a machine client),
 * null for the system (promotion, expiry).
 */
@Entity({ name: 'referrals' })
@Check(
  'ck_referrals_status',
  `"status" IN ('submitted', 'waitlisted', 'accepted', 'in_progress', 'completed', 'abandoned', 'declined', 'cancelled', 'expired')`,
)
@Check('ck_referrals_decline_reason', `"status" <> 'declined' OR "close_reason" IS NOT NULL`)
@Check('ck_referrals_closed', `("status" IN ('completed', 'abandoned', 'declined', 'cancelled', 'expired')) = ("closed_at" IS NOT NULL)`)
@Index('uq_referrals_open', ['beneficiaryId', 'programmeId'], { unique: true, where: `"status" IN ('submitted', 'waitlisted', 'accepted', 'in_progress')` })
@Index('ix_referrals_programme_status', ['programmeId', 'status', 'createdAt', 'id'])
@Index('ix_referrals_beneficiary', ['beneficiaryId', 'createdAt', 'id'])
@Index('ix_referrals_created', ['createdAt', 'id'])
@Index('ix_referrals_pending', ['status', 'submittedAt'], { where: `"status" IN ('submitted', 'waitlisted')` })
export class Referral {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_referrals' })
  id!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => Beneficiary, 'id', { name: 'fk_referrals_beneficiary', onDelete: 'CASCADE' })
  beneficiaryId!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => Programme, 'id', { name: 'fk_referrals_programme' })
  programmeId!: string;

  @Column({ type: 'text' })
  status!: ReferralStatus;

  /** The prescriber's note to the provider. */
  @Column({ type: 'text', nullable: true })
  note!: string | null;

  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  /** When it entered `submitted` (at creation, or on promotion from the waitlist); the expiry and reminder clocks. */
  @Column({ type: 'timestamptz', nullable: true })
  submittedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  acceptedAt!: Date | null;

  @Column({ type: 'uuid', nullable: true })
  acceptedBy!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ type: 'uuid', nullable: true })
  startedBy!: string | null;

  /** When and by whom it ended: completed, abandoned, declined, cancelled or expired. */
  @Column({ type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ type: 'uuid', nullable: true })
  closedBy!: string | null;

  /** Required to decline; optional otherwise. */
  @Column({ type: 'text', nullable: true })
  closeReason!: string | null;

  /** The no-answer reminder was sent (once). */
  @Column({ type: 'timestamptz', nullable: true })
  remindedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

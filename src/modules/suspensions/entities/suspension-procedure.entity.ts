import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Beneficiary } from '../../beneficiaries/entities/beneficiary.entity';
import { User } from '../../users/entities/user.entity';
import { SuspensionGround, SuspensionOutcome, SuspensionStatus } from '../suspension.enums';

/**
 * A suspension procedure of a case: opened on a failure to meet the obligations, decided
 * (a suspension of `rate_percent` % of the allowance from `starts_on` to `ends_on`, or no
 * sanction), possibly lifted early. One open procedure per person.
 */
@Entity({ name: 'suspension_procedures' })
@Check('ck_suspension_procedures_ground', `"ground" IN ('contract_refused', 'obligations_not_met', 'appointment_missed', 'other')`)
@Check('ck_suspension_procedures_status', `"status" IN ('open', 'decided', 'lifted')`)
@Check(
  'ck_suspension_procedures_decision',
  `("status" = 'open' AND "outcome" IS NULL AND "decided_on" IS NULL AND "decision_reason" IS NULL)
   OR ("status" <> 'open' AND "outcome" IN ('suspension', 'no_sanction') AND "decided_on" >= "opened_on" AND "decision_reason" IS NOT NULL)`,
)
@Check(
  'ck_suspension_procedures_terms',
  `num_nonnulls("rate_percent", "months", "multi_person_household", "starts_on", "ends_on") = CASE WHEN "outcome" = 'suspension' THEN 5 ELSE 0 END
   AND ("rate_percent" IS NULL OR "rate_percent" BETWEEN 1 AND 100) AND ("months" IS NULL OR "months" >= 1)
   AND ("starts_on" IS NULL OR ("starts_on" >= "decided_on" AND "ends_on" >= "starts_on"))`,
)
@Check(
  'ck_suspension_procedures_lifted',
  `("status" = 'lifted') = ("lifted_on" IS NOT NULL) AND ("lifted_on" IS NULL OR ("outcome" = 'suspension' AND "lifted_on" >= "decided_on" AND "lifted_on" <= "ends_on"))`,
)
@Index('uq_suspension_procedures_open', ['beneficiaryId'], { unique: true, where: `"status" = 'open'` })
@Index('ix_suspension_procedures_beneficiary', ['beneficiaryId', 'openedOn', 'id'])
export class SuspensionProcedure {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_suspension_procedures' })
  id!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => Beneficiary, 'id', { name: 'fk_suspension_procedures_beneficiary', onDelete: 'CASCADE' })
  beneficiaryId!: string;

  @Column({ type: 'text' })
  ground!: SuspensionGround;

  /** The failure observed, in the referent's words. */
  @Column({ type: 'text' })
  facts!: string;

  @Column({ type: 'date' })
  openedOn!: string;

  /** The staff member who opened it; null for a retention-anonymised procedure. */
  @Column({ type: 'uuid', nullable: true })
  @ForeignKey(() => User, 'id', { name: 'fk_suspension_procedures_opened_by' })
  openedBy!: string | null;

  @Column({ type: 'text', default: SuspensionStatus.Open })
  status!: SuspensionStatus;

  @Column({ type: 'text', nullable: true })
  outcome!: SuspensionOutcome | null;

  @Column({ type: 'date', nullable: true })
  decidedOn!: string | null;

  /** Why this decision, after the person was heard. */
  @Column({ type: 'text', nullable: true })
  decisionReason!: string | null;

  @Column({ type: 'uuid', nullable: true })
  @ForeignKey(() => User, 'id', { name: 'fk_suspension_procedures_decided_by' })
  decidedBy!: string | null;

  /** The share of the allowance suspended, in percent. */
  @Column({ type: 'smallint', nullable: true })
  ratePercent!: number | null;

  @Column({ type: 'smallint', nullable: true })
  months!: number | null;

  /** Recorded with the decision: the household has more than one person (the rate is capped). */
  @Column({ type: 'boolean', nullable: true })
  multiPersonHousehold!: boolean | null;

  @Column({ type: 'date', nullable: true })
  startsOn!: string | null;

  /** The last day of the suspension: `starts_on` plus `months`, less a day. */
  @Column({ type: 'date', nullable: true })
  endsOn!: string | null;

  @Column({ type: 'date', nullable: true })
  liftedOn!: string | null;

  @Column({ type: 'text', nullable: true })
  liftReason!: string | null;

  @Column({ type: 'uuid', nullable: true })
  @ForeignKey(() => User, 'id', { name: 'fk_suspension_procedures_lifted_by' })
  liftedBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { Beneficiary } from '../../beneficiaries/entities/beneficiary.entity';
import { User } from '../../users/entities/user.entity';
import { ParticipantExitReason, SourcingChannel, StepType } from '../pathway.enums';

/**
 * A beneficiary enrolled in the cohort "Bâtissons nos emplois" (once). `currentStage`
 * and `withoutSolutionSince` are derived from the steps by the service after every
 * change and stored for querying (stage filter, alerts, dashboard).
 */
@Entity({ name: 'pathway_participants' })
@Check('ck_pathway_participants_sourcing_channel', `"sourcing_channel" IN ('agency', 'france_travail', 'employer', 'self', 'partner')`)
@Check(
  'ck_pathway_participants_current_stage',
  `"current_stage" IN ('information_session', 'trade_discovery', 'site_immersion', 'pre_qualification', 'qualifying_training', 'employment', 'employment_follow_up', 'social_support')`,
)
@Check('ck_pathway_participants_exit_reason', `"exit_reason" IN ('employment', 'training', 'end_of_rights', 'moved_out', 'withdrawn', 'other')`)
@Check('ck_pathway_participants_exit', `("exited_on" IS NULL) = ("exit_reason" IS NULL)`)
@Check('ck_pathway_participants_exit_date', `"exited_on" IS NULL OR "exited_on" >= "enrolled_on"`)
@Index('uq_pathway_participants_beneficiary', ['beneficiaryId'], { unique: true })
@Index('ix_pathway_participants_enrolled', ['enrolledOn', 'id'])
@Index('ix_pathway_participants_stage', ['currentStage', 'enrolledOn', 'id'])
@Index('ix_pathway_participants_advisor', ['advisorId'])
@Index('ix_pathway_participants_without_solution', ['withoutSolutionSince', 'id'], { where: `"exited_on" IS NULL AND "without_solution_since" IS NOT NULL` })
export class Participant {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_pathway_participants' })
  id!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => Beneficiary, 'id', { name: 'fk_pathway_participants_beneficiary', onDelete: 'CASCADE' })
  beneficiaryId!: string;

  @Column({ type: 'date' })
  enrolledOn!: string;

  @Column({ type: 'text', default: SourcingChannel.Agency })
  sourcingChannel!: SourcingChannel;

  /** The advisor following the person in the pathway: an advisor of the person's agency. */
  @Column({ type: 'uuid', nullable: true })
  @ForeignKey(() => User, 'id', { name: 'fk_pathway_participants_advisor' })
  advisorId!: string | null;

  @Column({ type: 'text', nullable: true })
  currentStage!: StepType | null;

  /** Since when the person has had no planned or in-progress step; null while they have one. */
  @Column({ type: 'date', nullable: true })
  withoutSolutionSince!: string | null;

  /** The `withoutSolutionSince` for which `participant.without_solution` was written (once per episode). */
  @Column({ type: 'date', nullable: true })
  withoutSolutionNotifiedFor!: string | null;

  @Column({ type: 'date', nullable: true })
  exitedOn!: string | null;

  @Column({ type: 'text', nullable: true })
  exitReason!: ParticipantExitReason | null;

  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @VersionColumn({ default: 1 })
  version!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Programme } from '../../programmes/entities/programme.entity';
import { Referral } from '../../referrals/entities/referral.entity';
import { StepStatus, StepType } from '../pathway.enums';
import { Operation } from './operation.entity';
import { Participant } from './participant.entity';

/**
 * A dated step of a participant's pathway. A step made from a referral follows the
 * referral's status (one truth for places and pathway); an `employment` step is the
 * one of an employment.
 */
@Entity({ name: 'pathway_steps' })
@Check(
  'ck_pathway_steps_type',
  `"type" IN ('information_session', 'trade_discovery', 'site_immersion', 'pre_qualification', 'qualifying_training', 'employment', 'employment_follow_up', 'social_support')`,
)
@Check('ck_pathway_steps_status', `"status" IN ('planned', 'in_progress', 'done', 'abandoned')`)
@Check('ck_pathway_steps_dates', `"ends_on" IS NULL OR "ends_on" >= "starts_on"`)
@Index('ix_pathway_steps_participant', ['participantId', 'startsOn', 'createdAt', 'id'])
@Index('ix_pathway_steps_open', ['participantId'], { where: `"status" IN ('planned', 'in_progress')` })
@Index('uq_pathway_steps_referral', ['referralId'], { unique: true, where: `"referral_id" IS NOT NULL` })
@Index('ix_pathway_steps_operation', ['operationId'], { where: `"operation_id" IS NOT NULL` })
export class Step {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_pathway_steps' })
  id!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => Participant, 'id', { name: 'fk_pathway_steps_participant', onDelete: 'CASCADE' })
  participantId!: string;

  @Column({ type: 'text' })
  type!: StepType;

  @Column({ type: 'text' })
  status!: StepStatus;

  @Column({ type: 'date' })
  startsOn!: string;

  @Column({ type: 'date', nullable: true })
  endsOn!: string | null;

  @Column({ type: 'uuid', nullable: true })
  @ForeignKey(() => Programme, 'id', { name: 'fk_pathway_steps_programme' })
  programmeId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  @ForeignKey(() => Referral, 'id', { name: 'fk_pathway_steps_referral', onDelete: 'SET NULL' })
  referralId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  @ForeignKey(() => Operation, 'id', { name: 'fk_pathway_steps_operation' })
  operationId!: string | null;

  @Column({ type: 'text', nullable: true })
  note!: string | null;

  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

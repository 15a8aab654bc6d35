import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { ContractType } from '../pathway.enums';
import { Operation } from './operation.entity';
import { Participant } from './participant.entity';
import { RomeCode } from './rome-code.entity';
import { Step } from './step.entity';

/**
 * A job of a participant. `lasting` (emploi durable) is computed by the service from
 * the contract type and dates (pathway-rules.ts) and stored for the dashboard.
 */
@Entity({ name: 'pathway_employments' })
@Check('ck_pathway_employments_contract_type', `"contract_type" IN ('cdi', 'cdd', 'interim', 'apprenticeship', 'professionalisation', 'iae', 'business_creation')`)
@Check('ck_pathway_employments_dates', `"ends_on" IS NULL OR "ends_on" >= "starts_on"`)
@Check('ck_pathway_employments_weekly_hours', `"weekly_hours" > 0 AND "weekly_hours" <= 48`)
@Check('ck_pathway_employments_source', `"source" IN ('staff', 'integration')`)
@Check('ck_pathway_employments_siret', `"employer_siret" ~ '^[0-9]{14}$'`)
@Index('ix_pathway_employments_participant', ['participantId', 'startsOn', 'id'])
@Index('ix_pathway_employments_current', ['startsOn', 'endsOn', 'participantId'])
@Index('uq_pathway_employments_step', ['stepId'], { unique: true, where: `"step_id" IS NOT NULL` })
export class Employment {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_pathway_employments' })
  id!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => Participant, 'id', { name: 'fk_pathway_employments_participant', onDelete: 'CASCADE' })
  participantId!: string;

  /** The participant's `employment` step for this job. */
  @Column({ type: 'uuid', nullable: true })
  @ForeignKey(() => Step, 'id', { name: 'fk_pathway_employments_step', onDelete: 'SET NULL' })
  stepId!: string | null;

  /** Null when the France Travail event did not name the employer. */
  @Column({ type: 'text', nullable: true })
  employerName!: string | null;

  @Column({ type: 'char', length: 14, nullable: true })
  employerSiret!: string | null;

  @Column({ type: 'text' })
  contractType!: ContractType;

  @Column({ type: 'date' })
  startsOn!: string;

  @Column({ type: 'date', nullable: true })
  endsOn!: string | null;

  @Column({ type: 'numeric', precision: 4, scale: 1, nullable: true, transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) } })
  weeklyHours!: number | null;

  @Column({ type: 'char', length: 5, nullable: true })
  @ForeignKey(() => RomeCode, 'code', { name: 'fk_pathway_employments_rome' })
  romeCode!: string | null;

  /** The operation whose social clause the job counts for, if any. */
  @Column({ type: 'uuid', nullable: true })
  @ForeignKey(() => Operation, 'id', { name: 'fk_pathway_employments_operation' })
  operationId!: string | null;

  @Column({ type: 'boolean' })
  lasting!: boolean;

  @Column({ type: 'text', default: 'staff' })
  source!: 'staff' | 'integration';

  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

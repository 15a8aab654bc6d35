import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { ContractStatus } from '../beneficiary.enums';
import { Beneficiary } from './beneficiary.entity';

/** Contrat d'engagement: an action plan and a weekly activity intensity (15 h by default). */
@Entity({ name: 'contracts' })
@Check('ck_contracts_status', `"status" IN ('draft', 'signed', 'ended')`)
@Check('ck_contracts_hours', `"weekly_activity_hours" BETWEEN 0 AND 60`)
@Check('ck_contracts_justification', `"weekly_activity_hours" >= 15 OR "hours_justification" IS NOT NULL`)
@Check('ck_contracts_signed', `("status" = 'draft') = ("signed_on" IS NULL)`)
@Check('ck_contracts_dates', `"ends_on" IS NULL OR "ends_on" >= "starts_on"`)
@Index('uq_contracts_open', ['beneficiaryId'], { unique: true, where: `"status" <> 'ended'` })
@Index('ix_contracts_beneficiary', ['beneficiaryId', 'createdAt'])
export class Contract {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_contracts' })
  id!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => Beneficiary, 'id', { name: 'fk_contracts_beneficiary', onDelete: 'CASCADE' })
  beneficiaryId!: string;

  @Column({ type: 'text', default: ContractStatus.Draft })
  status!: ContractStatus;

  @Column({ type: 'integer', default: 15 })
  weeklyActivityHours!: number;

  @Column({ type: 'text', nullable: true })
  hoursJustification!: string | null;

  /** The actions agreed, as written in the contract. */
  @Column({ type: 'text', default: '' })
  actionPlan!: string;

  @Column({ type: 'date' })
  startsOn!: string;

  @Column({ type: 'date', nullable: true })
  endsOn!: string | null;

  @Column({ type: 'date', nullable: true })
  signedOn!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  @VersionColumn({ default: 1 })
  version!: number;
}

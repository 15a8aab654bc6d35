import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Beneficiary } from '../../beneficiaries/entities/beneficiary.entity';
import { User } from '../../users/entities/user.entity';
import { BarrierSeverity, BarrierTheme } from '../barrier.enums';

/** A barrier ("frein") to a person's pathway, on one theme; one unresolved barrier per theme. `health` ones are sensitive. */
@Entity({ name: 'barriers' })
@Check('ck_barriers_theme', `"theme" IN ('mobility', 'childcare_family', 'health', 'language', 'housing', 'financial', 'administrative', 'digital', 'legal')`)
@Check('ck_barriers_severity', `"severity" IN ('low', 'medium', 'high')`)
@Check('ck_barriers_dates', `"resolved_on" IS NULL OR "resolved_on" >= "identified_on"`)
@Index('uq_barriers_open_theme', ['beneficiaryId', 'theme'], { unique: true, where: '"resolved_on" IS NULL' })
@Index('ix_barriers_beneficiary', ['beneficiaryId', 'identifiedOn', 'id'])
export class Barrier {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_barriers' })
  id!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => Beneficiary, 'id', { name: 'fk_barriers_beneficiary', onDelete: 'CASCADE' })
  beneficiaryId!: string;

  @Column({ type: 'text' })
  theme!: BarrierTheme;

  @Column({ type: 'text' })
  severity!: BarrierSeverity;

  /** The advisor's note; never copied to the timeline. */
  @Column({ type: 'text', nullable: true })
  note!: string | null;

  @Column({ type: 'date' })
  identifiedOn!: string;

  @Column({ type: 'date', nullable: true })
  resolvedOn!: string | null;

  /** The staff member who recorded it; null for a machine client. */
  @Column({ type: 'uuid', nullable: true })
  @ForeignKey(() => User, 'id', { name: 'fk_barriers_created_by' })
  createdBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

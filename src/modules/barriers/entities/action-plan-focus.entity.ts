import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Beneficiary } from '../../beneficiaries/entities/beneficiary.entity';
import { User } from '../../users/entities/user.entity';
import { BarrierTheme } from '../barrier.enums';

/** The top of an action plan: a theme worked on (one focus per theme and person). A `health` focus is sensitive. */
@Entity({ name: 'action_plan_focuses' })
@Check('ck_action_plan_focuses_theme', `"theme" IN ('mobility', 'childcare_family', 'health', 'language', 'housing', 'financial', 'administrative', 'digital', 'legal')`)
@Index('uq_action_plan_focuses_theme', ['beneficiaryId', 'theme'], { unique: true })
@Index('ix_action_plan_focuses_beneficiary', ['beneficiaryId', 'createdAt', 'id'])
export class ActionPlanFocus {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_action_plan_focuses' })
  id!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => Beneficiary, 'id', { name: 'fk_action_plan_focuses_beneficiary', onDelete: 'CASCADE' })
  beneficiaryId!: string;

  @Column({ type: 'text' })
  theme!: BarrierTheme;

  @Column({ type: 'text', nullable: true })
  title!: string | null;

  @Column({ type: 'uuid', nullable: true })
  @ForeignKey(() => User, 'id', { name: 'fk_action_plan_focuses_created_by' })
  createdBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

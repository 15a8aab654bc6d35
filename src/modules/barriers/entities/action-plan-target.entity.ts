import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Beneficiary } from '../../beneficiaries/entities/beneficiary.entity';
import { User } from '../../users/entities/user.entity';
import { ActionPlanFocus } from './action-plan-focus.entity';

/** An objective under a focus. `beneficiaryId` repeats the focus's, so that the plan loads and scopes by person. */
@Entity({ name: 'action_plan_targets' })
@Index('ix_action_plan_targets_beneficiary', ['beneficiaryId', 'createdAt', 'id'])
@Index('ix_action_plan_targets_focus', ['focusId'])
export class ActionPlanTarget {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_action_plan_targets' })
  id!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => Beneficiary, 'id', { name: 'fk_action_plan_targets_beneficiary', onDelete: 'CASCADE' })
  beneficiaryId!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => ActionPlanFocus, 'id', { name: 'fk_action_plan_targets_focus', onDelete: 'CASCADE' })
  focusId!: string;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'uuid', nullable: true })
  @ForeignKey(() => User, 'id', { name: 'fk_action_plan_targets_created_by' })
  createdBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Beneficiary } from '../../beneficiaries/entities/beneficiary.entity';
import { User } from '../../users/entities/user.entity';
import { ActionStatus } from '../barrier.enums';
import { ActionPlanTarget } from './action-plan-target.entity';

/**
 * A step towards a target, with its status; done, abandoned and cancelled are final.
 * `programmeId` will reference the programme it uses once programmes exist (no foreign key yet).
 */
@Entity({ name: 'action_plan_actions' })
@Check('ck_action_plan_actions_status', `"status" IN ('planned', 'in_progress', 'on_hold', 'done', 'abandoned', 'cancelled')`)
@Index('ix_action_plan_actions_beneficiary', ['beneficiaryId', 'createdAt', 'id'])
@Index('ix_action_plan_actions_target', ['targetId'])
export class ActionPlanAction {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_action_plan_actions' })
  id!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => Beneficiary, 'id', { name: 'fk_action_plan_actions_beneficiary', onDelete: 'CASCADE' })
  beneficiaryId!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => ActionPlanTarget, 'id', { name: 'fk_action_plan_actions_target', onDelete: 'CASCADE' })
  targetId!: string;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text', default: ActionStatus.Planned })
  status!: ActionStatus;

  @Column({ type: 'date', nullable: true })
  dueOn!: string | null;

  @Column({ type: 'uuid', nullable: true })
  programmeId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  @ForeignKey(() => User, 'id', { name: 'fk_action_plan_actions_created_by' })
  createdBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

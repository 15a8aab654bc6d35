import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity';
import { Beneficiary } from './beneficiary.entity';

/** Who followed the person, and when (history of assignments). */
@Entity({ name: 'beneficiary_assignments' })
@Index('ix_beneficiary_assignments_beneficiary', ['beneficiaryId', 'assignedAt'])
@Index('uq_beneficiary_assignments_current', ['beneficiaryId'], { unique: true, where: '"ended_at" IS NULL' })
export class Assignment {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_beneficiary_assignments' })
  id!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => Beneficiary, 'id', { name: 'fk_beneficiary_assignments_beneficiary', onDelete: 'CASCADE' })
  beneficiaryId!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => User, 'id', { name: 'fk_beneficiary_assignments_advisor' })
  advisorId!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  assignedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ type: 'uuid', nullable: true })
  assignedBy!: string | null;
}

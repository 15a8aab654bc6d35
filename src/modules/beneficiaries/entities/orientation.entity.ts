import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity';
import { OrientationPath, ReferentBody } from '../beneficiary.enums';
import { Beneficiary } from './beneficiary.entity';

/** One orientation decision; a new one ends the previous (history kept). */
@Entity({ name: 'orientations' })
@Check('ck_orientations_path', `"path" IN ('professional', 'socio_professional', 'social')`)
@Check('ck_orientations_referent_body', `"referent_body" IN ('departement', 'delegate', 'france_travail', 'mission_locale', 'cap_emploi')`)
@Check('ck_orientations_vulnerable', `NOT "vulnerable" OR "path" = 'social'`)
@Index('uq_orientations_current', ['beneficiaryId'], { unique: true, where: '"ended_on" IS NULL' })
@Index('ix_orientations_beneficiary', ['beneficiaryId', 'decidedOn'])
export class Orientation {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_orientations' })
  id!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => Beneficiary, 'id', { name: 'fk_orientations_beneficiary', onDelete: 'CASCADE' })
  beneficiaryId!: string;

  @Column({ type: 'text' })
  path!: OrientationPath;

  @Column({ type: 'text' })
  referentBody!: ReferentBody;

  @Column({ type: 'date' })
  decidedOn!: string;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'date', nullable: true })
  endedOn!: string | null;

  /** A listed situation of vulnerability, on the social path only: the review comes later (SOCIAL_REVIEW_MONTHS_VULNERABLE). */
  @Column({ type: 'boolean', default: false })
  vulnerable!: boolean;

  @Column({ type: 'uuid', nullable: true })
  @ForeignKey(() => User, 'id', { name: 'fk_orientations_decided_by' })
  decidedBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

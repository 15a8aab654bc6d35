import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity';
import { OrientationPath, ReferentBody, ReorientationStatus } from '../beneficiary.enums';
import { Beneficiary } from './beneficiary.entity';
import { Orientation } from './orientation.entity';

/** A request to change a person's orientation, decided by the département: pending → accepted | denied. */
@Entity({ name: 'reorientation_requests' })
@Check('ck_reorientation_requests_status', `"status" IN ('pending', 'accepted', 'denied')`)
@Check('ck_reorientation_requests_path', `"requested_path" IN ('professional', 'socio_professional', 'social')`)
@Check('ck_reorientation_requests_referent_body', `"requested_referent_body" IN ('departement', 'delegate', 'france_travail', 'mission_locale', 'cap_emploi')`)
@Check('ck_reorientation_requests_decision', `("status" = 'pending') = ("decided_at" IS NULL)`)
@Index('uq_reorientation_requests_pending', ['beneficiaryId'], { unique: true, where: `"status" = 'pending'` })
@Index('ix_reorientation_requests_beneficiary', ['beneficiaryId', 'requestedAt'])
export class ReorientationRequest {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_reorientation_requests' })
  id!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => Beneficiary, 'id', { name: 'fk_reorientation_requests_beneficiary', onDelete: 'CASCADE' })
  beneficiaryId!: string;

  /** The orientation in force when the request was made (its referent is told the decision). */
  @Column({ type: 'uuid', nullable: true })
  @ForeignKey(() => Orientation, 'id', { name: 'fk_reorientation_requests_from' })
  fromOrientationId!: string | null;

  @Column({ type: 'text' })
  requestedPath!: OrientationPath;

  @Column({ type: 'text' })
  requestedReferentBody!: ReferentBody;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'text', default: ReorientationStatus.Pending })
  status!: ReorientationStatus;

  @Column({ type: 'text', nullable: true })
  decisionReason!: string | null;

  @Column({ type: 'uuid', nullable: true })
  @ForeignKey(() => User, 'id', { name: 'fk_reorientation_requests_requested_by' })
  requestedBy!: string | null;

  @Column({ type: 'uuid', nullable: true })
  @ForeignKey(() => User, 'id', { name: 'fk_reorientation_requests_decided_by' })
  decidedBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  requestedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;
}

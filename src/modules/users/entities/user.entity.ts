import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Role } from '../../../common/auth/roles';
import { Agency } from '../../agencies/entities/agency.entity';
import { Provider } from '../../providers/entities/provider.entity';

/** A staff account. Managers and advisors belong to an agency, provider staff to a provider. */
@Entity({ name: 'users' })
@Check('ck_users_role', `"role" IN ('admin', 'agency_manager', 'advisor', 'provider', 'analyst')`)
@Check('ck_users_agency', `("role" IN ('agency_manager', 'advisor')) = ("agency_id" IS NOT NULL)`)
@Check('ck_users_provider', `("role" = 'provider') = ("provider_id" IS NOT NULL)`)
@Check('ck_users_caseload_capacity', `"caseload_capacity" >= 0`)
@Index('ix_users_agency_role', ['agencyId', 'role', 'lastName', 'id'])
export class User {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_users' })
  id!: string;

  /** Stored lower-case. */
  @Index('uq_users_email', { unique: true })
  @Column({ type: 'text' })
  email!: string;

  @Column({ type: 'text' })
  passwordHash!: string;

  @Column({ type: 'text' })
  role!: Role;

  @Column({ type: 'text' })
  firstName!: string;

  @Column({ type: 'text' })
  lastName!: string;

  @Column({ type: 'uuid', nullable: true })
  @ForeignKey(() => Agency, 'id', { name: 'fk_users_agency' })
  agencyId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  @ForeignKey(() => Provider, 'id', { name: 'fk_users_provider' })
  providerId!: string | null;

  /** How many beneficiaries an advisor can follow. */
  @Column({ type: 'integer', default: 60 })
  caseloadCapacity!: number;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  lastLoginAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

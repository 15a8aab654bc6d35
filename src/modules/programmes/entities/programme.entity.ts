import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { OrientationPath } from '../../beneficiaries/beneficiary.enums';
import { Commune } from '../../communes/entities/commune.entity';
import { Provider } from '../../providers/entities/provider.entity';
import { ProgrammeType } from '../programme.enums';

/**
 * An insertion programme run by a provider, with a capacity in places.
 * `placesHeld` counts the accepted and started referrals; the CHECK keeps it
 * between 0 and the capacity whatever the code does.
 */
@Entity({ name: 'programmes' })
@Check(
  'ck_programmes_type',
  `"type" IN ('remobilisation', 'project_building', 'training', 'french_language', 'digital_inclusion', 'direct_employment', 'business_creation', 'barrier_removal')`,
)
@Check('ck_programmes_capacity', `"capacity" >= 0`)
@Check('ck_programmes_places_held', `"places_held" >= 0 AND "places_held" <= "capacity"`)
@Check('ck_programmes_dates', `"ends_on" IS NULL OR "ends_on" >= "starts_on"`)
@Check('ck_programmes_weekly_hours', `"weekly_hours" BETWEEN 0 AND 60`)
@Check(
  'ck_programmes_eligible_paths',
  `cardinality("eligible_paths") >= 1 AND "eligible_paths" <@ ARRAY['professional', 'socio_professional', 'social']::text[]`,
)
@Index('ix_programmes_provider_code', ['providerId', 'code', 'id'])
@Index('ix_programmes_commune_code', ['communeCode', 'code', 'id'])
export class Programme {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_programmes' })
  id!: string;

  @Index('uq_programmes_code', { unique: true })
  @Column({ type: 'text' })
  code!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => Provider, 'id', { name: 'fk_programmes_provider' })
  providerId!: string;

  @Column({ type: 'text' })
  type!: ProgrammeType;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'integer' })
  capacity!: number;

  /** Accepted and started referrals; changed only by conditional UPDATEs (ProgrammesService.holdPlace / releasePlace). */
  @Column({ type: 'integer', default: 0 })
  placesHeld!: number;

  @Column({ type: 'date' })
  startsOn!: string;

  @Column({ type: 'date', nullable: true })
  endsOn!: string | null;

  @Column({ type: 'char', length: 5 })
  @ForeignKey(() => Commune, 'inseeCode', { name: 'fk_programmes_commune' })
  communeCode!: string;

  @Column({ type: 'text', array: true })
  eligiblePaths!: OrientationPath[];

  @Column({ type: 'integer', nullable: true })
  weeklyHours!: number | null;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  @VersionColumn({ default: 1 })
  version!: number;
}

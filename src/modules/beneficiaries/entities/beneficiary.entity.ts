import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { Agency } from '../../agencies/entities/agency.entity';
import { Commune } from '../../communes/entities/commune.entity';
import { User } from '../../users/entities/user.entity';
import { CaseStatus, ExitReason, HouseholdRole, OrientationPath, ReferentBody, RightsState } from '../beneficiary.enums';

/**
 * A person receiving the RSA and their case. The NIR is stored encrypted, with
 * a keyed hash for matching. `sortKey` (unaccented upper-case names) orders lists;
 * `nextDueOn` is the earliest pending deadline, for the overdue queues.
 */
@Entity({ name: 'beneficiaries' })
@Check('ck_beneficiaries_caf_number', `"caf_number" ~ '^[0-9]{7}$'`)
@Check('ck_beneficiaries_sex', `"sex" IN ('F', 'M')`)
@Check('ck_beneficiaries_status', `"status" IN ('to_orient', 'oriented', 'in_pathway', 'exited')`)
@Check('ck_beneficiaries_household_role', `"household_role" IN ('DEM', 'CJT')`)
@Check('ck_beneficiaries_rights_state', `"rights_state" IN ('0', '1', '2', '3', '4', '5', '6', 'Z')`)
@Check('ck_beneficiaries_orientation_path', `"orientation_path" IN ('professional', 'socio_professional', 'social')`)
@Check('ck_beneficiaries_referent_body', `"referent_body" IN ('departement', 'delegate', 'france_travail', 'mission_locale', 'cap_emploi')`)
@Check('ck_beneficiaries_exit', `("status" = 'exited') = ("exit_reason" IS NOT NULL AND "exited_on" IS NOT NULL)`)
@Index('ix_beneficiaries_sort', ['sortKey', 'id'])
@Index('ix_beneficiaries_agency_sort', ['agencyId', 'sortKey', 'id'])
@Index('ix_beneficiaries_agency_status_sort', ['agencyId', 'status', 'sortKey', 'id'])
// Oriented cases only, like the advisor indexes below: people to orient (every imported one) have no path.
@Index('ix_beneficiaries_agency_path_sort', ['agencyId', 'orientationPath', 'sortKey', 'id'], { where: '"orientation_path" IS NOT NULL' })
// The advisor indexes hold assigned cases only: new people (imports) arrive unassigned, and no query looks up a NULL advisor through them.
@Index('ix_beneficiaries_advisor_sort', ['advisorId', 'sortKey', 'id'], { where: '"advisor_id" IS NOT NULL' })
@Index('ix_beneficiaries_agency_due', ['agencyId', 'nextDueOn'])
@Index('ix_beneficiaries_advisor_due', ['advisorId', 'nextDueOn'], { where: '"advisor_id" IS NOT NULL' })
@Index('ix_beneficiaries_commune_sort', ['communeCode', 'sortKey', 'id'])
@Index('uq_beneficiaries_caf_birth', ['cafNumber', 'birthDate'], { unique: true, where: '"anonymised_at" IS NULL' })
@Index('ix_beneficiaries_retention', ['lastContactAt'], { where: '"anonymised_at" IS NULL' })
@Index('ix_beneficiaries_search', { synchronize: false })
export class Beneficiary {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_beneficiaries' })
  id!: string;

  /**
   * CAF/MSA file number, 7 digits (left-padded). It is the household's: the
   * applicant and the spouse share it, so a person is one CAF number and one birth date.
   */
  @Column({ type: 'char', length: 7 })
  cafNumber!: string;

  @Column({ type: 'text', nullable: true })
  nirEncrypted!: string | null;

  @Index('uq_beneficiaries_nir_hash', { unique: true, where: '"nir_hash" IS NOT NULL' })
  @Column({ type: 'char', length: 64, nullable: true })
  nirHash!: string | null;

  @Index('ix_beneficiaries_france_travail_id', { where: '"france_travail_id" IS NOT NULL' })
  @Column({ type: 'text', nullable: true })
  franceTravailId!: string | null;

  @Column({ type: 'text' })
  firstName!: string;

  @Column({ type: 'text' })
  lastName!: string;

  @Column({ type: 'text', nullable: true })
  birthName!: string | null;

  @Column({ type: 'date' })
  birthDate!: string;

  @Column({ type: 'char', length: 1 })
  sex!: 'F' | 'M';

  @Column({ type: 'char', length: 5 })
  @ForeignKey(() => Commune, 'inseeCode', { name: 'fk_beneficiaries_commune' })
  communeCode!: string;

  @Column({ type: 'text', nullable: true })
  address!: string | null;

  @Column({ type: 'boolean', default: false })
  noFixedAddress!: boolean;

  @Column({ type: 'text', nullable: true })
  phone!: string | null;

  @Column({ type: 'text', nullable: true })
  email!: string | null;

  @Column({ type: 'char', length: 3, nullable: true })
  householdRole!: HouseholdRole | null;

  @Column({ type: 'char', length: 1, nullable: true })
  rightsState!: RightsState | null;

  @Column({ type: 'boolean', default: true })
  subjectToRightsAndDuties!: boolean;

  @Column({ type: 'date', nullable: true })
  rightsOpenedOn!: string | null;

  @Column({ type: 'text', default: CaseStatus.ToOrient })
  status!: CaseStatus;

  @Column({ type: 'uuid', nullable: true })
  @ForeignKey(() => Agency, 'id', { name: 'fk_beneficiaries_agency' })
  agencyId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  @ForeignKey(() => User, 'id', { name: 'fk_beneficiaries_advisor' })
  advisorId!: string | null;

  @Column({ type: 'text', nullable: true })
  orientationPath!: OrientationPath | null;

  @Column({ type: 'text', nullable: true })
  referentBody!: ReferentBody | null;

  @Column({ type: 'date', nullable: true })
  orientedOn!: string | null;

  @Column({ type: 'date', nullable: true })
  contractSignedOn!: string | null;

  /** Day of the first orientation in the history: kept by a trigger on `orientations`, for the reports. */
  @Column({ type: 'date', nullable: true, insert: false, update: false })
  firstOrientedOn!: string | null;

  /** Day of the first contract signed: kept by a trigger on `contracts`, for the reports. */
  @Column({ type: 'date', nullable: true, insert: false, update: false })
  firstContractSignedOn!: string | null;

  /** End of the last contract: a new one is due from then. */
  @Column({ type: 'date', nullable: true })
  contractEndedOn!: string | null;

  @Column({ type: 'text', nullable: true })
  exitReason!: ExitReason | null;

  @Column({ type: 'date', nullable: true })
  exitedOn!: string | null;

  @Column({ type: 'date', nullable: true })
  orientationDueOn!: string | null;

  @Column({ type: 'date', nullable: true })
  contractDueOn!: string | null;

  @Column({ type: 'date', nullable: true })
  reviewDueOn!: string | null;

  /** The earliest of the pending due dates; null when nothing is due. */
  @Column({ type: 'date', nullable: true })
  nextDueOn!: string | null;

  @Column({ type: 'text' })
  sortKey!: string;

  /** Names without accents or punctuation, upper case: what `q` searches (pg_trgm index). */
  @Column({ type: 'text' })
  searchText!: string;

  /** Last time an advisor or the person acted on the case (RGPD retention clock). */
  @Column({ type: 'timestamptz', default: () => 'now()' })
  lastContactAt!: Date;

  /** Set when the retention job anonymised the person (only statistics remain). */
  @Column({ type: 'timestamptz', nullable: true })
  anonymisedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  @VersionColumn({ default: 1 })
  version!: number;
}

import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { FulfilmentMode } from '../pathway.enums';
import { Operation } from './operation.entity';

const numeric = { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

/**
 * A contract (lot) of an operation, awarded to a company, with its required insertion
 * hours: computed from amount, labour share, insertion rate and hourly cost, or entered
 * directly when the contract states them.
 */
@Entity({ name: 'clause_lots' })
@Check('ck_clause_lots_amount', `"amount" >= 0`)
@Check('ck_clause_lots_labour_share', `"labour_share_percent" > 0 AND "labour_share_percent" <= 100`)
@Check('ck_clause_lots_insertion_rate', `"insertion_rate_percent" > 0 AND "insertion_rate_percent" <= 100`)
@Check('ck_clause_lots_hourly_cost', `"hourly_cost" > 0`)
@Check('ck_clause_lots_required_hours', `"required_hours" >= 0`)
@Check(
  'ck_clause_lots_inputs',
  `"hours_entered" OR ("amount" IS NOT NULL AND "labour_share_percent" IS NOT NULL AND "insertion_rate_percent" IS NOT NULL AND "hourly_cost" IS NOT NULL)`,
)
@Check('ck_clause_lots_fulfilment_mode', `"fulfilment_mode" IN ('direct_hire', 'provision', 'subcontracting_siae')`)
@Check('ck_clause_lots_siret', `"company_siret" ~ '^[0-9]{14}$'`)
@Index('ix_clause_lots_operation', ['operationId', 'label', 'id'])
export class OperationLot {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_clause_lots' })
  id!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => Operation, 'id', { name: 'fk_clause_lots_operation', onDelete: 'CASCADE' })
  operationId!: string;

  /** e.g. "Lot 2 – Gros œuvre". */
  @Column({ type: 'text' })
  label!: string;

  /** Amount of the contract in euros, excluding tax. */
  @Column({ type: 'bigint', nullable: true, transformer: numeric })
  amount!: number | null;

  @Column({ type: 'numeric', precision: 5, scale: 2, nullable: true, transformer: numeric })
  labourSharePercent!: number | null;

  @Column({ type: 'numeric', precision: 5, scale: 2, nullable: true, transformer: numeric })
  insertionRatePercent!: number | null;

  /** Average hourly labour cost in euros. */
  @Column({ type: 'numeric', precision: 8, scale: 2, nullable: true, transformer: numeric })
  hourlyCost!: number | null;

  @Column({ type: 'integer' })
  requiredHours!: number;

  /** true when the required hours were entered as stated in the contract, not computed. */
  @Column({ type: 'boolean', default: false })
  hoursEntered!: boolean;

  @Column({ type: 'text' })
  companyName!: string;

  @Column({ type: 'char', length: 14 })
  companySiret!: string;

  @Column({ type: 'text', default: FulfilmentMode.DirectHire })
  fulfilmentMode!: FulfilmentMode;
}

import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export interface ImportTotals {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export interface ImportError {
  line: number;
  field: string;
  message: string;
}

/**
 * An uploaded beneficiary file (CSV or CAF XML) and its outcome. The file is
 * kept in the row so that any instance's worker can process it.
 */
@Entity({ name: 'beneficiary_imports' })
@Check('ck_beneficiary_imports_status', `"status" IN ('queued', 'running', 'completed', 'failed')`)
@Check('ck_beneficiary_imports_format', `"format" IN ('csv', 'caf_xml')`)
@Index('ix_beneficiary_imports_created', ['createdAt', 'id'])
export class BeneficiaryImport {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_beneficiary_imports' })
  id!: string;

  @Column({ type: 'text', default: 'queued' })
  status!: 'queued' | 'running' | 'completed' | 'failed';

  @Column({ type: 'text' })
  format!: 'csv' | 'caf_xml';

  @Column({ type: 'text' })
  filename!: string;

  /** The file as uploaded; cleared once the import is completed. */
  @Column({ type: 'bytea', nullable: true, select: false })
  content!: Buffer | null;

  @Column({ type: 'jsonb', default: () => `'{"rows": 0, "created": 0, "updated": 0, "rejected": 0, "unchanged": 0}'` })
  totals!: ImportTotals;

  /** Rejected lines, at most the first 1,000. */
  @Column({ type: 'jsonb', default: () => `'[]'` })
  errors!: ImportError[];

  /** Runs started (each crash of a process running it counts); reset by a retry. */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** Why the whole import failed, when it did. */
  @Column({ type: 'text', nullable: true })
  failure!: string | null;

  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}

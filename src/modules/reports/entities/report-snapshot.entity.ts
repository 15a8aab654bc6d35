import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export enum SnapshotKind {
  Agency = 'agency',
  Programme = 'programme',
}

/**
 * A month's figures for one agency or one programme, frozen so that reports to the
 * State survive later corrections and anonymisation. A trigger refuses updates.
 */
@Entity({ name: 'report_snapshots' })
@Index('uq_report_snapshots', ['month', 'kind', 'subjectId'], { unique: true })
@Check('ck_report_snapshots_month', `"month" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`)
@Check('ck_report_snapshots_kind', `"kind" IN ('agency', 'programme')`)
export class ReportSnapshot {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_report_snapshots' })
  id!: string;

  /** YYYY-MM. */
  @Column({ type: 'character', length: 7 })
  month!: string;

  @Column({ type: 'text' })
  kind!: SnapshotKind;

  /** The agency or the programme. */
  @Column({ type: 'uuid' })
  subjectId!: string;

  /** The programme's provider, for provider staff to find their own. */
  @Column({ type: 'uuid', nullable: true })
  providerId!: string | null;

  @Column({ type: 'text' })
  label!: string;

  @Column({ type: 'jsonb' })
  figures!: Record<string, unknown>;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  takenAt!: Date;
}

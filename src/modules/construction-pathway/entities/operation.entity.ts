import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Commune } from '../../communes/entities/commune.entity';

/** A construction operation (site) whose contracts carry social clauses (clauses sociales). */
@Entity({ name: 'clause_operations' })
@Index('ix_clause_operations_name', ['name', 'id'])
export class Operation {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_clause_operations' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  /** The public buyer (maître d'ouvrage): a commune, the département, a social landlord… */
  @Column({ type: 'text' })
  contractingAuthority!: string;

  @Column({ type: 'char', length: 5 })
  @ForeignKey(() => Commune, 'inseeCode', { name: 'fk_clause_operations_commune' })
  communeCode!: string;

  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

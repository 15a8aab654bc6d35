import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Commune } from '../../communes/entities/commune.entity';

/** A structure running insertion programmes (association, SIAE, training body). */
@Entity({ name: 'providers' })
export class Provider {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_providers' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Index('uq_providers_siret', { unique: true })
  @Column({ type: 'char', length: 14 })
  siret!: string;

  @Column({ type: 'char', length: 5 })
  @ForeignKey(() => Commune, 'inseeCode', { name: 'fk_providers_commune' })
  communeCode!: string;

  @Column({ type: 'text', nullable: true })
  email!: string | null;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

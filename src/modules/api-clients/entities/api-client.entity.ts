import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A machine client (France Travail connector, agency front-end back end) using OAuth2 client credentials. */
@Entity({ name: 'api_clients' })
export class ApiClient {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_api_clients' })
  id!: string;

  /** Public identifier sent as `client_id`. */
  @Index('uq_api_clients_client_id', { unique: true })
  @Column({ type: 'text' })
  clientId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  secretHash!: string;

  @Column({ type: 'text', array: true, default: () => `'{}'` })
  scopes!: string[];

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  secretRotatedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

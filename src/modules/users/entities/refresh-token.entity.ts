import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { User } from './user.entity';

/**
 * One issued refresh token (its `jti`), stored as a SHA-256 hash. Tokens of one
 * login form a family: using a rotated token again revokes the whole family.
 */
@Entity({ name: 'refresh_tokens' })
export class RefreshToken {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_refresh_tokens' })
  id!: string;

  @Index('ix_refresh_tokens_user')
  @Column({ type: 'uuid' })
  @ForeignKey(() => User, 'id', { name: 'fk_refresh_tokens_user', onDelete: 'CASCADE' })
  userId!: string;

  @Index('ix_refresh_tokens_family')
  @Column({ type: 'uuid' })
  familyId!: string;

  @Column({ type: 'char', length: 64 })
  tokenHash!: string;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  /** Set when the token was exchanged for a new pair. */
  @Column({ type: 'timestamptz', nullable: true })
  rotatedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A commune of the département (INSEE code) and its établissement public territorial. */
@Entity({ name: 'communes' })
export class Commune {
  @PrimaryColumn({ type: 'char', length: 5, primaryKeyConstraintName: 'pk_communes' })
  inseeCode!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  eptCode!: string;

  @Column({ type: 'text' })
  eptName!: string;

  /** false for a commune merged into another (kept for history). */
  @Column({ type: 'boolean', default: true })
  active!: boolean;
}

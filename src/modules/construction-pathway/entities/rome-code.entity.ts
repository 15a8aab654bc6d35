import { Column, Entity, PrimaryColumn } from 'typeorm';

/** ROME codes of the construction trades (docs/reference-data/rome-construction.csv). */
@Entity({ name: 'rome_codes' })
export class RomeCode {
  @PrimaryColumn({ type: 'char', length: 5, primaryKeyConstraintName: 'pk_rome_codes' })
  code!: string;

  @Column({ type: 'text' })
  label!: string;
}

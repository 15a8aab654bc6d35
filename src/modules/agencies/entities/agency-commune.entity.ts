import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { Commune } from '../../communes/entities/commune.entity';
import { Agency } from './agency.entity';

/** A commune served by an agency: a commune is served by at most one agency (primary key). */
@Entity({ name: 'agency_communes' })
export class AgencyCommune {
  @PrimaryColumn({ type: 'char', length: 5, primaryKeyConstraintName: 'pk_agency_communes' })
  @ForeignKey(() => Commune, 'inseeCode', { name: 'fk_agency_communes_commune' })
  communeCode!: string;

  @Index('ix_agency_communes_agency')
  @Column({ type: 'uuid' })
  @ForeignKey(() => Agency, 'id', { name: 'fk_agency_communes_agency', onDelete: 'CASCADE' })
  agencyId!: string;
}

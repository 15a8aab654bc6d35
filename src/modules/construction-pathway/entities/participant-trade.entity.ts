import { Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { Participant } from './participant.entity';
import { RomeCode } from './rome-code.entity';

/** A target trade of a participant: a ROME code of the reference data (foreign key). */
@Entity({ name: 'pathway_participant_trades' })
@Index('ix_pathway_participant_trades_rome', ['romeCode'])
export class ParticipantTrade {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_pathway_participant_trades' })
  @ForeignKey(() => Participant, 'id', { name: 'fk_pathway_participant_trades_participant', onDelete: 'CASCADE' })
  participantId!: string;

  @PrimaryColumn({ type: 'char', length: 5, primaryKeyConstraintName: 'pk_pathway_participant_trades' })
  @ForeignKey(() => RomeCode, 'code', { name: 'fk_pathway_participant_trades_rome' })
  romeCode!: string;
}

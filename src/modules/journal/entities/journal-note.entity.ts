import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Beneficiary } from '../../beneficiaries/entities/beneficiary.entity';
import { User } from '../../users/entities/user.entity';
import { JournalCategory } from '../journal.enums';

/**
 * A dated note of the journal of a case, written by a staff member. A record:
 * never changed nor deleted. A confidential note is read only by its author,
 * the managers of the person's agency and admins.
 */
@Entity({ name: 'journal_notes' })
@Check('ck_journal_notes_category', `"category" IN ('interview', 'phone_call', 'home_visit', 'partner_exchange', 'administrative', 'other')`)
@Check('ck_journal_notes_body', `char_length("body") BETWEEN 1 AND 10000`)
@Index('ix_journal_notes_beneficiary', ['beneficiaryId', 'occurredOn', 'createdAt', 'id'])
@Index('ix_journal_notes_author', ['authorId'])
export class JournalNote {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_journal_notes' })
  id!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => Beneficiary, 'id', { name: 'fk_journal_notes_beneficiary', onDelete: 'CASCADE' })
  beneficiaryId!: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => User, 'id', { name: 'fk_journal_notes_author' })
  authorId!: string;

  @Column({ type: 'text' })
  category!: JournalCategory;

  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'boolean', default: false })
  confidential!: boolean;

  /** The day of the interview, call or visit. */
  @Column({ type: 'date' })
  occurredOn!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsEnum, IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsCalendarDate } from '../../../common/validation/dates';
import { JournalCategory } from '../journal.enums';

export class CreateJournalNoteDto {
  @ApiProperty({ enum: JournalCategory, enumName: 'JournalCategory' })
  @IsEnum(JournalCategory)
  category!: JournalCategory;

  /** The note, 1 to 10,000 characters. @example "Entretien de suivi : a commencé les démarches pour le permis B." */
  @IsString()
  @Length(1, 10000)
  @Matches(/\S/, { message: 'body must not be blank' })
  body!: string;

  /** Read only by its author, the managers of the person's agency and admins. Default false. */
  @IsOptional()
  @IsBoolean()
  confidential?: boolean;

  /** The day it happened; today when absent. @example "2026-11-05" */
  @IsOptional()
  @IsCalendarDate({ notFuture: true })
  occurredOn?: string;
}

export class JournalNoteDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ format: 'uuid' })
  beneficiaryId!: string;
  @ApiProperty({ enum: JournalCategory, enumName: 'JournalCategory' })
  category!: JournalCategory;
  body!: string;
  confidential!: boolean;
  @ApiProperty({ format: 'date' })
  occurredOn!: string;
  @ApiProperty({ format: 'uuid' })
  authorId!: string;
  /** First and last name of the author. */
  authorName!: string;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Principal } from '../../common/auth/principal';
import { Role } from '../../common/auth/roles';
import { Actor } from '../../common/context/actor';
import { decodeCursor, Page, toPage } from '../../common/pagination/pagination';
import { Sql, isoMicros } from '../../database/sql';
import { AuditService } from '../audit/audit.service';
import { CaseAccessService } from '../beneficiaries/case-access.service';
import { CaseFileService } from '../beneficiaries/case-file.service';
import { today } from '../../common/time/local-day';
import { CreateJournalNoteDto, JournalNoteDto } from './dto/journal-note.dto';
import { JournalNote } from './entities/journal-note.entity';
import { journalNoteNotFound } from './journal.errors';

const NOTE_COLUMNS = `n.id, n.beneficiary_id AS "beneficiaryId", n.category, n.body, n.confidential,
       to_char(n.occurred_on, 'YYYY-MM-DD') AS "occurredOn", n.author_id AS "authorId",
       u.first_name || ' ' || u.last_name AS "authorName",
       ${isoMicros('n.created_at')} AS "createdAt"`;

/** `n.confidential` notes only for their author ($2) unless the reader sees them all ($3). */
const READABLE = `($3::boolean OR NOT n.confidential OR n.author_id = $2::uuid)`;

/**
 * The journal of a case: dated notes by agency staff, never changed nor
 * deleted. Confidential notes are read by their author, the managers of the
 * person's agency and admins only; machine clients never reach the journal.
 */
@Injectable()
export class JournalService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sql: Sql,
    private readonly access: CaseAccessService,
    private readonly caseFile: CaseFileService,
    private readonly audit: AuditService,
  ) {}

  async create(actor: Actor, beneficiaryId: string, input: CreateJournalNoteDto): Promise<JournalNoteDto> {
    const id = await this.dataSource.transaction(async (manager) => {
      const b = await this.access.findWritable(actor.principal, beneficiaryId, manager);
      const note = await manager.save(
        manager.create(JournalNote, {
          beneficiaryId,
          authorId: actor.principal.id,
          category: input.category,
          body: input.body,
          confidential: input.confidential ?? false,
          occurredOn: input.occurredOn ?? today(),
        }),
      );
      await this.caseFile.touch(manager, beneficiaryId);
      await this.caseFile.event(manager, actor, b, {
        type: 'journal.note_added',
        summary: `Journal note added: ${note.category}`,
        data: { noteId: note.id, category: note.category, confidential: note.confidential },
      });
      await this.audit.record(
        actor,
        { action: 'journal_note.create', resourceType: 'beneficiary', resourceId: beneficiaryId, details: { noteId: note.id, category: note.category, confidential: note.confidential } },
        manager,
      );
      return note.id;
    });
    return this.get(actor.principal, beneficiaryId, id);
  }

  /** Newest first: by the day it happened, then by when it was written. */
  async list(principal: Principal, beneficiaryId: string, query: { limit: number; cursor?: string }): Promise<Page<JournalNoteDto>> {
    await this.access.findVisible(principal, beneficiaryId);
    const [on, at, id] = query.cursor ? (decodeCursor(query.cursor, ['string', 'timestamp', 'uuid']) as [string, string, string]) : [null, null, null];
    const rows = await this.sql.rows<JournalNoteDto>(
      `SELECT ${NOTE_COLUMNS}
         FROM journal_notes n JOIN users u ON u.id = n.author_id
        WHERE n.beneficiary_id = $1 AND ${READABLE}
          AND ($4::date IS NULL OR (n.occurred_on, n.created_at, n.id) < ($4::date, $5::timestamptz, $6::uuid))
        ORDER BY n.occurred_on DESC, n.created_at DESC, n.id DESC
        LIMIT $7`,
      [beneficiaryId, principal.id, this.readsAll(principal), on, at, id, query.limit + 1],
    );
    return toPage(rows, query.limit, (n) => [n.occurredOn, n.createdAt, n.id], (n) => n);
  }

  /** One note, or 404 when absent or confidential for this reader. */
  async get(principal: Principal, beneficiaryId: string, noteId: string): Promise<JournalNoteDto> {
    await this.access.findVisible(principal, beneficiaryId);
    const [note] = await this.sql.rows<JournalNoteDto>(
      `SELECT ${NOTE_COLUMNS}
         FROM journal_notes n JOIN users u ON u.id = n.author_id
        WHERE n.beneficiary_id = $1 AND ${READABLE} AND n.id = $4`,
      [beneficiaryId, principal.id, this.readsAll(principal), noteId],
    );
    if (!note) throw journalNoteNotFound();
    return note;
  }

  /** Admins and the agency's managers read confidential notes (the case is already known to be of their agency). */
  private readsAll(principal: Principal): boolean {
    return principal.role === Role.Admin || principal.role === Role.AgencyManager;
  }
}

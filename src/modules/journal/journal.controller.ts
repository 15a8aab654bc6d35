import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../../common/auth/access.decorator';
import { Role } from '../../common/auth/roles';
import { Actor, CurrentActor } from '../../common/context/actor';
import { IdParam } from '../../common/http/id-param';
import { ApiPageResponse } from '../../common/pagination/page.dto';
import { Page } from '../../common/pagination/pagination';
import { PaginationQueryDto } from '../../common/pagination/pagination-query.dto';
import { AuditRead } from '../audit/audit-read.interceptor';
import { CreateJournalNoteDto, JournalNoteDto } from './dto/journal-note.dto';
import { JournalService } from './journal.service';

/** Agency staff and admins only: no machine client, whatever its scopes. */
const STAFF = [Role.Admin, Role.AgencyManager, Role.Advisor];
const CONFIDENTIAL_NOTE = 'A confidential note is read only by its author, the managers of the person\'s agency and admins; for anyone else it does not exist.';

@ApiTags('journal')
@Controller('beneficiaries/:id/journal')
export class JournalController {
  constructor(private readonly journal: JournalService) {}

  @Post()
  @Access({ roles: STAFF })
  @ApiOperation({
    operationId: 'createJournalNote',
    summary: 'Add a dated note to the journal. A journal is a record: notes are never changed or deleted (no PATCH, no DELETE).',
    description: CONFIDENTIAL_NOTE,
  })
  @ApiCreatedResponse({ type: JournalNoteDto })
  create(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: CreateJournalNoteDto): Promise<JournalNoteDto> {
    return this.journal.create(actor, id, body);
  }

  @Get()
  @Access({ roles: STAFF })
  @AuditRead('beneficiary')
  @ApiOperation({ operationId: 'listJournalNotes', summary: 'The journal, newest first (by the day it happened, then by writing time).', description: CONFIDENTIAL_NOTE })
  @ApiPageResponse(JournalNoteDto)
  list(@CurrentActor() actor: Actor, @IdParam() id: string, @Query() query: PaginationQueryDto): Promise<Page<JournalNoteDto>> {
    return this.journal.list(actor.principal, id, query);
  }

  @Get(':noteId')
  @Access({ roles: STAFF })
  @AuditRead('beneficiary')
  @ApiOperation({ operationId: 'getJournalNote', summary: 'One journal note.', description: CONFIDENTIAL_NOTE })
  @ApiOkResponse({ type: JournalNoteDto })
  get(@CurrentActor() actor: Actor, @IdParam() id: string, @IdParam('noteId') noteId: string): Promise<JournalNoteDto> {
    return this.journal.get(actor.principal, id, noteId);
  }
}

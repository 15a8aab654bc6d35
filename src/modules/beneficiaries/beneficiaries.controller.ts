import { Body, Controller, Get, Headers, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Access } from '../../common/auth/access.decorator';
import { Role, Scope } from '../../common/auth/roles';
import { Actor, CurrentActor } from '../../common/context/actor';
import { IdParam } from '../../common/http/id-param';
import { ApiPageResponse } from '../../common/pagination/page.dto';
import { Page } from '../../common/pagination/pagination';
import { PaginationQueryDto } from '../../common/pagination/pagination-query.dto';
import { AuditRead } from '../audit/audit-read.interceptor';
import { TimelineItem, TimelineService } from '../timeline/timeline.service';
import { BeneficiariesService } from './beneficiaries.service';
import { CaseAccessService } from './case-access.service';
import {
  BeneficiaryDto,
  BeneficiarySummaryDto,
  CreateBeneficiaryDto,
  ListBeneficiariesQueryDto,
  ReferredBeneficiaryDto,
  UpdateBeneficiaryDto,
} from './dto/beneficiary.dto';
import { AssignmentDto, ExitInputDto, TimelineEventDto, TransferCaseloadDto } from './dto/case-actions.dto';
import { AgencyCaseloadSummaryDto } from './dto/caseload-summary.dto';
import { IF_MATCH_HEADER } from '../../common/http/if-match';

const STAFF = [Role.Admin, Role.AgencyManager, Role.Advisor];
const MANAGERS = [Role.Admin, Role.AgencyManager];
/** The list and the case itself: providers too, for the people referred to their programmes (minimal view). */
const READERS = [...STAFF, Role.Provider];

/** Sends the case with its ETag (its version). */
function withEtag<T extends BeneficiaryDto | ReferredBeneficiaryDto>(reply: FastifyReply, b: T): T {
  // A provider's view has no version: it cannot change the case.
  if ('version' in b) void reply.header('etag', `"${b.version}"`);
  return b;
}

@ApiTags('beneficiaries')
@Controller('beneficiaries')
export class BeneficiariesController {
  constructor(
    private readonly beneficiaries: BeneficiariesService,
    private readonly access: CaseAccessService,
    private readonly timeline: TimelineService,
  ) {}

  @Post()
  @Access({ roles: STAFF, scopes: [Scope.BeneficiariesWrite] })
  @ApiOperation({ operationId: 'createBeneficiary', summary: 'Open a case; the agency is the one serving the commune, the status `to_orient`.' })
  @ApiUnprocessableEntityResponse({ description: 'OUTSIDE_AGENCY_TERRITORY: the commune is served by another agency.' })
  @ApiConflictResponse({ description: 'CAF_NUMBER_TAKEN: the person is already registered.' })
  @ApiCreatedResponse({ type: BeneficiaryDto })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateBeneficiaryDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<BeneficiaryDto> {
    return withEtag(reply, await this.beneficiaries.create(actor, body));
  }

  @Get()
  @Access({ roles: READERS, scopes: [Scope.BeneficiariesRead] })
  @ApiOperation({
    operationId: 'listBeneficiaries',
    summary: 'Cases by name, filtered; agency staff see their agency.',
    description:
      'A provider gets the people referred to its programmes, each as a `ReferredBeneficiary` (minimal identity), and may filter ' +
      'by `q` (last and first names: not a CAF number, nor the birth name), `communeCode` and `orientationPath` only: `agencyId`, `advisorId`, `status`, `overdue` or a CAF number give 403.',
  })
  @ApiPageResponse([BeneficiarySummaryDto, ReferredBeneficiaryDto])
  list(@CurrentActor() actor: Actor, @Query() query: ListBeneficiariesQueryDto): Promise<Page<BeneficiarySummaryDto | ReferredBeneficiaryDto>> {
    return this.beneficiaries.list(actor.principal, query);
  }

  @Get(':id')
  @Access({ roles: READERS, scopes: [Scope.BeneficiariesRead] })
  @AuditRead('beneficiary')
  @ApiOperation({
    operationId: 'getBeneficiary',
    summary: 'One case, with its ETag.',
    description: 'A provider gets a person referred to its programmes as a `ReferredBeneficiary` (minimal identity, no ETag); anyone else, 404.',
  })
  @ApiExtraModels(ReferredBeneficiaryDto)
  @ApiOkResponse({ schema: { oneOf: [{ $ref: getSchemaPath(BeneficiaryDto) }, { $ref: getSchemaPath(ReferredBeneficiaryDto) }] } })
  async get(@CurrentActor() actor: Actor, @IdParam() id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<BeneficiaryDto | ReferredBeneficiaryDto> {
    return withEtag(reply, await this.beneficiaries.get(actor.principal, id));
  }

  @Patch(':id')
  @Access({ roles: STAFF, scopes: [Scope.BeneficiariesWrite] })
  @ApiOperation({ operationId: 'updateBeneficiary', summary: 'Change identity, contacts or rights; send `If-Match` with the ETag you read.' })
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOkResponse({ type: BeneficiaryDto })
  @ApiPreconditionFailedResponse({ description: 'The case changed since it was read.' })
  async update(
    @CurrentActor() actor: Actor,
    @IdParam() id: string,
    @Body() body: UpdateBeneficiaryDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BeneficiaryDto> {
    return withEtag(reply, await this.beneficiaries.update(actor, id, body, ifMatch));
  }

  @Post(':id/assignment')
  @HttpCode(200)
  @Access({ roles: MANAGERS, scopes: [Scope.BeneficiariesWrite] })
  @ApiOperation({ operationId: 'assignBeneficiary', summary: 'Assign the case to an advisor of its agency.' })
  @ApiUnprocessableEntityResponse({ description: 'INVALID_ADVISOR: not an active advisor of the person\'s agency.' })
  @ApiOkResponse({ type: BeneficiaryDto })
  async assign(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: AssignmentDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<BeneficiaryDto> {
    return withEtag(reply, await this.beneficiaries.assign(actor, id, body.advisorId));
  }

  @Post(':id/exit')
  @HttpCode(200)
  @Access({ roles: STAFF, scopes: [Scope.BeneficiariesWrite] })
  @ApiOperation({ operationId: 'exitBeneficiary', summary: 'Record the exit from the scheme, with its reason and date.' })
  @ApiUnprocessableEntityResponse({ description: 'ALREADY_EXITED' })
  @ApiOkResponse({ type: BeneficiaryDto })
  async exit(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: ExitInputDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<BeneficiaryDto> {
    return withEtag(reply, await this.beneficiaries.exit(actor, id, body));
  }

  @Post(':id/reentry')
  @HttpCode(200)
  @Access({ roles: STAFF, scopes: [Scope.BeneficiariesWrite] })
  @ApiOperation({ operationId: 'reenterBeneficiary', summary: 'Re-open an exited case where it was.' })
  @ApiUnprocessableEntityResponse({ description: 'NOT_EXITED' })
  @ApiOkResponse({ type: BeneficiaryDto })
  async reenter(@CurrentActor() actor: Actor, @IdParam() id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<BeneficiaryDto> {
    return withEtag(reply, await this.beneficiaries.reenter(actor, id));
  }

  @Get(':id/timeline')
  @Access({ roles: STAFF, scopes: [Scope.BeneficiariesRead] })
  @AuditRead('beneficiary')
  @ApiOperation({ operationId: 'getBeneficiaryTimeline', summary: 'Every dated event of the case, newest first.' })
  @ApiPageResponse(TimelineEventDto)
  async timelineOf(@CurrentActor() actor: Actor, @IdParam() id: string, @Query() query: PaginationQueryDto): Promise<Page<TimelineItem>> {
    const b = await this.access.findVisible(actor.principal, id);
    return this.timeline.list(id, query, this.access.seesSensitive(actor.principal, b));
  }

  @Get(':id/export')
  @Access({ roles: MANAGERS })
  @ApiOperation({ operationId: 'exportBeneficiary', summary: 'Everything held on the person (right of access, GDPR art. 15).' })
  @ApiOkResponse({ description: 'The whole file as JSON.', schema: { type: 'object', additionalProperties: true } })
  export(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<Record<string, unknown>> {
    return this.beneficiaries.export(actor, id);
  }
}

@ApiTags('beneficiaries')
@Controller('agencies/:id/caseload-summary')
export class AgencyCaseloadController {
  constructor(private readonly beneficiaries: BeneficiariesService) {}

  @Get()
  @Access({ roles: STAFF })
  @ApiOperation({ operationId: 'getAgencyCaseloadSummary', summary: "The agency's open, overdue, unassigned and to-orient cases, and each advisor's caseload." })
  @ApiOkResponse({ type: AgencyCaseloadSummaryDto })
  summary(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<AgencyCaseloadSummaryDto> {
    return this.beneficiaries.agencySummary(actor.principal, id);
  }
}

@ApiTags('beneficiaries')
@Controller('caseload-transfers')
export class CaseloadTransfersController {
  constructor(private readonly beneficiaries: BeneficiariesService) {}

  @Post()
  @HttpCode(200)
  @Access({ roles: MANAGERS })
  @ApiOperation({ operationId: 'transferCaseload', summary: 'Move every open case of one advisor to another advisor of the same agency.' })
  @ApiUnprocessableEntityResponse({ description: 'INVALID_ADVISOR: both must be active advisors of the same agency (of the manager\'s agency for a manager).' })
  @ApiOkResponse({ schema: { type: 'object', properties: { transferred: { type: 'integer' } }, required: ['transferred'] } })
  transfer(@CurrentActor() actor: Actor, @Body() body: TransferCaseloadDto): Promise<{ transferred: number }> {
    return this.beneficiaries.transferCaseload(actor, body.fromAdvisorId, body.toAdvisorId);
  }
}

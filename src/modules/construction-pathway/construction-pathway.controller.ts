import { Body, Controller, Get, Headers, HttpCode, Param, ParseIntPipe, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPreconditionFailedResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Access } from '../../common/auth/access.decorator';
import { Role, Scope } from '../../common/auth/roles';
import { Actor, CurrentActor } from '../../common/context/actor';
import { ValidationFailedException } from '../../common/errors/app.exception';
import { ApiJsonOrCsvResponse, sendCsv, wantsCsv } from '../../common/http/csv';
import { IdParam } from '../../common/http/id-param';
import { ApiPageResponse } from '../../common/pagination/page.dto';
import { Page } from '../../common/pagination/pagination';
import { PaginationQueryDto } from '../../common/pagination/pagination-query.dto';
import { AuditRead } from '../audit/audit-read.interceptor';
import { CohortService } from './cohort.service';
import { AlertDto, DashboardDto, DashboardQueryDto, ListAlertsQueryDto, TradeDto } from './dto/cohort.dto';
import {
  CreateLotDto,
  CreateOperationDto,
  HoursDto,
  ListHoursQueryDto,
  ListOperationsQueryDto,
  OperationDto,
  RecordedHoursDto,
  RecordHoursDto,
} from './dto/operation.dto';
import {
  CreateEmploymentDto,
  CreateParticipantDto,
  CreateStepDto,
  EmploymentDto,
  ExitParticipantDto,
  ListParticipantsQueryDto,
  ParticipantDto,
  RecordFollowUpDto,
  StepDto,
  UpdateEmploymentDto,
  UpdateParticipantDto,
  UpdateStepDto,
} from './dto/participant.dto';
import { OperationsService } from './operations.service';
import { ParticipantsService } from './participants.service';
import { IF_MATCH_HEADER } from '../../common/http/if-match';

/** Agency staff and admins work on participants (the case's scope); analysts get aggregated figures only. */
const CASE_STAFF = [Role.Admin, Role.AgencyManager, Role.Advisor];
const READ = [Scope.ConstructionRead, Scope.ConstructionWrite];
const WRITE = [Scope.ConstructionWrite];

function withEtag(reply: FastifyReply, p: ParticipantDto): ParticipantDto {
  void reply.header('etag', `"${p.version}"`);
  return p;
}

/** The follow-up month of the path: 1, 3 or 6. */
const MonthParam = () =>
  Param('month', new ParseIntPipe({ exceptionFactory: () => new ValidationFailedException([{ field: 'month', message: 'month must be 1, 3 or 6' }]) }));

@ApiTags('construction pathway')
@Controller('construction-pathway')
export class ConstructionPathwayController {
  constructor(
    private readonly participants: ParticipantsService,
    private readonly operations: OperationsService,
    private readonly cohort: CohortService,
  ) {}

  // ---------------------------------------------------------------- reference, alerts, dashboard

  @Get('trades')
  @Access({ roles: Object.values(Role), scopes: [Scope.ReferenceRead, ...READ] })
  @ApiOperation({ operationId: 'listTrades', summary: 'The construction trades of the pathway: ROME codes of family F and their labels.', description: 'Every staff role.' })
  @ApiPageResponse(TradeDto)
  trades(@Query() query: PaginationQueryDto): Promise<Page<TradeDto>> {
    return this.cohort.trades(query);
  }

  @Get('alerts')
  @Access({ roles: CASE_STAFF, scopes: READ })
  @ApiOperation({
    operationId: 'listPathwayAlerts',
    summary: 'Participants without a solution: no planned or in-progress step for more than PATHWAY_WITHOUT_SOLUTION_DAYS days (30), longest first.',
    description: 'Admins (filter `agencyId`) and the staff of the person\'s agency.',
  })
  @ApiPageResponse(AlertDto)
  alerts(@CurrentActor() actor: Actor, @Query() query: ListAlertsQueryDto): Promise<Page<AlertDto>> {
    return this.cohort.alerts(actor.principal, query);
  }

  @Get('dashboard')
  @Access({ roles: [Role.Admin, Role.AgencyManager, Role.Advisor, Role.Analyst], scopes: READ })
  @ApiOperation({
    operationId: 'getPathwayDashboard',
    summary: 'Cohort KPIs against the target: enrolled, per stage, with an active step, without a solution, in (lasting) employment, clause hours.',
    description: 'Admins and analysts (all agencies or one); agency staff their own agency (another agency: 404). `Accept: text/csv` gives one CSV row.',
  })
  @ApiJsonOrCsvResponse(DashboardDto)
  @ApiNotFoundResponse({ description: 'AGENCY_NOT_FOUND' })
  async dashboard(
    @CurrentActor() actor: Actor,
    @Query() query: DashboardQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DashboardDto | string> {
    const dashboard = await this.cohort.dashboard(actor.principal, query);
    return wantsCsv(accept) ? sendCsv(reply, 'construction-pathway-dashboard', [dashboard as unknown as Record<string, unknown>], query.separator) : dashboard;
  }

  // ---------------------------------------------------------------- participants

  @Post('participants')
  @Access({ roles: CASE_STAFF, scopes: WRITE })
  @ApiOperation({
    operationId: 'enrolParticipant',
    summary: 'Enrol a beneficiary in the pathway (once), with target trades (ROME codes from GET /trades).',
    description: 'Admins and the staff of the person\'s agency (advisors: their caseload). 400 for an unknown ROME code.',
  })
  @ApiNotFoundResponse({ description: 'BENEFICIARY_NOT_FOUND: no person in the scope of the caller has this id.' })
  @ApiCreatedResponse({ type: ParticipantDto })
  @ApiConflictResponse({ description: 'PARTICIPANT_ALREADY_ENROLLED' })
  @ApiUnprocessableEntityResponse({ description: 'CASE_EXITED, INVALID_ADVISOR' })
  async enrol(@CurrentActor() actor: Actor, @Body() body: CreateParticipantDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<ParticipantDto> {
    return withEtag(reply, await this.participants.enrol(actor, body));
  }

  @Get('participants')
  @Access({ roles: CASE_STAFF, scopes: READ })
  @ApiOperation({ operationId: 'listParticipants', summary: 'Participants, most recently enrolled first; filters `stage`, `withoutSolution`, `advisorId`.' })
  @ApiPageResponse(ParticipantDto)
  list(@CurrentActor() actor: Actor, @Query() query: ListParticipantsQueryDto): Promise<Page<ParticipantDto>> {
    return this.participants.list(actor.principal, query);
  }

  @Get('participants/:id')
  @Access({ roles: CASE_STAFF, scopes: READ })
  @AuditRead('participant')
  @ApiOperation({ operationId: 'getParticipant', summary: 'One participant, with the current stage derived from the steps, and the ETag.' })
  @ApiOkResponse({ type: ParticipantDto })
  @ApiNotFoundResponse({ description: 'PARTICIPANT_NOT_FOUND' })
  async get(@CurrentActor() actor: Actor, @IdParam() id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<ParticipantDto> {
    return withEtag(reply, await this.participants.get(actor.principal, id));
  }

  @Patch('participants/:id')
  @Access({ roles: CASE_STAFF, scopes: WRITE })
  @ApiOperation({ operationId: 'updateParticipant', summary: 'Change the target trades, sourcing channel or advisor; send `If-Match` with the ETag you read.' })
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOkResponse({ type: ParticipantDto })
  @ApiPreconditionFailedResponse({ description: 'The participant changed since it was read.' })
  @ApiUnprocessableEntityResponse({ description: 'PARTICIPANT_EXITED, INVALID_ADVISOR' })
  async update(
    @CurrentActor() actor: Actor,
    @IdParam() id: string,
    @Body() body: UpdateParticipantDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ParticipantDto> {
    return withEtag(reply, await this.participants.update(actor, id, body, ifMatch));
  }

  @Post('participants/:id/exit')
  @HttpCode(200)
  @Access({ roles: CASE_STAFF, scopes: WRITE })
  @ApiOperation({ operationId: 'exitParticipant', summary: 'The participant leaves the pathway, with the reason and date.' })
  @ApiOkResponse({ type: ParticipantDto })
  @ApiUnprocessableEntityResponse({ description: 'PARTICIPANT_ALREADY_EXITED, EXIT_BEFORE_ENROLMENT' })
  exit(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: ExitParticipantDto): Promise<ParticipantDto> {
    return this.participants.exit(actor, id, body);
  }

  // ---------------------------------------------------------------- steps

  @Get('participants/:id/steps')
  @Access({ roles: CASE_STAFF, scopes: READ })
  @AuditRead('participant')
  @ApiOperation({ operationId: 'listParticipantSteps', summary: 'The steps of a participant, in date order.' })
  @ApiPageResponse(StepDto)
  listSteps(@CurrentActor() actor: Actor, @IdParam() id: string, @Query() query: PaginationQueryDto): Promise<Page<StepDto>> {
    return this.participants.listSteps(actor.principal, id, query);
  }

  @Post('participants/:id/steps')
  @Access({ roles: CASE_STAFF, scopes: WRITE })
  @ApiOperation({
    operationId: 'createParticipantStep',
    summary: 'Add a step; with `referralId`, the step is made from the person\'s referral and follows its status.',
    description: 'A referral submitted, waitlisted or accepted gives `planned`; started, `in_progress`; completed, `done`; declined, cancelled, expired or abandoned, `abandoned`.',
  })
  @ApiCreatedResponse({ type: StepDto })
  @ApiConflictResponse({ description: 'REFERRAL_ALREADY_LINKED' })
  @ApiUnprocessableEntityResponse({ description: 'PARTICIPANT_EXITED, UNKNOWN_REFERRAL, UNKNOWN_PROGRAMME, UNKNOWN_OPERATION, STEP_DATES, STEP_FOLLOWS_REFERRAL' })
  createStep(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: CreateStepDto): Promise<StepDto> {
    return this.participants.createStep(actor, id, body);
  }

  @Patch('participants/:id/steps/:stepId')
  @Access({ roles: CASE_STAFF, scopes: WRITE })
  @ApiOperation({ operationId: 'updateParticipantStep', summary: 'Change a step\'s status, dates or note.' })
  @ApiOkResponse({ type: StepDto })
  @ApiUnprocessableEntityResponse({ description: 'INVALID_STEP_TRANSITION, STEP_FOLLOWS_REFERRAL, STEP_DATES, PARTICIPANT_EXITED' })
  updateStep(@CurrentActor() actor: Actor, @IdParam() id: string, @IdParam('stepId') stepId: string, @Body() body: UpdateStepDto): Promise<StepDto> {
    return this.participants.updateStep(actor, id, stepId, body);
  }

  // ---------------------------------------------------------------- employments

  @Get('participants/:id/employments')
  @Access({ roles: CASE_STAFF, scopes: READ })
  @AuditRead('participant')
  @ApiOperation({ operationId: 'listParticipantEmployments', summary: 'The jobs of a participant, latest first, with lasting employment and the follow-ups.' })
  @ApiPageResponse(EmploymentDto)
  listEmployments(@CurrentActor() actor: Actor, @IdParam() id: string, @Query() query: PaginationQueryDto): Promise<Page<EmploymentDto>> {
    return this.participants.listEmployments(actor.principal, id, query);
  }

  @Post('participants/:id/employments')
  @Access({ roles: CASE_STAFF, scopes: WRITE })
  @ApiOperation({
    operationId: 'createParticipantEmployment',
    summary: 'Record a job: its `employment` step, lasting employment, and follow-ups due at 1, 3 and 6 months.',
    description: 'Lasting: a CDI, a business creation, or a CDD or interim contract of 6 months or more.',
  })
  @ApiCreatedResponse({ type: EmploymentDto })
  @ApiUnprocessableEntityResponse({ description: 'PARTICIPANT_EXITED, EMPLOYMENT_DATES, UNKNOWN_OPERATION' })
  createEmployment(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: CreateEmploymentDto): Promise<EmploymentDto> {
    return this.participants.createEmployment(actor, id, body);
  }

  @Patch('participants/:id/employments/:employmentId')
  @Access({ roles: CASE_STAFF, scopes: WRITE })
  @ApiOperation({ operationId: 'updateParticipantEmployment', summary: 'Change the end or the weekly hours of a job; lasting employment and the step follow.' })
  @ApiOkResponse({ type: EmploymentDto })
  @ApiUnprocessableEntityResponse({ description: 'EMPLOYMENT_DATES' })
  updateEmployment(@CurrentActor() actor: Actor, @IdParam() id: string, @IdParam('employmentId') employmentId: string, @Body() body: UpdateEmploymentDto): Promise<EmploymentDto> {
    return this.participants.updateEmployment(actor, id, employmentId, body);
  }

  @Post('participants/:id/employments/:employmentId/follow-ups/:month')
  @HttpCode(200)
  @Access({ roles: CASE_STAFF, scopes: WRITE })
  @ApiOperation({ operationId: 'recordEmploymentFollowUp', summary: 'Record the follow-up contact at 1, 3 or 6 months and its outcome (still employed or not).' })
  @ApiParam({ name: 'month', enum: [1, 3, 6] })
  @ApiOkResponse({ type: EmploymentDto })
  @ApiNotFoundResponse({ description: 'FOLLOW_UP_NOT_FOUND, EMPLOYMENT_NOT_FOUND' })
  @ApiUnprocessableEntityResponse({ description: 'FOLLOW_UP_BEFORE_HIRING' })
  recordFollowUp(
    @CurrentActor() actor: Actor,
    @IdParam() id: string,
    @IdParam('employmentId') employmentId: string,
    @MonthParam() month: number,
    @Body() body: RecordFollowUpDto,
  ): Promise<EmploymentDto> {
    return this.participants.recordFollowUp(actor, id, employmentId, month, body);
  }

  // ---------------------------------------------------------------- operations

  @Post('operations')
  @Access({ roles: [Role.Admin, Role.AgencyManager], scopes: WRITE })
  @ApiOperation({
    operationId: 'createOperation',
    summary: 'Create a construction operation with its social-clause lots; required hours = amount × labour share × insertion rate ÷ hourly cost.',
    description: 'Admins and agency managers.',
  })
  @ApiCreatedResponse({ type: OperationDto })
  @ApiUnprocessableEntityResponse({ description: 'UNKNOWN_COMMUNE' })
  createOperation(@CurrentActor() actor: Actor, @Body() body: CreateOperationDto): Promise<OperationDto> {
    return this.operations.create(actor, body);
  }

  @Get('operations')
  @Access({ roles: [Role.Admin, Role.AgencyManager, Role.Advisor, Role.Analyst], scopes: READ })
  @ApiOperation({ operationId: 'listOperations', summary: 'Operations by name, with hours required, worked and remaining.' })
  @ApiPageResponse(OperationDto)
  listOperations(@Query() query: ListOperationsQueryDto): Promise<Page<OperationDto>> {
    return this.operations.list(query);
  }

  @Get('operations/:id')
  @Access({ roles: [Role.Admin, Role.AgencyManager, Role.Advisor, Role.Analyst], scopes: READ })
  @ApiOperation({ operationId: 'getOperation', summary: 'One operation with its lots and hours required, worked and remaining.' })
  @ApiOkResponse({ type: OperationDto })
  @ApiNotFoundResponse({ description: 'OPERATION_NOT_FOUND' })
  getOperation(@IdParam() id: string): Promise<OperationDto> {
    return this.operations.get(id);
  }

  @Post('operations/:id/lots')
  @Access({ roles: [Role.Admin, Role.AgencyManager], scopes: WRITE })
  @ApiOperation({ operationId: 'addOperationLot', summary: 'Add a lot (contract and awarded company) to an operation.', description: 'Admins and agency managers.' })
  @ApiCreatedResponse({ type: OperationDto })
  addLot(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: CreateLotDto): Promise<OperationDto> {
    return this.operations.addLot(actor, id, body);
  }

  @Post('operations/:id/hours')
  @HttpCode(200)
  @Access({ roles: CASE_STAFF, scopes: WRITE })
  @ApiOperation({
    operationId: 'recordOperationHours',
    summary: 'Hours a participant worked on the operation in a month; one row per participant and month, a correction replaces it.',
    description: 'Admins and the staff of the participant\'s agency (advisors: their caseload).',
  })
  @ApiOkResponse({ type: RecordedHoursDto })
  @ApiNotFoundResponse({ description: 'OPERATION_NOT_FOUND' })
  @ApiUnprocessableEntityResponse({ description: 'UNKNOWN_PARTICIPANT, HOURS_MONTH_IN_FUTURE, HOURS_BEFORE_ENROLMENT, PARTICIPANT_EXITED' })
  recordHours(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: RecordHoursDto): Promise<RecordedHoursDto> {
    return this.operations.recordHours(actor, id, body);
  }

  @Get('operations/:id/hours')
  @Access({ roles: CASE_STAFF, scopes: READ })
  @ApiOperation({ operationId: 'listOperationHours', summary: 'Monthly hours of the participants the caller sees, newest month first.' })
  @ApiPageResponse(HoursDto)
  listHours(@CurrentActor() actor: Actor, @IdParam() id: string, @Query() query: ListHoursQueryDto): Promise<Page<HoursDto>> {
    return this.operations.listHours(actor.principal, id, query);
  }
}

import { Body, Controller, Get, Headers, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Access } from '../../common/auth/access.decorator';
import { Role } from '../../common/auth/roles';
import { Actor, CurrentActor } from '../../common/context/actor';
import { ApiJsonOrCsvResponse, CsvQueryDto, flatten, sendCsv, wantsCsv } from '../../common/http/csv';
import { AgenciesReportDto, OverviewDto, ProgrammesReportDto, SnapshotsDto, TakeSnapshotResultDto } from './dto/report.dto';
import { OverviewQueryDto, ProgrammesReportQueryDto, SnapshotsQueryDto, TakeSnapshotDto } from './dto/report-query.dto';
import { resolvePeriod } from './report-period';
import { ReportsService } from './reports.service';
import { SnapshotsService } from './snapshots.service';

const CSV_NOTE = 'JSON by default; `Accept: text/csv` gives CSV (RFC 4180, UTF-8 with a BOM; `separator=semicolon` for French spreadsheets).';

@ApiTags('reports')
@Controller('reports')
export class ReportsController {
  constructor(
    private readonly reports: ReportsService,
    private readonly snapshots: SnapshotsService,
  ) {}

  @Get('overview')
  @Access({ roles: [Role.Admin, Role.AgencyManager, Role.Analyst] })
  @ApiOperation({
    operationId: 'getOverviewReport',
    summary: 'Cases by status and path, orientation and contract deadlines kept, overdue cases, exits by reason, over a period.',
    description: `Admins and analysts: the département, or one agency or EPT; agency managers: their agency. ${CSV_NOTE} The CSV has one line per indicator.`,
  })
  @ApiJsonOrCsvResponse(OverviewDto)
  @ApiNotFoundResponse({ description: 'AGENCY_NOT_FOUND: an unknown agency, or another agency than the manager’s.' })
  async overview(
    @CurrentActor() actor: Actor,
    @Query() query: OverviewQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OverviewDto | string> {
    const scope = await this.reports.overviewScope(actor.principal, query);
    const overview = await this.reports.overview(scope, resolvePeriod(query));
    if (!wantsCsv(accept)) return overview;
    const lines = Object.entries(flatten({ ...overview })).map(([indicator, value]) => ({ indicator, value }));
    return sendCsv(reply, 'overview', lines, query.separator);
  }

  @Get('agencies')
  @Access({ roles: [Role.Admin, Role.AgencyManager, Role.Analyst] })
  @ApiOperation({
    operationId: 'getAgenciesReport',
    summary: 'Per agency: caseload, advisors, caseload per advisor against capacity, overdue cases.',
    description: `Admins and analysts: every agency; agency managers: their own. ${CSV_NOTE}`,
  })
  @ApiJsonOrCsvResponse(AgenciesReportDto)
  async agencies(
    @CurrentActor() actor: Actor,
    @Query() query: CsvQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AgenciesReportDto | string> {
    const data = await this.reports.agencies(actor.principal);
    return wantsCsv(accept) ? sendCsv(reply, 'agencies', data as unknown as Record<string, unknown>[], query.separator) : { data };
  }

  @Get('programmes')
  @Access({ roles: [Role.Admin, Role.AgencyManager, Role.Provider, Role.Analyst] })
  @ApiOperation({
    operationId: 'getProgrammesReport',
    summary: 'Occupancy of the active programmes (capacity, held, in progress, free, waitlist) and referral outcomes over a period, per programme, type, provider or EPT.',
    description: `Admins, analysts and agency managers: every programme; provider staff: their own. ${CSV_NOTE}`,
  })
  @ApiJsonOrCsvResponse(ProgrammesReportDto)
  async programmes(
    @CurrentActor() actor: Actor,
    @Query() query: ProgrammesReportQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProgrammesReportDto | string> {
    const period = resolvePeriod(query);
    const data = await this.reports.programmes(actor.principal, query.groupBy, period);
    if (wantsCsv(accept)) return sendCsv(reply, `programmes-by-${query.groupBy}`, data as unknown as Record<string, unknown>[], query.separator);
    return { groupBy: query.groupBy, period, data };
  }

  @Get('snapshots')
  @Access({ roles: [Role.Admin, Role.AgencyManager, Role.Provider, Role.Analyst] })
  @ApiOperation({
    operationId: 'listReportSnapshots',
    summary: 'The figures frozen for a month, per agency and per programme.',
    description: 'Admins and analysts: all; agency managers: their agency and the programmes; provider staff: their programmes.',
  })
  @ApiOkResponse({ type: SnapshotsDto })
  async listSnapshots(@CurrentActor() actor: Actor, @Query() query: SnapshotsQueryDto): Promise<SnapshotsDto> {
    return { month: query.month, data: await this.snapshots.list(actor.principal, query.month) };
  }

  @Post('snapshots')
  @Access({ roles: [Role.Admin] })
  @ApiOperation({
    operationId: 'takeReportSnapshots',
    summary: 'Freeze a month already over now (the monthly job does it on the 1st); what is frozen already is kept.',
    description: 'Admins.',
  })
  @ApiCreatedResponse({ type: TakeSnapshotResultDto })
  @ApiUnprocessableEntityResponse({ description: 'MONTH_NOT_OVER' })
  async takeSnapshots(@CurrentActor() actor: Actor, @Body() body: TakeSnapshotDto): Promise<TakeSnapshotResultDto> {
    return { month: body.month, written: await this.snapshots.takeAsAdmin(actor, body.month) };
  }
}

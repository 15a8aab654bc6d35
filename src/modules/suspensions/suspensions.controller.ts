import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Access } from '../../common/auth/access.decorator';
import { Role } from '../../common/auth/roles';
import { Actor, CurrentActor } from '../../common/context/actor';
import { IdParam } from '../../common/http/id-param';
import { ApiPageResponse } from '../../common/pagination/page.dto';
import { Page } from '../../common/pagination/pagination';
import { PaginationQueryDto } from '../../common/pagination/pagination-query.dto';
import { AuditRead } from '../audit/audit-read.interceptor';
import { DecideSuspensionDto, LiftSuspensionDto, OpenSuspensionDto, SuspensionProcedureDto } from './dto/suspension.dto';
import { SuspensionsService } from './suspensions.service';

const STAFF = [Role.Admin, Role.AgencyManager, Role.Advisor];
const MANAGERS = [Role.Admin, Role.AgencyManager];

@ApiTags('suspensions')
@Controller('beneficiaries/:id/suspensions')
export class SuspensionsController {
  constructor(private readonly suspensions: SuspensionsService) {}

  @Post()
  @Access({ roles: STAFF })
  @ApiOperation({
    operationId: 'openSuspension',
    summary: 'Open a suspension procedure on a failure to meet the obligations (one open procedure per person).',
    description: 'For a person subject to rights and duties whose right is open (CAF state 2, 3 or 4, or unknown), not exited. Advisors open it for their own caseload.',
  })
  @ApiCreatedResponse({ type: SuspensionProcedureDto })
  @ApiConflictResponse({ description: 'SUSPENSION_ALREADY_OPEN' })
  @ApiUnprocessableEntityResponse({ description: 'CASE_EXITED; NOT_SUBJECT_TO_OBLIGATIONS' })
  open(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: OpenSuspensionDto): Promise<SuspensionProcedureDto> {
    return this.suspensions.open(actor, id, body);
  }

  @Get()
  @Access({ roles: STAFF })
  @AuditRead('beneficiary')
  @ApiOperation({ operationId: 'listSuspensions', summary: 'The suspension procedures of the case, newest opened first, a page at a time.' })
  @ApiPageResponse(SuspensionProcedureDto)
  list(@CurrentActor() actor: Actor, @IdParam() id: string, @Query() query: PaginationQueryDto): Promise<Page<SuspensionProcedureDto>> {
    return this.suspensions.list(actor.principal, id, query);
  }

  @Get(':suspensionId')
  @Access({ roles: STAFF })
  @AuditRead('beneficiary')
  @ApiOperation({ operationId: 'getSuspension', summary: 'One suspension procedure.' })
  @ApiOkResponse({ type: SuspensionProcedureDto })
  get(@CurrentActor() actor: Actor, @IdParam() id: string, @IdParam('suspensionId') suspensionId: string): Promise<SuspensionProcedureDto> {
    return this.suspensions.get(actor.principal, id, suspensionId);
  }

  @Post(':suspensionId/decide')
  @HttpCode(200)
  @Access({ roles: MANAGERS })
  @ApiOperation({
    operationId: 'decideSuspension',
    summary: 'Decide, after the person was heard: a suspension of part of the allowance for a time, or no sanction.',
    description:
      'A suspension takes `SUSPENSION_MIN_RATE_PERCENT` (30) to 100 % of the allowance, at most `SUSPENSION_HOUSEHOLD_MAX_RATE_PERCENT` (50) for a household of more than one person, ' +
      'for 1 to `SUSPENSION_MAX_MONTHS` (2) months, `SUSPENSION_REPEATED_MAX_MONTHS` (4) when the person was suspended before. `endsOn` is computed.',
  })
  @ApiOkResponse({ type: SuspensionProcedureDto })
  @ApiUnprocessableEntityResponse({ description: 'INVALID_SUSPENSION_TRANSITION: not open; SUSPENSION_TERMS: rate or months outside the rules; SUSPENSION_DATES' })
  decide(@CurrentActor() actor: Actor, @IdParam() id: string, @IdParam('suspensionId') suspensionId: string, @Body() body: DecideSuspensionDto): Promise<SuspensionProcedureDto> {
    return this.suspensions.decide(actor, id, suspensionId, body);
  }

  @Post(':suspensionId/lift')
  @HttpCode(200)
  @Access({ roles: MANAGERS })
  @ApiOperation({ operationId: 'liftSuspension', summary: 'Lift a decided suspension before its end: the person meets the obligations again.' })
  @ApiOkResponse({ type: SuspensionProcedureDto })
  @ApiUnprocessableEntityResponse({ description: 'INVALID_SUSPENSION_TRANSITION: not a decided suspension; SUSPENSION_DATES' })
  lift(@CurrentActor() actor: Actor, @IdParam() id: string, @IdParam('suspensionId') suspensionId: string, @Body() body: LiftSuspensionDto): Promise<SuspensionProcedureDto> {
    return this.suspensions.lift(actor, id, suspensionId, body);
  }
}

import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Access } from '../../common/auth/access.decorator';
import { Role, Scope } from '../../common/auth/roles';
import { Actor, CurrentActor } from '../../common/context/actor';
import { IdParam } from '../../common/http/id-param';
import { ApiPageResponse } from '../../common/pagination/page.dto';
import { Page } from '../../common/pagination/pagination';
import { AuditRead } from '../audit/audit-read.interceptor';
import { BarriersService } from './barriers.service';
import { BarrierDto, CreateBarrierDto, ListBarriersQueryDto, ResolveBarrierDto, UpdateBarrierDto } from './dto/barrier.dto';

const STAFF = [Role.Admin, Role.AgencyManager, Role.Advisor];
const HEALTH_NOTE = 'Health barriers are seen only by admins and the agency staff of the person: for anyone else they do not exist (hidden from the list, 404).';

@ApiTags('barriers')
@Controller('beneficiaries/:id/barriers')
export class BarriersController {
  constructor(private readonly barriers: BarriersService) {}

  @Post()
  @Access({ roles: STAFF, scopes: [Scope.BeneficiariesWrite] })
  @ApiOperation({ operationId: 'createBarrier', summary: 'Record a barrier on one theme (one unresolved barrier per theme).', description: HEALTH_NOTE })
  @ApiCreatedResponse({ type: BarrierDto })
  @ApiConflictResponse({ description: 'BARRIER_ALREADY_OPEN: an unresolved barrier on this theme exists.' })
  create(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: CreateBarrierDto): Promise<BarrierDto> {
    return this.barriers.create(actor, id, body);
  }

  @Get()
  @Access({ roles: STAFF, scopes: [Scope.BeneficiariesRead] })
  @AuditRead('beneficiary')
  @ApiOperation({ operationId: 'listBarriers', summary: 'The barriers of the case, newest identified first, a page at a time.', description: HEALTH_NOTE })
  @ApiPageResponse(BarrierDto)
  list(@CurrentActor() actor: Actor, @IdParam() id: string, @Query() query: ListBarriersQueryDto): Promise<Page<BarrierDto>> {
    return this.barriers.list(actor.principal, id, query);
  }

  @Get(':barrierId')
  @Access({ roles: STAFF, scopes: [Scope.BeneficiariesRead] })
  @AuditRead('beneficiary')
  @ApiOperation({ operationId: 'getBarrier', summary: 'One barrier.', description: HEALTH_NOTE })
  @ApiOkResponse({ type: BarrierDto })
  get(@CurrentActor() actor: Actor, @IdParam() id: string, @IdParam('barrierId') barrierId: string): Promise<BarrierDto> {
    return this.barriers.get(actor.principal, id, barrierId);
  }

  @Patch(':barrierId')
  @Access({ roles: STAFF, scopes: [Scope.BeneficiariesWrite] })
  @ApiOperation({ operationId: 'updateBarrier', summary: 'Re-assess an unresolved barrier (severity, note).' })
  @ApiOkResponse({ type: BarrierDto })
  @ApiUnprocessableEntityResponse({ description: 'BARRIER_RESOLVED: a resolved barrier no longer changes.' })
  update(@CurrentActor() actor: Actor, @IdParam() id: string, @IdParam('barrierId') barrierId: string, @Body() body: UpdateBarrierDto): Promise<BarrierDto> {
    return this.barriers.update(actor, id, barrierId, body);
  }

  @Post(':barrierId/resolve')
  @HttpCode(200)
  @Access({ roles: STAFF, scopes: [Scope.BeneficiariesWrite] })
  @ApiOperation({ operationId: 'resolveBarrier', summary: 'Record that the barrier is lifted.' })
  @ApiOkResponse({ type: BarrierDto })
  @ApiUnprocessableEntityResponse({ description: 'BARRIER_RESOLVED: already resolved; BARRIER_DATES: resolved before it was identified.' })
  resolve(@CurrentActor() actor: Actor, @IdParam() id: string, @IdParam('barrierId') barrierId: string, @Body() body: ResolveBarrierDto): Promise<BarrierDto> {
    return this.barriers.resolve(actor, id, barrierId, body);
  }
}

import { Body, Controller, Get, Headers, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiPreconditionFailedResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Access } from '../../common/auth/access.decorator';
import { Role, Scope, STAFF_ROLES } from '../../common/auth/roles';
import { Actor, CurrentActor } from '../../common/context/actor';
import { IdParam } from '../../common/http/id-param';
import { ApiPageResponse } from '../../common/pagination/page.dto';
import { Page } from '../../common/pagination/pagination';
import { CreateProgrammeDto, ListProgrammesQueryDto, OccupancyByDto, OccupancyByQueryDto, OccupancyDto, ProgrammeDto, UpdateProgrammeDto } from './dto/programme.dto';
import { ProgrammesService } from './programmes.service';
import { IF_MATCH_HEADER } from '../../common/http/if-match';

/** Sends the programme with its ETag (its version). */
function withEtag(reply: FastifyReply, p: ProgrammeDto): ProgrammeDto {
  void reply.header('etag', `"${p.version}"`);
  return p;
}

@ApiTags('programmes')
@Controller('programmes')
export class ProgrammesController {
  constructor(private readonly programmes: ProgrammesService) {}

  @Post()
  @Access({ roles: [Role.Admin] })
  @ApiOperation({ operationId: 'createProgramme', summary: 'Create a programme of a provider, with its capacity in places. Admins.' })
  @ApiCreatedResponse({ type: ProgrammeDto })
  @ApiConflictResponse({ description: 'PROGRAMME_CODE_TAKEN' })
  @ApiUnprocessableEntityResponse({ description: 'UNKNOWN_PROVIDER, UNKNOWN_COMMUNE, PROGRAMME_DATES' })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateProgrammeDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<ProgrammeDto> {
    return withEtag(reply, await this.programmes.create(actor, body));
  }

  @Get()
  @Access({ roles: STAFF_ROLES, scopes: [Scope.ProgrammesRead] })
  @ApiOperation({ operationId: 'listProgrammes', summary: 'Programmes by code, with their free places; provider staff see their own.' })
  @ApiNotFoundResponse({ description: 'BENEFICIARY_NOT_FOUND: `eligibleFor` names no person in the scope of the caller.' })
  @ApiPageResponse(ProgrammeDto)
  list(@CurrentActor() actor: Actor, @Query() query: ListProgrammesQueryDto): Promise<Page<ProgrammeDto>> {
    return this.programmes.list(actor.principal, query);
  }

  @Get('occupancy')
  @Access({ roles: STAFF_ROLES, scopes: [Scope.ProgrammesRead] })
  @ApiOperation({
    operationId: 'getOccupancyBy',
    summary: 'Occupancy of the active programmes, each or summed by type, provider or EPT.',
    description: 'Every staff role; provider staff get their own programmes only.',
  })
  @ApiOkResponse({ type: OccupancyByDto })
  async occupancyBy(@CurrentActor() actor: Actor, @Query() query: OccupancyByQueryDto): Promise<OccupancyByDto> {
    return { groupBy: query.groupBy, data: await this.programmes.occupancyBy(actor.principal, query.groupBy) };
  }

  @Get(':id')
  @Access({ roles: STAFF_ROLES, scopes: [Scope.ProgrammesRead] })
  @ApiOperation({ operationId: 'getProgramme', summary: 'One programme, with its ETag.' })
  @ApiOkResponse({ type: ProgrammeDto })
  async get(@CurrentActor() actor: Actor, @IdParam() id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<ProgrammeDto> {
    return withEtag(reply, await this.programmes.get(actor.principal, id));
  }

  @Patch(':id')
  @Access({ roles: [Role.Admin, Role.Provider] })
  @ApiOperation({
    operationId: 'updateProgramme',
    summary: 'Change a programme; send `If-Match` with the ETag you read.',
    description: 'Admins change any field; provider staff only the description and capacity of their own programmes. The capacity cannot go below the places held.',
  })
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOkResponse({ type: ProgrammeDto })
  @ApiPreconditionFailedResponse({ description: 'The programme changed since it was read.' })
  @ApiUnprocessableEntityResponse({ description: 'CAPACITY_BELOW_HELD, PROGRAMME_DATES, UNKNOWN_COMMUNE' })
  async update(
    @CurrentActor() actor: Actor,
    @IdParam() id: string,
    @Body() body: UpdateProgrammeDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProgrammeDto> {
    return withEtag(reply, await this.programmes.update(actor, id, body, ifMatch));
  }

  @Get(':id/occupancy')
  @Access({ roles: STAFF_ROLES, scopes: [Scope.ProgrammesRead] })
  @ApiOperation({ operationId: 'getProgrammeOccupancy', summary: 'Places held, started, free and waiting, and the average wait before acceptance.' })
  @ApiOkResponse({ type: OccupancyDto })
  occupancy(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<OccupancyDto> {
    return this.programmes.occupancy(actor.principal, id);
  }
}

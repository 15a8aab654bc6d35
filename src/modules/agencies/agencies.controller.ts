import { Body, Controller, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../../common/http/id-param';
import { Access } from '../../common/auth/access.decorator';
import { Role, Scope, STAFF_ROLES } from '../../common/auth/roles';
import { Actor, CurrentActor } from '../../common/context/actor';
import { ApiPageResponse } from '../../common/pagination/page.dto';
import { Page } from '../../common/pagination/pagination';
import { AgenciesService } from './agencies.service';
import { AgencyDto, CreateAgencyDto, ListAgenciesQueryDto, UpdateAgencyDto } from './dto/agency.dto';

@ApiTags('agencies')
@Controller('agencies')
export class AgenciesController {
  constructor(private readonly agencies: AgenciesService) {}

  @Post()
  @Access({ roles: [Role.Admin] })
  @ApiOperation({ operationId: 'createAgency', summary: 'Create an agency (ALI) and the communes it serves.' })
  @ApiConflictResponse({ description: 'AGENCY_CODE_TAKEN: another agency has this code.' })
  @ApiCreatedResponse({ type: AgencyDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreateAgencyDto): Promise<AgencyDto> {
    return this.agencies.create(actor, body);
  }

  @Get()
  @Access({ roles: STAFF_ROLES, scopes: [Scope.ReferenceRead] })
  @ApiOperation({ operationId: 'listAgencies', summary: 'The agencies, by code.' })
  @ApiPageResponse(AgencyDto)
  list(@Query() query: ListAgenciesQueryDto): Promise<Page<AgencyDto>> {
    return this.agencies.list(query);
  }

  @Get(':id')
  @Access({ roles: STAFF_ROLES, scopes: [Scope.ReferenceRead] })
  @ApiOperation({ operationId: 'getAgency', summary: 'One agency.' })
  @ApiOkResponse({ type: AgencyDto })
  get(@IdParam() id: string): Promise<AgencyDto> {
    return this.agencies.get(id);
  }

  @Patch(':id')
  @Access({ roles: [Role.Admin] })
  @ApiOperation({ operationId: 'updateAgency', summary: 'Change an agency; `communeCodes` replaces its territory, `active: false` frees it.' })
  @ApiOkResponse({ type: AgencyDto })
  update(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: UpdateAgencyDto): Promise<AgencyDto> {
    return this.agencies.update(actor, id, body);
  }
}

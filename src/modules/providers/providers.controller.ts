import { Body, Controller, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../../common/http/id-param';
import { Access } from '../../common/auth/access.decorator';
import { Role, Scope, STAFF_ROLES } from '../../common/auth/roles';
import { Actor, CurrentActor } from '../../common/context/actor';
import { ApiPageResponse } from '../../common/pagination/page.dto';
import { Page } from '../../common/pagination/pagination';
import { CreateProviderDto, ListProvidersQueryDto, ProviderDto, UpdateProviderDto } from './dto/provider.dto';
import { ProvidersService } from './providers.service';

@ApiTags('providers')
@Controller('providers')
export class ProvidersController {
  constructor(private readonly providers: ProvidersService) {}

  @Post()
  @Access({ roles: [Role.Admin] })
  @ApiOperation({ operationId: 'createProvider', summary: 'Register a structure running insertion programmes.' })
  @ApiConflictResponse({ description: 'SIRET_TAKEN' })
  @ApiCreatedResponse({ type: ProviderDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreateProviderDto): Promise<ProviderDto> {
    return this.providers.create(actor, body);
  }

  @Get()
  @Access({ roles: STAFF_ROLES, scopes: [Scope.ReferenceRead, Scope.ProgrammesRead] })
  @ApiOperation({ operationId: 'listProviders', summary: 'Providers by name (provider staff: their own).' })
  @ApiPageResponse(ProviderDto)
  list(@CurrentActor() actor: Actor, @Query() query: ListProvidersQueryDto): Promise<Page<ProviderDto>> {
    return this.providers.list(actor.principal, query);
  }

  @Get(':id')
  @Access({ roles: STAFF_ROLES, scopes: [Scope.ReferenceRead, Scope.ProgrammesRead] })
  @ApiOperation({ operationId: 'getProvider', summary: 'One provider.' })
  @ApiOkResponse({ type: ProviderDto })
  get(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<ProviderDto> {
    return this.providers.get(actor.principal, id);
  }

  @Patch(':id')
  @Access({ roles: [Role.Admin] })
  @ApiOperation({ operationId: 'updateProvider', summary: 'Change a provider.' })
  @ApiOkResponse({ type: ProviderDto })
  update(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: UpdateProviderDto): Promise<ProviderDto> {
    return this.providers.update(actor, id, body);
  }
}

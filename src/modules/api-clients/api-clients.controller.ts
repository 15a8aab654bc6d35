import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../../common/http/id-param';
import { Access } from '../../common/auth/access.decorator';
import { Role } from '../../common/auth/roles';
import { Actor, CurrentActor } from '../../common/context/actor';
import { ApiPageResponse } from '../../common/pagination/page.dto';
import { Page } from '../../common/pagination/pagination';
import { ApiClientsService } from './api-clients.service';
import { ApiClientDto, ApiClientWithSecretDto, CreateApiClientDto, ListApiClientsQueryDto, UpdateApiClientDto } from './dto/api-client.dto';

@ApiTags('api clients')
@Controller('api-clients')
export class ApiClientsController {
  constructor(private readonly clients: ApiClientsService) {}

  @Post()
  @Access({ roles: [Role.Admin] })
  @ApiOperation({ operationId: 'createApiClient', summary: 'Create a machine client; its secret is shown once.' })
  @ApiCreatedResponse({ type: ApiClientWithSecretDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreateApiClientDto): Promise<ApiClientWithSecretDto> {
    return this.clients.create(actor, body);
  }

  @Get()
  @Access({ roles: [Role.Admin] })
  @ApiOperation({ operationId: 'listApiClients', summary: 'Machine clients by name.' })
  @ApiPageResponse(ApiClientDto)
  list(@Query() query: ListApiClientsQueryDto): Promise<Page<ApiClientDto>> {
    return this.clients.list(query);
  }

  @Get(':id')
  @Access({ roles: [Role.Admin] })
  @ApiOperation({ operationId: 'getApiClient', summary: 'One machine client.' })
  @ApiOkResponse({ type: ApiClientDto })
  get(@IdParam() id: string): Promise<ApiClientDto> {
    return this.clients.get(id);
  }

  @Patch(':id')
  @Access({ roles: [Role.Admin] })
  @ApiOperation({ operationId: 'updateApiClient', summary: 'Rename, change scopes, or revoke (`active: false`).' })
  @ApiOkResponse({ type: ApiClientDto })
  update(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: UpdateApiClientDto): Promise<ApiClientDto> {
    return this.clients.update(actor, id, body);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @Access({ roles: [Role.Admin] })
  @ApiOperation({ operationId: 'rotateApiClientSecret', summary: 'Replace the secret; the old one stops working at once.' })
  @ApiOkResponse({ type: ApiClientWithSecretDto })
  rotate(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<ApiClientWithSecretDto> {
    return this.clients.rotateSecret(actor, id);
  }
}

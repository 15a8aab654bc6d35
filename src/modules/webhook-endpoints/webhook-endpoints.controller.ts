import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../../common/auth/access.decorator';
import { Role, Scope } from '../../common/auth/roles';
import { Actor, CurrentActor } from '../../common/context/actor';
import { IdParam } from '../../common/http/id-param';
import { ApiPageResponse } from '../../common/pagination/page.dto';
import { Page } from '../../common/pagination/pagination';
import {
  CreateWebhookEndpointDto,
  ListDeliveriesQueryDto,
  ListWebhookEndpointsQueryDto,
  UpdateWebhookEndpointDto,
  WebhookDeliveryDetailDto,
  WebhookDeliveryDto,
  WebhookEndpointDto,
  WebhookEndpointWithSecretDto,
} from './dto/webhook-endpoint.dto';
import { WebhookEndpointsService } from './webhook-endpoints.service';

const MANAGERS = { roles: [Role.Admin], scopes: [Scope.WebhooksManage] };

/** Admins manage every endpoint; a machine client (`webhooks:manage`) only those it created: another's answers 404. */
@ApiTags('webhooks')
@Controller('webhook-endpoints')
export class WebhookEndpointsController {
  constructor(private readonly endpoints: WebhookEndpointsService) {}

  @Post()
  @Access(MANAGERS)
  @ApiOperation({
    operationId: 'createWebhookEndpoint',
    summary: 'Subscribe a URL to event types; the signing secret is in the answer, and only there.',
    description: 'http(s) only; loopback and private addresses are refused (400) unless WEBHOOK_ALLOW_PRIVATE_URLS is set. Event types: docs/webhooks.md.',
  })
  @ApiCreatedResponse({ type: WebhookEndpointWithSecretDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreateWebhookEndpointDto): Promise<WebhookEndpointWithSecretDto> {
    return this.endpoints.create(actor, body);
  }

  @Get()
  @Access(MANAGERS)
  @ApiOperation({ operationId: 'listWebhookEndpoints', summary: 'Webhook endpoints, oldest first (never their secrets): all of them for an admin, its own for a machine client.' })
  @ApiPageResponse(WebhookEndpointDto)
  list(@CurrentActor() actor: Actor, @Query() query: ListWebhookEndpointsQueryDto): Promise<Page<WebhookEndpointDto>> {
    return this.endpoints.list(actor.principal, query);
  }

  @Get(':id')
  @Access(MANAGERS)
  @ApiOperation({ operationId: 'getWebhookEndpoint', summary: 'One webhook endpoint.' })
  @ApiOkResponse({ type: WebhookEndpointDto })
  get(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<WebhookEndpointDto> {
    return this.endpoints.get(actor.principal, id);
  }

  @Patch(':id')
  @Access(MANAGERS)
  @ApiOperation({ operationId: 'updateWebhookEndpoint', summary: 'Change the URL, event types, description, or enable/disable (enabling clears a 410 disablement).' })
  @ApiOkResponse({ type: WebhookEndpointDto })
  update(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: UpdateWebhookEndpointDto): Promise<WebhookEndpointDto> {
    return this.endpoints.update(actor, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Access(MANAGERS)
  @ApiOperation({ operationId: 'deleteWebhookEndpoint', summary: 'Delete the endpoint and its deliveries.' })
  @ApiNoContentResponse()
  remove(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<void> {
    return this.endpoints.remove(actor, id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @Access(MANAGERS)
  @ApiOperation({
    operationId: 'rotateWebhookEndpointSecret',
    summary: 'A new signing secret, shown once; the previous one keeps signing beside it until `previousSecretExpiresAt`.',
  })
  @ApiOkResponse({ type: WebhookEndpointWithSecretDto })
  rotateSecret(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<WebhookEndpointWithSecretDto> {
    return this.endpoints.rotateSecret(actor, id);
  }

  @Post(':id/test')
  @HttpCode(202)
  @Access(MANAGERS)
  @ApiOperation({ operationId: 'testWebhookEndpoint', summary: 'Send a `ping` event to the endpoint now; the answer is the queued delivery.' })
  @ApiAcceptedResponse({ type: WebhookDeliveryDetailDto })
  @ApiConflictResponse({ description: 'WEBHOOK_ENDPOINT_DISABLED' })
  test(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<WebhookDeliveryDetailDto> {
    return this.endpoints.test(actor, id);
  }

  @Get(':id/deliveries')
  @Access(MANAGERS)
  @ApiOperation({ operationId: 'listWebhookDeliveries', summary: 'Deliveries to the endpoint, newest first: status, attempts, last response code, next attempt.' })
  @ApiPageResponse(WebhookDeliveryDto)
  deliveries(@CurrentActor() actor: Actor, @IdParam() id: string, @Query() query: ListDeliveriesQueryDto): Promise<Page<WebhookDeliveryDto>> {
    return this.endpoints.deliveries(actor.principal, id, query);
  }

  @Get(':id/deliveries/:deliveryId')
  @Access(MANAGERS)
  @ApiOperation({ operationId: 'getWebhookDelivery', summary: 'One delivery, with the outcome of each attempt.' })
  @ApiOkResponse({ type: WebhookDeliveryDetailDto })
  delivery(@CurrentActor() actor: Actor, @IdParam() id: string, @IdParam('deliveryId') deliveryId: string): Promise<WebhookDeliveryDetailDto> {
    return this.endpoints.delivery(actor.principal, id, deliveryId);
  }

  @Post(':id/deliveries/:deliveryId/retry')
  @HttpCode(202)
  @Access(MANAGERS)
  @ApiOperation({
    operationId: 'retryWebhookDelivery',
    summary: 'Replay a delivery now, with the same `webhook-id` and body (a delivered or failed one starts a new round of retries).',
  })
  @ApiAcceptedResponse({ type: WebhookDeliveryDetailDto })
  @ApiConflictResponse({ description: 'WEBHOOK_DELIVERY_IN_PROGRESS' })
  retry(@CurrentActor() actor: Actor, @IdParam() id: string, @IdParam('deliveryId') deliveryId: string): Promise<WebhookDeliveryDetailDto> {
    return this.endpoints.retry(actor, id, deliveryId);
  }
}

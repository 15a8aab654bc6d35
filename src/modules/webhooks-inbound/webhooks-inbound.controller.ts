import { Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnsupportedMediaTypeResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access, Public } from '../../common/auth/access.decorator';
import { Role } from '../../common/auth/roles';
import { Actor, CurrentActor } from '../../common/context/actor';
import { IdParam } from '../../common/http/id-param';
import { ApiPageResponse } from '../../common/pagination/page.dto';
import { Page } from '../../common/pagination/pagination';
import { FRANCE_TRAVAIL_EVENT_MODELS, InboxAckDto } from './dto/france-travail-event.dto';
import { InboxEntryDto, ListInboxQueryDto } from './dto/inbox.dto';
import { WEBHOOK_SIGNATURE_MAX_LENGTH, WebhookInboxService } from './webhook-inbox.service';
import { unsupportedMediaType } from './webhooks-inbound.errors';

@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksInboundController {
  constructor(private readonly inbox: WebhookInboxService) {}

  @Post('france-travail')
  @Public()
  @RouteConfig({ rawBody: true })
  @ApiOperation({
    operationId: 'receiveFranceTravailEvent',
    summary: 'Receive a France Travail event, signed per Standard Webhooks.',
    description:
      'No bearer token: the Standard Webhooks signature (`webhook-id`, `webhook-timestamp`, `webhook-signature`) over the raw body, ' +
      'with a secret of `FRANCE_TRAVAIL_WEBHOOK_SECRET`, within ±5 minutes. 202 once stored (processing is asynchronous); ' +
      '200 with `duplicate: true` for a `webhook-id` already received (not processed again); 400 for a malformed body, which is stored as `rejected`. ' +
      'Schemas of each event type: docs/webhooks.md.',
  })
  @ApiExtraModels(...FRANCE_TRAVAIL_EVENT_MODELS)
  @ApiBody({ schema: { oneOf: FRANCE_TRAVAIL_EVENT_MODELS.map((m) => ({ $ref: getSchemaPath(m) })), discriminator: { propertyName: 'type' } } })
  @ApiHeader({ name: 'webhook-id', required: true, schema: { type: 'string', maxLength: 200, pattern: '^[\\x21-\\x7e]+$' }, description: 'Unique id of the message; a repeated id is acknowledged without processing.' })
  @ApiHeader({ name: 'webhook-timestamp', required: true, schema: { type: 'string', maxLength: 12, pattern: '^\\d{1,12}$' }, description: 'Unix time in seconds of the signature.' })
  @ApiHeader({ name: 'webhook-signature', required: true, schema: { type: 'string', maxLength: WEBHOOK_SIGNATURE_MAX_LENGTH }, description: 'Space-separated `v1,<base64 HMAC-SHA256>` signatures (longer: 401 WEBHOOK_SIGNATURE_INVALID).' })
  @ApiAcceptedResponse({ type: InboxAckDto, description: 'Stored; processed asynchronously.' })
  @ApiOkResponse({ type: InboxAckDto, description: 'Already received: acknowledged, not processed again.' })
  @ApiBadRequestResponse({ description: 'WEBHOOK_PAYLOAD_INVALID: the body does not follow the schema of its type (stored as rejected).' })
  @ApiUnauthorizedResponse({ description: 'WEBHOOK_SIGNATURE_MISSING, WEBHOOK_SIGNATURE_INVALID or WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE.' })
  @ApiUnsupportedMediaTypeResponse({ description: 'UNSUPPORTED_MEDIA_TYPE: a form or multipart body (send application/json).' })
  @ApiServiceUnavailableResponse({ description: 'WEBHOOKS_NOT_CONFIGURED: no secret is configured.' })
  async receive(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<InboxAckDto> {
    const { created, ack } = await this.inbox.receive(request.headers, rawBytes(request));
    void reply.status(created ? 202 : 200);
    return ack;
  }

  @Get('inbox')
  @Access({ roles: [Role.Admin] })
  @ApiOperation({ operationId: 'listWebhookInbox', summary: 'Received France Travail events, oldest first; `?status=unmatched` is the reconciliation queue.' })
  @ApiPageResponse(InboxEntryDto)
  list(@Query() query: ListInboxQueryDto): Promise<Page<InboxEntryDto>> {
    return this.inbox.list(query);
  }

  @Get('inbox/:id')
  @Access({ roles: [Role.Admin] })
  @ApiOperation({ operationId: 'getWebhookInboxEntry', summary: 'One received France Travail event.' })
  @ApiOkResponse({ type: InboxEntryDto })
  get(@IdParam() id: string): Promise<InboxEntryDto> {
    return this.inbox.get(id);
  }

  @Post('inbox/:id/reprocess')
  @HttpCode(202)
  @Access({ roles: [Role.Admin] })
  @ApiOperation({
    operationId: 'reprocessWebhookInboxEntry',
    summary: 'Process an unmatched or failed event again (after fixing the person, e.g. adding the NIR or France Travail id).',
  })
  @ApiAcceptedResponse({ type: InboxEntryDto })
  @ApiConflictResponse({ description: 'INBOX_ENTRY_NOT_REPROCESSABLE: only unmatched and failed entries.' })
  reprocess(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<InboxEntryDto> {
    return this.inbox.reprocess(actor, id);
  }
}

/** The bytes that were signed: JSON bodies are kept raw for this route; a text body is taken as sent; a form or multipart body cannot be checked. */
function rawBytes(request: FastifyRequest): Buffer | undefined {
  if (request.rawBody) return request.rawBody;
  if (typeof request.body === 'string') return Buffer.from(request.body, 'utf8');
  if (request.body !== undefined && request.body !== null) throw unsupportedMediaType();
  return undefined;
}

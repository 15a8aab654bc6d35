import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource, FindOptionsWhere } from 'typeorm';
import { Principal } from '../../common/auth/principal';
import { Role } from '../../common/auth/roles';
import { Actor } from '../../common/context/actor';
import { FieldEncryption } from '../../common/crypto/field-encryption';
import { decodeCursor, Page, toPage } from '../../common/pagination/pagination';
import { beneficiariesConfig, webhooksConfig } from '../../config/configuration';
import { isoMicros, Sql } from '../../database/sql';
import { AuditService } from '../audit/audit.service';
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
import { DeliveryStatus, WebhookDelivery } from './entities/webhook-delivery.entity';
import { WebhookEndpoint } from './entities/webhook-endpoint.entity';
import { checkEndpointUrl } from './url-guard';
import { PING_EVENT } from './webhook-events';
import { deliveryInProgress, deliveryNotFound, endpointDisabled, endpointNotFound, urlRefused } from './webhook-endpoints.errors';
import { WebhookSender } from './webhook-sender';

/** `whsec_` + base64 of 32 random bytes (Standard Webhooks). */
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

const ts = (c: string) => `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const DELIVERY_COLUMNS = `id, endpoint_id AS "endpointId", event_id AS "eventId", message_id AS "messageId", event_type AS "eventType",
  status, attempts, last_response_code AS "lastResponseCode", last_error AS "lastError", ${ts('last_attempt_at')} AS "lastAttemptAt",
  CASE WHEN status = 'pending' THEN ${ts('next_attempt_at')} END AS "nextAttemptAt", ${ts('delivered_at')} AS "deliveredAt",
  payload, ${ts('created_at')} AS "createdAt", ${isoMicros('created_at')} AS "cursorAt"`;
type DeliveryRow = WebhookDeliveryDto & { cursorAt: string };

/**
 * Webhook subscriptions, their secrets, and their deliveries (list, replay, ping). Admins manage
 * every endpoint; a machine client only the endpoints it created: another's is not found (404).
 */
@Injectable()
export class WebhookEndpointsService {
  private readonly crypto: FieldEncryption;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sql: Sql,
    private readonly audit: AuditService,
    private readonly sender: WebhookSender,
    @Inject(webhooksConfig.KEY) private readonly config: ConfigType<typeof webhooksConfig>,
    @Inject(beneficiariesConfig.KEY) keys: ConfigType<typeof beneficiariesConfig>,
  ) {
    this.crypto = new FieldEncryption(keys.nirEncryptionKey, keys.nirHashKey);
  }

  private get repo() {
    return this.dataSource.getRepository(WebhookEndpoint);
  }

  async create(actor: Actor, input: CreateWebhookEndpointDto): Promise<WebhookEndpointWithSecretDto> {
    await this.checkUrl(input.url);
    const secret = newSecret();
    return this.dataSource.transaction(async (manager) => {
      const endpoint = await manager.save(
        manager.create(WebhookEndpoint, {
          url: input.url,
          eventTypes: input.eventTypes,
          description: input.description ?? null,
          enabled: input.enabled ?? true,
          secretEncrypted: this.crypto.encrypt(secret),
          createdBy: actor.principal.id,
        }),
      );
      await this.audit.record(actor, { action: 'webhook_endpoint.create', resourceType: 'webhook_endpoint', resourceId: endpoint.id, details: { eventTypes: input.eventTypes } }, manager);
      return { ...toDto(endpoint), secret };
    });
  }

  async list(principal: Principal, query: ListWebhookEndpointsQueryDto): Promise<Page<WebhookEndpointDto>> {
    const qb = this.repo.createQueryBuilder('e').where(this.isAdmin(principal) ? 'TRUE' : 'e.created_by = :owner', { owner: principal.id }).orderBy("date_trunc('milliseconds', e.created_at)", 'ASC').addOrderBy('e.id', 'ASC').limit(query.limit + 1);
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor, ['timestamp', 'uuid']);
      qb.andWhere("(date_trunc('milliseconds', e.created_at), e.id) > (:at::timestamptz, :id::uuid)", { at, id });
    }
    return toPage(await qb.getMany(), query.limit, (e) => [e.createdAt.toISOString(), e.id], toDto);
  }

  async get(principal: Principal, id: string): Promise<WebhookEndpointDto> {
    return toDto(await this.find(principal, id));
  }

  /**
   * Enabling again clears the reason the system disabled it; pending deliveries then
   * resume: their jobs, which found the endpoint disabled and did nothing, are queued
   * again (at their next attempt time), in the same transaction.
   */
  async update(actor: Actor, id: string, input: UpdateWebhookEndpointDto): Promise<WebhookEndpointDto> {
    if (input.url !== undefined) await this.checkUrl(input.url);
    let resumed = 0;
    const updated = await this.dataSource.transaction(async (manager) => {
      const endpoint = await manager.findOne(WebhookEndpoint, { where: { id, ...this.owned(actor.principal) }, lock: { mode: 'pessimistic_write' } });
      if (!endpoint) throw endpointNotFound();
      const wasEnabled = endpoint.enabled;
      if (input.url !== undefined) endpoint.url = input.url;
      if (input.eventTypes !== undefined) endpoint.eventTypes = input.eventTypes;
      if (input.description !== undefined) endpoint.description = input.description ?? null;
      if (input.enabled !== undefined) {
        endpoint.enabled = input.enabled;
        endpoint.disabledReason = null;
      }
      await manager.save(endpoint);
      if (endpoint.enabled && !wasEnabled) {
        const pending = (await manager.query(
          `SELECT id, next_attempt_at AS "startAfter" FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'pending'`,
          [id],
        )) as { id: string; startAfter: Date | null }[];
        await this.sender.enqueue(manager, pending);
        resumed = pending.length;
      }
      await this.audit.record(actor, { action: 'webhook_endpoint.update', resourceType: 'webhook_endpoint', resourceId: id, details: { fields: Object.keys(input) } }, manager);
      return toDto(endpoint);
    });
    if (resumed) this.sender.wake(resumed);
    return updated;
  }

  /** Deletes the endpoint and its deliveries. */
  async remove(actor: Actor, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const result = await manager.delete(WebhookEndpoint, { id, ...this.owned(actor.principal) });
      if (!result.affected) throw endpointNotFound();
      await this.audit.record(actor, { action: 'webhook_endpoint.delete', resourceType: 'webhook_endpoint', resourceId: id }, manager);
    });
  }

  /** A new secret, shown once; the current one keeps signing beside it for WEBHOOK_SECRET_OVERLAP_SECONDS. */
  async rotateSecret(actor: Actor, id: string): Promise<WebhookEndpointWithSecretDto> {
    const secret = newSecret();
    return this.dataSource.transaction(async (manager) => {
      const endpoint = await manager.findOne(WebhookEndpoint, { where: { id, ...this.owned(actor.principal) }, lock: { mode: 'pessimistic_write' } });
      if (!endpoint) throw endpointNotFound();
      const overlap = this.config.secretOverlapSeconds;
      endpoint.previousSecretEncrypted = overlap > 0 ? endpoint.secretEncrypted : null;
      endpoint.previousSecretExpiresAt = overlap > 0 ? new Date(Date.now() + overlap * 1000) : null;
      endpoint.secretEncrypted = this.crypto.encrypt(secret);
      await manager.save(endpoint);
      await this.audit.record(actor, { action: 'webhook_endpoint.rotate_secret', resourceType: 'webhook_endpoint', resourceId: id }, manager);
      return { ...toDto(endpoint), secret };
    });
  }

  /** Queues a `ping` delivery to the endpoint, sent at once. */
  async test(actor: Actor, id: string): Promise<WebhookDeliveryDetailDto> {
    const endpoint = await this.find(actor.principal, id);
    if (!endpoint.enabled) throw endpointDisabled();
    const deliveryId = randomUUID();
    await this.dataSource.transaction(async (manager) => {
      const now = new Date();
      await manager.insert(WebhookDelivery, {
        id: deliveryId,
        endpointId: id,
        eventId: null,
        messageId: `msg_${deliveryId.replace(/-/g, '')}`,
        eventType: PING_EVENT,
        payload: { type: PING_EVENT, timestamp: now.toISOString(), data: { endpointId: id } },
        occurredAt: now,
      });
      await this.sender.enqueue(manager, [{ id: deliveryId }]);
      await this.audit.record(actor, { action: 'webhook_endpoint.test', resourceType: 'webhook_endpoint', resourceId: id }, manager);
    });
    this.sender.wake(1);
    return this.deliveryOf(id, deliveryId);
  }

  /** Newest first. */
  async deliveries(principal: Principal, endpointId: string, query: ListDeliveriesQueryDto): Promise<Page<WebhookDeliveryDto>> {
    await this.find(principal, endpointId);
    const params: unknown[] = [endpointId];
    const where = ['endpoint_id = $1'];
    if (query.status) {
      params.push(query.status);
      where.push(`status = $${params.length}`);
    }
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor, ['timestamp', 'uuid']);
      params.push(at, id);
      where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(query.limit + 1);
    const rows = await this.sql.rows<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return toPage(rows, query.limit, (r) => [r.cursorAt, r.id], stripCursor);
  }

  /** One delivery with the outcome of each attempt. */
  async delivery(principal: Principal, endpointId: string, deliveryId: string): Promise<WebhookDeliveryDetailDto> {
    await this.find(principal, endpointId);
    return this.deliveryOf(endpointId, deliveryId);
  }

  private async deliveryOf(endpointId: string, deliveryId: string): Promise<WebhookDeliveryDetailDto> {
    const [row] = await this.sql.rows<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1 AND endpoint_id = $2`, [deliveryId, endpointId]);
    if (!row) throw deliveryNotFound();
    const attemptLog = await this.sql.rows<WebhookDeliveryDetailDto['attemptLog'][number]>(
      `SELECT attempt, ${ts('attempted_at')} AS "attemptedAt", response_code AS "responseCode", error, duration_ms AS "durationMs"
         FROM webhook_delivery_attempts WHERE delivery_id = $1 ORDER BY attempt, attempted_at`,
      [deliveryId],
    );
    return { ...stripCursor(row), attemptLog };
  }

  /**
   * Replays a delivery now, with the same `webhook-id` and body: a delivered or
   * failed one starts a new round of the retry schedule; a pending one is sent at once
   * (the job it already had claims it only if it is due by then).
   */
  async retry(actor: Actor, endpointId: string, deliveryId: string): Promise<WebhookDeliveryDetailDto> {
    await this.find(actor.principal, endpointId);
    await this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(`SELECT status FROM webhook_deliveries WHERE id = $1 AND endpoint_id = $2 FOR UPDATE`, [deliveryId, endpointId])) as {
        status: DeliveryStatus;
      }[];
      if (!row) throw deliveryNotFound();
      if (row.status === DeliveryStatus.Sending) throw deliveryInProgress();
      await manager.query(
        `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now(),
                round_start = CASE WHEN status = 'pending' THEN round_start ELSE attempts END
          WHERE id = $1`,
        [deliveryId],
      );
      await this.sender.enqueue(manager, [{ id: deliveryId }]);
      await this.audit.record(actor, { action: 'webhook_delivery.retry', resourceType: 'webhook_delivery', resourceId: deliveryId, details: { endpointId, from: row.status } }, manager);
    });
    this.sender.wake(1);
    return this.deliveryOf(endpointId, deliveryId);
  }

  private async find(principal: Principal, id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.repo.findOne({ where: { id, ...this.owned(principal) } });
    if (!endpoint) throw endpointNotFound();
    return endpoint;
  }

  private isAdmin(principal: Principal): boolean {
    return principal.role === Role.Admin;
  }

  /** The endpoints the caller manages: all for an admin, its own for a machine client. */
  private owned(principal: Principal): FindOptionsWhere<WebhookEndpoint> {
    return this.isAdmin(principal) ? {} : { createdBy: principal.id };
  }

  private async checkUrl(url: string): Promise<void> {
    const problem = await checkEndpointUrl(url, this.config.allowPrivateUrls);
    if (problem) throw urlRefused(problem);
  }
}

function toDto(e: WebhookEndpoint): WebhookEndpointDto {
  return {
    id: e.id,
    url: e.url,
    eventTypes: e.eventTypes,
    description: e.description,
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    previousSecretExpiresAt: e.previousSecretExpiresAt && e.previousSecretExpiresAt > new Date() ? e.previousSecretExpiresAt.toISOString() : null,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

function stripCursor({ cursorAt: _cursorAt, ...row }: DeliveryRow): WebhookDeliveryDto {
  return row;
}

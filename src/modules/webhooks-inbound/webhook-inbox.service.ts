import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { Actor } from '../../common/context/actor';
import { FieldEncryption } from '../../common/crypto/field-encryption';
import { decodeCursor, Page, toPage } from '../../common/pagination/pagination';
import { beneficiariesConfig, webhooksConfig } from '../../config/configuration';
import { isoMicros, Sql } from '../../database/sql';
import { AuditService } from '../audit/audit.service';
import { JobsService } from '../jobs/jobs.service';
import { InboxAckDto } from './dto/france-travail-event.dto';
import { InboxWriter } from './inbox-writer';
import { InboxEntryDto, ListInboxQueryDto } from './dto/inbox.dto';
import { InboxStatus } from './entities/webhook-inbox-entry.entity';
import { parseFranceTravailEvent } from './france-travail-events';
import {
  inboxEntryNotFound,
  notReprocessable,
  payloadRejected,
  signatureInvalid,
  signatureMissing,
  timestampOutOfTolerance,
  webhookIdInvalid,
  webhooksNotConfigured,
} from './webhooks-inbound.errors';

export const INBOX_JOB = 'webhooks.inbox';
/** Standard Webhooks tolerance between the sender's clock and ours. */
const TOLERANCE_SECONDS = 5 * 60;
const SOURCE = 'france_travail';
/** Longest `webhook-signature` looked at (a few `v1,<base64>` signatures during a secret rotation). */
export const WEBHOOK_SIGNATURE_MAX_LENGTH = 1024;

type Headers = Record<string, string | string[] | undefined>;
const header = (headers: Headers, name: string) => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

interface InboxRow {
  id: string;
  webhookId: string;
  eventType: string | null;
  status: InboxStatus;
  payload: { type: string; timestamp: string; data: Record<string, unknown> } | null;
  error: string | null;
  attempts: number;
  beneficiaryId: string | null;
  sentAt: string;
  receivedAt: string;
  processedAt: string | null;
  nextAttemptAt: string | null;
  cursorAt: string;
}

const ts = (c: string) => `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const INBOX_COLUMNS = `id, webhook_id AS "webhookId", event_type AS "eventType", status, payload, error, attempts,
  beneficiary_id AS "beneficiaryId", ${ts('sent_at')} AS "sentAt", ${ts('received_at')} AS "receivedAt",
  ${ts('processed_at')} AS "processedAt", CASE WHEN status = 'received' THEN ${ts('next_attempt_at')} END AS "nextAttemptAt",
  ${isoMicros('received_at')} AS "cursorAt"`;

/**
 * The France Travail inbox: verifies a signed event over its raw bytes, stores
 * it once per `webhook-id` (2xx as soon as it is stored; InboxWriter stores the
 * events of a burst in batches), and hands it to the
 * processing job. Also the reconciliation queue (unmatched, failed) and its reprocessing.
 */
@Injectable()
export class WebhookInboxService implements OnApplicationShutdown {
  private readonly logger = new Logger(WebhookInboxService.name);
  private readonly verifiers: Webhook[];
  private readonly crypto: FieldEncryption;
  private kickTimer?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sql: Sql,
    private readonly jobs: JobsService,
    private readonly audit: AuditService,
    private readonly writer: InboxWriter,
    @Inject(webhooksConfig.KEY) config: ConfigType<typeof webhooksConfig>,
    @Inject(beneficiariesConfig.KEY) keys: ConfigType<typeof beneficiariesConfig>,
  ) {
    this.verifiers = config.franceTravailSecrets.map((secret) => new Webhook(secret));
    this.crypto = new FieldEncryption(keys.nirEncryptionKey, keys.nirHashKey);
  }

  onApplicationShutdown(): void {
    clearTimeout(this.kickTimer);
  }

  /**
   * 401 unless one of our secrets signed these bytes within ±5 minutes; then the
   * event is stored (a malformed one as `rejected`, answered 400) unless its
   * `webhook-id` was already received.
   */
  async receive(headers: Headers, raw: Buffer | undefined): Promise<{ created: boolean; ack: InboxAckDto }> {
    if (this.verifiers.length === 0) throw webhooksNotConfigured();
    const webhookId = header(headers, 'webhook-id');
    const timestamp = header(headers, 'webhook-timestamp');
    const signature = header(headers, 'webhook-signature');
    if (!webhookId || !timestamp || !signature) throw signatureMissing();
    const sentAt = Number(timestamp);
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(Date.now() / 1000 - sentAt) > TOLERANCE_SECONDS) throw timestampOutOfTolerance();
    const body = raw ?? Buffer.alloc(0);
    if (signature.length > WEBHOOK_SIGNATURE_MAX_LENGTH) throw signatureInvalid();
    if (!this.verifiers.some((v) => verifies(v, body, { 'webhook-id': webhookId, 'webhook-timestamp': timestamp, 'webhook-signature': signature }))) {
      throw signatureInvalid();
    }
    if (webhookId.length > 200 || !/^[\x21-\x7e]+$/.test(webhookId)) throw webhookIdInvalid();

    const parsed = parseFranceTravailEvent(body);
    let payload: object | null = null;
    if (parsed.ok) {
      const { nir, ...data } = parsed.event.data;
      payload = { ...parsed.event, data: nir ? { ...data, nirHash: this.crypto.hash(nir) } : data };
    }
    const insertedId = await this.writer.insert({
      source: SOURCE,
      webhookId,
      sentAt,
      eventType: parsed.ok ? parsed.event.type : null,
      status: parsed.ok ? InboxStatus.Received : InboxStatus.Rejected,
      payload,
      bodyEncrypted: parsed.ok ? null : this.crypto.encrypt(body.toString('utf8')),
      error: parsed.ok ? null : `${parsed.detail} ${parsed.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
    });
    if (insertedId === null) {
      const [existing] = await this.sql.rows<{ id: string; status: InboxStatus; error: string | null }>(
        `SELECT id, status, error FROM webhook_inbox WHERE source = $1 AND webhook_id = $2`,
        [SOURCE, webhookId],
      );
      // The same bytes again: a rejected event stays rejected, anything else is acknowledged as it stands.
      if (existing.status === InboxStatus.Rejected) throw payloadRejected(existing.error ?? 'The event was rejected.', []);
      return { created: false, ack: { id: existing.id, webhookId, status: existing.status, duplicate: true } };
    }
    if (!parsed.ok) throw payloadRejected(parsed.detail, parsed.errors);
    this.kick();
    return { created: true, ack: { id: insertedId, webhookId, status: InboxStatus.Received, duplicate: false } };
  }

  /** Oldest first: the reconciliation queue is `?status=unmatched`. */
  async list(query: ListInboxQueryDto): Promise<Page<InboxEntryDto>> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (query.status) {
      params.push(query.status);
      where.push(`status = $${params.length}`);
    }
    if (query.eventType) {
      params.push(query.eventType);
      where.push(`event_type = $${params.length}`);
    }
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor, ['timestamp', 'uuid']);
      params.push(at, id);
      where.push(`(received_at, id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(query.limit + 1);
    const rows = await this.sql.rows<InboxRow>(
      `SELECT ${INBOX_COLUMNS} FROM webhook_inbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY received_at, id LIMIT $${params.length}`,
      params,
    );
    return toPage(rows, query.limit, (r) => [r.cursorAt, r.id], toDto);
  }

  async get(id: string): Promise<InboxEntryDto> {
    const [row] = await this.sql.rows<InboxRow>(`SELECT ${INBOX_COLUMNS} FROM webhook_inbox WHERE id = $1`, [id]);
    if (!row) throw inboxEntryNotFound();
    return toDto(row);
  }

  /** An unmatched or failed entry goes back to the processing job, with a fresh count of attempts. */
  async reprocess(actor: Actor, id: string): Promise<InboxEntryDto> {
    await this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(`SELECT status FROM webhook_inbox WHERE id = $1 FOR UPDATE`, [id])) as { status: InboxStatus }[];
      if (!row) throw inboxEntryNotFound();
      if (row.status !== InboxStatus.Unmatched && row.status !== InboxStatus.Failed) throw notReprocessable(row.status);
      await manager.query(`UPDATE webhook_inbox SET status = 'received', attempts = 0, next_attempt_at = now(), processed_at = NULL WHERE id = $1`, [id]);
      await this.audit.record(actor, { action: 'webhook_inbox.reprocess', resourceType: 'webhook_inbox', resourceId: id, details: { from: row.status } }, manager);
    });
    this.kick();
    return this.get(id);
  }

  /**
   * Asks for the processing job soon, at most once per 50 ms from this instance
   * (a burst of events makes one job, which drains them all).
   */
  kick(delaySeconds?: number): void {
    if (!this.jobs.enabled) return;
    if (delaySeconds) {
      this.jobs.send(INBOX_JOB, {}, { startAfterSeconds: delaySeconds }).catch((err: unknown) => this.logger.error({ err }, 'could not queue the inbox job'));
      return;
    }
    if (this.kickTimer) return;
    this.kickTimer = setTimeout(() => {
      this.kickTimer = undefined;
      this.jobs.send(INBOX_JOB, {}).catch((err: unknown) => this.logger.error({ err }, 'could not queue the inbox job'));
    }, 50);
    this.kickTimer.unref();
  }
}

function verifies(verifier: Webhook, body: Buffer, headers: Record<string, string>): boolean {
  try {
    verifier.verify(body, headers, { jsonParse: false });
    return true;
  } catch (error) {
    if (error instanceof WebhookVerificationError) return false;
    throw error;
  }
}

function toDto({ cursorAt: _cursorAt, payload, ...row }: InboxRow): InboxEntryDto {
  const { nirHash, ...data } = payload?.data ?? {};
  return { ...row, timestamp: payload?.timestamp ?? null, data: payload ? { ...data, nirProvided: nirHash !== undefined } : null };
}

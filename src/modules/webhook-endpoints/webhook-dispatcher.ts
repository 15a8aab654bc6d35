import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import http from 'node:http';
import https from 'node:https';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { FieldEncryption } from '../../common/crypto/field-encryption';
import { beneficiariesConfig, jobsConfig, webhooksConfig } from '../../config/configuration';
import { Sql } from '../../database/sql';
import { JobsService } from '../jobs/jobs.service';
import { publicOnlyLookup } from './url-guard';
import { buildPayload } from './webhook-events';

export const DELIVERY_PURGE_JOB = 'webhooks.deliveries.purge';

/** Outbox events fanned out per pass. */
const FAN_OUT_BATCH = 1000;
/** A claimed delivery is someone's for the timeout plus this margin; then another instance may take it over. */
const LEASE_MARGIN_MS = 30_000;
/** The longest `Retry-After` honoured. */
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

interface Claimed {
  id: string;
  endpointId: string;
  messageId: string;
  payload: Record<string, unknown>;
  attempts: number;
  roundStart: number;
  url: string;
  secretEncrypted: string;
  previousSecretEncrypted: string | null;
  previousSecretExpiresAt: Date | null;
}

export interface AttemptResult {
  status: number | null;
  retryAfter?: string;
  error?: string;
  durationMs: number;
}

/**
 * Delivery of domain events to webhook endpoints, on every instance, sharing the
 * work through the database:
 *
 * 1. fan-out: unpublished outbox events are locked (`FOR UPDATE SKIP LOCKED`),
 *    a delivery row is inserted per matching enabled endpoint (unique per
 *    endpoint and event) and the events are marked published, in one transaction;
 * 2. sending: due deliveries are claimed (`SKIP LOCKED`, then `sending` with a
 *    lease), posted outside any transaction, and their outcome recorded.
 *
 * Each instance runs a pass every WEBHOOK_DISPATCH_INTERVAL_MS, and at once
 * when woken (ping, replay). Runs where background jobs run (JOBS_ENABLED).
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly crypto: FieldEncryption;
  private readonly agents = { http: new http.Agent({ keepAlive: true, maxSockets: 64 }), https: new https.Agent({ keepAlive: true, maxSockets: 64 }) };
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly sql: Sql,
    @Inject(webhooksConfig.KEY) private readonly config: ConfigType<typeof webhooksConfig>,
    @Inject(jobsConfig.KEY) private readonly jobsSettings: ConfigType<typeof jobsConfig>,
    private readonly jobs: JobsService,
    @Inject(beneficiariesConfig.KEY) keys: ConfigType<typeof beneficiariesConfig>,
  ) {
    this.crypto = new FieldEncryption(keys.nirEncryptionKey, keys.nirHashKey);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.jobsSettings.enabled) return;
    this.stopped = false;
    this.schedule(this.config.dispatchIntervalMs);
    await this.jobs.schedule(DELIVERY_PURGE_JOB, '41 3 * * *', async () => {
      const deleted = await this.purge();
      this.logger.log(`webhook delivery purge: ${deleted} delivered or failed deliveries older than ${this.config.retentionDays} days deleted`);
    });
  }

  /** Deletes delivered and failed deliveries (and their attempts) older than WEBHOOK_RETENTION_DAYS. */
  async purge(now: Date = new Date()): Promise<number> {
    const [, deleted] = (await this.dataSource.query(
      `DELETE FROM webhook_deliveries WHERE status IN ('delivered', 'failed') AND created_at < $1::timestamptz - make_interval(days => $2)`,
      [now, this.config.retentionDays],
    )) as [unknown, number];
    return deleted;
  }

  /** Before the database pool closes: no new pass, and the attempts in flight finish and are recorded. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await Promise.allSettled([...this.inFlight]);
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** A pass now rather than at the next tick. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pass(), delayMs);
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    if (this.stopped || this.running) return;
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.fanOut();
          await this.sendDue();
        } while (this.again && !this.stopped);
      } catch (err) {
        this.logger.error({ err }, 'webhook dispatch pass failed');
      }
    })();
    await this.running;
    this.running = undefined;
    if (!this.stopped) this.schedule(this.config.dispatchIntervalMs);
  }

  /** Turns unpublished outbox events into deliveries, once across instances. Returns the number of events published. */
  async fanOut(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await this.dataSource.transaction(async (manager) => {
        const events = (await manager.query(
          `SELECT id, type, resource_type AS "resourceType", resource_id AS "resourceId", data, occurred_at AS "occurredAt"
             FROM outbox_events WHERE published_at IS NULL
            ORDER BY occurred_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [FAN_OUT_BATCH],
        )) as { id: string; type: string; resourceType: string; resourceId: string; data: Record<string, unknown>; occurredAt: Date }[];
        if (events.length === 0) return 0;
        const endpoints = (await manager.query(
          `SELECT id, event_types AS "eventTypes" FROM webhook_endpoints WHERE enabled AND event_types && $1::text[]`,
          [[...new Set(events.map((e) => e.type))]],
        )) as { id: string; eventTypes: string[] }[];
        const rows: [string, string, string, string, string, Date][] = [];
        for (const event of endpoints.length ? events : []) {
          let payload: string | undefined;
          for (const endpoint of endpoints) {
            if (!endpoint.eventTypes.includes(event.type)) continue;
            payload ??= JSON.stringify(buildPayload(event));
            rows.push([endpoint.id, event.id, `msg_${event.id.replace(/-/g, '')}`, event.type, payload, event.occurredAt]);
          }
        }
        if (rows.length) {
          await manager.query(
            `INSERT INTO webhook_deliveries (endpoint_id, event_id, message_id, event_type, payload, occurred_at)
             SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::jsonb[], $6::timestamptz[])
             ON CONFLICT (endpoint_id, event_id) DO NOTHING`,
            [0, 1, 2, 3, 4, 5].map((i) => rows.map((r) => r[i])),
          );
        }
        await manager.query(`UPDATE outbox_events SET published_at = now() WHERE id = ANY($1::uuid[])`, [events.map((e) => e.id)]);
        return events.length;
      });
      total += published;
      if (published < FAN_OUT_BATCH) return total;
    }
  }

  /** Claims the due deliveries (up to the concurrency) and sends them; loops while there are more. */
  async sendDue(): Promise<void> {
    for (;;) {
      const free = this.config.dispatchConcurrency - this.inFlight.size;
      if (free <= 0 || this.stopped) return;
      const claimed = await this.claim(free);
      for (const delivery of claimed) {
        const task: Promise<void> = this.attempt(delivery)
          .catch((err: unknown) => this.logger.error({ err, deliveryId: delivery.id }, 'webhook delivery attempt failed'))
          .finally(() => {
            this.inFlight.delete(task);
            // A slot is free: more may be due.
            if (!this.stopped) this.wake();
          });
        this.inFlight.add(task);
      }
      if (claimed.length < free) return;
    }
  }

  private async claim(limit: number): Promise<Claimed[]> {
    return this.sql.rows<Claimed>(
      `WITH due AS (
         SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled
          WHERE d.status IN ('pending', 'sending') AND d.next_attempt_at <= now()
          ORDER BY d.next_attempt_at LIMIT $1 FOR UPDATE OF d SKIP LOCKED)
       UPDATE webhook_deliveries d
          SET status = 'sending', attempts = d.attempts + 1, last_attempt_at = now(),
              next_attempt_at = now() + make_interval(secs => $2::int / 1000.0)
         FROM due, webhook_endpoints e
        WHERE d.id = due.id AND e.id = d.endpoint_id
       RETURNING d.id, d.endpoint_id AS "endpointId", d.message_id AS "messageId", d.payload, d.attempts, d.round_start AS "roundStart",
                 e.url, e.secret_encrypted AS "secretEncrypted", e.previous_secret_encrypted AS "previousSecretEncrypted",
                 e.previous_secret_expires_at AS "previousSecretExpiresAt"`,
      [limit, this.config.timeoutMs + LEASE_MARGIN_MS],
    );
  }

  /** One HTTP attempt and its outcome: delivered, retried later, failed, or the endpoint disabled (410). */
  private async attempt(d: Claimed): Promise<void> {
    const body = JSON.stringify(d.payload);
    const now = new Date();
    let signature: string;
    try {
      const secrets = [d.secretEncrypted];
      if (d.previousSecretEncrypted && d.previousSecretExpiresAt && d.previousSecretExpiresAt > now) secrets.push(d.previousSecretEncrypted);
      signature = secrets.map((s) => new Webhook(this.crypto.decrypt(s)).sign(d.messageId, now, body)).join(' ');
    } catch (err) {
      this.logger.error({ err, endpointId: d.endpointId }, 'cannot sign with the endpoint secret');
      await this.record(d, { status: null, error: 'the endpoint secret cannot be read (encryption key changed?)', durationMs: 0 });
      return;
    }
    const result = await this.post(d.url, body, {
      'content-type': 'application/json',
      'user-agent': 'Parcours-Webhooks/1',
      'webhook-id': d.messageId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signature,
    });
    await this.record(d, result);
  }

  private async record(d: Claimed, result: AttemptResult): Promise<void> {
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    const gone = result.status === 410;
    const round = d.attempts - d.roundStart;
    const schedule = this.config.retryScheduleMs;
    let nextDelayMs: number | null = null;
    if (!ok && !gone && round <= schedule.length) {
      const base = schedule[round - 1];
      nextDelayMs = Math.max(Math.round(base * (0.9 + Math.random() * 0.2)), retryAfterMs(result.retryAfter) ?? 0);
    }
    const status = ok ? 'delivered' : nextDelayMs !== null ? 'pending' : 'failed';
    const error = ok ? null : (result.error ?? `HTTP ${result.status}`);
    if (gone) this.logger.warn({ endpointId: d.endpointId, deliveryId: d.id }, 'webhook endpoint answered 410 Gone: disabled');
    else if (status === 'failed') this.logger.warn({ endpointId: d.endpointId, deliveryId: d.id, attempts: d.attempts, error }, 'webhook delivery failed after its last attempt');
    await this.dataSource.transaction(async (manager) => {
      // The endpoint (and its deliveries) may have been deleted meanwhile: then there is nothing to record.
      await manager.query(
        `INSERT INTO webhook_delivery_attempts (delivery_id, attempt, response_code, error, duration_ms)
         SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM webhook_deliveries WHERE id = $1)`,
        [d.id, d.attempts, result.status, error, result.durationMs],
      );
      await manager.query(
        `UPDATE webhook_deliveries
            SET status = $3, last_response_code = $4, last_error = $5,
                delivered_at = CASE WHEN $3 = 'delivered' THEN now() ELSE delivered_at END,
                next_attempt_at = CASE WHEN $6::bigint IS NULL THEN NULL ELSE now() + make_interval(secs => $6::bigint / 1000.0) END
          WHERE id = $1 AND status = 'sending' AND attempts = $2`,
        [d.id, d.attempts, status, result.status, error, nextDelayMs],
      );
      if (gone) {
        await manager.query(`UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, updated_at = now() WHERE id = $1 AND enabled`, [
          d.endpointId,
          `The receiver answered 410 Gone on ${new Date().toISOString()}`,
        ]);
      }
    });
  }

  /** POST with the timeout over the whole exchange; no redirects followed; private addresses refused at connect time unless allowed. */
  private post(url: string, body: string, headers: Record<string, string>): Promise<AttemptResult> {
    const started = Date.now();
    return new Promise((resolve) => {
      let settled = false;
      const finish = (r: Omit<AttemptResult, 'durationMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...r, durationMs: Date.now() - started });
      };
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        finish({ status: null, error: 'invalid URL' });
        return;
      }
      const secure = target.protocol === 'https:';
      const request = (secure ? https : http).request(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
          agent: secure ? this.agents.https : this.agents.http,
          ...(this.config.allowPrivateUrls ? {} : { lookup: publicOnlyLookup as never }),
        },
        (response) => {
          response.resume();
          response.on('end', () => finish({ status: response.statusCode ?? null, retryAfter: header(response.headers['retry-after']) }));
          response.on('error', (err) => finish({ status: response.statusCode ?? null, error: err.message }));
        },
      );
      const timer = setTimeout(() => {
        request.destroy(new Error(`no answer within ${this.config.timeoutMs} ms`));
      }, this.config.timeoutMs);
      request.on('error', (err) => finish({ status: null, error: err.message }));
      request.end(body);
    });
  }
}

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** `Retry-After` as seconds or an HTTP date, in milliseconds from now (capped at 24 h). */
export function retryAfterMs(value: string | undefined): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - Date.now();
  if (!Number.isFinite(ms) || ms < 0) return null;
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

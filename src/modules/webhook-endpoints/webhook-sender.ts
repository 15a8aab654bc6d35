import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import http from 'node:http';
import https from 'node:https';
import { Webhook } from 'standardwebhooks';
import { DataSource, EntityManager } from 'typeorm';
import { FieldEncryption } from '../../common/crypto/field-encryption';
import { beneficiariesConfig, jobsConfig, webhooksConfig } from '../../config/configuration';
import { Sql } from '../../database/sql';
import { JobsService, JobToInsert } from '../jobs/jobs.service';
import { publicOnlyLookup } from './url-guard';

/** The pg-boss queue of delivery attempts: one job per attempt, `{ deliveryId }`. */
export const DELIVER_JOB = 'webhooks.deliver';

/** A claimed delivery is someone's for the timeout plus this margin; then another instance may take it over. */
export const LEASE_MARGIN_MS = 30_000;
/** The longest `Retry-After` honoured. */
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;
/**
 * Retries of a job by pg-boss when its handler failed (database error) or its instance
 * died (the job expired): a delivery that could not be claimed again meanwhile is picked
 * up by the dispatcher's sweep.
 */
const JOB_RETRY_LIMIT = 3;
const JOB_RETRY_DELAY_SECONDS = 5;

export interface DeliverJob {
  deliveryId: string;
}

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
 * Sends webhook deliveries, one pg-boss job (`webhooks.deliver`) per attempt, on
 * whichever instance takes the job (JOBS_ENABLED). The job only names the delivery:
 * the `webhook_deliveries` row stays the record (status, attempts, next attempt).
 *
 * A job claims its delivery with a conditional update (pending and due, or `sending`
 * past its lease; endpoint enabled): a duplicate job, or one for a delivery since
 * delivered, disabled or deleted, claims nothing and completes. The claim sets a lease
 * (timeout + 30 s); the job's expiry is beyond it, so the job of an instance that died
 * mid-attempt is retried by pg-boss once the lease is over. The outcome is recorded with,
 * in the same transaction, the job of the next attempt when one is due (`startAfter` =
 * its `next_attempt_at`): the retry schedule is carried by the queue.
 */
@Injectable()
export class WebhookSender implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookSender.name);
  private readonly crypto: FieldEncryption;
  private readonly agents = { http: new http.Agent({ keepAlive: true, maxSockets: 64 }), https: new https.Agent({ keepAlive: true, maxSockets: 64 }) };
  private stopping = false;
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

  /**
   * WEBHOOK_DISPATCH_CONCURRENCY pg-boss workers of the queue, one job each (pg-boss 10 has
   * no per-worker concurrency; a batch would wait for its slowest receiver), so a slow
   * receiver holds one worker only. The queue is polled every WEBHOOK_DISPATCH_INTERVAL_MS
   * through one idle worker (`JobsService.work`), for retries falling due and work queued
   * by other instances; work queued here wakes the workers at once.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.jobsSettings.enabled) return;
    await this.jobs.work<DeliverJob>(DELIVER_JOB, (job) => this.deliver(job), {
      workers: this.config.dispatchConcurrency,
      pollingIntervalSeconds: this.config.dispatchIntervalMs / 1000,
    });
  }

  /** Before the database pool closes: no job taken any more, and the attempts in flight finish and are recorded. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.jobs.stopWork(DELIVER_JOB);
    await Promise.allSettled([...this.inFlight]);
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /**
   * Queues one attempt per delivery in the caller's transaction: at `startAfter` (the
   * delivery's `next_attempt_at`), or at once. Call `wake()` after the commit.
   */
  async enqueue(manager: EntityManager, deliveries: { id: string; startAfter?: Date | null }[]): Promise<void> {
    const jobs: JobToInsert<DeliverJob>[] = deliveries.map((d) => ({
      data: { deliveryId: d.id },
      // Compared with the database's clock by pg-boss, as `next_attempt_at` is by the claim.
      ...(d.startAfter ? { startAfter: d.startAfter } : {}),
      retryLimit: JOB_RETRY_LIMIT,
      retryDelay: JOB_RETRY_DELAY_SECONDS,
      // Beyond the lease a claim takes (timeout + margin): when pg-boss retries the job of
      // an instance that died, the lease is over and the delivery can be claimed again.
      expireInSeconds: Math.ceil((this.config.timeoutMs + 2 * LEASE_MARGIN_MS) / 1000),
    }));
    // Large batches (an endpoint enabled again after a long pause) in several statements.
    for (let i = 0; i < jobs.length; i += 5000) await this.jobs.insertIn(manager, DELIVER_JOB, jobs.slice(i, i + 5000));
  }

  /** This instance's delivery workers fetch at once (after a commit that queued `count` jobs). */
  wake(count?: number): void {
    this.jobs.wake(DELIVER_JOB, count);
  }

  /** One attempt of a delivery, if it can be claimed; nothing otherwise. */
  async deliver({ deliveryId }: DeliverJob): Promise<void> {
    // Failing the job leaves it to pg-boss's retry, on another instance.
    if (this.stopping) throw new Error('the instance is stopping');
    const task = (async () => {
      const [claimed] = await this.claim(deliveryId);
      if (claimed) await this.attempt(claimed);
    })();
    this.inFlight.add(task);
    try {
      await task;
    } catch (err) {
      this.logger.error({ err, deliveryId }, 'webhook delivery attempt failed');
      throw err;
    } finally {
      this.inFlight.delete(task);
    }
  }

  private async claim(id: string): Promise<Claimed[]> {
    return this.sql.rows<Claimed>(
      `UPDATE webhook_deliveries d
          SET status = 'sending', attempts = d.attempts + 1, last_attempt_at = now(),
              next_attempt_at = now() + make_interval(secs => $2::int / 1000.0)
         FROM webhook_endpoints e
        WHERE d.id = $1 AND e.id = d.endpoint_id AND e.enabled
          AND d.status IN ('pending', 'sending') AND d.next_attempt_at <= now()
       RETURNING d.id, d.endpoint_id AS "endpointId", d.message_id AS "messageId", d.payload, d.attempts, d.round_start AS "roundStart",
                 e.url, e.secret_encrypted AS "secretEncrypted", e.previous_secret_encrypted AS "previousSecretEncrypted",
                 e.previous_secret_expires_at AS "previousSecretExpiresAt"`,
      [id, this.config.timeoutMs + LEASE_MARGIN_MS],
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
      // The next attempt's time to the millisecond, as the job's start_after holds it: the job
      // never becomes due before the delivery does.
      const [updated] = (await manager.query(
        `UPDATE webhook_deliveries
            SET status = $3, last_response_code = $4, last_error = $5,
                delivered_at = CASE WHEN $3 = 'delivered' THEN now() ELSE delivered_at END,
                next_attempt_at = CASE WHEN $6::bigint IS NULL THEN NULL
                                       ELSE date_trunc('milliseconds', now() + make_interval(secs => $6::bigint / 1000.0)) + interval '1 millisecond' END
          WHERE id = $1 AND status = 'sending' AND attempts = $2
         RETURNING next_attempt_at AS "nextAttemptAt"`,
        [d.id, d.attempts, status, result.status, error, nextDelayMs],
      )) as [{ nextAttemptAt: Date | null }[], number];
      const next = updated[0]?.nextAttemptAt ?? null;
      if (next) await this.enqueue(manager, [{ id: d.id, startAfter: next }]);
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

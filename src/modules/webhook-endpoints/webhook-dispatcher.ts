import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { jobsConfig, webhooksConfig } from '../../config/configuration';
import { JobsService } from '../jobs/jobs.service';
import { buildPayload } from './webhook-events';
import { DELIVER_JOB, WebhookSender } from './webhook-sender';

export const DELIVERY_PURGE_JOB = 'webhooks.deliveries.purge';

/** Outbox events fanned out per pass. */
const FAN_OUT_BATCH = 1000;
/** How often each instance sweeps for deliveries left without a job, and how overdue they must be. */
const SWEEP_INTERVAL_MS = 30_000;
const SWEEP_OVERDUE_SECONDS = 30;
const SWEEP_BATCH = 1000;

/**
 * Fan-out of domain events to webhook endpoints, on every instance, sharing the work
 * through the database: unpublished outbox events are locked (`FOR UPDATE SKIP LOCKED`),
 * a delivery row is inserted per matching enabled endpoint (unique per endpoint and
 * event), with its pg-boss job (`webhooks.deliver`, sent by `WebhookSender`), and the
 * events are marked published, in one transaction; this instance's delivery workers are
 * then woken.
 *
 * Each instance runs a pass every WEBHOOK_DISPATCH_INTERVAL_MS. Every 30 s, a pass also
 * queues a job for each due delivery that has none left (its jobs failed past their
 * retries, e.g. through a long database outage, or it predates the queue). Runs where
 * background jobs run (JOBS_ENABLED).
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;
  private lastSweep = 0;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(webhooksConfig.KEY) private readonly config: ConfigType<typeof webhooksConfig>,
    @Inject(jobsConfig.KEY) private readonly jobsSettings: ConfigType<typeof jobsConfig>,
    private readonly jobs: JobsService,
    private readonly sender: WebhookSender,
  ) {}

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

  /** Before the database pool closes: no new pass, and the one running finishes (nothing is queued after). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
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
        await this.fanOut();
        if (!this.stopped && Date.now() - this.lastSweep >= SWEEP_INTERVAL_MS) {
          this.lastSweep = Date.now();
          await this.sweep();
        }
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
        if (events.length === 0) return { events: 0, deliveries: 0 };
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
        let deliveries: { id: string }[] = [];
        if (rows.length) {
          deliveries = (await manager.query(
            `INSERT INTO webhook_deliveries (endpoint_id, event_id, message_id, event_type, payload, occurred_at)
             SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::jsonb[], $6::timestamptz[])
             ON CONFLICT (endpoint_id, event_id) DO NOTHING RETURNING id`,
            [0, 1, 2, 3, 4, 5].map((i) => rows.map((r) => r[i])),
          )) as { id: string }[];
          await this.sender.enqueue(manager, deliveries);
        }
        await manager.query(`UPDATE outbox_events SET published_at = now() WHERE id = ANY($1::uuid[])`, [events.map((e) => e.id)]);
        return { events: events.length, deliveries: deliveries.length };
      });
      total += published.events;
      if (published.deliveries) this.sender.wake(published.deliveries);
      if (published.events < FAN_OUT_BATCH) return total;
    }
  }

  /**
   * Queues a job for each due delivery of an enabled endpoint that has none waiting or
   * running, overdue by more than 30 s (a delivery's job normally runs within a second
   * of its time). Returns the number queued.
   */
  async sweep(): Promise<number> {
    const queued = await this.dataSource.transaction(async (manager) => {
      const orphans = (await manager.query(
        `WITH live AS MATERIALIZED (
           SELECT (data->>'deliveryId')::uuid AS id FROM pgboss.job
            WHERE name = $1 AND state < 'completed' AND data->>'deliveryId' IS NOT NULL)
         SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled
          WHERE d.status IN ('pending', 'sending') AND d.next_attempt_at <= now() - make_interval(secs => $2)
            AND d.id NOT IN (SELECT id FROM live)
          ORDER BY d.next_attempt_at LIMIT $3 FOR UPDATE OF d SKIP LOCKED`,
        [DELIVER_JOB, SWEEP_OVERDUE_SECONDS, SWEEP_BATCH],
      )) as { id: string }[];
      await this.sender.enqueue(manager, orphans);
      return orphans.length;
    });
    if (queued) {
      this.logger.warn(`webhook deliveries without a job: ${queued} queued again`);
      this.sender.wake(queued);
    }
    return queued;
  }
}

import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Client } from 'pg';
import PgBoss from 'pg-boss';
import { databaseConfig, jobsConfig } from '../../config/configuration';

export type JobHandler<T extends object> = (data: T) => Promise<void>;

/** pg_advisory_lock key: one instance at a time starts pg-boss or creates a queue (see `exclusively`). */
export const JOBS_SCHEMA_LOCK_KEY = 726_017_496;

/**
 * Background work on PostgreSQL through pg-boss: every instance of the API can
 * take jobs, and each job runs once. Scheduled jobs (cron) are singletons across instances.
 */
@Injectable()
export class JobsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(JobsService.name);
  private boss?: PgBoss;
  private readonly queues = new Set<string>();
  /** This instance's worker ids per queue, to wake them when work is sent. */
  private readonly workers = new Map<string, string[]>();

  constructor(
    @Inject(databaseConfig.KEY) private readonly db: ConfigType<typeof databaseConfig>,
    @Inject(jobsConfig.KEY) private readonly jobs: ConfigType<typeof jobsConfig>,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.jobs.enabled) return;
    this.boss = new PgBoss({
      connectionString: this.db.url,
      schema: 'pgboss',
      max: 3,
      application_name: 'parcours-jobs',
    });
    this.boss.on('error', (error) => this.logger.error({ err: error }, 'job queue error'));
    const boss = this.boss;
    await this.exclusively(() => boss.start());
  }

  /**
   * Runs `fn` while holding an advisory lock shared by every instance. pg-boss's create_queue
   * adds a partition to `pgboss.job` with foreign keys to `pgboss.queue`, unlocked: two
   * instances creating queues at the same time (a deploy that brings a new queue) deadlock,
   * and the loser's start fails. Its install and migrations are locked, but not the creation
   * of its own cron queue at start either.
   */
  private async exclusively<T>(fn: () => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: this.db.url, application_name: 'parcours-jobs', connectionTimeoutMillis: this.db.connectTimeoutMs });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [JOBS_SCHEMA_LOCK_KEY]);
      return await fn();
    } finally {
      // Ending the session releases the lock.
      await client.end().catch(() => undefined);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.boss?.stop({ graceful: true, timeout: 5000, wait: true });
  }

  get enabled(): boolean {
    return this.boss !== undefined;
  }

  private async queue(name: string): Promise<PgBoss> {
    const boss = this.boss!;
    if (!this.queues.has(name)) {
      if (!(await boss.getQueue(name))) await this.exclusively(() => boss.createQueue(name));
      this.queues.add(name);
    }
    return boss;
  }

  /** Runs `handler` for each job of `name`, on whichever instance takes it first. */
  async work<T extends object>(name: string, handler: JobHandler<T>): Promise<void> {
    if (!this.boss) return;
    const boss = await this.queue(name);
    const id = await boss.work<T>(name, { batchSize: 1, pollingIntervalSeconds: this.jobs.pollingIntervalSeconds }, async ([job]) => {
      await handler(job.data);
    });
    this.workers.set(name, [...(this.workers.get(name) ?? []), id]);
  }

  /** Runs `name` on a cron schedule (Europe/Paris), once per tick across all instances. */
  async schedule<T extends object>(name: string, cron: string, handler: JobHandler<T>, data?: T): Promise<void> {
    if (!this.boss) return;
    await this.work(name, handler);
    await this.boss.schedule(name, cron, data ?? {}, { tz: 'Europe/Paris' });
  }

  /**
   * Queues a job; `startAfterSeconds` delays it. An immediate job wakes this
   * instance's own workers of the queue instead of waiting for their next poll.
   */
  async send<T extends object>(name: string, data: T, options: { startAfterSeconds?: number } = {}): Promise<string | null> {
    if (!this.boss) throw new Error('background jobs are disabled (JOBS_ENABLED=false)');
    const boss = await this.queue(name);
    const id = await boss.send(name, data, { retryLimit: 3, retryBackoff: true, ...(options.startAfterSeconds ? { startAfter: options.startAfterSeconds } : {}) });
    if (!options.startAfterSeconds) for (const worker of this.workers.get(name) ?? []) boss.notifyWorker(worker);
    return id;
  }
}

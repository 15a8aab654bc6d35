import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import PgBoss from 'pg-boss';
import { databaseConfig, jobsConfig } from '../../config/configuration';

export type JobHandler<T extends object> = (data: T) => Promise<void>;

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
    await this.boss.start();
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
      await boss.createQueue(name);
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

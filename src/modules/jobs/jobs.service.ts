import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Pool } from 'pg';
import PgBoss from 'pg-boss';
import { EntityManager } from 'typeorm';
import { databaseConfig, jobsConfig } from '../../config/configuration';
import { localTimeZone } from '../../common/time/local-day';

export type JobHandler<T extends object> = (data: T) => Promise<void>;

/** A job to insert with `insertIn`: pg-boss's insert fields, without the queue name. */
export type JobToInsert<T extends object> = Omit<PgBoss.JobInsert<T>, 'name'> & { data: T };

export interface WorkOptions {
  /** Jobs of the queue run at once on this instance: one pg-boss worker (batch of 1) each. */
  workers?: number;
  /** How often the queue is polled on this instance (default JOBS_POLLING_INTERVAL_SECONDS; may be below pg-boss's 0.5 s, see `work`). */
  pollingIntervalSeconds?: number;
}

/** This instance's workers of one queue, those running a job, and the timer that polls through them. */
interface Workers {
  ids: string[];
  busy: Set<string>;
  next: number;
  timer?: NodeJS.Timeout;
}

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
  /** The connections of `boss`. */
  private pool?: Pool;
  /** Where jobs are off: a pg-boss never started, for its insert statement only (see `insertIn`). */
  private producer?: PgBoss;
  private readonly queues = new Set<string>();
  /** This instance's workers per queue, to wake them when work is sent. */
  private readonly workers = new Map<string, Workers>();

  constructor(
    @Inject(databaseConfig.KEY) private readonly db: ConfigType<typeof databaseConfig>,
    @Inject(jobsConfig.KEY) private readonly jobs: ConfigType<typeof jobsConfig>,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.jobs.enabled) return;
    // pg-boss runs on a pool of ours (see onApplicationShutdown for why).
    const pool = new Pool({ connectionString: this.db.url, max: 3, application_name: 'parcours-jobs', connectionTimeoutMillis: this.db.connectTimeoutMs });
    pool.on('error', (error) => this.logger.error({ err: error }, 'job queue connection error'));
    this.pool = pool;
    this.boss = new PgBoss({ db: { executeSql: (text, values) => pool.query(text, values) }, schema: 'pgboss' });
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

  /**
   * pg-boss stops its workers' loops and waits for the jobs in hand, but not for a worker whose
   * fetch is still waiting for a connection (many workers share a few connections). Had pg-boss
   * closed its own pool then, that fetch would wait forever: the worker never stops, and pg-boss
   * polls for it every second, keeping the process alive. So the pool is ours, and it is closed
   * once nothing waits for it any more.
   */
  async onApplicationShutdown(): Promise<void> {
    for (const workers of this.workers.values()) clearInterval(workers.timer);
    await this.boss?.stop({ graceful: true, timeout: 5000, wait: true });
    const pool = this.pool;
    if (!pool) return;
    const until = Date.now() + 10_000;
    while ((pool.waitingCount > 0 || pool.idleCount < pool.totalCount) && Date.now() < until) await sleep(20);
    await pool.end();
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

  /**
   * Runs `handler` for each job of `name`, on whichever instance takes it first.
   *
   * pg-boss 10 runs one batch at a time per worker, so `workers` jobs at once take `workers`
   * pg-boss workers (batch of 1: a slow job holds no other). Each polling on its own, an idle
   * instance would query the queue `workers` times per interval. Instead, with several workers
   * or a `pollingIntervalSeconds` of their own, the queue is polled by a timer that wakes one
   * idle worker per interval (none while all are busy); the workers' own polls are a fallback,
   * `workers` (at least 5) times slower. A worker that takes a job wakes another idle one (which fetches
   * at once: if more jobs wait, it takes one and wakes the next), and fetches again at once
   * after a job that succeeded: a backlog is worked by all of them, and an empty queue costs
   * one query per interval.
   */
  async work<T extends object>(name: string, handler: JobHandler<T>, options: WorkOptions = {}): Promise<void> {
    if (!this.boss) return;
    const boss = await this.queue(name);
    const workers: Workers = this.workers.get(name) ?? { ids: [], busy: new Set<string>(), next: 0 };
    this.workers.set(name, workers);
    const count = options.workers ?? 1;
    const ticked = count > 1 || options.pollingIntervalSeconds !== undefined;
    const pollingIntervalSeconds = ticked ? this.jobs.pollingIntervalSeconds * Math.max(count, 5) : this.jobs.pollingIntervalSeconds;
    for (let i = 0; i < count; i += 1) {
      let id = '';
      id = await boss.work<T>(name, { batchSize: 1, pollingIntervalSeconds }, async ([job]) => {
        workers.busy.add(id);
        this.wake(name, 1);
        try {
          await handler(job.data);
        } finally {
          workers.busy.delete(id);
        }
        boss.notifyWorker(id);
      });
      workers.ids.push(id);
    }
    if (ticked && !workers.timer) {
      workers.timer = setInterval(() => this.wake(name, 1), (options.pollingIntervalSeconds ?? this.jobs.pollingIntervalSeconds) * 1000);
      workers.timer.unref();
    }
  }

  /** This instance's workers of `name` stop taking jobs; the ones running finish. */
  async stopWork(name: string): Promise<void> {
    clearInterval(this.workers.get(name)?.timer);
    if (!this.boss) return;
    await this.boss.offWork(name);
  }

  /** Wakes up to `count` of this instance's idle workers of `name` (all by default), in turn: they fetch at once instead of at their next poll. */
  wake(name: string, count = Infinity): void {
    const workers = this.workers.get(name);
    if (!this.boss || !workers) return;
    let left = count;
    for (let i = 0; i < workers.ids.length && left > 0; i += 1) {
      const id = workers.ids[(workers.next + i) % workers.ids.length];
      if (workers.busy.has(id)) continue;
      this.boss.notifyWorker(id);
      workers.next = (workers.next + i + 1) % workers.ids.length;
      left -= 1;
    }
  }

  /**
   * Inserts jobs of `name` in the caller's transaction (`manager`): they exist if and only
   * if it commits. Call `wake(name)` after the commit for this instance's workers to take
   * them at once. The queue is made sure of first, on connections of its own (never in the
   * caller's transaction) and under `exclusively`; the queues a worker of this instance
   * serves exist since its start, so this is a lookup.
   *
   * Where jobs are off (JOBS_ENABLED=false), the jobs are still inserted, for the instances
   * that run them, once those have made the queue and the pg-boss schema (until then none is
   * inserted: pg-boss's insert skips a job whose queue does not exist).
   */
  async insertIn<T extends object>(manager: EntityManager, name: string, jobs: JobToInsert<T>[]): Promise<void> {
    if (jobs.length === 0) return;
    let boss: PgBoss;
    if (this.boss) boss = await this.queue(name);
    else {
      const [{ installed }] = (await manager.query(`SELECT to_regclass('pgboss.job') IS NOT NULL AS installed`)) as { installed: boolean }[];
      if (!installed) return;
      boss = this.producer ??= new PgBoss({ connectionString: this.db.url, schema: 'pgboss' });
    }
    const db: PgBoss.Db = { executeSql: async (text, values) => ({ rows: (await manager.query(text, values)) as unknown[] }) };
    await boss.insert(
      jobs.map((job) => ({ ...job, name })),
      { db },
    );
  }

  /** Runs `name` on a cron schedule in the département's time zone (TIME_ZONE), once per tick across all instances. */
  async schedule<T extends object>(name: string, cron: string, handler: JobHandler<T>, data?: T): Promise<void> {
    if (!this.boss) return;
    await this.work(name, handler);
    await this.boss.schedule(name, cron, data ?? {}, { tz: localTimeZone() });
  }

  /**
   * Queues a job; `startAfterSeconds` delays it. An immediate job wakes this
   * instance's own workers of the queue instead of waiting for their next poll.
   */
  async send<T extends object>(name: string, data: T, options: { startAfterSeconds?: number } = {}): Promise<string | null> {
    if (!this.boss) throw new Error('background jobs are disabled (JOBS_ENABLED=false)');
    const boss = await this.queue(name);
    const id = await boss.send(name, data, { retryLimit: 3, retryBackoff: true, ...(options.startAfterSeconds ? { startAfter: options.startAfterSeconds } : {}) });
    if (!options.startAfterSeconds) this.wake(name);
    return id;
  }
}

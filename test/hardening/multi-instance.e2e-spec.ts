import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/roles';
import { INBOX_PURGE_JOB } from '../../src/modules/webhooks-inbound/france-travail.processor';
import { beneficiaryInput } from '../factories/case-file';
import { bearer, createAgency, createProvider, createStaff, createTestCommune, StaffAccount } from '../factories/identity';
import { createProgramme, inBatches, orientedPerson, refer } from '../referrals/referral-fixtures';
import { http, startTestApp } from '../setup/app';
import { dropDatabase, recreateDatabase } from '../setup/test-database';
import { Receiver, startReceiver } from '../webhooks/webhook-helpers';
import { api, apiEnv, ApiProcess, eventually, startApi, stopAllApis, waitReadiness } from './api-process';

/**
 * Two real API processes (dist/src/main.js) on the run's test database, as two
 * instances behind a load balancer would be. The in-process app only makes the
 * fixtures (its job queue is off: it takes no job and no delivery).
 */
describe('two instances, one database', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let a: ApiProcess;
  let b: ApiProcess;
  let admin: StaffAccount;
  let manager: StaffAccount;
  let providerStaff: StaffAccount;
  let providerId: string;
  let commune: string;
  const receivers: Receiver[] = [];
  let scheduleFrom: Date;
  let originalCron: string | undefined;

  beforeAll(async () => {
    process.env.JOBS_ENABLED = 'false';
    app = await startTestApp();
    db = app.get(DataSource);
    commune = await createTestCommune(app);
    const agency = await createAgency(app, [commune]);
    providerId = (await createProvider(app)).id;
    [admin, manager, providerStaff] = await Promise.all([
      createStaff(app, Role.Admin),
      createStaff(app, Role.AgencyManager, { agencyId: agency.id }),
      createStaff(app, Role.Provider, { providerId }),
    ]);
    // Request lines and the jobs' own lines (info) are counted below.
    [a, b] = await Promise.all([startApi('instance A', apiEnv({ LOG_LEVEL: 'info' })), startApi('instance B', apiEnv({ LOG_LEVEL: 'info' }))]);
    await Promise.all([waitReadiness(a, 200), waitReadiness(b, 200)]);
    // (c) The daily purge of the France Travail inbox, made to fire every minute (both instances
    // registered it at start; the cron lives in the shared pgboss.schedule table).
    [{ cron: originalCron }] = await db.query(`SELECT cron FROM pgboss.schedule WHERE name = $1`, [INBOX_PURGE_JOB]);
    [{ now: scheduleFrom }] = await db.query(`SELECT now() - interval '1 second' AS now`);
    await everyMinute();
  }, 120_000);

  const everyMinute = () => db.query(`UPDATE pgboss.schedule SET cron = '* * * * *' WHERE name = $1`, [INBOX_PURGE_JOB]);

  afterAll(async () => {
    try {
      if (db && originalCron) await db.query(`UPDATE pgboss.schedule SET cron = $2 WHERE name = $1`, [INBOX_PURGE_JOB, originalCron]);
      if (db) await db.query(`UPDATE webhook_endpoints SET enabled = false WHERE url = ANY($1)`, [receivers.map((r) => r.url)]);
    } finally {
      await stopAllApis();
      await Promise.all(receivers.map((r) => r.close()));
      await app?.close();
      delete process.env.JOBS_ENABLED;
    }
  }, 60_000);

  it('(a) never overbooks: 60 concurrent accepts for 5 places, split across both instances → 5 accepted, 55 PLACE_CAPACITY_REACHED', async () => {
    const programme = await createProgramme(app, admin, { providerId, capacity: 5, communeCode: commune });
    const people = await inBatches(Array.from({ length: 60 }), 10, () => orientedPerson(app, manager, manager, commune));
    const referrals = await inBatches(people, 10, (id) => refer(app, manager, id, programme.id));
    expect(referrals.every((r) => r.status === 'submitted')).toBe(true);

    const started = Date.now();
    const answers = await Promise.all(
      referrals.map((r, i) => api(i % 2 === 0 ? a : b).post(`/api/v1/referrals/${r.id}/accept`).set(bearer(providerStaff)).send({})),
    );
    const elapsed = Date.now() - started;
    const accepted = answers.filter((x) => x.status === 200);
    const refused = answers.filter((x) => x.status === 409);
    expect(accepted).toHaveLength(5);
    expect(refused).toHaveLength(55);
    for (const res of refused) {
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('PLACE_CAPACITY_REACHED');
    }
    const [{ places_held }] = await db.query(`SELECT places_held FROM programmes WHERE id = $1`, [programme.id]);
    expect(places_held).toBe(5);
    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM referrals WHERE programme_id = $1 AND status = 'accepted'`, [programme.id]);
    expect(count).toBe(5);
    // Both instances answered, and both accepted or refused some.
    const byInstance = (p: number) => answers.filter((_, i) => i % 2 === p);
    expect(byInstance(0).every((x) => [200, 409].includes(x.status))).toBe(true);
    expect(byInstance(1).every((x) => [200, 409].includes(x.status))).toBe(true);
    console.log(`two instances: 60 accepts (30 each) for 5 places in ${elapsed} ms: ${accepted.length} accepted ` +
      `(A ${byInstance(0).filter((x) => x.status === 200).length}, B ${byInstance(1).filter((x) => x.status === 200).length}), ${refused.length} refused`);
  }, 90_000);

  it('(b) sends each webhook delivery once: events made through both instances, every webhook-id received exactly once', async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const endpoint = await http(app).post('/api/v1/webhook-endpoints').set(bearer(admin)).send({ url: receiver.url, eventTypes: ['beneficiary.created'] });
    expect(endpoint.status).toBe(201);

    const created = await inBatches(Array.from({ length: 40 }, (_, i) => i), 10, async (i) => {
      const res = await api(i % 2 === 0 ? a : b).post('/api/v1/beneficiaries').set(bearer(manager)).send(beneficiaryInput(commune));
      expect(res.status).toBe(201);
      return res.body.id as string;
    });
    const events = (await db.query(`SELECT id FROM outbox_events WHERE type = 'beneficiary.created' AND resource_id = ANY($1)`, [created])) as { id: string }[];
    expect(events).toHaveLength(40);
    const expectedIds = events.map((e) => `msg_${e.id.replace(/-/g, '')}`).sort();

    const started = Date.now();
    await eventually(async () => (new Set(receiver.received.map((r) => r.headers['webhook-id'])).size >= 40 ? true : undefined), 20_000, '40 deliveries');
    const lag = Date.now() - started;
    // Let both dispatchers run many more passes: a duplicate would arrive now.
    await new Promise((r) => setTimeout(r, 3000));
    const ids = receiver.received.map((r) => String(r.headers['webhook-id']));
    const perId = new Map<string, number>();
    for (const id of ids) perId.set(id, (perId.get(id) ?? 0) + 1);
    expect([...perId.keys()].sort()).toEqual(expectedIds);
    expect([...perId.values()].every((n) => n === 1)).toBe(true);
    expect(ids).toHaveLength(40);
    const attempts = (await db.query(
      `SELECT d.status, d.attempts FROM webhook_deliveries d WHERE d.endpoint_id = $1`,
      [endpoint.body.id],
    )) as { status: string; attempts: number }[];
    expect(attempts).toHaveLength(40);
    expect(attempts.every((d) => d.status === 'delivered' && d.attempts === 1)).toBe(true);
    console.log(`two instances: 40 events (20 made on each), 40 deliveries received once each, all within ${lag} ms of the last creation`);
  }, 60_000);

  it('(c) runs a scheduled job once per tick across both instances', async () => {
    // Two ticks of the every-minute schedule. Another test file starting an app meanwhile
    // registers the daily cron again: set it back while waiting.
    const ticks = await diagnosed(eventually(
      async () => {
        await everyMinute();
        const rows = (await db.query(
          `SELECT j.singleton_on, j.state FROM pgboss.job j WHERE j.name = '__pgboss__send-it' AND j.singleton_key = $1 AND j.created_on >= $2
           UNION ALL
           SELECT j.singleton_on, j.state FROM pgboss.archive j WHERE j.name = '__pgboss__send-it' AND j.singleton_key = $1 AND j.created_on >= $2`,
          [INBOX_PURGE_JOB, scheduleFrom],
        )) as { singleton_on: Date; state: string }[];
        const runs = await targetJobs();
        return rows.length >= 2 && rows.every((r) => r.state === 'completed') && runs.length >= rows.length && runs.every((r) => r.state === 'completed')
          ? rows
          : undefined;
      },
      150_000,
      'two ticks of the schedule, run',
    ));
    const jobs = await targetJobs();
    // One send-it job per minute slot (singleton), one job of the queue per tick, run once (no retry).
    expect(new Set(ticks.map((t) => t.singleton_on.toISOString())).size).toBe(ticks.length);
    expect(jobs).toHaveLength(ticks.length);
    expect(jobs.every((j) => j.state === 'completed' && j.retry_count === 0 && j.started_on !== null)).toBe(true);
    // The handler's own line ("webhook inbox purge: ..."), written by whichever instance ran the job:
    // never more runs than jobs. (In the full suite another test file's app may take a tick, silently.)
    const logged = [...a.lines, ...b.lines].filter((l) => l.includes('webhook inbox purge:'));
    expect(logged.length).toBeLessThanOrEqual(jobs.length);
    console.log(`two instances: ${ticks.length} ticks of ${INBOX_PURGE_JOB} → ${jobs.length} jobs, ${logged.length} runs logged by A and B ` +
      `(A ${a.lines.filter((l) => l.includes('webhook inbox purge:')).length}, B ${b.lines.filter((l) => l.includes('webhook inbox purge:')).length})`);
  }, 180_000);

  /** On a timeout, what pg-boss holds: the schedule, the send-it jobs and the queue's jobs since the start. */
  const diagnosed = async <T>(waiting: Promise<T>): Promise<T> => {
    try {
      return await waiting;
    } catch (error) {
      const dump = async (text: string, params: unknown[] = []) => JSON.stringify(await db.query(text, params));
      console.log(
        `schedule: ${await dump(`SELECT name, cron, timezone FROM pgboss.schedule`)}\n` +
          `send-it: ${await dump(`SELECT singleton_key, singleton_on, state, created_on FROM pgboss.job WHERE name = '__pgboss__send-it' AND created_on >= $1`, [scheduleFrom])}\n` +
          `queue: ${await dump(`SELECT state, retry_count, created_on, started_on, output FROM pgboss.job WHERE name = $1 AND created_on >= $2`, [INBOX_PURGE_JOB, scheduleFrom])}\n` +
          `cron time: ${await dump(`SELECT cron_on, now() FROM pgboss.version`)}\n` +
          `A: ${a.lines.filter((l) => /"level":[456]0/.test(l)).slice(-5).join('\n')}\nB: ${b.lines.filter((l) => /"level":[456]0/.test(l)).slice(-5).join('\n')}`,
      );
      throw error;
    }
  };

  const targetJobs = async () =>
    (await db.query(
      `SELECT state, retry_count, started_on FROM pgboss.job WHERE name = $1 AND created_on >= $2
       UNION ALL SELECT state, retry_count, started_on FROM pgboss.archive WHERE name = $1 AND created_on >= $2`,
      [INBOX_PURGE_JOB, scheduleFrom],
    )) as { state: string; retry_count: number; started_on: Date | null }[];

  it('(d) migrates once when both start at the same time on an empty database, and both become ready', async () => {
    const name = `parcours_test_twostart_${randomBytes(4).toString('hex')}`;
    const url = await recreateDatabase(process.env.DATABASE_URL!, name);
    const fresh: ApiProcess[] = [];
    try {
      const env = apiEnv({ DATABASE_URL: url, DB_MIGRATE_ON_START: 'true', LOG_LEVEL: 'warn' });
      const started = Date.now();
      const both = await Promise.allSettled([startApi('fresh A', env, 90_000), startApi('fresh B', env, 90_000)]);
      for (const s of both) if (s.status === 'fulfilled') fresh.push(s.value);
      for (const s of both) if (s.status === 'rejected') throw s.reason;
      await Promise.all(fresh.map((p) => waitReadiness(p, 200)));
      const elapsed = Date.now() - started;

      const files = readdirSync(join(__dirname, '..', '..', 'migrations')).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, ''));
      const client = new Client({ connectionString: url });
      await client.connect();
      let rows: { name: string }[];
      try {
        rows = (await client.query<{ name: string }>(`SELECT name FROM migrations ORDER BY id`)).rows;
      } finally {
        await client.end();
      }
      expect(rows).toHaveLength(files.length);
      expect(new Set(rows.map((r) => r.name)).size).toBe(files.length);
      const applied = fresh.flatMap((p) => p.lines.filter((l) => l.includes('migration applied:')).map((l) => /migration applied: (\S+?)"/.exec(l)?.[1]));
      expect(applied).toHaveLength(files.length);
      expect(new Set(applied).size).toBe(files.length);
      const counts = fresh.map((p) => p.lines.filter((l) => l.includes('migration applied:')).length);
      // Both serve the API (the reference data came with the migrations).
      for (const p of fresh) expect((await api(p).get('/api/v1/communes?limit=1')).status).toBe(401);
      console.log(`two instances, empty database: both ready in ${elapsed} ms; ${files.length} migrations applied once (A ${counts[0]}, B ${counts[1]})`);
    } finally {
      await Promise.all(fresh.map((p) => p.stop()));
      await dropDatabase(url, name);
    }
  }, 150_000);

  it('(e) creates the job queues once when both start at the same time on a migrated database without them', async () => {
    // The state of a deploy whose version brings new queues (here: all of them), both instances rolled out at once.
    const name = `parcours_test_twoqueues_${randomBytes(4).toString('hex')}`;
    const url = await recreateDatabase(process.env.DATABASE_URL!, name);
    const fresh: ApiProcess[] = [];
    try {
      const migrate = spawnSync(process.execPath, [join(__dirname, '..', '..', 'dist', 'src', 'cli', 'database.js'), 'migration:run'], {
        env: apiEnv({ DATABASE_URL: url }),
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(migrate.status).toBe(0);
      const env = apiEnv({ DATABASE_URL: url, LOG_LEVEL: 'warn' });
      const started = Date.now();
      const both = await Promise.allSettled([startApi('queues A', env, 90_000), startApi('queues B', env, 90_000)]);
      for (const s of both) if (s.status === 'fulfilled') fresh.push(s.value);
      for (const s of both) if (s.status === 'rejected') throw s.reason;
      await Promise.all(fresh.map((p) => waitReadiness(p, 200)));
      const elapsed = Date.now() - started;
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query<{ name: string }>(`SELECT name FROM pgboss.queue ORDER BY name`);
        expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining([INBOX_PURGE_JOB, 'beneficiary-import', '__pgboss__send-it']));
        console.log(`two instances, no job queues yet: both ready in ${elapsed} ms; ${rows.length} queues created once`);
      } finally {
        await client.end();
      }
      expect(fresh.every((p) => p.alive())).toBe(true);
    } finally {
      await Promise.all(fresh.map((p) => p.stop()));
      await dropDatabase(url, name);
    }
  }, 150_000);
});

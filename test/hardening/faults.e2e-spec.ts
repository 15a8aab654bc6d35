import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../src/database/embedded-postgres';
import { CSV_COLUMNS } from '../../src/modules/beneficiary-imports/import-parsers';
import { beneficiaryInput } from '../factories/case-file';
import { recreateDatabase } from '../setup/test-database';
import { api, apiEnv, ApiProcess, eventually, startApi, stopAllApis, waitReadiness } from './api-process';
import { EmbeddedServer, startEmbeddedServer } from './embedded-server';

const CONNECT_TIMEOUT_MS = 3000;
const STATEMENT_TIMEOUT_MS = 2000;
/** QUERY_TIMEOUT_MARGIN_MS of src/database/data-source.ts: the client gives up this long after the statement timeout. */
const QUERY_TIMEOUT_MS = STATEMENT_TIMEOUT_MS + 5000;
const ADMIN = { email: 'faults.admin@test.parcours.example', password: 'ocre-lanterne-9-galop-vif' };
const COMMUNE = '93066';

/**
 * Faults, on a PostgreSQL of this file's own (embedded, stopped and started at will) and API
 * processes started from dist/src/main.js: the rest of the run's tests never share this database.
 */
describe('faults', () => {
  let tempDir: string;
  let password: string;
  let pgPort: number;
  let pg: EmbeddedServer | undefined;
  let url: string;
  let admin: ApiProcess;
  let auth: { authorization: string };
  let sql: Client;

  const startPostgres = async () => {
    pg = await startEmbeddedServer({ dataDir: join(tempDir, 'pg'), password, port: pgPort });
  };
  const stopPostgres = async () => {
    const server = pg;
    pg = undefined;
    await server?.stop();
  };
  const env = () =>
    apiEnv({
      DATABASE_URL: url,
      DB_MIGRATE_ON_START: 'true',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
      // (b): nine attempts over about 19 s.
      WEBHOOK_RETRY_SCHEDULE: '250ms,500ms,1s,1s,2s,2s,4s,8s',
      WEBHOOK_DISPATCH_INTERVAL_MS: '100',
      JOBS_POLLING_INTERVAL_SECONDS: '1',
    });
  /** A pg client that survives the restarts: reconnects on demand. */
  const query = async <T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> => {
    if (!sql) {
      sql = new Client({ connectionString: url });
      sql.on('error', () => undefined);
      await sql.connect();
    }
    try {
      return (await sql.query(text, params)).rows as T[];
    } catch {
      // Its connection may have died with the server's restart: once more on a new one.
      await sql.end().catch(() => undefined);
      sql = new Client({ connectionString: url });
      sql.on('error', () => undefined);
      await sql.connect();
      return (await sql.query(text, params)).rows as T[];
    }
  };
  const login = async (proc: ApiProcess) => {
    const res = await api(proc).post('/api/v1/auth/login').send(ADMIN);
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { authorization: `Bearer ${res.body.accessToken}` };
  };

  beforeAll(async () => {
    tempDir = await mkdtemp(join(tmpdir(), 'parcours-faults-'));
    password = randomBytes(18).toString('base64url');
    pgPort = await freePort();
    await startPostgres();
    url = await recreateDatabase(pg!.url, 'parcours_test_faults');
    admin = await startApi('faults A', env(), 90_000);
    await waitReadiness(admin, 200);
    auth = await login(admin);
    const [agency] = await query<{ id: string }>(`INSERT INTO agencies (code, name) VALUES ('T-FAULTS', 'Agence des pannes') RETURNING id`);
    await query(`INSERT INTO agency_communes (agency_id, commune_code) VALUES ($1, $2)`, [agency.id, COMMUNE]);
  }, 120_000);

  afterAll(async () => {
    try {
      await stopAllApis();
      await sql?.end().catch(() => undefined);
    } finally {
      await stopPostgres().catch(() => undefined);
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('(a) the database restarted under load: fast 503 problem+json, readiness red, then recovery without a restart', async () => {
    interface Sample { phase: string; status: number; ms: number; contentType: string; code?: string; retryAfter?: string }
    const samples: Sample[] = [];
    let phase = 'before';
    let loading = true;
    const worker = async (n: number) => {
      while (loading) {
        const at = phase;
        const started = Date.now();
        const req = n % 3 === 0
          ? api(admin).post('/api/v1/beneficiaries').set(auth).send(beneficiaryInput(COMMUNE))
          : api(admin).get('/api/v1/beneficiaries?limit=5').set(auth);
        const res = await req.timeout(15_000).then(
          (r) => r,
          () => undefined,
        );
        samples.push({
          // A request still running when the phase changed belongs to the change (e.g. in flight when the server stopped).
          phase: phase === at ? at : `${at}→${phase}`,
          status: res?.status ?? 0,
          ms: Date.now() - started,
          contentType: String(res?.headers['content-type'] ?? ''),
          code: res?.body?.code,
          retryAfter: res?.headers['retry-after'],
        });
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const workers = Array.from({ length: 4 }, (_, i) => worker(i));
    const pid = admin.pid;
    try {
      await new Promise((r) => setTimeout(r, 1500));
      phase = 'stopping';
      await stopPostgres();
      phase = 'down';
      const downAt = Date.now();
      // Readiness goes red while the database is away (its ping has a 2 s timeout).
      const redAfter = await waitReadiness(admin, 503, 10_000);
      const ready = await api(admin).get('/health/ready').timeout(10_000);
      expect(ready.status).toBe(503);
      await new Promise((r) => setTimeout(r, Math.max(0, 5000 - (Date.now() - downAt))));
      phase = 'restarting';
      const restartAt = Date.now();
      await startPostgres();
      phase = 'recovering';
      const greenAfter = await waitReadiness(admin, 200, 30_000);
      const firstOk = await eventually(async () => (samples.some((s) => s.phase === 'recovering' && s.status < 300) ? Date.now() - restartAt : undefined), 30_000, 'a 2xx after the restart');
      phase = 'after';
      await new Promise((r) => setTimeout(r, 1500));
      loading = false;
      await Promise.all(workers);

      const of = (p: string) => samples.filter((s) => s.phase === p);
      expect(of('before').length).toBeGreaterThan(10);
      expect(of('before').filter((s) => s.status !== 200 && s.status !== 201)).toEqual([]);
      const down = of('down');
      expect(down.length).toBeGreaterThan(10);
      for (const s of down) {
        expect(s).toMatchObject({ status: 503, code: expect.stringMatching(/^DATABASE_(UNAVAILABLE|TIMEOUT)$/), retryAfter: '5' });
        expect(s.contentType).toMatch(/^application\/problem\+json/);
      }
      const slowestDown = Math.max(...down.map((s) => s.ms));
      expect(slowestDown).toBeLessThanOrEqual(CONNECT_TIMEOUT_MS + 1000);
      // Nothing but 2xx and 503 problems at any time, and no request left hanging (status 0).
      if (samples.some((s) => s.status === 500)) {
        console.log(`faults (a): errors logged by the API:\n${admin.lines.filter((l) => /request failed/.test(l) && /"status":500/.test(l)).slice(0, 5).join('\n')}`);
      }
      expect(samples.filter((s) => !(s.status === 200 || s.status === 201 || (s.status === 503 && /problem\+json/.test(s.contentType))))).toEqual([]);
      expect(of('after').length).toBeGreaterThan(10);
      expect(of('after').filter((s) => s.status !== 200 && s.status !== 201)).toEqual([]);
      expect(admin.alive()).toBe(true);
      expect(admin.pid).toBe(pid);
      const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
      console.log(
        `faults (a): ${samples.length} requests; database down 5 s: ${down.length} answers, all 503 problem+json, ` +
          `median ${median(down.map((s) => s.ms))} ms, slowest ${slowestDown} ms (connect timeout ${CONNECT_TIMEOUT_MS} ms); ` +
          `readiness 503 after ${redAfter} ms; after the restart readiness 200 after ${greenAfter} ms, first 2xx ${firstOk} ms; ` +
          `while stopping: ${of('stopping').length} answers (${of('stopping').filter((s) => s.status === 503).length} × 503); ` +
          `while restarting: ${of('restarting').length} (${of('restarting').filter((s) => s.status === 503).length} × 503)`,
      );
    } finally {
      loading = false;
      await Promise.all(workers);
      if (!pg) await startPostgres();
    }
  }, 90_000);

  /** The postmaster of this file's server and its children (backends, checkpointer...). */
  const postgresPids = (): number[] => {
    const postmaster = Number(readFileSync(join(tempDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          return Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ')[1]) === postmaster;
        } catch {
          return false;
        }
      })
      .map(Number);
    return [postmaster, ...children];
  };

  it('(a2) a frozen database (SIGSTOP): answers 503 problem+json within the statement timeout and its margin, then recovers', async () => {
    const samples: { status: number; ms: number; contentType: string; code?: string; frozen: boolean }[] = [];
    let frozen = false;
    let loading = true;
    const worker = async () => {
      while (loading) {
        const during = frozen;
        const started = Date.now();
        const res = await api(admin).get('/api/v1/beneficiaries?limit=5').set(auth).timeout(30_000).then((r) => r, () => undefined);
        samples.push({ status: res?.status ?? 0, ms: Date.now() - started, contentType: String(res?.headers['content-type'] ?? ''), code: res?.body?.code, frozen: during && frozen });
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const workers = Array.from({ length: 4 }, () => worker());
    let paused: number[] = [];
    try {
      await new Promise((r) => setTimeout(r, 1000));
      paused = postgresPids();
      for (const pid of paused) process.kill(pid, 'SIGSTOP');
      frozen = true;
      const redAfter = await waitReadiness(admin, 503, 10_000);
      await new Promise((r) => setTimeout(r, QUERY_TIMEOUT_MS + 3000));
      frozen = false;
      for (const pid of paused) process.kill(pid, 'SIGCONT');
      paused = [];
      const greenAfter = await waitReadiness(admin, 200, 30_000);
      await new Promise((r) => setTimeout(r, 1000));
      loading = false;
      await Promise.all(workers);

      const during = samples.filter((s) => s.frozen);
      expect(during.length).toBeGreaterThan(0);
      for (const s of during) {
        expect(s).toMatchObject({ status: 503, code: expect.stringMatching(/^DATABASE_(UNAVAILABLE|TIMEOUT)$/) });
        expect(s.contentType).toMatch(/^application\/problem\+json/);
      }
      // No request waits for the server longer than the client's limit (plus a scheduling margin).
      const slowest = Math.max(...samples.map((s) => s.ms));
      expect(slowest).toBeLessThanOrEqual(QUERY_TIMEOUT_MS + 1500);
      expect(samples.filter((s) => !(s.status === 200 || (s.status === 503 && /problem\+json/.test(s.contentType))))).toEqual([]);
      expect(samples.slice(-8).every((s) => s.status === 200)).toBe(true);
      console.log(
        `faults (a2): database paused ${QUERY_TIMEOUT_MS + 3000} ms; ${during.length} answers while paused, all 503 ` +
          `(${during.filter((s) => s.code === 'DATABASE_TIMEOUT').length} DATABASE_TIMEOUT, ${during.filter((s) => s.code === 'DATABASE_UNAVAILABLE').length} DATABASE_UNAVAILABLE); ` +
          `slowest answer ${slowest} ms (statement timeout ${STATEMENT_TIMEOUT_MS} ms, client limit ${QUERY_TIMEOUT_MS} ms); readiness 503 after ${redAfter} ms, 200 ${greenAfter} ms after the resume`,
      );
    } finally {
      for (const pid of paused) process.kill(pid, 'SIGCONT');
      loading = false;
      await Promise.all(workers);
    }
  }, 90_000);

  it('(b) a receiver down across several retries loses no event: each is delivered once it is back', async () => {
    const received: { id: string; at: number }[] = [];
    const port = await freePort();
    const listen = async (): Promise<Server> => {
      const server = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          received.push({ id: String(req.headers['webhook-id']), at: Date.now() });
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      return server;
    };
    const close = (server: Server) => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
    let server: Server | undefined = await listen();
    let endpointId: string | undefined;
    try {
      const endpoint = await api(admin).post('/api/v1/webhook-endpoints').set(auth).send({ url: `http://127.0.0.1:${port}/hooks`, eventTypes: ['beneficiary.created'] });
      expect(endpoint.status).toBe(201);
      endpointId = endpoint.body.id;
      await close(server);
      server = undefined;
      const downAt = Date.now();

      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        const res = await api(admin).post('/api/v1/beneficiaries').set(auth).send(beneficiaryInput(COMMUNE));
        expect(res.status).toBe(201);
        ids.push(res.body.id);
      }
      // Every delivery fails at least five times (connection refused) before the receiver is back.
      await eventually(async () => {
        const rows = await query<{ attempts: number; status: string }>(`SELECT attempts, status FROM webhook_deliveries WHERE endpoint_id = $1`, [endpointId]);
        return rows.length === 5 && rows.every((r) => r.attempts >= 5) ? rows : undefined;
      }, 20_000, 'five failed attempts of each delivery');
      const failedBefore = await query<{ attempts: number; status: string }>(`SELECT attempts, status FROM webhook_deliveries WHERE endpoint_id = $1`, [endpointId]);
      expect(failedBefore.every((r) => r.status === 'pending')).toBe(true);
      expect(received).toHaveLength(0);
      server = await listen();
      const upAt = Date.now();
      await eventually(async () => (new Set(received.map((r) => r.id)).size >= 5 ? true : undefined), 20_000, 'the five deliveries');
      await new Promise((r) => setTimeout(r, 1000));
      const delivered = await query<{ id: string; attempts: number; status: string }>(`SELECT id, attempts, status FROM webhook_deliveries WHERE endpoint_id = $1`, [endpointId]);
      expect(delivered.every((r) => r.status === 'delivered')).toBe(true);
      const events = await query<{ id: string }>(`SELECT id FROM outbox_events WHERE type = 'beneficiary.created' AND resource_id = ANY($1)`, [ids]);
      expect(received.map((r) => r.id).sort()).toEqual(events.map((e) => `msg_${e.id.replace(/-/g, '')}`).sort());
      const lag = Math.max(...received.map((r) => r.at - upAt));
      console.log(
        `faults (b): receiver down ${upAt - downAt} ms; 5 events; attempts while down ${failedBefore.map((r) => r.attempts).join(',')}; ` +
          `all 5 delivered once within ${lag} ms of its return (attempts in all: ${delivered.map((r) => r.attempts).join(',')})`,
      );
    } finally {
      if (endpointId) await api(admin).patch(`/api/v1/webhook-endpoints/${endpointId}`).set(auth).send({ enabled: false });
      if (server) await close(server);
    }
  }, 90_000);

  it('(c0) an import statement longer than the client-side query limit still completes (the load has no limit)', async () => {
    // One statement of the load takes longer than QUERY_TIMEOUT_MS: the import's connection has no client-side limit.
    await query(`CREATE FUNCTION slow_import() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(${(QUERY_TIMEOUT_MS + 1000) / 1000}); RETURN NULL; END $$`);
    await query(`CREATE TRIGGER tr_slow_import AFTER INSERT ON beneficiaries FOR EACH STATEMENT EXECUTE FUNCTION slow_import()`);
    try {
      const csv = [CSV_COLUMNS.join(','), ['0600001', '', 'Lente', 'Ana', '', '1980-01-01', 'F', COMMUNE, '', '', '', 'DEM', '2', 'true', ''].join(',')].join('\n');
      const upload = await api(admin).post('/api/v1/beneficiary-imports').set(auth).attach('file', Buffer.from(csv), 'slow.csv');
      expect(upload.status).toBe(202);
      const done = await eventually(async () => {
        const res = await api(admin).get(`/api/v1/beneficiary-imports/${upload.body.id}`).set(auth);
        return res.body.status === 'completed' || res.body.status === 'failed' ? res.body : undefined;
      }, 40_000, 'the slow import');
      expect(done).toMatchObject({ status: 'completed', totals: { created: 1 } });
    } finally {
      await query(`DROP TRIGGER IF EXISTS tr_slow_import ON beneficiaries`);
      await query(`DROP FUNCTION IF EXISTS slow_import()`);
    }
  }, 60_000);

  it('(c) a process killed during an import leaves no partial rows, and the import is run again to completion', async () => {
    const rows = 20_000;
    // 0500000 to 0519999: a leading zero, which the factories' random CAF numbers never have.
    const base = 500_000;
    const lines = [CSV_COLUMNS.join(',')];
    for (let i = 0; i < rows; i += 1) {
      const values: Record<string, string> = {
        cafNumber: String(base + i).padStart(7, '0'),
        lastName: `Importe${i}`,
        firstName: 'Dominique',
        birthDate: `19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}`,
        sex: i % 2 ? 'F' : 'M',
        communeCode: COMMUNE,
        householdRole: 'DEM',
        rightsState: '2',
        subjectToRightsAndDuties: 'true',
      };
      lines.push(CSV_COLUMNS.map((c) => values[c] ?? '').join(','));
    }
    const [{ count: before }] = await query<{ count: number }>(`SELECT count(*)::int AS count FROM beneficiaries`);
    const upload = await api(admin).post('/api/v1/beneficiary-imports').set(auth).attach('file', Buffer.from(lines.join('\n')), 'big.csv');
    expect(upload.status).toBe(202);
    const importId = upload.body.id as string;

    // Kill the worker inside its load transaction: while it writes the rows.
    const statement = await eventually(async () => {
      const [active] = await query<{ query: string }>(
        `SELECT query FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE '%import_rows%' AND pid <> pg_backend_pid() LIMIT 1`,
      );
      return active?.query;
    }, 60_000, 'the load of the import');
    const killedAt = Date.now();
    expect(await admin.kill()).toBe('SIGKILL');
    // The dead connection's transaction is gone: not one row of the file was written.
    await eventually(async () => {
      const [left] = await query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'parcours' AND pid <> pg_backend_pid()`);
      return left.n === 0 ? true : undefined;
    }, 10_000, 'the killed process\'s sessions to end');
    const [{ count: afterKill }] = await query<{ count: number }>(`SELECT count(*)::int AS count FROM beneficiaries`);
    expect(afterKill).toBe(before);
    const [{ partial }] = await query<{ partial: number }>(`SELECT count(*)::int AS partial FROM beneficiaries WHERE caf_number::int BETWEEN $1 AND $2`, [base, base + rows - 1]);
    expect(partial).toBe(0);
    const [left] = await query<{ status: string }>(`SELECT status FROM beneficiary_imports WHERE id = $1`, [importId]);
    expect(left.status).toBe('running');

    // A new instance (the orchestrator's replacement) takes the abandoned import up again.
    const restarted = await startApi('faults B', env(), 90_000);
    admin = restarted;
    auth = await login(restarted);
    const done = await eventually(async () => {
      const res = await api(restarted).get(`/api/v1/beneficiary-imports/${importId}`).set(auth).timeout(30_000).catch(() => undefined);
      return res?.body?.status === 'completed' || res?.body?.status === 'failed' ? res.body : undefined;
    }, 90_000, 'the import to finish');
    const recoveredIn = Date.now() - killedAt;
    expect(done).toMatchObject({ status: 'completed', totals: { rows, created: rows, rejected: 0 } });
    const [{ count: after }] = await query<{ count: number }>(`SELECT count(*)::int AS count FROM beneficiaries`);
    expect(after).toBe(before + rows);
    const [{ distinct }] = await query<{ distinct: number }>(`SELECT count(DISTINCT caf_number)::int AS distinct FROM beneficiaries WHERE caf_number::int BETWEEN $1 AND $2`, [base, base + rows - 1]);
    expect(distinct).toBe(rows);
    console.log(`faults (c): ${rows}-row import killed (SIGKILL) during "${statement.replace(/\s+/g, ' ').slice(0, 60)}…"; 0 rows left; ` +
      `completed by the new process ${recoveredIn} ms after the kill`);
  }, 150_000);
});

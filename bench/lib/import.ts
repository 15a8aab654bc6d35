/**
 * The import measurement (not a load test): a CSV of new, valid beneficiaries uploaded as
 * the admin to POST /api/v1/beneficiary-imports, polled until it is completed, with the
 * app's resident memory sampled meanwhile; then the same file again (all rows unchanged).
 */
import { request } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { EnvironmentVariables } from '../../src/config/env.validation';
import { CSV_COLUMNS } from '../../src/modules/beneficiary-imports/import-parsers';
import { BENCH_ADMIN, bearerHeaders } from './auth';
import { defer } from './cleanup';
import { GENERATED_CAF_BASE, MAX_BENEFICIARIES } from './generate';
import { httpRequest } from './http';
import { asciiSlug, COMMUNE_WEIGHTS, FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES, seededRandom, STREETS } from './names';
import { memoryStatus, resetPeakMemory } from './processes';

/** CAF numbers of the imported people: above every generated one. */
const IMPORT_CAF_BASE = 5_000_000;
if (GENERATED_CAF_BASE + MAX_BENEFICIARIES > IMPORT_CAF_BASE) throw new Error('imported CAF numbers would collide with generated ones');

const POLL_INTERVAL_MS = 50;
const RSS_SAMPLE_MS = 100;

export const IMPORT_GOAL = { rows: 100_000, maxWallMs: 5000, maxPeakRssMb: 400 };

export interface ImportTotals {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export interface ImportRun {
  /** `completed` or `failed` as the API says, or `timeout`: not finished within the time limit (then cancelled). */
  status: string;
  /** Upload start to the first poll that saw `completed` (or `failed`), or to the time limit. */
  wallMs: number;
  /** Upload start to the 202 answer (the file is stored in the database by then). */
  uploadMs: number;
  /** From the database's timestamps: created_at → started_at (waiting for a worker). */
  queuedMs: number | null;
  /** started_at → finished_at (parse, validate, load, commit). */
  processingMs: number | null;
  totals: ImportTotals;
  /** The first rejected lines, if any (there should be none). */
  firstErrors: unknown[];
  failure: string | null;
  /** On timeout: the statement the app's connection was running (pg_stat_activity), cancelled then. */
  runningStatement?: string;
  /**
   * The slowest answer to GET /beneficiary-imports/{id} while polling (every 50 ms): how long
   * the app's event loop was kept busy by the import, at most, as its other callers would see it.
   */
  slowestPollMs: number;
  /** The app's RSS just before the upload. */
  rssBeforeMb: number;
  /** Highest VmRSS sampled every 100 ms. */
  sampledPeakRssMb: number;
  /** VmHWM at the end, reset just before the upload; null if the reset was not allowed (then it is the process's lifetime peak). */
  hwmPeakRssMb: number | null;
  /** The larger of the two: the peak RSS reported. */
  peakRssMb: number;
}

export interface ImportMeasurement {
  file: { rows: number; withNir: number; bytes: number; maxBytes: number };
  first: ImportRun;
  /** The same file again (expected: every row unchanged); null when the first import did not complete. */
  again: ImportRun | null;
}

export interface ImportTarget {
  appUrl: string;
  appPid: number;
  databaseUrl: string;
  /** How long one import may take before it is cancelled and reported as `timeout`. */
  timeoutMs: number;
}

/** The key that makes 13 digits a valid NIR: 97 − (number mod 97). */
const nirKey = (first13: string) => String(97n - (BigInt(first13) % 97n)).padStart(2, '0');

const csvField = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
const isoDate = (d: Date) => d.toISOString().slice(0, 10);
const DAY_MS = 86_400_000;

/**
 * `rows` valid lines with the documented columns (CSV_COLUMNS): new people (CAF numbers
 * from 5000000, unique), in the active communes weighted like the generated data; every
 * second line has a NIR (unique, with its key), born in the département.
 */
export function buildImportCsv(rows: number, communes: { code: string; name: string }[]): { csv: string; withNir: number } {
  const random = seededRandom(2026);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const slots = communes.flatMap((c) => Array.from({ length: COMMUNE_WEIGHTS[c.code] ?? 10 }, () => c));
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  const lines = [CSV_COLUMNS.join(',')];
  let withNir = 0;
  for (let i = 0; i < rows; i++) {
    const sex = random() < 0.52 ? 'F' : 'M';
    const firstName = pick(sex === 'F' ? FEMALE_FIRST_NAMES : MALE_FIRST_NAMES);
    const lastName = pick(LAST_NAMES);
    const birth = new Date(today - (18 * 365 + Math.floor(random() * 46 * 365)) * DAY_MS);
    const commune = pick(slots);
    let nir = '';
    if (i % 2 === 0) {
      const n = i / 2; // unique (place code, order number) per line
      const first13 = `${sex === 'M' ? 1 : 2}${isoDate(birth).slice(2, 4)}${isoDate(birth).slice(5, 7)}93${String(Math.floor(n / 1000)).padStart(3, '0')}${String(n % 1000).padStart(3, '0')}`;
      nir = `${first13}${nirKey(first13)}`;
      withNir += 1;
    }
    const phone = random() < 0.8 ? `0${6 + Math.floor(random() * 2)} ${Array.from({ length: 4 }, () => String(Math.floor(random() * 100)).padStart(2, '0')).join(' ')}` : '';
    const fields: Record<(typeof CSV_COLUMNS)[number], string> = {
      cafNumber: String(IMPORT_CAF_BASE + i),
      nir,
      lastName,
      firstName,
      birthName: sex === 'F' && random() < 0.15 ? pick(LAST_NAMES) : '',
      birthDate: isoDate(birth),
      sex,
      communeCode: commune.code,
      address: random() < 0.97 ? `${1 + Math.floor(random() * 150)} ${pick(STREETS)}, ${commune.name}` : '',
      phone,
      email: random() < 0.5 ? `${asciiSlug(firstName)}.${asciiSlug(lastName)}${i}@example.org` : '',
      householdRole: random() < 0.8 ? 'DEM' : 'CJT',
      rightsState: '2',
      subjectToRightsAndDuties: 'true',
      rightsOpenedOn: isoDate(new Date(today - (1 + Math.floor(random() * 120)) * DAY_MS)),
    };
    lines.push(CSV_COLUMNS.map((c) => csvField(fields[c])).join(','));
  }
  return { csv: `${lines.join('\n')}\n`, withNir };
}

/** POST multipart/form-data with the file in the field `file`. */
function upload(url: string, headers: Record<string, string>, filename: string, content: Buffer): Promise<{ status: number; body: string }> {
  const boundary = `----parcours-bench-${Date.now()}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n`),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        timeout: 120_000,
        headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end(body);
  });
}

const round1 = (n: number) => Math.round(n * 10) / 10;

async function importOnce(target: ImportTarget, client: Client, content: Buffer, filename: string): Promise<ImportRun> {
  const headers = await bearerHeaders(target.appUrl, BENCH_ADMIN);
  const hwmReset = await resetPeakMemory(target.appPid);
  const rssBeforeMb = (await memoryStatus(target.appPid)).rssMb;
  let sampledPeakRssMb = rssBeforeMb;
  const sampler = setInterval(() => {
    memoryStatus(target.appPid).then(
      (m) => (sampledPeakRssMb = Math.max(sampledPeakRssMb, m.rssMb)),
      () => undefined,
    );
  }, RSS_SAMPLE_MS);
  try {
    const started = performance.now();
    const accepted = await upload(`${target.appUrl}/api/v1/beneficiary-imports`, headers, filename, content);
    const uploadMs = Math.round(performance.now() - started);
    if (accepted.status !== 202) throw new Error(`upload: ${accepted.status} ${accepted.body.slice(0, 500)}`);
    const { id } = JSON.parse(accepted.body) as { id: string };
    let state: { status: string; totals: ImportTotals; errors: unknown[]; failure: string | null };
    let runningStatement: string | undefined;
    let slowestPollMs = 0;
    for (;;) {
      const polled = performance.now();
      const res = await httpRequest(`${target.appUrl}/api/v1/beneficiary-imports/${id}`, { headers, timeoutMs: 60_000 });
      slowestPollMs = Math.max(slowestPollMs, performance.now() - polled);
      if (res.status !== 200) throw new Error(`GET import ${id}: ${res.status} ${res.body.slice(0, 500)}`);
      state = JSON.parse(res.body) as typeof state;
      if (state.status === 'completed' || state.status === 'failed') break;
      if (performance.now() - started > target.timeoutMs) {
        runningStatement = await cancelAppStatements(client);
        state = { ...state, status: 'timeout' };
        break;
      }
      await sleep(POLL_INTERVAL_MS);
    }
    const wallMs = Math.round(performance.now() - started);
    clearInterval(sampler);
    const end = await memoryStatus(target.appPid);
    sampledPeakRssMb = Math.max(sampledPeakRssMb, end.rssMb);
    const { rows } = await client.query<{ queued_ms: number | null; processing_ms: number | null }>(
      `SELECT round(extract(epoch FROM started_at - created_at) * 1000)::int AS queued_ms,
              round(extract(epoch FROM finished_at - started_at) * 1000)::int AS processing_ms
         FROM beneficiary_imports WHERE id = $1`,
      [id],
    );
    const hwmPeakRssMb = hwmReset ? round1(end.hwmMb) : null;
    return {
      status: state.status,
      wallMs,
      uploadMs,
      queuedMs: rows[0]?.queued_ms ?? null,
      processingMs: rows[0]?.processing_ms ?? null,
      totals: state.totals,
      firstErrors: state.errors.slice(0, 3),
      failure: state.failure,
      ...(runningStatement === undefined ? {} : { runningStatement }),
      slowestPollMs: Math.round(slowestPollMs),
      rssBeforeMb: round1(rssBeforeMb),
      sampledPeakRssMb: round1(sampledPeakRssMb),
      hwmPeakRssMb,
      peakRssMb: round1(Math.max(sampledPeakRssMb, hwmPeakRssMb ?? 0)),
    };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * Cancels what the app's connections are running (an import past the time limit), so that
 * the app can stop; returns the statement (whitespace collapsed, first 300 characters).
 */
async function cancelAppStatements(client: Client): Promise<string> {
  const { rows } = await client.query<{ query: string }>(
    `SELECT query, pg_cancel_backend(pid) FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = 'parcours' AND state = 'active' AND pid <> pg_backend_pid()`,
  );
  return rows.map((r) => r.query.replace(/\s+/g, ' ').trim().slice(0, 300)).join(' | ');
}

const describe = (run: ImportRun) =>
  (run.status === 'timeout' ? `not finished after ${run.wallMs} ms, cancelled while running: ${run.runningStatement}; ` : `${run.status} in ${run.wallMs} ms `) +
  `(upload ${run.uploadMs} ms, queued ${run.queuedMs ?? '?'} ms, processing ${run.processingMs ?? '?'} ms), ` +
  `${JSON.stringify(run.totals)}, peak RSS ${run.peakRssMb} MiB, slowest status poll ${run.slowestPollMs} ms`;

/** Builds the file, imports it, imports it again. */
export async function measureImport(target: ImportTarget, rows: number): Promise<ImportMeasurement> {
  const client = new Client({ connectionString: target.databaseUrl, application_name: 'parcours-bench-import' });
  await client.connect();
  const dir = await mkdtemp(join(tmpdir(), 'parcours-bench-import-'));
  const removeDir = defer(() => rm(dir, { recursive: true, force: true }));
  try {
    const { rows: communes } = await client.query<{ code: string; name: string }>(`SELECT insee_code AS code, name FROM communes WHERE active ORDER BY insee_code`);
    const { csv, withNir } = buildImportCsv(rows, communes);
    const content = Buffer.from(csv, 'utf8');
    const maxBytes = Number(process.env.IMPORT_MAX_BYTES || new EnvironmentVariables().IMPORT_MAX_BYTES);
    if (content.length > maxBytes) throw new Error(`the import file has ${content.length} bytes, over IMPORT_MAX_BYTES (${maxBytes})`);
    const file = join(dir, `bench-import-${rows}.csv`);
    await writeFile(file, content);
    console.log(`import: ${rows} rows (${withNir} with a NIR), ${(content.length / 2 ** 20).toFixed(1)} MiB (limit ${(maxBytes / 2 ** 20).toFixed(0)} MiB), written to ${file}`);
    const first = await importOnce(target, client, content, `bench-import-${rows}.csv`);
    console.log(`import: ${describe(first)}`);
    if (first.status !== 'completed') return { file: { rows, withNir, bytes: content.length, maxBytes }, first, again: null };
    const again = await importOnce(target, client, content, `bench-import-${rows}.csv`);
    console.log(`import again (same file): ${describe(again)}`);
    return { file: { rows, withNir, bytes: content.length, maxBytes }, first, again };
  } finally {
    await client.end();
    await removeDir();
  }
}

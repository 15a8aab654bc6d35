/**
 * The reports' response times on the generated data (100,000 beneficiaries, 600
 * programmes, 50,000 referrals, 500 pathway participants): each report asked 30 times in a row as the admin,
 * after 5 discarded requests; then the monthly snapshot of last month, once.
 */
import { performance } from 'node:perf_hooks';
import { BENCH_ADMIN, bearerHeaders } from './auth';
import { httpRequest } from './http';

export const REPORT_GOAL_MS = 200;
const RUNS = 30;
const WARMUP = 5;

export interface ReportTiming {
  name: string;
  path: string;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export interface ReportsMeasurement {
  runs: number;
  reports: ReportTiming[];
  /** POST /reports/snapshots for last month: every agency's overview and every programme's row, written. */
  snapshot: { month: string; written: number; ms: number };
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

export async function measureReports(appUrl: string, agencyId: string): Promise<ReportsMeasurement> {
  const headers = await bearerHeaders(appUrl, BENCH_ADMIN);
  const paths: [string, string][] = [
    ['overview (département)', '/api/v1/reports/overview'],
    ['overview (one agency)', `/api/v1/reports/overview?agencyId=${agencyId}`],
    ['overview (CSV)', '/api/v1/reports/overview'],
    ['agencies', '/api/v1/reports/agencies'],
    ['programmes (per programme)', '/api/v1/reports/programmes'],
    ['programmes (per EPT)', '/api/v1/reports/programmes?groupBy=ept'],
    ['construction pathway dashboard', '/api/v1/construction-pathway/dashboard'],
    ['construction pathway alerts', '/api/v1/construction-pathway/alerts?limit=50'],
  ];
  const reports: ReportTiming[] = [];
  for (const [name, path] of paths) {
    const h = name.endsWith('(CSV)') ? { ...headers, accept: 'text/csv' } : headers;
    const times: number[] = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const t0 = performance.now();
      const res = await httpRequest(`${appUrl}${path}`, { headers: h, timeoutMs: 10_000 });
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.body}`);
      if (i >= WARMUP) times.push(ms);
    }
    times.sort((a, b) => a - b);
    reports.push({ name, path, p50Ms: round1(quantile(times, 0.5)), p95Ms: round1(quantile(times, 0.95)), maxMs: round1(times[times.length - 1]) });
    console.log(`report ${name}: p50 ${round1(quantile(times, 0.5))} ms, p95 ${round1(quantile(times, 0.95))} ms`);
  }
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - 1);
  const month = d.toISOString().slice(0, 7);
  const t0 = performance.now();
  const res = await httpRequest(`${appUrl}/api/v1/reports/snapshots`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ month }),
    timeoutMs: 120_000,
  });
  const ms = round1(performance.now() - t0);
  if (res.status !== 201) throw new Error(`POST /reports/snapshots: ${res.status} ${res.body}`);
  return { runs: RUNS, reports, snapshot: { month, written: (JSON.parse(res.body) as { written: number }).written, ms } };
}

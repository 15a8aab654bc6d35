import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { ACCEPT_GOAL, AcceptMeasurement, AcceptRun } from './accepts';
import { GenerationResult } from './generate';
import { IMPORT_GOAL, ImportMeasurement, ImportRun } from './import';
import { LoadResult, LoadSettings } from './load';
import { REPORT_GOAL_MS, ReportsMeasurement } from './reports';
import { Goal } from './scenarios';
import { StartupResult } from './startup';
import { WEBHOOK_GOAL, WebhookMeasurement } from './webhooks';

export const COLD_START_GOAL_MS = 5000;
const GOAL_CONNECTIONS = 32;

export interface ScenarioResult {
  name: string;
  path: string;
  /** Same status and same JSON body from both servers (checked once before the load). */
  sameResponse: boolean;
  baseline: LoadResult;
  app: LoadResult;
  /** app req/s ÷ baseline req/s */
  ratio: number;
  goal?: Goal;
}

export interface GoalOutcome {
  goal: string;
  met: boolean;
  measured: string;
}

export interface BenchResults {
  date: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; os: string; loadAverage1mAtStart: number };
  settings: LoadSettings & { poolSize: number };
  /** The generated data set (bench/lib/generate.ts) and how long it took. */
  dataset: GenerationResult;
  scenarios: ScenarioResult[];
  /** Concurrent acceptances on one programme (bench/lib/accepts.ts). */
  accepts: AcceptMeasurement;
  /** The reports' response times (bench/lib/reports.ts). */
  reports: ReportsMeasurement;
  memory: { appIdleRssMb: number; baselineIdleRssMb: number };
  /** The CSV import, after the scenarios (it adds its rows to the database). */
  imports: ImportMeasurement;
  /** Signed France Travail events in, and the outbox-to-receiver lag out (issue #7). */
  webhooks: WebhookMeasurement;
  startup: StartupResult;
  goals: GoalOutcome[];
}

/** Call before starting anything: the load average tells whether something else was running. */
export function machine(): BenchResults['machine'] {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${platform()} ${release()}`,
    loadAverage1mAtStart: Math.round(loadavg()[0] * 100) / 100,
  };
}

export function evaluateGoals(
  scenarios: ScenarioResult[],
  startup: StartupResult,
  settings: LoadSettings,
  imports: ImportMeasurement,
  accepts: AcceptMeasurement,
  reports: ReportsMeasurement,
  webhooks: WebhookMeasurement,
): GoalOutcome[] {
  const atConnections = settings.connections === GOAL_CONNECTIONS ? '' : ` (measured at ${settings.connections} connections, not ${GOAL_CONNECTIONS})`;
  const outcomes = scenarios.flatMap(({ name, goal, ratio, app }) =>
    goal
      ? [
          {
            goal: `${name}: app ≥ ${goal.minRatio}× baseline req/s and p99 ≤ ${goal.maxP99Ms} ms at ${GOAL_CONNECTIONS} connections`,
            met: settings.connections === GOAL_CONNECTIONS && ratio >= goal.minRatio && app.latencyP99Ms <= goal.maxP99Ms,
            measured: `${ratio.toFixed(2)}×, p99 ${app.latencyP99Ms} ms${atConnections}`,
          },
        ]
      : [],
  );
  const rows = imports.file.rows;
  const atRows = rows === IMPORT_GOAL.rows ? '' : ` (measured with ${rows} rows, not ${IMPORT_GOAL.rows})`;
  const { first } = imports;
  const completed = first.status === 'completed' && first.totals.rejected === 0 && first.totals.created === rows;
  outcomes.push(
    {
      goal: `import of ${IMPORT_GOAL.rows} CSV rows: upload to completed ≤ ${IMPORT_GOAL.maxWallMs / 1000} s`,
      met: rows === IMPORT_GOAL.rows && completed && first.wallMs <= IMPORT_GOAL.maxWallMs,
      measured: `${first.wallMs} ms, ${first.status}, ${first.totals.created} created${atRows}`,
    },
    {
      goal: `import of ${IMPORT_GOAL.rows} CSV rows: app peak RSS ≤ ${IMPORT_GOAL.maxPeakRssMb} MiB`,
      met: rows === IMPORT_GOAL.rows && completed && first.peakRssMb <= IMPORT_GOAL.maxPeakRssMb,
      measured: `${first.peakRssMb} MiB${completed ? '' : ` (the import ${first.status === 'timeout' ? 'did not finish' : first.status})`}${atRows}`,
    },
  );
  const a = accepts;
  outcomes.push(
    {
      goal: `concurrent accepts (${a.clients} clients, ${a.referrals} referrals for ${a.capacity} places): 0 overbooked`,
      met: a.app.overbooked === 0 && a.app.accepted === a.capacity && a.app.acceptedInDb === a.capacity && a.app.other === 0,
      measured: `${a.app.overbooked} overbooked; ${a.app.accepted} accepted, ${a.app.refused} refused (409), ${a.app.other} other; ${a.app.placesHeld} places held`,
    },
    {
      goal: `concurrent accepts: app ≥ ${ACCEPT_GOAL.minRatio}× baseline accepts/s`,
      met: a.ratio >= ACCEPT_GOAL.minRatio,
      measured: `${a.ratio.toFixed(2)}× (${int(a.app.requestsPerSec)} / ${int(a.baseline.requestsPerSec)} accepts/s)`,
    },
  );
  for (const r of reports.reports) {
    outcomes.push({ goal: `report ${r.name}: p95 ≤ ${REPORT_GOAL_MS} ms`, met: r.p95Ms <= REPORT_GOAL_MS, measured: `p95 ${r.p95Ms} ms (p50 ${r.p50Ms}, max ${r.maxMs})` });
  }
  const { inbound, outbound } = webhooks;
  outcomes.push(
    {
      goal: `inbound webhooks: ≥ ${WEBHOOK_GOAL.inboundPerSec} signed events/s verified and stored`,
      met: inbound.eventsPerSec >= WEBHOOK_GOAL.inboundPerSec && inbound.stored >= inbound.acknowledged && inbound.non2xx === 0 && inbound.errors === 0,
      measured: `${inbound.eventsPerSec}/s at ${inbound.connections} connections, ${inbound.stored} stored of ${inbound.acknowledged} acknowledged, ${inbound.non2xx} non-2xx`,
    },
    {
      goal: `outbound webhooks: p95 lag from the business change to the receiver ≤ ${WEBHOOK_GOAL.outboundLagP95Ms} ms`,
      met: outbound.delivered === outbound.events && outbound.badSignatures === 0 && outbound.lagFromRequestP95Ms <= WEBHOOK_GOAL.outboundLagP95Ms,
      measured: `p95 ${outbound.lagFromRequestP95Ms} ms from the request (${outbound.lagFromResponseP95Ms} ms from the response), ${outbound.delivered}/${outbound.events} delivered`,
    },
  );
  outcomes.push({
    goal: `cold start ≤ ${COLD_START_GOAL_MS / 1000} s`,
    met: startup.coldStartMs <= COLD_START_GOAL_MS,
    measured: `${Math.round(startup.coldStartMs)} ms`,
  });
  return outcomes;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')).join('\n');
}

const int = (n: number) => Math.round(n).toString();
const pair = (app: number, baseline: number) => `${app} / ${baseline}`;

const acceptLine = (label: string, r: AcceptRun) =>
  `${label}: ${int(r.requestsPerSec)} accepts/s, p50 ${r.latencyP50Ms} ms, p99 ${r.latencyP99Ms} ms; ` +
  `${r.accepted} accepted, ${r.refused} refused (409), ${r.other} other; ${r.placesHeld} places held, ${r.acceptedInDb} accepted in the database, ${r.overbooked} overbooked`;

const importLine = (label: string, r: ImportRun | null) =>
  r === null
    ? `${label}: not run (the first import did not complete)`
    : `${label}: ` +
      (r.status === 'timeout' ? `NOT FINISHED after ${r.wallMs} ms (cancelled while running: ${r.runningStatement})` : `${r.status} in ${r.wallMs} ms`) +
      ` (upload ${r.uploadMs} ms, queued ${r.queuedMs ?? '?'} ms, processing ${r.processingMs ?? '?'} ms); ` +
      `created ${r.totals.created}, updated ${r.totals.updated}, unchanged ${r.totals.unchanged}, rejected ${r.totals.rejected}; ` +
      `app RSS ${r.rssBeforeMb.toFixed(1)} MiB before, peak ${r.peakRssMb.toFixed(1)} MiB; slowest status poll ${r.slowestPollMs} ms` +
      (r.failure ? `; failure: ${r.failure}` : '');

export function formatResults(results: BenchResults): string {
  const { machine: m, settings: s } = results;
  const header = ['scenario', 'baseline req/s', 'app req/s', 'app/baseline', 'p50 ms app / base', 'p99 ms app / base', 'non-2xx app / base', 'errors app / base'];
  const rows = results.scenarios.map((r) => [
    r.name + (r.sameResponse ? '' : ' (!)'),
    int(r.baseline.requestsPerSec),
    int(r.app.requestsPerSec),
    `${r.ratio.toFixed(2)}×`,
    pair(r.app.latencyP50Ms, r.baseline.latencyP50Ms),
    pair(r.app.latencyP99Ms, r.baseline.latencyP99Ms),
    pair(r.app.non2xx, r.baseline.non2xx),
    pair(r.app.errors, r.baseline.errors),
  ]);
  const notes = results.scenarios.filter((r) => !r.sameResponse).map((r) => `(!) ${r.name}: the app and the baseline did not answer the same`);
  const d = results.dataset;
  const f = results.imports.file;
  return [
    `${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}, load average ${m.loadAverage1mAtStart} at start`,
    `${s.connections} connections, ${s.durationS} s per run after a ${s.warmupS} s warm-up, pool size ${s.poolSize}`,
    `data: ${d.counts.agencies} agencies, ${d.counts.advisors} advisors, ${d.counts.beneficiaries} beneficiaries, ` +
      `${d.counts.programmes} programmes (${d.counts.places} places), ${d.counts.referrals} referrals, ${d.counts.participants} pathway participants, generated in ${int(d.totalMs)} ms ` +
      `(${d.steps.map((t) => `${t.name} ${t.ms} ms`).join(', ')})`,
    '',
    table([header, ...rows]),
    ...notes,
    '',
    `concurrent accepts, ${results.accepts.clients} clients, ${results.accepts.referrals} referrals for ${results.accepts.capacity} places:`,
    `  ${acceptLine('baseline', results.accepts.baseline)}`,
    `  ${acceptLine('app', results.accepts.app)}`,
    '',
    `reports (${results.reports.runs} requests each): ` + results.reports.reports.map((r) => `${r.name} p50 ${r.p50Ms} / p95 ${r.p95Ms} ms`).join('; '),
    `monthly snapshot of ${results.reports.snapshot.month}: ${results.reports.snapshot.written} written in ${results.reports.snapshot.ms} ms`,
    '',
    `cold start (new data directory): ${int(results.startup.coldStartMs)} ms`,
    `warm start (same data directory): ${int(results.startup.warmStartMs)} ms`,
    `idle RSS after the load: app ${results.memory.appIdleRssMb.toFixed(1)} MiB, baseline ${results.memory.baselineIdleRssMb.toFixed(1)} MiB`,
    '',
    `import file: ${f.rows} CSV rows (${f.withNir} with a NIR), ${(f.bytes / 2 ** 20).toFixed(1)} MiB of ${(f.maxBytes / 2 ** 20).toFixed(0)} MiB allowed`,
    importLine('import', results.imports.first),
    importLine('same file again', results.imports.again),
    '',
    ...webhookLines(results.webhooks),
    '',
    'goals:',
    ...results.goals.map((g) => `  [${g.met ? 'met' : 'MISSED'}] ${g.goal}: ${g.measured}`),
  ].join('\n');
}

export function webhookLines({ inbound: i, outbound: o }: WebhookMeasurement): string[] {
  return [
    `inbound webhooks: ${i.eventsPerSec} signed events/s at ${i.connections} connections for ${i.durationS} s (p50 ${i.latencyP50Ms} ms, p99 ${i.latencyP99Ms} ms); ` +
      `${i.acknowledged} acknowledged, ${i.stored} stored, ${i.non2xx} non-2xx, ${i.errors} errors; ` +
      (i.drainedAfterMs === null ? 'processing not finished 120 s after the load' : `all processed ${i.drainedAfterMs} ms after the load`),
    `outbound webhooks: ${o.delivered}/${o.events} delivered at ${o.ratePerSec} changes/s; lag p50 / p95 / max from the request ${o.lagFromRequestP50Ms} / ${o.lagFromRequestP95Ms} / ${o.lagFromRequestMaxMs} ms, ` +
      `p50 / p95 from the response ${o.lagFromResponseP50Ms} / ${o.lagFromResponseP95Ms} ms; ${o.badSignatures} bad signatures`,
  ];
}

export async function writeResults(file: string, results: BenchResults): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
}

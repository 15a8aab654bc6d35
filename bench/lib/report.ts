import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { LoadResult, LoadSettings } from './load';
import { Goal } from './scenarios';
import { StartupResult } from './startup';

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
  scenarios: ScenarioResult[];
  memory: { appIdleRssMb: number; baselineIdleRssMb: number };
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

export function evaluateGoals(scenarios: ScenarioResult[], startup: StartupResult, settings: LoadSettings): GoalOutcome[] {
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
  return [
    `${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}, load average ${m.loadAverage1mAtStart} at start`,
    `${s.connections} connections, ${s.durationS} s per run after a ${s.warmupS} s warm-up, pool size ${s.poolSize}`,
    '',
    table([header, ...rows]),
    ...notes,
    '',
    `cold start (new data directory): ${int(results.startup.coldStartMs)} ms`,
    `warm start (same data directory): ${int(results.startup.warmStartMs)} ms`,
    `idle RSS after the load: app ${results.memory.appIdleRssMb.toFixed(1)} MiB, baseline ${results.memory.baselineIdleRssMb.toFixed(1)} MiB`,
    '',
    'goals:',
    ...results.goals.map((g) => `  [${g.met ? 'met' : 'MISSED'}] ${g.goal}: ${g.measured}`),
  ].join('\n');
}

export async function writeResults(file: string, results: BenchResults): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
}

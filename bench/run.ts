/**
 * `npm run bench`: the API against a plain Fastify + pg baseline, on one
 * throwaway PostgreSQL filled with generated data; a CSV import; then cold and
 * warm starts. See docs/BENCHMARKS.md.
 */
import 'reflect-metadata';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { freePort } from '../src/database/embedded-postgres';
import { BENCH_MANAGER, BENCH_PROVIDER, GENERATED_PASSWORD } from './lib/auth';
import { runAllTeardowns, takeOverSignals } from './lib/cleanup';
import { startBenchDatabase } from './lib/database';
import { POOL_SIZE, serverEnv } from './lib/env';
import { DEFAULT_SIZES, generateData } from './lib/generate';
import { httpRequest } from './lib/http';
import { measureAccepts } from './lib/accepts';
import { measureReports } from './lib/reports';
import { IMPORT_GOAL, measureImport } from './lib/import';
import { LoadResult, LoadSettings, loadSettingsFromEnv, measure, positiveInt } from './lib/load';
import { APP_NODE_ARGS, APP_SCRIPT, BASELINE_SCRIPT, RESULTS_FILE } from './lib/paths';
import { residentMemoryMb, Server, signalAllServers, startServer, waitReady } from './lib/processes';
import { BenchResults, evaluateGoals, formatResults, machine, ScenarioResult, writeResults } from './lib/report';
import { Scenario, SCENARIOS } from './lib/scenarios';
import { measureStartup } from './lib/startup';
import { measureWebhooks, webhookSettings } from './lib/webhooks';

type TargetName = 'baseline' | 'app';
const round1 = (n: number) => Math.round(n * 10) / 10;
type Servers = Record<TargetName, Server>;

/** Measured in this order for every scenario. */
const ORDER: TargetName[] = ['baseline', 'app'];

async function launch(name: TargetName, script: string, databaseUrl: string): Promise<Server> {
  const port = await freePort();
  const server = startServer(name, script, serverEnv({ port, databaseUrl, dataDir: tmpdir(), withAdmin: name === 'app' }), port, name === 'app' ? APP_NODE_ARGS : []);
  await waitReady(server);
  return server;
}

/** The body parsed when it is JSON, for a comparison that ignores key order. */
async function fetchOnce(url: string, headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const { status, body } = await httpRequest(url, { headers });
  try {
    return { status, body: JSON.parse(body) as unknown };
  } catch {
    return { status, body };
  }
}

async function runScenario(scenario: Scenario, servers: Servers, databaseUrl: string, settings: LoadSettings): Promise<ScenarioResult> {
  const prepared = await scenario.prepare?.({ appUrl: servers.app.baseUrl, databaseUrl });
  const headers = { ...scenario.headers, ...prepared?.headers };
  const path = prepared?.path ?? scenario.path;
  const results = {} as Record<TargetName, LoadResult>;
  const firstResponses: unknown[] = [];
  for (const name of ORDER) {
    const server = servers[name];
    const url = `${server.baseUrl}${path}`;
    firstResponses.push(await fetchOnce(url, headers));
    console.log(`${scenario.name}: ${name}, ${settings.warmupS} s warm-up + ${settings.durationS} s…`);
    results[name] = await measure(url, headers, settings);
    if (!server.alive()) throw new Error(`${name} died during the load:\n${server.output()}`);
  }
  const { baseline, app } = results;
  return {
    name: scenario.name,
    path,
    sameResponse: firstResponses.every((r) => isDeepStrictEqual(r, firstResponses[0])),
    baseline,
    app,
    ratio: Math.round((app.requestsPerSec / baseline.requestsPerSec) * 1000) / 1000,
    goal: scenario.goal,
  };
}

let interrupted = false;

async function main(): Promise<void> {
  const host = machine();
  const settings = loadSettingsFromEnv();
  console.log('starting PostgreSQL, the baseline and the app…');
  const database = await startBenchDatabase();
  takeOverSignals(onSignal); // again: loading embedded-postgres added its own exit hook
  console.log('generating the data…');
  const dataset = await generateData(database.url, {
    ...DEFAULT_SIZES,
    beneficiaries: positiveInt('BENCH_BENEFICIARIES', DEFAULT_SIZES.beneficiaries),
    password: GENERATED_PASSWORD,
    managerEmail: BENCH_MANAGER.email,
    providerEmail: BENCH_PROVIDER.email,
  });

  const servers: Servers = {
    baseline: await launch('baseline', BASELINE_SCRIPT, database.url),
    app: await launch('app', APP_SCRIPT, database.url),
  };
  const scenarios: ScenarioResult[] = [];
  for (const scenario of SCENARIOS) scenarios.push(await runScenario(scenario, servers, database.url, settings));

  const accepts = await measureAccepts({
    baselineUrl: servers.baseline.baseUrl,
    appUrl: servers.app.baseUrl,
    databaseUrl: database.url,
    providerId: dataset.provider.providerId,
  });
  if (!servers.app.alive()) throw new Error(`app died during the accepts:\n${servers.app.output()}`);
  console.log('reports…');
  const reports = await measureReports(servers.app.baseUrl, dataset.manager.agencyId);

  await sleep(2000); // the last responses flushed: idle
  const appIdleRssMb = round1(await residentMemoryMb(servers.app.pid));
  const baselineIdleRssMb = round1(await residentMemoryMb(servers.baseline.pid));
  console.log('CSV import as the admin…');
  const imports = await measureImport(
    { appUrl: servers.app.baseUrl, appPid: servers.app.pid, databaseUrl: database.url, timeoutMs: positiveInt('BENCH_IMPORT_TIMEOUT', 120) * 1000 },
    positiveInt('BENCH_IMPORT_ROWS', IMPORT_GOAL.rows),
  );
  if (!servers.app.alive()) throw new Error(`app died during the import:\n${servers.app.output()}`);
  console.log('webhooks: signed France Travail events in, deliveries out…');
  const webhooks = await measureWebhooks({ appUrl: servers.app.baseUrl, databaseUrl: database.url }, webhookSettings(settings, positiveInt));
  if (!servers.app.alive()) throw new Error(`app died during the webhooks:\n${servers.app.output()}`);
  await servers.app.stop();
  await servers.baseline.stop();
  await database.stop();

  console.log('cold and warm start of the app on its own embedded PostgreSQL…');
  const startup = await measureStartup();

  const results: BenchResults = {
    date: new Date().toISOString(),
    machine: host,
    settings: { ...settings, poolSize: POOL_SIZE },
    dataset,
    scenarios,
    accepts,
    reports,
    memory: { appIdleRssMb, baselineIdleRssMb },
    imports,
    webhooks,
    startup,
    goals: evaluateGoals(scenarios, startup, settings, imports, accepts, reports, webhooks),
  };
  await writeResults(RESULTS_FILE, results);
  console.log(`\n${formatResults(results)}\n\nwritten to ${RESULTS_FILE}`);
}

/** Ctrl-C: every server gets SIGTERM at once, then everything is stopped in order. */
function onSignal(signal: NodeJS.Signals): void {
  interrupted = true;
  console.error(`${signal}: stopping the servers`);
  signalAllServers();
  setTimeout(() => process.exit(130), 60_000).unref();
  void runAllTeardowns().finally(() => process.exit(130));
}

takeOverSignals(onSignal);

void main()
  .catch((error: unknown) => {
    if (interrupted) return;
    console.error(`benchmark failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await runAllTeardowns();
    // Explicitly: embedded-postgres's exit hook would otherwise exit with 0 on 'beforeExit'.
    process.exit();
  });

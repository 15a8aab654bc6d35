/**
 * `npm run bench:rate-limit`: what the per-address API rate limit costs on the
 * hot list route. The built app twice on one generated database, with and
 * without the limiter's hook (the second one's `registerRateLimit` replaced by
 * a no-op), and the app's CPU time per request over interleaved rounds. See
 * docs/security.md, "Rate limits".
 */
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort } from '../src/database/embedded-postgres';
import { BENCH_MANAGER, BENCH_PROVIDER, GENERATED_PASSWORD } from './lib/auth';
import { startBenchDatabase } from './lib/database';
import { serverEnv } from './lib/env';
import { DEFAULT_SIZES, generateData } from './lib/generate';
import { APP_SCRIPT } from './lib/paths';
import { Server, startServer, waitReady } from './lib/processes';
import { SCENARIOS } from './lib/scenarios';

const REQUESTS_PER_ROUND = 10_000;
const ORDER = ['on', 'off', 'off', 'on', 'on', 'off', 'off', 'on'] as const;

/** User + system CPU time of a process, in ms (Linux). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function main(): Promise<void> {
  const database = await startBenchDatabase();
  const servers: Partial<Record<'on' | 'off', Server>> = {};
  try {
    await generateData(database.url, {
      ...DEFAULT_SIZES,
      beneficiaries: 30_000,
      referrals: 10_000,
      password: GENERATED_PASSWORD,
      managerEmail: BENCH_MANAGER.email,
      providerEmail: BENCH_PROVIDER.email,
    });
    const withoutLimiter = join(tmpdir(), `parcours-no-rate-limit-${process.pid}.js`);
    writeFileSync(
      withoutLimiter,
      `require(${JSON.stringify(join(APP_SCRIPT, '..', 'common', 'http', 'rate-limit.js'))}).registerRateLimit = () => undefined;\n` +
        `require(${JSON.stringify(APP_SCRIPT)});\n`,
    );
    for (const [name, script] of [['on', APP_SCRIPT], ['off', withoutLimiter]] as const) {
      const port = await freePort();
      servers[name] = startServer(name, script, serverEnv({ port, databaseUrl: database.url, dataDir: tmpdir(), withAdmin: true }), port);
      await waitReady(servers[name]);
    }
    const on = servers.on!;
    const off = servers.off!;
    const scenario = SCENARIOS.find((s) => s.name.startsWith('beneficiaries list'))!;
    const prepared = (await scenario.prepare!({ appUrl: on.baseUrl, databaseUrl: database.url }))!;
    const target = { on, off };
    const run = (server: Server, amount: number) =>
      autocannon({ url: `${server.baseUrl}${prepared.path}`, headers: prepared.headers, connections: 8, amount });
    await run(on, 3000); // warm-up
    await run(off, 3000);
    const perRequest: Record<'on' | 'off', number[]> = { on: [], off: [] };
    for (const name of ORDER) {
      const before = cpuMs(target[name].pid);
      const result = await run(target[name], REQUESTS_PER_ROUND);
      if (result.non2xx > 0) throw new Error(`${name}: ${result.non2xx} non-2xx responses`);
      perRequest[name].push((cpuMs(target[name].pid) - before) / REQUESTS_PER_ROUND);
      console.log(`${name}: ${perRequest[name].at(-1)!.toFixed(3)} ms of CPU per request`);
    }
    for (const name of ['on', 'off'] as const) {
      const values = perRequest[name];
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      console.log(`limiter ${name}: mean ${mean.toFixed(3)} ms, rounds ${Math.min(...values).toFixed(3)} to ${Math.max(...values).toFixed(3)} ms`);
    }
  } finally {
    await servers.on?.stop();
    await servers.off?.stop();
    await database.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

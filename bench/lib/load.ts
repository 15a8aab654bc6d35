import autocannon from 'autocannon';

export interface LoadSettings {
  connections: number;
  durationS: number;
  warmupS: number;
}

export interface LoadResult {
  requestsPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  requests: number;
  non2xx: number;
  /** Connection errors, timeouts included. */
  errors: number;
}

/** A positive integer from the environment variable `name`, or `fallback` when unset. */
export function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

/** BENCH_CONNECTIONS (32) and BENCH_DURATION in seconds (10); the warm-up is 2 s. */
export function loadSettingsFromEnv(): LoadSettings {
  return { connections: positiveInt('BENCH_CONNECTIONS', 32), durationS: positiveInt('BENCH_DURATION', 10), warmupS: 2 };
}

function fire(url: string, headers: Record<string, string>, connections: number, durationS: number) {
  return autocannon({ url, headers, connections, duration: durationS });
}

/** A discarded warm-up run, then the measured run. */
export async function measure(url: string, headers: Record<string, string>, settings: LoadSettings): Promise<LoadResult> {
  await fire(url, headers, settings.connections, settings.warmupS);
  const r = await fire(url, headers, settings.connections, settings.durationS);
  return {
    requestsPerSec: r.requests.average,
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

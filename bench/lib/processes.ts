import { ChildProcess, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { defer, settlesWithin } from './cleanup';
import { httpRequest } from './http';

const OUTPUT_LINES_KEPT = 40;
const STOP_TIMEOUT_MS = 30_000;

export interface Server {
  name: string;
  pid: number;
  baseUrl: string;
  /** performance.now() at spawn. */
  spawnedAt: number;
  /** The last lines the process wrote, for error messages. */
  output(): string;
  alive(): boolean;
  /** SIGTERM, then wait for the exit (SIGKILL after 30 s); reports an unclean exit. */
  stop(): Promise<void>;
}

/** The running children, each with its terminate function (SIGTERM once: a second one would kill the app before its embedded PostgreSQL is stopped). */
const running = new Map<ChildProcess, () => void>();

/** Starts `node <nodeArgs> <script>` with `env`, listening on 127.0.0.1:`port`. */
export function startServer(name: string, script: string, env: NodeJS.ProcessEnv, port: number, nodeArgs: string[] = []): Server {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name}: could not spawn ${script}`);
  let terminated = false;
  const terminate = () => {
    if (!terminated) child.kill('SIGTERM');
    terminated = true;
  };
  running.set(child, terminate);
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve(signal ?? `code ${code}`);
    }),
  );
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - OUTPUT_LINES_KEPT));
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);

  const alive = () => running.has(child);
  const stop = defer(async () => {
    if (!alive()) return;
    terminate();
    if (!(await settlesWithin(exited, STOP_TIMEOUT_MS))) {
      console.error(`${name} did not stop within ${STOP_TIMEOUT_MS} ms: killed`);
      child.kill('SIGKILL');
    }
    const outcome = await exited;
    if (outcome !== 'code 0') console.error(`${name} stopped with ${outcome}:\n${lines.join('\n')}`);
  });
  return { name, pid: child.pid, baseUrl: `http://127.0.0.1:${port}`, spawnedAt, output: () => lines.join('\n'), alive, stop };
}

/** Sends SIGTERM to every server still running, at once (on Ctrl-C, before the orderly cleanup). */
export function signalAllServers(): void {
  for (const terminate of running.values()) terminate();
}

/**
 * Polls GET /health/ready until it answers 200; returns the milliseconds
 * from spawn to that first 200. Fails if the process exits or `timeoutMs` passes.
 */
export async function waitReady(server: Server, timeoutMs = 60_000, intervalMs = 20): Promise<number> {
  const deadline = server.spawnedAt + timeoutMs;
  while (performance.now() < deadline) {
    if (!server.alive()) throw new Error(`${server.name} exited before it was ready:\n${server.output()}`);
    const status = await httpRequest(`${server.baseUrl}/health/ready`, { timeoutMs: 1000 }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return Math.round(performance.now() - server.spawnedAt);
    await sleep(intervalMs);
  }
  throw new Error(`${server.name} not ready after ${timeoutMs} ms:\n${server.output()}`);
}

/** Resident memory of a process, from /proc/<pid>/status (Linux), in MiB. */
export async function residentMemoryMb(pid: number): Promise<number> {
  return (await memoryStatus(pid)).rssMb;
}

/** VmRSS (resident now) and VmHWM (peak resident since start or the last `resetPeakMemory`), in MiB. */
export async function memoryStatus(pid: number): Promise<{ rssMb: number; hwmMb: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => {
    const kb = new RegExp(`^${name}:\\s+(\\d+)\\s+kB$`, 'm').exec(status)?.[1];
    if (kb === undefined) throw new Error(`no ${name} for process ${pid}`);
    return Number(kb) / 1024;
  };
  return { rssMb: field('VmRSS'), hwmMb: field('VmHWM') };
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0: "5" to /proc/<pid>/clear_refs); false if not allowed. */
export async function resetPeakMemory(pid: number): Promise<boolean> {
  return writeFile(`/proc/${pid}/clear_refs`, '5').then(
    () => true,
    () => false,
  );
}

import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import request from 'supertest';

/** The built API (`npx nest build`): the tests start it as a real process. */
export const MAIN_JS = resolve(__dirname, '..', '..', 'dist', 'src', 'main.js');

export interface ApiProcess {
  name: string;
  pid: number;
  /** http://127.0.0.1:<port>, known once the process listens. */
  baseUrl: string;
  /** Every line the process wrote (stdout and stderr). */
  lines: string[];
  alive(): boolean;
  /** Resolves with the exit signal or code. */
  exited: Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<string>;
  /** SIGKILL now; resolves once the process is gone. */
  kill(): Promise<string>;
}

const running = new Set<ApiProcess>();

/**
 * The env of a child API: the test worker's (DATABASE_URL of the run, JWT secrets, NIR keys,
 * webhook settings of test/setup/env.ts), a kernel-chosen port on 127.0.0.1, no migration, warn logs.
 */
export function apiEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DB_MIGRATE_ON_START: 'false',
    JOBS_ENABLED: 'true',
    ...overrides,
  };
}

/** Spawns `node dist/src/main.js`; resolves once it listens (fails if it exits first or after `timeoutMs`). */
export async function startApi(name: string, env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<ApiProcess> {
  if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run "npx nest build" first`);
  const child: ChildProcess = spawn(process.execPath, [MAIN_JS], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name}: could not spawn`);
  const lines: string[] = [];
  let onLine: ((line: string) => void) | undefined;
  const split = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      lines.push(line);
      onLine?.(line);
    }
  };
  child.stdout!.on('data', split);
  child.stderr!.on('data', split);
  let gone = false;
  const exited = new Promise<string>((done) =>
    child.once('exit', (code, signal) => {
      gone = true;
      done(signal ?? `code ${code}`);
    }),
  );
  const proc: ApiProcess = {
    name,
    pid: child.pid,
    baseUrl: '',
    lines,
    alive: () => !gone,
    exited,
    stop: async (graceMs = 15_000) => {
      if (!gone) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
        running.delete(proc);
      }
    },
    kill: async () => {
      if (!gone) child.kill('SIGKILL');
      const outcome = await exited;
      running.delete(proc);
      return outcome;
    },
  };
  running.add(proc);
  const listening = new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not listen within ${timeoutMs} ms:\n${lines.slice(-30).join('\n')}`)), timeoutMs);
    const check = (line: string) => {
      const url = /listening on (http:\/\/[^\s)]+)/.exec(line)?.[1];
      if (url) {
        clearTimeout(timer);
        resolveUrl(url.replace('localhost', '127.0.0.1').replace(/\/$/, ''));
      }
    };
    lines.forEach(check);
    onLine = check;
    void exited.then((outcome) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${outcome}) before it listened:\n${lines.slice(-30).join('\n')}`));
    });
  });
  try {
    proc.baseUrl = await listening;
  } catch (error) {
    await proc.kill();
    throw error;
  }
  return proc;
}

/** Stops every API process still running (afterAll, also after a failure). */
export async function stopAllApis(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

export const api = (proc: ApiProcess) => request(proc.baseUrl);

/** Polls GET /health/ready until `expected`; returns the milliseconds it took. */
export async function waitReadiness(proc: ApiProcess, expected: number, timeoutMs = 30_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    const status = await api(proc)
      .get('/health/ready')
      .timeout(5000)
      .then((r) => r.status)
      .catch(() => 0);
    if (status === expected) return Date.now() - started;
    if (!proc.alive()) throw new Error(`${proc.name} exited:\n${proc.lines.slice(-30).join('\n')}`);
    if (Date.now() - started > timeoutMs) throw new Error(`${proc.name}: /health/ready not ${expected} after ${timeoutMs} ms (last ${status})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls `check` until it returns something other than undefined. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

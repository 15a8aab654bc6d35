import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/database/embedded-postgres';
import { defer } from './cleanup';
import { serverEnv } from './env';
import { APP_NODE_ARGS, APP_SCRIPT } from './paths';
import { startServer, waitReady } from './processes';

export interface StartupResult {
  /** Spawn to first 200 on /health/ready, new data directory (initdb, migrations). */
  coldStartMs: number;
  /** The same on the data directory the cold start left. */
  warmStartMs: number;
}

/** Spawn to first 200 of `node dist/src/main.js` with no DATABASE_URL; stopped with SIGTERM. */
async function timeStart(label: string, dataDir: string): Promise<number> {
  const port = await freePort();
  const app = startServer(`app (${label}, embedded PostgreSQL)`, APP_SCRIPT, serverEnv({ port, dataDir }), port, APP_NODE_ARGS);
  try {
    return await waitReady(app, 120_000, 10);
  } finally {
    // SIGTERM: the app closes, then stops its embedded PostgreSQL, then exits.
    await app.stop();
  }
}

export async function measureStartup(): Promise<StartupResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'parcours-bench-start-'));
  const removeDir = defer(() => rm(dataDir, { recursive: true, force: true }));
  try {
    const coldStartMs = await timeStart('cold start', dataDir);
    const warmStartMs = await timeStart('warm start', dataDir);
    return { coldStartMs, warmStartMs };
  } finally {
    await removeDir();
  }
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabaseIfMissing } from '../../src/database/database-bootstrap';
import { startEmbeddedPostgres, withDatabase } from '../../src/database/embedded-postgres';
import { runMigrations } from '../../src/database/migrate';
import { defer, settlesWithin } from './cleanup';
import { randomSecret } from './secrets';

export const BENCH_DATABASE = 'parcours_bench';

export interface BenchDatabase {
  /** URL of the migrated `parcours_bench` database. */
  url: string;
  stop(): Promise<void>;
}

/** One throwaway embedded PostgreSQL, migrated; its files are deleted on stop. */
export async function startBenchDatabase(): Promise<BenchDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'parcours-bench-pg-'));
  const removeDir = defer(() => rm(dir, { recursive: true, force: true }));
  // As root, the postgres user needs to reach the data directory: keep it one level down.
  const server = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), password: randomSecret(), persistent: false });
  const stopServer = defer(async () => {
    // embedded-postgres waits for an exit that never comes if the server is already gone (Ctrl-C reaches it too).
    if (!(await settlesWithin(server.stop(), 15_000))) console.error('embedded PostgreSQL: no exit seen within 15 s');
  });
  await createDatabaseIfMissing(server.url, BENCH_DATABASE);
  const url = withDatabase(server.url, BENCH_DATABASE);
  await runMigrations(url);
  return {
    url,
    stop: async () => {
      await stopServer();
      await removeDir();
    },
  };
}

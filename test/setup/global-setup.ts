import { register } from 'ts-node';
import { createTestDatabase, TestDatabase } from './test-database';

declare global {
  var __PARCOURS_TEST_DB__: TestDatabase | undefined;
}

/**
 * Once per test run: a fresh database (embedded, or DATABASE_URL whose name
 * contains "test"), built by running the migrations. Test files reach it
 * through DATABASE_URL.
 */
export default async function globalSetup(): Promise<void> {
  // The migrations are TypeScript files loaded by TypeORM at run time.
  register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } });
  const { runMigrations } = await import('../../src/database/migrate');
  const db = await createTestDatabase();
  globalThis.__PARCOURS_TEST_DB__ = db;
  try {
    await runMigrations(db.url);
  } catch (error) {
    await import('./test-database').then((m) => m.destroyTestDatabase(db));
    throw error;
  }
  process.env.DATABASE_URL = db.url;
}

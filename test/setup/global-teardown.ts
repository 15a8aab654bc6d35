import { destroyTestDatabase } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const db = globalThis.__PARCOURS_TEST_DB__;
  if (db) await destroyTestDatabase(db);
}

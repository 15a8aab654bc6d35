import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source';
import { withDatabase } from '../../src/database/embedded-postgres';
import { runMigrations } from '../../src/database/migrate';
import { dropDatabase, recreateDatabase } from '../setup/test-database';

/** Runs on a database of its own, so that reverting migrations cannot disturb the other tests. */
describe('migrations', () => {
  const name = `${new URL(process.env.DATABASE_URL!).pathname.slice(1)}_migrations`;
  let url: string;
  let dataSource: DataSource;

  beforeAll(async () => {
    url = await recreateDatabase(process.env.DATABASE_URL!, name);
    await runMigrations(url);
    dataSource = await new DataSource(dataSourceOptions({ url, poolSize: 2 })).initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await dropDatabase(withDatabase(process.env.DATABASE_URL!, 'postgres'), name);
  });

  const pendingSchemaChanges = async () => (await dataSource.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query);

  it('leave nothing for migration:generate to generate', async () => {
    expect(await pendingSchemaChanges()).toEqual([]);
  });

  it('are idempotent when several instances start together', async () => {
    const results = await Promise.all([runMigrations(url), runMigrations(url), runMigrations(url)]);
    expect(results.flatMap((r) => r.applied)).toEqual([]);
  });

  it('revert completely and apply again to the same schema', async () => {
    const count = dataSource.migrations.length;
    for (let i = 0; i < count; i += 1) await dataSource.undoLastMigration({ transaction: 'each' });
    const tables = await dataSource.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'`);
    expect(tables).toEqual([]);
    const { applied } = await runMigrations(url);
    expect(applied).toHaveLength(count);
    expect(await pendingSchemaChanges()).toEqual([]);
  });
});

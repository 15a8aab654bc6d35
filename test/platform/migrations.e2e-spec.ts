import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source';
import { runMigrations } from '../../src/database/migrate';
import { ownMigratedDatabase } from '../setup/test-database';

/** Runs on a database of its own, so that reverting migrations cannot disturb the other tests. */
describe('migrations', () => {
  let url: string;
  let drop: () => Promise<void>;
  let dataSource: DataSource;

  beforeAll(async () => {
    ({ url, drop } = await ownMigratedDatabase('migrations'));
    dataSource = await new DataSource(dataSourceOptions({ url, poolSize: 2 })).initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await drop?.();
  });

  const pendingSchemaChanges = async () => (await dataSource.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query);

  it('leave nothing for migration:generate to generate', async () => {
    expect(await pendingSchemaChanges()).toEqual([]);
  });

  // TypeORM's schema diff compares an index's columns and uniqueness, not its WHERE clause: a
  // partial index changed in an entity alone would pass the test above. PostgreSQL deparses each
  // declared clause (on an index of a scratch copy of the table) for an exact comparison.
  it('give each named index of the entities its columns, uniqueness and WHERE clause', async () => {
    const runner = dataSource.createQueryRunner();
    const deparsed = async (table: string, where: string) => {
      await runner.startTransaction();
      try {
        await runner.query(`CREATE TEMP TABLE index_probe (LIKE public."${table}")`);
        await runner.query(`CREATE INDEX index_probe_ix ON index_probe ((1)) WHERE ${where}`);
        const [row] = (await runner.query(`SELECT pg_get_expr(indpred, indrelid) AS expr FROM pg_index WHERE indexrelid = 'index_probe_ix'::regclass`)) as { expr: string }[];
        return row.expr;
      } finally {
        await runner.rollbackTransaction();
      }
    };
    try {
      const declared = [];
      for (const entity of dataSource.entityMetadatas) {
        for (const index of entity.indices.filter((i) => i.name && i.synchronize !== false)) {
          declared.push({
            name: index.name,
            table: entity.tableName,
            columns: index.columns.map((c) => c.databaseName),
            unique: index.isUnique,
            where: index.where ? await deparsed(entity.tableName, index.where) : null,
          });
        }
      }
      const inDatabase = (await dataSource.query(
        `SELECT i.relname AS name, t.relname AS "table", x.indisunique AS unique, pg_get_expr(x.indpred, x.indrelid) AS "where",
                array(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS columns
           FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
          WHERE t.relnamespace = 'public'::regnamespace AND i.relname = ANY($1)`,
        [declared.map((d) => d.name)],
      )) as { name: string }[];
      expect(declared.length).toBeGreaterThan(40);
      expect(declared.filter((d) => d.where !== null).length).toBeGreaterThan(10);
      const byName = new Map(inDatabase.map((d) => [d.name, d]));
      expect(declared.map((d) => byName.get(d.name) ?? { name: d.name, missing: true })).toEqual(declared);
    } finally {
      await runner.release();
    }
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

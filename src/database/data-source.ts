import 'reflect-metadata';
import { join } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { DEFAULT_TIME_ZONE } from '../common/time/local-day';
import { SnakeNamingStrategy } from './snake-naming.strategy';

export interface DataSourceSettings {
  url: string;
  poolSize?: number;
  statementTimeoutMs?: number;
  connectTimeoutMs?: number;
  applicationName?: string;
  /** The sessions' time zone: the département's (TIME_ZONE), so that `current_date` is its today. */
  timeZone?: string;
}

/** Beyond the statement timeout, how long the client waits for an answer before it gives up. */
export const QUERY_TIMEOUT_MARGIN_MS = 5000;

/** The client-side limit of a query: none when statements have none (migrations). */
export function clientQueryTimeoutMs(statementTimeoutMs: number): number | undefined {
  return statementTimeoutMs > 0 ? statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS : undefined;
}

/**
 * The one definition of the database connection, shared by the application,
 * the migration runner, the TypeORM CLI and the tests. Schema changes only ever
 * happen through the migrations in `migrations/`.
 */
export function dataSourceOptions(settings: DataSourceSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities: [join(__dirname, '..', '**', '*.entity.{ts,js}')],
    migrations: [join(__dirname, '..', '..', 'migrations', '*.{ts,js}')],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    // gen_random_uuid() is built into PostgreSQL ≥ 13: no extension to install.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: settings.applicationName ?? 'parcours',
    extra: {
      max: settings.poolSize ?? 10,
      connectionTimeoutMillis: settings.connectTimeoutMs ?? 5000,
      // Sent as startup options so that 0 (no timeout, for migrations) is sent too.
      options: `-c statement_timeout=${settings.statementTimeoutMs ?? 15000} -c TimeZone=${settings.timeZone ?? DEFAULT_TIME_ZONE}`,
      // The server enforces statement_timeout, so a server that stops answering (paused, network
      // partition) enforces nothing: node-postgres gives up on its own a little later.
      query_timeout: clientQueryTimeoutMs(settings.statementTimeoutMs ?? 15000),
      idle_in_transaction_session_timeout: 60000,
    },
  };
}

/** The DataSource the TypeORM CLI loads (`npm run migration:*`), from DATABASE_URL. */
export default new DataSource(
  dataSourceOptions({ url: process.env.DATABASE_URL ?? 'postgres://invalid', applicationName: 'parcours-cli' }),
);

import { randomBytes } from 'node:crypto';
import { EnvironmentVariables } from '../../src/config/env.validation';
import { BENCH_ADMIN } from './auth';
import { randomSecret } from './secrets';
import { BENCH_WEBHOOK_SECRET } from './webhooks';

/** The API's default pool size, given to the app and the baseline alike. */
export const POOL_SIZE = new EnvironmentVariables().DB_POOL_SIZE;

/** One pair per run: the baseline verifies the tokens the app signs. */
const JWT_ACCESS_SECRET = randomSecret();
const JWT_REFRESH_SECRET = randomSecret();
const NIR_ENCRYPTION_KEY = randomBytes(32).toString('base64');
const NIR_HASH_KEY = randomBytes(32).toString('base64');

export interface ServerEnvOptions {
  port: number;
  /** Absent: zero configuration, the app starts its own embedded PostgreSQL in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** Have the app create the bench admin at start (ADMIN_EMAIL / ADMIN_PASSWORD). */
  withAdmin?: boolean;
}

const SET_BY_US = ['NODE_ENV', 'DATABASE_URL', 'DB_MIGRATE_ON_START', 'EMBEDDED_PG_PORT', 'JWT_ACCESS_SECRET', 'JWT_REFRESH_SECRET', 'NIR_ENCRYPTION_KEY', 'NIR_HASH_KEY', 'ADMIN_EMAIL', 'ADMIN_PASSWORD', 'FRANCE_TRAVAIL_WEBHOOK_SECRET', 'WEBHOOK_ALLOW_PRIVATE_URLS', 'RATE_LIMIT_MAX'];

/** The environment of a server under test: quiet logs, loopback only, the app's default pool size. */
export function serverEnv(options: ServerEnvOptions): NodeJS.ProcessEnv {
  const inherited = { ...process.env };
  for (const name of SET_BY_US) delete inherited[name];
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(options.port),
    DATA_DIR: options.dataDir,
    DB_POOL_SIZE: String(POOL_SIZE),
    // The webhook benchmark signs France Travail events with this secret and receives deliveries on 127.0.0.1.
    FRANCE_TRAVAIL_WEBHOOK_SECRET: BENCH_WEBHOOK_SECRET,
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    // The load comes from one address (127.0.0.1): the per-address API limit still counts every
    // request and sends its headers (its cost is measured), but must not answer 429.
    RATE_LIMIT_MAX: '1000000000',
  };
  if (options.databaseUrl) {
    // As deployed: production mode and what it requires; the schema is migrated beforehand.
    Object.assign(env, { NODE_ENV: 'production', DATABASE_URL: options.databaseUrl, DB_MIGRATE_ON_START: 'false', JWT_ACCESS_SECRET, JWT_REFRESH_SECRET, NIR_ENCRYPTION_KEY, NIR_HASH_KEY });
  } else {
    // Production requires DATABASE_URL: the zero-configuration start is development mode, which
    // initialises and migrates its embedded cluster and keeps generated secrets in DATA_DIR.
    env.NODE_ENV = 'development';
  }
  if (options.withAdmin) Object.assign(env, { ADMIN_EMAIL: BENCH_ADMIN.email, ADMIN_PASSWORD: BENCH_ADMIN.password });
  return env;
}

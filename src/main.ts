import 'reflect-metadata';
import { setFlagsFromString } from 'node:v8';
import { env, resetEnvCache } from './config/configuration';
import { resolveDatabase } from './database/database-bootstrap';
import { redactUrl } from './database/embedded-postgres';
import { runMigrations } from './database/migrate';
import { createApp } from './app.factory';

/** Boot: validate the configuration, find or start the database, migrate, serve. */
async function bootstrap(): Promise<void> {
  const startedAt = Date.now();
  const log = (message: string) => process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), msg: message })}\n`);
  const config = env();
  if (config.HEAP_GROWING_PERCENT > 0) setFlagsFromString(`--heap-growing-percent=${config.HEAP_GROWING_PERCENT}`);
  const database = await resolveDatabase(config, log);
  process.env.DATABASE_URL = database.url;
  resetEnvCache();
  log(`database: ${database.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'} ${redactUrl(database.url)}`);
  try {
    if (config.DB_MIGRATE_ON_START) await runMigrations(database.url, log);
    const app = await createApp();
    await app.listen({ port: config.PORT, host: config.HOST });
    log(`Parcours listening on ${await app.getUrl()} (Swagger UI at /docs) after ${Date.now() - startedAt} ms`);

    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log(`${signal} received: closing`);
      const timer = setTimeout(() => {
        log('shutdown timed out');
        void (database.embedded?.stop() ?? Promise.resolve()).finally(() => process.exit(1));
      }, config.SHUTDOWN_TIMEOUT_MS);
      timer.unref();
      await app.close();
      await database.embedded?.stop();
      process.exit(0);
    };
    // The embedded server stops after the app, not beside it: take the signals over.
    process.removeAllListeners('SIGINT');
    process.removeAllListeners('SIGTERM');
    process.once('SIGINT', () => void shutdown('SIGINT'));
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
  } catch (error) {
    await database.embedded?.stop();
    throw error;
  }
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 60, time: Date.now(), msg: 'start failed', err: String((error as Error)?.stack ?? error) })}\n`);
  process.exit(1);
});

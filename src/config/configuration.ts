import { registerAs } from '@nestjs/config';
import { EnvironmentVariables, validateEnv } from './env.validation';
import { loadOrCreateDevSecrets } from './dev-secrets';
import { useTimeZone } from '../common/time/local-day';

let cached: { source: NodeJS.ProcessEnv; env: EnvironmentVariables } | undefined;

/** The validated environment, parsed once per process.env snapshot. */
export function env(): EnvironmentVariables {
  if (!cached || cached.source !== process.env) {
    cached = { source: process.env, env: validateEnv(process.env) };
  }
  return cached.env;
}

/** Forget the parsed environment (after process.env changed, e.g. the embedded database URL). */
export function resetEnvCache(): void {
  cached = undefined;
}

export const appConfig = registerAs('app', () => {
  const e = env();
  // The département's days (today, deadlines, reports) follow TIME_ZONE from here on.
  useTimeZone(e.TIME_ZONE);
  return {
    nodeEnv: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    bodyLimit: e.BODY_LIMIT,
    importMaxBytes: e.IMPORT_MAX_BYTES,
    rateLimit: { max: e.RATE_LIMIT_MAX, windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS },
    corsOrigins: e.CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    trustProxy: e.TRUST_PROXY,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    dataDir: e.DATA_DIR,
  };
});

export const databaseConfig = registerAs('database', () => {
  const e = env();
  return {
    url: e.DATABASE_URL,
    migrateOnStart: e.DB_MIGRATE_ON_START,
    poolSize: e.DB_POOL_SIZE,
    statementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
    connectTimeoutMs: e.DB_CONNECT_TIMEOUT_MS,
    embeddedPort: e.EMBEDDED_PG_PORT,
    timeZone: e.TIME_ZONE,
  };
});

export const authConfig = registerAs('auth', () => {
  const e = env();
  const dev =
    e.JWT_ACCESS_SECRET && e.JWT_REFRESH_SECRET ? undefined : loadOrCreateDevSecrets(e.DATA_DIR);
  return {
    accessSecret: e.JWT_ACCESS_SECRET ?? dev!.jwtAccessSecret,
    refreshSecret: e.JWT_REFRESH_SECRET ?? dev!.jwtRefreshSecret,
    adminEmail: e.ADMIN_EMAIL,
    adminPassword: e.ADMIN_PASSWORD,
    accessTtlSeconds: e.JWT_ACCESS_TTL_SECONDS,
    refreshTtlSeconds: e.JWT_REFRESH_TTL_SECONDS,
    login: {
      maxPerIp: e.LOGIN_MAX_ATTEMPTS_PER_IP,
      maxPerAccount: e.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT,
      windowSeconds: e.LOGIN_WINDOW_SECONDS,
    },
  };
});

export const jobsConfig = registerAs('jobs', () => {
  const e = env();
  return { enabled: e.JOBS_ENABLED, pollingIntervalSeconds: e.JOBS_POLLING_INTERVAL_SECONDS };
});

export const auditConfig = registerAs('audit', () => ({ retentionMonths: env().AUDIT_RETENTION_MONTHS }));

export type AppConfig = ReturnType<typeof appConfig>;
export type DatabaseConfig = ReturnType<typeof databaseConfig>;
export type AuthConfig = ReturnType<typeof authConfig>;

export const beneficiariesConfig = registerAs('beneficiaries', () => {
  const e = env();
  const dev = e.NIR_ENCRYPTION_KEY && e.NIR_HASH_KEY ? undefined : loadOrCreateDevSecrets(e.DATA_DIR);
  return {
    nirEncryptionKey: Buffer.from(e.NIR_ENCRYPTION_KEY ?? dev!.nirEncryptionKey, 'base64'),
    nirHashKey: Buffer.from(e.NIR_HASH_KEY ?? dev!.nirHashKey, 'base64'),
    deadlines: {
      orientationDays: e.DEADLINE_ORIENTATION_DAYS,
      contractDays: e.DEADLINE_CONTRACT_DAYS,
      socialReviewMonths: e.SOCIAL_REVIEW_MONTHS,
      vulnerableReviewMonths: e.SOCIAL_REVIEW_MONTHS_VULNERABLE,
    },
    autoAssignAdvisor: e.AUTO_ASSIGN_ADVISOR,
    importBatchRows: e.IMPORT_BATCH_ROWS,
  };
});

export const referralsConfig = registerAs('referrals', () => {
  const e = env();
  return { reminderDays: e.REFERRAL_REMINDER_DAYS, expiryDays: e.REFERRAL_EXPIRY_DAYS };
});

export const suspensionsConfig = registerAs('suspensions', () => {
  const e = env();
  return {
    minRatePercent: e.SUSPENSION_MIN_RATE_PERCENT,
    householdMaxRatePercent: e.SUSPENSION_HOUSEHOLD_MAX_RATE_PERCENT,
    maxMonths: e.SUSPENSION_MAX_MONTHS,
    repeatedMaxMonths: e.SUSPENSION_REPEATED_MAX_MONTHS,
  };
});

export const retentionConfig = registerAs('retention', () => ({ retentionMonths: env().RETENTION_MONTHS }));

export const pathwayConfig = registerAs('pathway', () => {
  const e = env();
  return { targetParticipants: e.PATHWAY_TARGET_PARTICIPANTS, withoutSolutionDays: e.PATHWAY_WITHOUT_SOLUTION_DAYS };
});

/** `5s,5m,2h` → milliseconds. The format is checked by the env validation. */
export function parseDurations(list: string): number[] {
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  return list
    .split(',')
    .map((d) => d.trim())
    .filter(Boolean)
    .map((d) => {
      const [, n, u] = /^(\d+)(ms|s|m|h)$/.exec(d)!;
      return Number(n) * unit[u];
    });
}

export const webhooksConfig = registerAs('webhooks', () => {
  const e = env();
  return {
    franceTravailSecrets: (e.FRANCE_TRAVAIL_WEBHOOK_SECRET ?? '').split(/[\s,]+/).filter(Boolean),
    allowPrivateUrls: e.WEBHOOK_ALLOW_PRIVATE_URLS,
    retryScheduleMs: parseDurations(e.WEBHOOK_RETRY_SCHEDULE),
    timeoutMs: e.WEBHOOK_TIMEOUT_MS,
    dispatchIntervalMs: e.WEBHOOK_DISPATCH_INTERVAL_MS,
    dispatchConcurrency: e.WEBHOOK_DISPATCH_CONCURRENCY,
    secretOverlapSeconds: e.WEBHOOK_SECRET_OVERLAP_SECONDS,
    inboxRetryScheduleMs: parseDurations(e.WEBHOOK_INBOX_RETRY_SCHEDULE),
    retentionDays: e.WEBHOOK_RETENTION_DAYS,
  };
});

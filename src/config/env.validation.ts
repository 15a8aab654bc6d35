import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsTimeZone,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  validateSync,
} from 'class-validator';

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const toBoolean = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};
const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
/** Durations such as `250ms`, `5s`, `5m`, `2h`, separated by commas. */
const DURATION_LIST = /^\s*\d+(ms|s|m|h)(\s*,\s*\d+(ms|s|m|h))*\s*$/;

const emptyToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/**
 * Every environment variable the service reads. Validated once at start; a bad
 * configuration stops the process with the list of every faulty variable.
 */
export class EnvironmentVariables {
  @IsIn(NODE_ENVS)
  NODE_ENV: (typeof NODE_ENVS)[number] = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @Transform(emptyToUndefined)
  @ValidateIf((env: EnvironmentVariables) => env.NODE_ENV === 'production' || env.DATABASE_URL !== undefined)
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// connection URL (required in production)' })
  DATABASE_URL?: string;

  @Transform(({ value }) => toInt({ value: emptyToUndefined({ value }) }))
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65535)
  EMBEDDED_PG_PORT?: number;

  @IsString()
  DATA_DIR = '.data';

  @Transform(toBoolean)
  @IsBoolean()
  DB_MIGRATE_ON_START = true;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_SIZE = 10;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  DB_STATEMENT_TIMEOUT_MS = 15000;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  DB_CONNECT_TIMEOUT_MS = 5000;

  @Transform(emptyToUndefined)
  @ValidateIf((env: EnvironmentVariables) => env.NODE_ENV === 'production' || env.JWT_ACCESS_SECRET !== undefined)
  @IsString({ message: 'JWT_ACCESS_SECRET is required in production' })
  @MinLength(32, { message: 'JWT_ACCESS_SECRET must be at least 32 characters' })
  JWT_ACCESS_SECRET?: string;

  @Transform(emptyToUndefined)
  @ValidateIf((env: EnvironmentVariables) => env.NODE_ENV === 'production' || env.JWT_REFRESH_SECRET !== undefined)
  @IsString({ message: 'JWT_REFRESH_SECRET is required in production' })
  @MinLength(32, { message: 'JWT_REFRESH_SECRET must be at least 32 characters' })
  JWT_REFRESH_SECRET?: string;

  /** AES-256-GCM key of the NIR, 32 bytes in base64. Required in production; never change it without re-encrypting. */
  @Transform(emptyToUndefined)
  @ValidateIf((env: EnvironmentVariables) => env.NODE_ENV === 'production' || env.NIR_ENCRYPTION_KEY !== undefined)
  @Matches(/^[A-Za-z0-9+/_-]{43}=?$/, { message: 'NIR_ENCRYPTION_KEY must be 32 bytes in base64 (required in production)' })
  NIR_ENCRYPTION_KEY?: string;

  /** HMAC key of the NIR's matching hash, 32 bytes in base64. Required in production. */
  @Transform(emptyToUndefined)
  @ValidateIf((env: EnvironmentVariables) => env.NODE_ENV === 'production' || env.NIR_HASH_KEY !== undefined)
  @Matches(/^[A-Za-z0-9+/_-]{43}=?$/, { message: 'NIR_HASH_KEY must be 32 bytes in base64 (required in production)' })
  NIR_HASH_KEY?: string;

  /** Days from the opening of rights to the orientation decision (décret of 30 Dec 2024: 6 weeks). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  DEADLINE_ORIENTATION_DAYS = 42;

  /** Days from the orientation to the signature of the contrat d'engagement. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  DEADLINE_CONTRACT_DAYS = 30;

  /** Months before a person on the social path is reviewed. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  SOCIAL_REVIEW_MONTHS = 6;

  /** Months before a person on the social path in a listed situation of vulnerability is reviewed. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  SOCIAL_REVIEW_MONTHS_VULNERABLE = 12;

  /** Months after the last contact before a person is anonymised (CNIL: 2 years). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(240)
  RETENTION_MONTHS = 24;

  /** Assign new beneficiaries to the least-loaded advisor of their agency with free capacity. */
  @Transform(toBoolean)
  @IsBoolean()
  AUTO_ASSIGN_ADVISOR = false;

  /** Participants the construction pathway "Bâtissons nos emplois" aims to take into lasting jobs (domain.md §1). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  PATHWAY_TARGET_PARTICIPANTS = 500;

  /** Days without a planned or in-progress step before a participant is "without a solution" (domain.md §5). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(365)
  PATHWAY_WITHOUT_SOLUTION_DAYS = 30;

  /** Days without an answer before the provider of a submitted referral is reminded, once (domain.md §4). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(365)
  REFERRAL_REMINDER_DAYS = 10;

  /** Days without an answer before a submitted or waitlisted referral expires (domain.md §4). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(365)
  REFERRAL_EXPIRY_DAYS = 30;

  /** The smallest share of the allowance a suspension may take, in percent (domain.md §3: 30 %). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  SUSPENSION_MIN_RATE_PERCENT = 30;

  /** The largest share a suspension may take for a household of more than one person, in percent (50 %). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  SUSPENSION_HOUSEHOLD_MAX_RATE_PERCENT = 50;

  /** The longest first suspension, in months (1 to 2). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(12)
  SUSPENSION_MAX_MONTHS = 2;

  /** The longest suspension when the person was suspended before, in months ("longer if repeated"). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(12)
  SUSPENSION_REPEATED_MAX_MONTHS = 4;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  BODY_LIMIT = 1_048_576;

  /** Requests to /api/ per window from one client address, per instance (in memory); over it: 429. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  RATE_LIMIT_MAX = 1200;

  /** Length of the API rate-limit window (seconds). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86_400)
  RATE_LIMIT_WINDOW_SECONDS = 60;

  /**
   * The département's IANA time zone: the days that deadlines, default dates, "in the past"
   * checks and reports count, and the database sessions' time zone (`current_date`).
   */
  @IsTimeZone()
  @Matches(/^[A-Za-z0-9_+\-/]+$/)
  TIME_ZONE = 'Europe/Paris';

  /** Largest beneficiary file accepted by POST /beneficiary-imports (bytes). */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  IMPORT_MAX_BYTES = 52_428_800;

  /** Rows of a beneficiary import loaded together; the next batch is validated while one is inserted. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  IMPORT_BATCH_ROWS = 10_000;

  /**
   * How far V8 lets its old generation grow past what survived the last full collection before
   * collecting again, in percent (V8's --heap-growing-percent). V8's own factor reaches 300 % when
   * collections are cheap, which left an import's short-lived rows piling up to 4 times the live heap.
   * 0 leaves V8's choice.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(400)
  HEAP_GROWING_PERCENT = 50;

  /** Comma-separated list of allowed origins; empty means no cross-origin access. */
  @IsString()
  CORS_ORIGINS = '';

  @Transform(toBoolean)
  @IsBoolean()
  TRUST_PROXY = false;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsEmail()
  ADMIN_EMAIL?: string;

  @Transform(emptyToUndefined)
  @ValidateIf((env: EnvironmentVariables) => env.ADMIN_EMAIL !== undefined)
  @IsString({ message: 'ADMIN_PASSWORD is required when ADMIN_EMAIL is set' })
  @MinLength(12, { message: 'ADMIN_PASSWORD must be at least 12 characters' })
  @MaxLength(256)
  ADMIN_PASSWORD?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1000)
  SHUTDOWN_TIMEOUT_MS = 10000;

  /** Background jobs (pg-boss) on this instance. */
  @Transform(toBoolean)
  @IsBoolean()
  JOBS_ENABLED = true;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  JOBS_POLLING_INTERVAL_SECONDS = 2;

  /** Months the audit log is kept before the daily purge deletes it (CNIL: 6 to 12). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(120)
  AUDIT_RETENTION_MONTHS = 12;

  @Transform(toInt)
  @IsInt()
  @Min(60)
  JWT_ACCESS_TTL_SECONDS = 900;

  @Transform(toInt)
  @IsInt()
  @Min(3600)
  JWT_REFRESH_TTL_SECONDS = 2_592_000;

  /** Credential requests (login, refresh, token; successful or not) per window, per client IP. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_MAX_ATTEMPTS_PER_IP = 100;

  /** Credential requests per window for one account (e-mail, client id, or refresh token's user). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_MAX_ATTEMPTS_PER_ACCOUNT = 10;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_WINDOW_SECONDS = 900;

  /**
   * Standard Webhooks secrets of the France Travail connector (`whsec_` + base64), separated
   * by spaces or commas: several are accepted at once while a secret is rotated.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^\s*(whsec_)?[A-Za-z0-9+/]+={0,2}(\s*[\s,]\s*(whsec_)?[A-Za-z0-9+/]+={0,2})*\s*$/, {
    message: 'FRANCE_TRAVAIL_WEBHOOK_SECRET must be one or more whsec_<base64> secrets separated by spaces or commas',
  })
  FRANCE_TRAVAIL_WEBHOOK_SECRET?: string;

  /** Let webhook endpoints point at loopback and private addresses (development and tests only). */
  @Transform(toBoolean)
  @IsBoolean()
  WEBHOOK_ALLOW_PRIVATE_URLS = false;

  /** Delays between delivery attempts of an outbound webhook (Standard Webhooks schedule, ±10 % jitter). */
  @Matches(DURATION_LIST, { message: 'WEBHOOK_RETRY_SCHEDULE must be durations like 5s,5m,2h separated by commas' })
  WEBHOOK_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,14h,20h,24h';

  /** Timeout of one outbound delivery attempt. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  WEBHOOK_TIMEOUT_MS = 10_000;

  /**
   * How often each instance looks for new outbox events (fan-out), and polls the
   * `webhooks.deliver` queue (through one idle worker).
   */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(60_000)
  WEBHOOK_DISPATCH_INTERVAL_MS = 250;

  /** Deliveries sent at once by one instance: its pg-boss workers of `webhooks.deliver`. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(500)
  WEBHOOK_DISPATCH_CONCURRENCY = 20;

  /** After `rotate-secret`, how long the previous secret keeps signing beside the new one. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  WEBHOOK_SECRET_OVERLAP_SECONDS = 86_400;

  /** Days processed and rejected France Travail events, and delivered or failed deliveries, are kept before the daily purge. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  WEBHOOK_RETENTION_DAYS = 90;

  /** Delays between processing attempts of a received France Travail event; after the last it is `failed`. */
  @Matches(DURATION_LIST, { message: 'WEBHOOK_INBOX_RETRY_SCHEDULE must be durations like 30s,2m,1h separated by commas' })
  WEBHOOK_INBOX_RETRY_SCHEDULE = '30s,2m,10m,1h';
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Parses and validates the environment; throws listing every bad variable. */
export function validateEnv(raw: Record<string, unknown>): EnvironmentVariables {
  const env = plainToInstance(EnvironmentVariables, raw, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, whitelist: false });
  if (errors.length > 0) {
    const problems = errors.map(
      (e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')} (got ${describe(e.value, e.property)})`,
    );
    throw new ConfigValidationError(problems);
  }
  const relations = [
    env.SUSPENSION_HOUSEHOLD_MAX_RATE_PERCENT < env.SUSPENSION_MIN_RATE_PERCENT &&
      'SUSPENSION_HOUSEHOLD_MAX_RATE_PERCENT: must not be below SUSPENSION_MIN_RATE_PERCENT',
    env.SUSPENSION_REPEATED_MAX_MONTHS < env.SUSPENSION_MAX_MONTHS && 'SUSPENSION_REPEATED_MAX_MONTHS: must not be below SUSPENSION_MAX_MONTHS',
    env.REFERRAL_EXPIRY_DAYS <= env.REFERRAL_REMINDER_DAYS && 'REFERRAL_EXPIRY_DAYS: must be after REFERRAL_REMINDER_DAYS',
    env.SOCIAL_REVIEW_MONTHS_VULNERABLE < env.SOCIAL_REVIEW_MONTHS && 'SOCIAL_REVIEW_MONTHS_VULNERABLE: must not be before SOCIAL_REVIEW_MONTHS',
  ].filter((p): p is string => typeof p === 'string');
  if (relations.length > 0) throw new ConfigValidationError(relations);
  return env;
}

function describe(value: unknown, property: string): string {
  if (value === undefined) return 'nothing';
  if (/SECRET|PASSWORD|DATABASE_URL/.test(property)) return 'a hidden value';
  return JSON.stringify(value);
}

import { parseDurations } from './configuration';
import { ConfigValidationError, validateEnv } from './env.validation';

describe('validateEnv', () => {
  it('applies defaults', () => {
    const env = validateEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.BODY_LIMIT).toBe(1_048_576);
    expect(env.DB_MIGRATE_ON_START).toBe(true);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.HEAP_GROWING_PERCENT).toBe(50);
    expect(env.TIME_ZONE).toBe('Europe/Paris');
  });

  it('takes an IANA time zone, and nothing that is not one', () => {
    for (const zone of ['Indian/Reunion', 'America/Guadeloupe', 'Etc/GMT+12', 'UTC']) expect(validateEnv({ TIME_ZONE: zone }).TIME_ZONE).toBe(zone);
    for (const bad of ['Paris', 'Europe/Atlantis', "Europe/Paris'; DROP TABLE x", '']) expect(() => validateEnv({ TIME_ZONE: bad })).toThrow(/TIME_ZONE/);
  });

  it('takes a heap growing percent from 0 (V8 decides) to 400', () => {
    expect(validateEnv({ HEAP_GROWING_PERCENT: '0' }).HEAP_GROWING_PERCENT).toBe(0);
    expect(validateEnv({ HEAP_GROWING_PERCENT: '400' }).HEAP_GROWING_PERCENT).toBe(400);
    for (const bad of ['-1', '401', 'fast']) expect(() => validateEnv({ HEAP_GROWING_PERCENT: bad })).toThrow(/HEAP_GROWING_PERCENT/);
  });

  it('parses numbers and booleans from strings', () => {
    const env = validateEnv({ PORT: '8080', DB_MIGRATE_ON_START: 'false', CORS_ORIGINS: 'https://a.fr' });
    expect(env.PORT).toBe(8080);
    expect(env.DB_MIGRATE_ON_START).toBe(false);
  });

  it('lists every bad variable at once, without echoing secrets', () => {
    let error: unknown;
    try {
      validateEnv({
        NODE_ENV: 'production',
        PORT: 'eighty',
        DATABASE_URL: 'mysql://nope',
        LOG_LEVEL: 'loud',
        JWT_ACCESS_SECRET: 'short-secret',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const problems = (error as ConfigValidationError).problems.join('\n');
    for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'JWT_ACCESS_SECRET', 'JWT_REFRESH_SECRET']) {
      expect(problems).toContain(name);
    }
    expect(problems).not.toContain('short-secret');
    expect(problems).not.toContain('mysql://nope');
  });

  it('requires DATABASE_URL and the JWT secrets in production', () => {
    expect(() => validateEnv({ NODE_ENV: 'production' })).toThrow(/DATABASE_URL[\s\S]*JWT_ACCESS_SECRET|JWT_ACCESS_SECRET[\s\S]*DATABASE_URL/);
    expect(validateEnv({ EMBEDDED_PG_PORT: '' }).EMBEDDED_PG_PORT).toBeUndefined();
  });

  it('requires ADMIN_PASSWORD with ADMIN_EMAIL', () => {
    expect(() => validateEnv({ ADMIN_EMAIL: 'admin@example.org' })).toThrow(/ADMIN_PASSWORD/);
  });

  it('checks the webhook settings: secrets list, duration lists', () => {
    const a = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
    const b = `whsec_${Buffer.alloc(32, 2).toString('base64')}`;
    expect(validateEnv({ FRANCE_TRAVAIL_WEBHOOK_SECRET: `${a}, ${b}` }).FRANCE_TRAVAIL_WEBHOOK_SECRET).toBe(`${a}, ${b}`);
    expect(validateEnv({}).WEBHOOK_RETRY_SCHEDULE).toBe('5s,5m,30m,2h,5h,10h,14h,20h,24h');
    expect(parseDurations('5s,5m,30m,2h,5h,10h,14h,20h,24h')).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 50_400_000, 72_000_000, 86_400_000]);
    expect(parseDurations(' 250ms , 1s ')).toEqual([250, 1000]);
    let error: unknown;
    try {
      validateEnv({ FRANCE_TRAVAIL_WEBHOOK_SECRET: 'not a secret!', WEBHOOK_RETRY_SCHEDULE: '5 seconds' });
    } catch (e) {
      error = e;
    }
    const problems = (error as ConfigValidationError).problems;
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).not.toContain('not a secret!');
  });

  it('checks the suspension bounds against each other', () => {
    expect(validateEnv({})).toMatchObject({ SUSPENSION_MIN_RATE_PERCENT: 30, SUSPENSION_HOUSEHOLD_MAX_RATE_PERCENT: 50, SUSPENSION_MAX_MONTHS: 2, SUSPENSION_REPEATED_MAX_MONTHS: 4 });
    expect(validateEnv({ SUSPENSION_MIN_RATE_PERCENT: '50', SUSPENSION_REPEATED_MAX_MONTHS: '2' }).SUSPENSION_MIN_RATE_PERCENT).toBe(50);
    expect(() => validateEnv({ SUSPENSION_MIN_RATE_PERCENT: '0' })).toThrow(/SUSPENSION_MIN_RATE_PERCENT/);
    expect(() => validateEnv({ SUSPENSION_MIN_RATE_PERCENT: '60' })).toThrow(/SUSPENSION_HOUSEHOLD_MAX_RATE_PERCENT: must not be below SUSPENSION_MIN_RATE_PERCENT/);
    expect(() => validateEnv({ SUSPENSION_MAX_MONTHS: '6' })).toThrow(/SUSPENSION_REPEATED_MAX_MONTHS: must not be below SUSPENSION_MAX_MONTHS/);
  });

  it('reviews a listed vulnerability no sooner than the social path', () => {
    expect(validateEnv({}).SOCIAL_REVIEW_MONTHS_VULNERABLE).toBe(12);
    expect(() => validateEnv({ SOCIAL_REVIEW_MONTHS_VULNERABLE: '3' })).toThrow(/SOCIAL_REVIEW_MONTHS_VULNERABLE: must not be before SOCIAL_REVIEW_MONTHS/);
  });

  it('expires a referral only after its reminder', () => {
    expect(validateEnv({})).toMatchObject({ REFERRAL_REMINDER_DAYS: 10, REFERRAL_EXPIRY_DAYS: 30 });
    expect(validateEnv({ REFERRAL_REMINDER_DAYS: '3', REFERRAL_EXPIRY_DAYS: '5' }).REFERRAL_EXPIRY_DAYS).toBe(5);
    expect(() => validateEnv({ REFERRAL_REMINDER_DAYS: '30' })).toThrow(/REFERRAL_EXPIRY_DAYS: must be after REFERRAL_REMINDER_DAYS/);
    expect(() => validateEnv({ REFERRAL_EXPIRY_DAYS: '0' })).toThrow(/REFERRAL_EXPIRY_DAYS/);
  });
});

// Test workers: quiet logs and fixed secrets, so that nothing is written under .data/.
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL ??= 'silent';
process.env.JWT_ACCESS_SECRET ??= 'test-access-secret-0123456789-abcdefghijklmnop';
process.env.JWT_REFRESH_SECRET ??= 'test-refresh-secret-0123456789-abcdefghijklmnop';
process.env.DB_MIGRATE_ON_START = 'false';
// Many test files log in from 127.0.0.1: the per-IP limit is tested with its own addresses.
process.env.LOGIN_MAX_ATTEMPTS_PER_IP ??= '100000';
// Likewise the per-address API rate limit: tested with a small limit of its own (test/platform/rate-limit).
process.env.RATE_LIMIT_MAX ??= '1000000000';
process.env.NIR_ENCRYPTION_KEY ??= Buffer.alloc(32, 7).toString('base64');
process.env.NIR_HASH_KEY ??= Buffer.alloc(32, 9).toString('base64');
process.env.JOBS_POLLING_INTERVAL_SECONDS ??= '1';
// Webhooks: every test app behaves the same (any instance may take a job or a delivery from the
// shared database): retries after 300 ms (three, so four attempts) and inbox retries after 1 s,
// instead of minutes; receivers on 127.0.0.1; a short dispatch tick.
process.env.WEBHOOK_ALLOW_PRIVATE_URLS ??= 'true';
process.env.WEBHOOK_RETRY_SCHEDULE ??= '300ms,300ms,300ms';
process.env.WEBHOOK_INBOX_RETRY_SCHEDULE ??= '1s';
process.env.WEBHOOK_DISPATCH_INTERVAL_MS ??= '100';
process.env.WEBHOOK_TIMEOUT_MS ??= '1000';
process.env.WEBHOOK_SECRET_OVERLAP_SECONDS ??= '3600';

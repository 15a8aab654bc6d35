// Test workers: quiet logs and fixed secrets, so that nothing is written under .data/.
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL ??= 'silent';
process.env.JWT_ACCESS_SECRET ??= 'test-access-secret-0123456789-abcdefghijklmnop';
process.env.JWT_REFRESH_SECRET ??= 'test-refresh-secret-0123456789-abcdefghijklmnop';
process.env.DB_MIGRATE_ON_START = 'false';
// Many test files log in from 127.0.0.1: the per-IP limit is tested with its own addresses.
process.env.LOGIN_MAX_ATTEMPTS_PER_IP ??= '100000';
process.env.NIR_ENCRYPTION_KEY ??= Buffer.alloc(32, 7).toString('base64');
process.env.NIR_HASH_KEY ??= Buffer.alloc(32, 9).toString('base64');
process.env.JOBS_POLLING_INTERVAL_SECONDS ??= '1';

// Test workers: quiet logs and fixed secrets, so that nothing is written under .data/.
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL ??= 'silent';
process.env.JWT_ACCESS_SECRET ??= 'test-access-secret-0123456789-abcdefghijklmnop';
process.env.JWT_REFRESH_SECRET ??= 'test-refresh-secret-0123456789-abcdefghijklmnop';
process.env.DB_MIGRATE_ON_START = 'false';

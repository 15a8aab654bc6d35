/**
 * Three projects: unit tests beside the code, e2e tests over HTTP against a real PostgreSQL, and
 * the browser test of Swagger UI (the e2e set-up, plus chromium).
 */
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  // ES-module-only dependencies (content-disposition, under @fastify/static) are compiled to CommonJS for Jest.
  '^.+/node_modules/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } }],
};
const common = {
  testEnvironment: 'node',
  rootDir: '.',
  moduleFileExtensions: ['ts', 'js', 'json'],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  transform,
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
};

const e2e = {
  ...common,
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  setupFiles: ['<rootDir>/test/setup/env.ts'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { ...e2e, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
    // Swagger UI driven in Debian's chromium (/usr/bin/chromium): `npm run test:browser`, run by CI.
    // Not in `npm test`, which needs nothing but Node.
    { ...e2e, displayName: 'browser', testMatch: ['<rootDir>/test/**/*.browser-spec.ts'] },
  ],
  testTimeout: 30000,
};

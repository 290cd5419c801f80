/**
 * Jest, in two projects: `unit` (everything that needs no PostgreSQL: unit, infrastructure and workflow tests;
 * `npm run test:unit`) and `integration` (test/integration: a real PostgreSQL + PostGIS server, which only this
 * project's globalSetup starts). TypeScript and middy's ESM build are compiled by SWC (no type check here:
 * `tsc --noEmit` runs as its own step).
 */
const swc = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
];

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@middy)/)'],
  setupFiles: ['<rootDir>/test/support/polyfills.ts'],
  testTimeout: 120000,
};

module.exports = {
  testTimeout: 120000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/integration/'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};

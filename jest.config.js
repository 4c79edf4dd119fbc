// Jest runs the TypeScript sources as native ES modules (NestJS 12 is ESM-only), compiled by SWC
// (scripts/lib/typescript-sources.mjs, shared with the benches).
import { LIBRARY_ALIASES, SWC_OPTIONS } from './scripts/lib/typescript-sources.mjs';

const swc = ['@swc/jest', SWC_OPTIONS];
const aliases = Object.entries(LIBRARY_ALIASES).flatMap(([alias, dir]) => [
  [`^${alias}$`, `<rootDir>/${dir}/index.ts`],
  [`^${alias}/(.*?)(\\.js)?$`, `<rootDir>/${dir}/$1`],
]);

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    ...Object.fromEntries(aliases),
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
export default {
  // Real brokers and servers on a shared 2-core machine: hooks that start them get a minute. (A
  // global option: Jest ignores `testTimeout` inside a project, which left e2e hooks at 5 s.) The
  // fault and fuzz suites set their own, longer timeouts.
  testTimeout: 60_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      // No running stack: specs beside the code (apps, libs, peers, the test helpers in test/support)
      // and the repository-level checks in test/unit (docs, ops rules, the log audit script).
      testMatch: [
        '<rootDir>/apps/**/*.spec.ts',
        '<rootDir>/libs/**/*.spec.ts',
        '<rootDir>/peers/**/*.spec.ts',
        '<rootDir>/test/unit/**/*.spec.ts',
        '<rootDir>/test/support/**/*.spec.ts',
      ],
    },
    {
      ...common,
      displayName: 'e2e',
      // The real local stack (started or reused by the global setup).
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.mjs',
      globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
    },
    // `npm run test:faults` and `npm run test:fuzz` (not part of the default run): whole-system
    // suites that start both apps as processes and print one JSON line of figures per scenario.
    {
      ...common,
      displayName: 'faults',
      testMatch: ['<rootDir>/test/system/faults/**/*.fault-spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/system/faults/cluster/'],
      globalSetup: '<rootDir>/test/support/global-setup.mjs',
      globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
    },
    // `npm run test:cluster`: the fault scenarios of a 3-node Kafka cluster with durable Redis
    // (the cluster stack, beside the default one; see docs/local-stack.md).
    {
      ...common,
      displayName: 'cluster',
      testMatch: ['<rootDir>/test/system/faults/cluster/**/*.fault-spec.ts'],
      globalSetup: '<rootDir>/test/support/cluster/global-setup.mjs',
      globalTeardown: '<rootDir>/test/support/cluster/global-teardown.mjs',
    },
    {
      ...common,
      displayName: 'fuzz',
      testMatch: ['<rootDir>/test/system/fuzz/**/*.fuzz-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.mjs',
      globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
    },
    // `npm run test:soak`: both apps under mixed traffic for SOAK_MINUTES (default 10).
    {
      ...common,
      displayName: 'soak',
      testMatch: ['<rootDir>/test/system/soak/**/*.soak-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.mjs',
      globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
    },
  ],
};

// ESM jest: run with NODE_OPTIONS=--experimental-vm-modules (see package.json "test").
// @swc/jest must emit decorator metadata, or Nest injects `undefined` silently.
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2023',
        },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  testTimeout: 60000,
  // A worker keeps every test file's ES modules it has loaded (vm modules are never freed): by the
  // end of a run each held ~2.5 GB, and every full collection walked all of it (the GC-measuring
  // specs took 18-60 s instead of 2-12). Past 512 MB of heap a worker is replaced between files.
  workerIdleMemoryLimit: '512MB',
  globalSetup: '<rootDir>/test/support/global-build.ts',
};

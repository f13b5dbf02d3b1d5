import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'bench/results/**',
      'bench/.baseline/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: globals.node },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Only src/config/ reads the environment (STYLE.md §5).
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through src/config/.' },
      ],
    },
  },
  {
    // Module boundaries (STYLE.md §1): infrastructure never imports a feature, and nothing
    // imports the telemetry bootstrap (it is preloaded with `node --import`, outside Nest).
    files: [
      'src/{admin,config,database,errors,health,http,lifecycle,logging,metrics,protocol,redis,request-context,resilience,telemetry,upstream,debug}/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/hello/**', '**/items/**', '**/counters/**', '**/fanout/**'],
              message: 'Infrastructure must not depend on a feature module; invert the dependency.',
            },
            {
              group: ['**/telemetry.bootstrap*'],
              message:
                'The telemetry bootstrap is preloaded with node --import; use telemetry.handle.',
            },
          ],
        },
      ],
    },
  },
  {
    files: [
      'src/config/**',
      'src/telemetry/telemetry.bootstrap.ts',
      'test/**',
      'bench/**',
      'scripts/**',
      '*.js',
    ],
    rules: { 'no-restricted-properties': 'off', 'no-console': 'off' },
  },
);

// Flat config: typescript-eslint with type information, plus the rules that catch real bugs in async code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'bench/tmp/**',
      'bin/**',
      '*.config.js',
      '*.config.mjs',
      'apps/console/vite.config.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/require-await': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // libs/x12 is pure: of ours it imports only libs/contracts (a leaf: DomainError), and no framework.
    files: ['libs/x12/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['@nestjs/*', '@edi/*', '!@edi/contracts', '**/apps/**', 'typeorm', 'bullmq'] },
      ],
    },
  },
  {
    // libs/as2 is AS2's wire format and S/MIME only: no framework, no database, of ours only libs/contracts.
    files: ['libs/as2/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['@nestjs/*', '@edi/*', '!@edi/contracts', '**/apps/**', 'typeorm', 'bullmq'] },
      ],
    },
  },
  {
    // libs/mapping imports only libs/x12.
    files: ['libs/mapping/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '@nestjs/*',
            '@edi/persistence',
            '@edi/pipeline',
            '@edi/erp',
            '@edi/transport',
            '**/apps/**',
          ],
        },
      ],
    },
  },
  {
    // the console is browser code: its own tsconfig gives it the DOM and JSX instead of Node
    files: ['apps/console/**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: {
        projectService: false,
        project: './apps/console/tsconfig.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  {
    // an app does not reach into another app; shared code lives in libs/
    files: ['apps/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['../../*/src/*', '**/apps/**'] }] },
  },
  {
    files: ['libs/**/*.ts'],
    ignores: ['libs/x12/**', 'libs/mapping/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/apps/**'] }] },
  },
  {
    // libs/contracts is the leaf everything may import: it imports nothing, not even a package.
    files: ['libs/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!\\./)', message: 'libs/contracts imports only its own files' }] },
      ],
    },
  },
  {
    // settings come from the one schema in libs/config, read at start; nothing else reads the environment
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['libs/config/**', '**/*.spec.ts', '**/testing/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message:
            'read settings through libs/config (loadConfig, loadSettings), where the schema checks them',
        },
      ],
    },
  },
  {
    // queries live in libs/persistence, in its repositories: the rest calls them
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['libs/persistence/**', '**/*.spec.ts', '**/testing/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...['createQueryBuilder', 'query', 'getRepository'].map((name) => ({
          selector: `CallExpression > MemberExpression.callee[property.name='${name}']`,
          message: `${name}() outside libs/persistence: put the query in a repository there`,
        })),
        {
          // handing ds.manager to a repository is how a caller picks the transaction; calling it is a query
          selector: "CallExpression > MemberExpression.callee[object.property.name='manager']",
          message: 'an EntityManager query outside libs/persistence: put the query in a repository there',
        },
      ],
    },
  },
);

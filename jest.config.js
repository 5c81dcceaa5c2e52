const { existsSync } = require('node:fs');
const { join, resolve } = require('node:path');

// Suites that are about the shared corpus of others' X12 files as a whole. It lives outside the
// repository: without it (and without CI=true, where it is required) they are left out, and our own
// fixtures still cover every rule; a suite that only reads one corpus file skips that test itself.
const corpusDir = process.env.EDI_CORPUS_DIR ?? resolve(__dirname, '../shared/corpus/x12');
const corpusSuites = [
  'test/corpus.spec.ts',
  'test/canonical.spec.ts',
  'test/mapping-corpus.spec.ts',
  'test/mapping-errors.spec.ts',
  'test/node-x12-crosscheck.spec.ts',
  'test/fuzz.spec.ts',
  'apps/cli/src/packed-output.spec.ts',
];
const withoutCorpus = !existsSync(join(corpusDir, 'SOURCES.tsv')) && process.env.CI !== 'true';
if (withoutCorpus)
  console.warn(`no corpus at ${corpusDir}: its suites are left out (${corpusSuites.length})`);

/** Unit specs live beside the code; suites that need real servers live under test/. */
module.exports = {
  testPathIgnorePatterns: [
    '/node_modules/',
    ...(withoutCorpus ? corpusSuites.map((s) => `<rootDir>/${s}`) : []),
  ],
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: {
    '^@edi/x12$': '<rootDir>/libs/x12/src',
    '^@edi/x12/(.*)$': '<rootDir>/libs/x12/src/$1',
    '^@edi/mapping$': '<rootDir>/libs/mapping/src',
    '^@edi/mapping/(.*)$': '<rootDir>/libs/mapping/src/$1',
    '^@edi/persistence$': '<rootDir>/libs/persistence/src',
    '^@edi/pipeline$': '<rootDir>/libs/pipeline/src',
    '^@edi/config$': '<rootDir>/libs/config/src',
    '^@edi/as2$': '<rootDir>/libs/as2/src',
    '^@edi/contracts$': '<rootDir>/libs/contracts/src',
    '^@edi/auth$': '<rootDir>/libs/auth/src',
    '^@edi/erp$': '<rootDir>/libs/erp/src',
    '^@edi/transport$': '<rootDir>/libs/transport/src',
  },
  testTimeout: 60000,
};

/** Unit specs live beside the code; suites that need real servers live under test/. */
module.exports = {
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

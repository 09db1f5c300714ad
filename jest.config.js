// One jest run tests one backend: TFJS_GRU_BACKEND=tensorflow|wasm|cpu
// (default: the fastest one present, as the library picks it).
module.exports = {
  preset: 'ts-jest',
  testEnvironment: '<rootDir>/test/setup/nodeEnvironment.ts',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/setup/backend.ts'],
  testTimeout: 120000,
  transform: {
    '^.+\\.ts$': ['ts-jest', {isolatedModules: true}],
  },
};

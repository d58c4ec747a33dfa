/**
 * Tests live beside the code. ts-jest runs in isolatedModules mode: type-checking every test file
 * against @pulumi/gcp's large types costs ~5x the run time, and `npm run typecheck` covers the
 * whole project once instead.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/infra", "<rootDir>/functions", "<rootDir>/scripts", "<rootDir>/sql"],
  testMatch: ["**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/dist/"],
  transform: { "^.+\\.tsx?$": ["ts-jest", { isolatedModules: true }] },
  testTimeout: 120000,
};

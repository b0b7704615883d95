// Unit specs sit beside the code (src, *.spec.ts); end-to-end tests boot the real app (test, *.e2e-spec.ts).
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];
// content-disposition 3 (under @fastify/static, which Swagger's UI needs) ships ESM only. Node 20.19
// loads it with require(esm); Jest on Node 20 cannot, so Jest transpiles that one package.
const esmOnly = ['content-disposition'];
const esmTransform = ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } }];
const shared = {
  testEnvironment: 'node',
  rootDir: __dirname,
  transform: { '^.+\\.ts$': tsJest, [`node_modules/(${esmOnly.join('|')})/.+\\.js$`]: esmTransform },
  transformIgnorePatterns: [`node_modules/(?!(${esmOnly.join('|')})/)`],
};
module.exports = {
  projects: [
    { ...shared, displayName: 'unit', roots: ['<rootDir>/src'], testMatch: ['**/*.spec.ts'] },
    { ...shared, displayName: 'e2e', roots: ['<rootDir>/test'], testMatch: ['**/*.e2e-spec.ts'] },
  ],
  // A global option: Jest ignores testTimeout inside a project. End-to-end tests boot servers.
  testTimeout: 60000,
};

// Three tiers: unit (*.spec.ts), integration (*.int-spec.ts, real PostgreSQL) and e2e
// (apps/api/test/*.e2e-spec.ts, HTTP through the typed client). One embedded PostgreSQL (or the
// server in DATABASE_URL) is prepared once in globalSetup; each test file clones its own database
// from a migrated template.
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

/** node_modules packages published as ES modules only; Babel compiles them to CommonJS for Jest. */
function esmOnlyPackages(dir = join(__dirname, 'node_modules'), scope = '') {
  const found = [];
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue;
    if (name.startsWith('@') && !scope) {
      found.push(...esmOnlyPackages(join(dir, name), name));
      continue;
    }
    try {
      if (JSON.parse(readFileSync(join(dir, name, 'package.json'), 'utf8')).type === 'module') found.push(scope ? `${scope}/${name}` : name);
    } catch {
      /* not a package */
    }
  }
  return found;
}
const ESM_ONLY = esmOnlyPackages().map((n) => n.replace(/[.+]/g, '\\$&'));

const transform = {
  '^.+\\.m?js$': [
    'babel-jest',
    {
      babelrc: false,
      configFile: false,
      compact: false,
      plugins: ['@babel/plugin-transform-modules-commonjs', '@babel/plugin-transform-dynamic-import', join(__dirname, 'libs/testing/esm-to-cjs.js')],
    },
  ],
  '^.+\\.ts$': [
    'ts-jest',
    {
      tsconfig: 'tsconfig.jest.json',
      astTransformers: { before: [{ path: '<rootDir>/libs/testing/swagger-plugin-transformer.js' }] },
      diagnostics: { warnOnly: false },
    },
  ],
};
const common = {
  rootDir: __dirname,
  transform,
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: { '^@app/(.*)$': '<rootDir>/libs/$1/src' },
  testEnvironment: 'node',
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.data/'],
};
module.exports = {
  globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: process.env.JEST_MAX_WORKERS || 2,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/apps/api/test/**/*.e2e-spec.ts'] },
    // Fault tests (issue 12): kill -9 of the compiled API (dist/, built first when missing), PostgreSQL
    // stopped and started under load (its own embedded server), connections terminated, races.
    { ...common, displayName: 'faults', testMatch: ['<rootDir>/apps/api/test/**/*.fault-spec.ts'] },
  ],
};

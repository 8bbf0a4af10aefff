import { register } from 'tsconfig-paths';
// globalSetup runs outside Jest's module registry, so @app/* aliases are resolved here.
register({ baseUrl: `${__dirname}/../../..`, paths: { '@app/*': ['libs/*/src'] } });
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';


async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/**
 * Prepares the server every test file uses: an embedded PostgreSQL in a temporary directory when
 * DATABASE_URL is unset, else the server DATABASE_URL points at. Creates one migrated template
 * database; `createTestDatabase()` clones it per test file.
 */
export default async function globalSetup(): Promise<void> {
  // Loaded after the alias hook above is registered.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { adminQuery, ensureDatabase, quoteIdent, runMigrations, startEmbeddedPostgres } = { ...require('../../db/src/admin'), ...require('../../db/src/data-source'), ...require('../../db/src/embedded') } as typeof import('../../db/src/admin') & typeof import('../../db/src/data-source') & typeof import('../../db/src/embedded');
  const started = Date.now();
  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    const u = new URL(process.env.DATABASE_URL);
    u.pathname = '/postgres';
    adminUrl = u.toString();
  } else {
    const server = await startEmbeddedPostgres({ dataDir: mkdtempSync(join(tmpdir(), 'puente-test-pg-')), port: await freePort(), persistent: false });
    (globalThis as { __PUENTE_PG__?: unknown }).__PUENTE_PG__ = server;
    adminUrl = server.url('postgres');
  }
  const template = `puente_tpl_${process.pid}_${Date.now().toString(36)}`;
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${template}`;
  await ensureDatabase(templateUrl.toString());
  await runMigrations(templateUrl.toString());
  await adminQuery(adminUrl, `ALTER DATABASE ${quoteIdent(template)} WITH ALLOW_CONNECTIONS true`);
  process.env.PUENTE_TEST_ADMIN_URL = adminUrl;
  process.env.PUENTE_TEST_TEMPLATE = template;
  process.env.PUENTE_TEST_SERVER = process.env.DATABASE_URL ? 'external' : 'embedded';
  process.stdout.write(`\n[puente tests] ${process.env.PUENTE_TEST_SERVER} PostgreSQL ready, template ${template} migrated in ${Date.now() - started} ms\n`);
}

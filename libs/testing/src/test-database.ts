import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { adminQuery, quoteIdent } from '@app/db';

export interface TestDatabase {
  name: string;
  url: string;
  /** A superuser pool on the test database, for assertions that bypass the API. */
  pool: Pool;
  drop(): Promise<void>;
}

/** Clones the migrated template into a database of this test file's own. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = process.env.PUENTE_TEST_ADMIN_URL;
  const template = process.env.PUENTE_TEST_TEMPLATE;
  if (!admin || !template) throw new Error('Test database not prepared: run the tests through jest (globalSetup)');
  const name = `t_${process.env.JEST_WORKER_ID ?? 0}_${randomUUID().slice(0, 8)}`;
  await adminQuery(admin, `CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`);
  const u = new URL(admin);
  u.pathname = `/${name}`;
  const url = u.toString();
  const pool = new Pool({ connectionString: url, max: 3 });
  return {
    name,
    url,
    pool,
    drop: async () => {
      await pool.end();
      await adminQuery(admin, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    },
  };
}

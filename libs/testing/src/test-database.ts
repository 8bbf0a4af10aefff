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
      // Let the closed app's connections (job workers finishing, pools draining) go away by themselves:
      // forcing them off would surface as an unhandled 'error' in whichever test runs next in this worker.
      const probe = new Pool({ connectionString: admin, max: 1 });
      probe.on('error', () => undefined);
      try {
        for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
          const { rows } = await probe.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
          if (rows[0].n === 0) break;
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        await probe.end();
      }
      await adminQuery(admin, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    },
  };
}

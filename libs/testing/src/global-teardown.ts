import { adminQuery, quoteIdent } from '../../db/src/admin';
import type { EmbeddedServer } from '../../db/src/embedded';

export default async function globalTeardown(): Promise<void> {
  const template = process.env.PUENTE_TEST_TEMPLATE;
  const admin = process.env.PUENTE_TEST_ADMIN_URL;
  if (template && admin) await adminQuery(admin, `DROP DATABASE IF EXISTS ${quoteIdent(template)} WITH (FORCE)`).catch(() => undefined);
  const server = (globalThis as { __PUENTE_PG__?: EmbeddedServer }).__PUENTE_PG__;
  if (server) await server.stop();
}

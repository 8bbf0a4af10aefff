import 'reflect-metadata';
import { rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '@app/config';
import { ensureDatabase, openDatabaseRuntime, runMigrations } from '@app/db';
import { deploymentEnv, freePort, provisionClient, spawnApi } from '../libs/testing/src/api-process';
import { heapOf, median, mib, percentile, rssOf } from './proc-sampler';

/**
 * `npm run soak -- --seconds 300`: mixed load for a bounded time against the compiled API running in a
 * process of its own (with its job workers), on an embedded PostgreSQL of its own (or DATABASE_URL's
 * server, in a new database). Clients mix batch ingest (with resubmissions and updates), lists, single
 * reads, statistics, referrals and small CSV imports. Every --window seconds it prints per operation the
 * count, errors and p50/p95 latency, and the API process's RSS and V8 heap; at the end: error rate, 5xx
 * count, latency drift (p95 of the last window / first window), memory growth, and a check that every
 * acknowledged write is stored (records lost). Options: --seconds 60 --window 10 --clients 4 --json FILE.
 */
function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
}

type Op = 'batch' | 'list' | 'get' | 'statistics' | 'referral' | 'referrals' | 'import';
const MIX: Array<[Op, number]> = [
  ['batch', 20],
  ['list', 22],
  ['get', 20],
  ['statistics', 14],
  ['referral', 8],
  ['referrals', 10],
  ['import', 6],
];

interface Call {
  op: Op;
  t: number;
  ms: number;
  status: number; // 0 = network error
}

const victim = (i: number, rev: number) => ({
  localId: `S-${i}`,
  sex: i % 2 ? 'female' : 'male',
  nationality: ['MEX'],
  stateOfOrigin: String(1 + (i % 32)).padStart(2, '0'),
  vulnerableGroups: ['indigenous'],
  victimType: 'direct',
  offenses: ['LGT-13'],
  ageAtEvent: 10 + ((i + rev) % 60),
});

async function main(): Promise<void> {
  const seconds = Number(arg('seconds', '60'));
  const windowS = Number(arg('window', String(Math.max(5, Math.min(60, Math.round(seconds / 6))))));
  const clients = Number(arg('clients', '4'));
  const base = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
  const pgDir = base.databaseUrl ? undefined : join(tmpdir(), `puente-soak-pg-${process.pid}-${Date.now().toString(36)}`);
  const db = await openDatabaseRuntime({ ...base, embeddedDataDir: pgDir ?? base.embeddedDataDir, embeddedPort: base.databaseUrl ? base.embeddedPort : await freePort() }, (m) =>
    process.stderr.write(`${m}\n`),
  );
  const u = new URL(db.url);
  u.pathname = `/soak_${Date.now().toString(36)}`;
  const url = u.toString();
  let api: Awaited<ReturnType<typeof spawnApi>> | undefined;
  const pg = new Client({ connectionString: url });
  try {
    await ensureDatabase(url);
    await runMigrations(url);
    const env = deploymentEnv(url, { LOG_LEVEL: 'warn' });
    api = await spawnApi(env);
    const stamp = Date.now().toString(36);
    const a = await provisionClient(env, api.url, ['victims:read', 'victims:write', 'pii:read', 'imports:write', 'statistics:read', 'referrals:read', 'referrals:write'], `soak-a-${stamp}`);
    const b = await provisionClient(env, api.url, ['referrals:read', 'referrals:write'], `soak-b-${stamp}`);
    await pg.connect();
    const apiUrl = api.url;
    const pid = api.child.pid!;

    const calls: Call[] = [];
    const acknowledged = new Set<number>(); // victim numbers a 200 batch answer covered
    const imports: string[] = [];
    let importInFlight = false;
    let seq = 0;
    const t0 = Date.now();
    const deadline = t0 + seconds * 1000;
    const call = async (op: Op, path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> => {
      const started = performance.now();
      let status = 0;
      let body: unknown;
      try {
        const res = await fetch(`${apiUrl}${path}`, { ...init, headers: { authorization: `Bearer ${a.token}`, ...(init.headers ?? {}) }, signal: AbortSignal.timeout(30_000) });
        status = res.status;
        const text = await res.text();
        body = text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text;
      } catch {
        status = 0;
      }
      calls.push({ op, t: Date.now() - t0, ms: performance.now() - started, status });
      return { status, body };
    };
    const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const POOL = 5000; // distinct localIds: later batches resubmit (unchanged) or update them
    const pick = (): Op => {
      let r = Math.random() * MIX.reduce((s, [, w]) => s + w, 0);
      for (const [op, w] of MIX) if ((r -= w) < 0) return op;
      return 'list';
    };
    const worker = async () => {
      while (Date.now() < deadline) {
        const op = pick();
        const n = seq++;
        if (op === 'batch') {
          const from = (n * 50) % POOL;
          const rev = Math.floor((n * 50) / POOL); // every pass over the pool changes the content once
          const nums = Array.from({ length: 50 }, (_, k) => from + k);
          const r = await call('batch', '/v1/victims/batch', json({ entries: nums.map((i) => victim(i, rev)) }));
          if (r.status === 200) for (const i of nums) acknowledged.add(i);
        } else if (op === 'list') {
          await call('list', '/v1/victims?limit=50');
        } else if (op === 'get') {
          const known = acknowledged.size ? [...acknowledged][n % acknowledged.size] : 0;
          await call('get', `/v1/victims/S-${known}`);
        } else if (op === 'statistics') {
          await call('statistics', `/v1/statistics/victims?groupBy=${n % 2 ? 'sex' : 'stateOfOrigin'}`);
        } else if (op === 'referral') {
          if (!acknowledged.size) continue;
          const known = [...acknowledged][n % acknowledged.size];
          await call('referral', '/v1/referrals', json({ toAgency: b.agencyCode, subject: { kind: 'victims', localId: `S-${known}` }, reason: 'investigation', urgency: 'routine', shared: ['victim.demographics'] }));
        } else if (op === 'referrals') {
          await call('referrals', '/v1/referrals?limit=20');
        } else if (op === 'import') {
          if (importInFlight) continue;
          importInFlight = true;
          const lines = ['localId,sex,birthDate,nationality,stateOfOrigin,vulnerableGroups,victimType,offenses'];
          for (let i = 0; i < 300; i++) lines.push(`SI-${n}-${i},female,0${1 + (i % 9)}/03/2001,MEX,09,indigenous,direct,LGT-13`);
          const form = new FormData();
          form.append('kind', 'victims');
          form.append('file', new Blob([lines.join('\r\n')], { type: 'text/csv' }), `soak-${n}.csv`);
          const r = await call('import', '/v1/imports', { method: 'POST', body: form });
          if (r.status === 202) imports.push((r.body as { id: string }).id);
          importInFlight = false;
        }
      }
    };

    // Memory of the API process: RSS every second, heap every window.
    const mem: Array<{ t: number; rss: number; heap?: number }> = [];
    const memTimer = setInterval(() => mem.push({ t: Date.now() - t0, rss: rssOf(pid) }), 1000);
    const windows: Array<Record<string, unknown>> = [];
    let w = 0;
    const report = async () => {
      const from = w * windowS * 1000;
      const to = from + windowS * 1000;
      w++;
      const inWin = calls.filter((c) => c.t >= from && c.t < to);
      const heap = await heapOf(apiUrl);
      const rssWin = mem.filter((m) => m.t >= from && m.t < to).map((m) => m.rss);
      const lat = inWin.map((c) => c.ms).sort((x, y) => x - y);
      const row: Record<string, unknown> = {
        window: `${from / 1000}-${to / 1000}s`,
        requests: inWin.length,
        errors: inWin.filter((c) => c.status === 0 || c.status >= 400).length,
        p50: Math.round(percentile(lat, 50)),
        p95: Math.round(percentile(lat, 95)),
        rssMiB: mib(rssWin.length ? median(rssWin) : rssOf(pid)),
        heapMiB: heap ? mib(heap.heapUsed) : null,
      };
      for (const [op] of MIX) {
        const l = inWin.filter((c) => c.op === op).map((c) => c.ms).sort((x, y) => x - y);
        row[op] = l.length ? `${l.length}/${Math.round(percentile(l, 50))}/${Math.round(percentile(l, 95))}` : '-';
      }
      windows.push(row);
      process.stderr.write(`${JSON.stringify(row)}\n`);
    };
    process.stderr.write(`soak: ${seconds} s, ${clients} clients, windows of ${windowS} s (per op: count/p50 ms/p95 ms)\n`);
    const reporter = setInterval(() => void report(), windowS * 1000);
    await Promise.all(Array.from({ length: clients }, () => worker()));
    clearInterval(reporter);
    if (calls.some((c) => c.t >= w * windowS * 1000)) await report();
    clearInterval(memTimer);

    // Imports finish; every acknowledged write is stored.
    const importsDeadline = Date.now() + 120_000;
    let importStates: Record<string, number> = {};
    while (Date.now() < importsDeadline) {
      const r = await pg.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM import_jobs GROUP BY status`);
      importStates = Object.fromEntries(r.rows.map((x) => [x.status, x.n]));
      if (!importStates.queued && !importStates.running) break;
      await new Promise((r2) => setTimeout(r2, 1000));
    }
    const stored = await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM records WHERE kind = 'victims' AND local_id = ANY($1::text[])`, [[...acknowledged].map((i) => `S-${i}`)]);
    const byStatus: Record<string, number> = {};
    for (const c of calls) byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
    const first = windows[0];
    // The last complete window (a partial one at the end has few samples).
    const last = windows.length > 2 ? windows[windows.length - 2] : windows[windows.length - 1];
    const summary = {
      seconds,
      clients,
      requests: calls.length,
      requestsPerSecond: Math.round(calls.length / seconds),
      byStatus,
      errorRate: Math.round((calls.filter((c) => c.status === 0 || c.status >= 400).length / Math.max(1, calls.length)) * 10000) / 10000,
      answered5xx: calls.filter((c) => c.status >= 500).length,
      networkErrors: byStatus[0] ?? 0,
      latencyDrift: { p50First: first.p50, p50Last: last.p50, p95First: first.p95, p95Last: last.p95, p95Ratio: Math.round(((last.p95 as number) / Math.max(1, first.p95 as number)) * 100) / 100 },
      memory: {
        rssFirstWindowMiB: first.rssMiB,
        rssLastWindowMiB: last.rssMiB,
        rssGrowthMiB: Math.round(((last.rssMiB as number) - (first.rssMiB as number)) * 10) / 10,
        rssPeakMiB: mib(Math.max(...mem.map((m) => m.rss))),
        heapFirstWindowMiB: first.heapMiB,
        heapLastWindowMiB: last.heapMiB,
      },
      writes: { victimsAcknowledged: acknowledged.size, victimsStored: stored.rows[0].n, recordsLost: acknowledged.size - stored.rows[0].n, imports: importStates },
      windows,
      apiAlive: api.alive(),
      machine: { cpus: cpus().length, loadAverage: loadavg().map((x) => Math.round(x * 10) / 10), node: process.version },
    };
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    const out = arg('json', '');
    if (out) (await import('node:fs')).writeFileSync(out, JSON.stringify({ summary, calls: calls.length, mem }));
    if (summary.answered5xx || summary.writes.recordsLost || !summary.apiAlive) process.exitCode = 1;
  } finally {
    await pg.end().catch(() => undefined);
    await api?.stop();
    await db.stop();
    if (pgDir) rmSync(pgDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import { Pool } from 'pg';
import { AgenciesService, ApiClientsService } from '@app/auth';
import { loadConfig } from '@app/config';
import { openDatabaseRuntime, runMigrations } from '@app/db';
import { createRootLogger } from '@app/http';
import { JobsService } from '@app/jobs';
import { generateLabelled, syntheticVictim, type SyntheticVictim } from '@app/synthetic';
import { createApp } from '../apps/api/src/configure-app';
import { statisticsBench, statisticsBenchOptions } from './statistics';
import { exactBaseline, pairwiseScores, runBulk } from './matching-quality';
import { seedSynthetic } from '../apps/cli/src/commands/seed-synthetic.command';

/**
 * `npm run bench`: figures with a baseline measured in the same run on the same database.
 *   ingest   — victim batches through POST /v1/victims/batch (validation, encryption, history, change feed,
 *              projections, audit) vs a raw multi-row INSERT of the same rows into an equivalent table;
 *   get      — GET /v1/victims/{localId} under concurrency vs a bare Fastify + pg handler doing the same query.
 * Repeated at each stored size (--sizes). Options: --sizes 10000,100000 --ingest 20000 --batch 1000
 * --writers 2 --seconds 10 --concurrency 16 --purpose investigation|none --phases ingest,drain,get
 * --fill seed|api (how the database grows between sizes; `seed` = seed:synthetic's bulk path).
 *   matching — pairwise P / R / F1 of the engine vs an exact-match baseline in memory (--matching no skips it,
 *              --match-persons 10000 sets its size; database figures: npm run bench:matching);
 *   import   — a generated CSV through POST /v1/imports vs the batch API (bench/import.ts in its own process;
 *              --import no skips it, --import-rows 20000 sets its size; memory figures: npm run bench:import);
 *   statistics — grouped statistics over HTTP vs the bare SQL GROUP BY (bench/statistics.ts; --statistics no skips it,
 *              --stat-victims 20000 --stat-cases 10000 --stat-reps 20 set its size).
 */
const run = promisify(execFile);

/** Phase marks on stderr with the process uptime, to slice a `node --cpu-prof` profile by phase. */
const mark = (phase: string): void => {
  if (process.env.BENCH_MARKS) process.stderr.write(`[${process.uptime().toFixed(1)}s] ${phase}\n`);
};

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
}

interface Row {
  size: number;
  figure: string;
  puente: string;
  baseline: string;
  ratio: string;
  target: string;
}

async function main(): Promise<void> {
  const sizes = arg('sizes', '10000,100000').split(',').map(Number);
  const ingestN = Number(arg('ingest', '20000'));
  const batchSize = Number(arg('batch', '1000'));
  const writers = Number(arg('writers', '2'));
  const seconds = Number(arg('seconds', '10'));
  const concurrency = Number(arg('concurrency', '16'));
  // Reads with personal data (pii:read + X-Purpose, audited) or without (`--purpose none`).
  const purpose = arg('purpose', 'investigation');
  // Which figures to take at each size (for profiling one path): ingest, drain (background work), get.
  const phases = new Set(arg('phases', 'ingest,drain,get').split(','));
  // How the database is filled between sizes: `seed` (seed:synthetic's in-process bulk path: 12 other
  // agencies, cross-agency duplicates) or `api` (more of the bench agency's own batches over HTTP).
  const fillMode = arg('fill', 'seed');

  const base = loadConfig({ ...process.env, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000' });
  const tmp = base.databaseUrl ? undefined : mkdtempSync(join(tmpdir(), 'puente-bench-'));
  const config = { ...base, embeddedDataDir: tmp ?? base.embeddedDataDir, embeddedPort: 55000 + (process.pid % 1000) };
  const db = await openDatabaseRuntime(config, (m) => process.stderr.write(`${m}\n`));
  const rows: Row[] = [];
  try {
    await runMigrations(db.url);
    // The measured instance serves HTTP only (JOBS_WORKERS=false, as an API-only instance behind the
    // balancer, docs/scaling.md), so background matching does not run inside the ingest and read figures;
    // a worker instance on the same database then drains the queues as its own figure.
    const app = await createApp({ ...config, databaseUrl: db.url, jobsWorkers: false }, { logger: createRootLogger('warn') });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const apiUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const code = `bench-${Date.now().toString(36)}`;
    const agency = await app.get(AgenciesService).create({ code, name: 'Benchmark agency', kind: 'prosecutor', jurisdiction: '09' }, 'bench');
    const client = await app.get(ApiClientsService).create({ agency: code, name: 'bench', scopes: ['victims:read', 'victims:write', 'pii:read'] }, 'bench');
    const tokenRes = await fetch(`${apiUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }),
    });
    const token = ((await tokenRes.json()) as { access_token: string }).access_token;
    const auth: Record<string, string> = { authorization: `Bearer ${token}`, ...(purpose !== 'none' ? { 'x-purpose': purpose } : {}) };

    const pool = new Pool({ connectionString: db.url, max: 20 });
    pool.on('error', () => undefined); // idle connections ended when the server stops
    await pool.query(`CREATE TABLE IF NOT EXISTS bench_raw_victims (agency_id uuid NOT NULL, local_id varchar(128) NOT NULL, data jsonb NOT NULL, pii text, PRIMARY KEY (agency_id, local_id))`);
    const bare = Fastify({ logger: false });
    bare.get<{ Params: { localId: string } }>('/victims/:localId', async (req, reply) => {
      const { rows: found } = await pool.query('SELECT local_id, version, data, pii_enc, updated_at FROM records WHERE agency_id = $1 AND kind = $2 AND local_id = $3', [agency.id, 'victims', req.params.localId]);
      if (!found.length) return reply.code(404).send({ status: 404 });
      return found[0];
    });
    const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });

    let stored = 0;
    let own = 0; // records of the bench agency (SYN-0 … SYN-own-1), the ones the reads ask for
    let seeded = 0;
    let step = 0;
    let drained = 0;
    const apiBatches = async (from: number, count: number): Promise<number> => {
      const started = process.hrtime.bigint();
      let next = from;
      const end = from + count;
      await Promise.all(
        Array.from({ length: writers }, async () => {
          while (next < end) {
            const start = next;
            next = Math.min(end, next + batchSize);
            const entries = Array.from({ length: next - start }, (_, k) => syntheticVictim(start + k));
            const res = await fetch(`${apiUrl}/v1/victims/batch`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ entries }) });
            const body = (await res.json()) as { summary?: { rejected: number; created: number } };
            if (res.status !== 200 || body.summary?.rejected) throw new Error(`batch failed: ${res.status} ${JSON.stringify(body).slice(0, 500)}`);
          }
        }),
      );
      return Number(process.hrtime.bigint() - started) / 1e9;
    };
    const rawBatches = async (from: number, count: number): Promise<number> => {
      const piiKeys = new Set(['names', 'curp', 'phone']);
      const started = process.hrtime.bigint();
      let next = from;
      const end = from + count;
      await Promise.all(
        Array.from({ length: writers }, async () => {
          while (next < end) {
            const start = next;
            next = Math.min(end, next + batchSize);
            const victims: SyntheticVictim[] = Array.from({ length: next - start }, (_, k) => syntheticVictim(start + k, 1, 'RAW'));
            const values: unknown[] = [];
            const tuples = victims.map((v, k) => {
              const data = Object.fromEntries(Object.entries(v).filter(([key]) => !piiKeys.has(key)));
              const pii = Object.fromEntries(Object.entries(v).filter(([key]) => piiKeys.has(key)));
              values.push(agency.id, v.localId, JSON.stringify(data), JSON.stringify(pii));
              return `($${k * 4 + 1}, $${k * 4 + 2}, $${k * 4 + 3}, $${k * 4 + 4})`;
            });
            await pool.query(`INSERT INTO bench_raw_victims (agency_id, local_id, data, pii) VALUES ${tuples.join(', ')} ON CONFLICT (agency_id, local_id) DO UPDATE SET data = EXCLUDED.data, pii = EXCLUDED.pii`, values);
          }
        }),
      );
      return Number(process.hrtime.bigint() - started) / 1e9;
    };
    const load = async (baseUrl: string, pathPrefix: string, headers: Record<string, string>) => {
      const paths = Array.from({ length: 5000 }, (_, k) => `${pathPrefix}/SYN-${Math.floor((k * 7919) % own)}`);
      const { stdout } = await run(process.execPath, [join(__dirname, 'load.js'), JSON.stringify({ baseUrl, paths, headers, concurrency, seconds })], { maxBuffer: 1 << 20 });
      return JSON.parse(stdout) as { requests: number; errors: number; rps: number; p50: number; p95: number; p99: number };
    };

    for (const size of sizes) {
      if (stored + ingestN > size) throw new Error(`--sizes must grow by at least --ingest (${ingestN}) each step`);
      // Fill to size - ingestN, then measure the last ingestN records at that size.
      const fill = size - ingestN - stored;
      if (fill > 0) {
        process.stderr.write(`filling to ${size - ingestN} records (${fillMode})…\n`);
        const fillStart = Date.now();
        if (fillMode === 'api') {
          await apiBatches(own, fill);
          own += fill;
        } else {
          await seedSynthetic(app, { victims: fill, cases: 0, agencies: 12, seed: 1 + step, from: seeded, log: (l) => process.stderr.write(`  ${l}\n`) });
          seeded += fill;
        }
        stored += fill;
        process.stderr.write(`filled ${fill} in ${((Date.now() - fillStart) / 1000).toFixed(1)} s\n`);
      }
      step++;
      mark(`ingest ${size}`);
      const apiSecs = await apiBatches(own, ingestN);
      own += ingestN;
      mark(`raw ingest ${size}`);
      stored += ingestN;
      await pool.query('TRUNCATE bench_raw_victims');
      const rawSecs = await rawBatches(0, ingestN);
      const apiRate = ingestN / apiSecs;
      const rawRate = ingestN / rawSecs;
      rows.push({ size, figure: `ingest ${ingestN} victims (batches of ${batchSize}, ${writers} writers), records/s`, puente: apiRate.toFixed(0), baseline: rawRate.toFixed(0), ratio: `${((apiRate / rawRate) * 100).toFixed(0)}%`, target: '≥ 5000/s and ≥ 25%' });
      // Background work caused by the ingest (matching) finishes before the read phase, so the reads are
      // measured alone; its duration is reported as its own figure.
      mark(`drain ${size}`);
      if (phases.has('drain')) {
        const drainStart = process.hrtime.bigint();
        const worker = await createApp({ ...config, databaseUrl: db.url, jobsWorkers: true }, { logger: createRootLogger('warn') });
        await worker.init();
        const jobs = worker.get(JobsService);
        for (const q of jobs.registeredQueues()) await jobs.drain(q, 3_600_000);
        await worker.close();
        const drainSecs = Number(process.hrtime.bigint() - drainStart) / 1e9;
        rows.push({ size, figure: `background work (worker instance drains the matching queue of the ${drained === 0 ? size : size - drained} records written since the last drain), s`, puente: drainSecs.toFixed(1), baseline: '', ratio: '', target: '' });
        drained = size;
      }
      if (!phases.has('get')) continue;
      await pool.query('VACUUM ANALYZE records');
      mark(`GET ${size}`);
      const api = await load(apiUrl, '/v1/victims', auth);
      mark(`bare GET ${size}`);
      const bareRes = await load(bareUrl, '/victims', {});
      mark(`end ${size}`);
      if (api.errors || bareRes.errors) process.stderr.write(`errors: api ${api.errors}, bare ${bareRes.errors}\n`);
      rows.push({ size, figure: `GET /v1/victims/{localId}${purpose !== 'none' ? ' with personal data (audited read)' : ''}, ${concurrency} concurrent, req/s`, puente: api.rps.toFixed(0), baseline: bareRes.rps.toFixed(0), ratio: `${((api.rps / bareRes.rps) * 100).toFixed(0)}%`, target: '≥ 50%' });
      rows.push({ size, figure: 'GET latency p50 / p95 / p99, ms', puente: `${api.p50.toFixed(1)} / ${api.p95.toFixed(1)} / ${api.p99.toFixed(1)}`, baseline: `${bareRes.p50.toFixed(1)} / ${bareRes.p95.toFixed(1)} / ${bareRes.p99.toFixed(1)}`, ratio: '', target: '' });
      process.stderr.write(`size ${size} done\n`);
    }
    await bare.close();
    await pool.end();
    await app.close();
  } catch (err) {
    // Printed before the server stops: stopping it first ends pooled connections, whose errors would hide this one.
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    throw err;
  } finally {
    await db.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
  // Matching section (in memory, the bulk engine of `matching:rebuild` on labelled synthetic records, against
  // an exact-match baseline in the same run): --matching no skips it, --match-persons sets its size. The
  // database-backed figures (rebuild at 1M, one record's latency) are `npm run bench:matching`'s.
  if (arg('matching', 'yes') !== 'no') rows.push(...matchingBench(Number(arg('match-persons', '10000'))));
  // Import section (bench/import.ts in a process of its own: CSV upload + background import against the
  // batch API on the same database): --import no skips it, --import-rows sets the file's size.
  if (arg('import', 'yes') !== 'no') rows.push(...(await importBench(Number(arg('import-rows', '20000')))));
  // Statistics section (bench/statistics.ts, its own database): --statistics no skips it; sizes --stat-victims / --stat-cases.
  if (arg('statistics', 'yes') !== 'no') rows.push(...(await statisticsBench(statisticsBenchOptions())));
  const header = ['stored', 'figure', 'Puente', 'baseline', 'Puente/baseline', 'target'];
  const lines = [header, ...rows.map((r) => [String(r.size), r.figure, r.puente, r.baseline, r.ratio, r.target])];
  process.stdout.write(`\n| ${header.join(' | ')} |\n|${header.map(() => ' --- ').join('|')}|\n`);
  for (const l of lines.slice(1)) process.stdout.write(`| ${l.join(' | ')} |\n`);
}

/** `npm run bench:import` at a small size, its JSON result as rows of the table. */
async function importBench(n: number): Promise<Row[]> {
  const { stdout } = await run(process.execPath, [join(__dirname, 'import.js'), '--rows', String(n), '--baseline', String(Math.min(n, 10_000))], { maxBuffer: 64 << 20 });
  const r = JSON.parse(stdout.slice(stdout.lastIndexOf('{\n  "rows"'))) as { fileMiB: number; ratio: number; batchApi: { rowsPerSecond: number }; import: { rowsPerSecond: number; uploadSeconds: number } };
  return [
    {
      size: n,
      figure: `import of a ${n}-row CSV (${r.fileMiB} MiB; upload ${r.import.uploadSeconds} s) through POST /v1/imports vs the batch API, rows/s`,
      puente: String(r.import.rowsPerSecond),
      baseline: String(r.batchApi.rowsPerSecond),
      ratio: `${Math.round(r.ratio * 100)}%`,
      target: '',
    },
  ];
}

/** Pairwise precision / recall / F1 of the engine's automatic links and of the exact-match baseline, and throughput. */
function matchingBench(persons: number): Row[] {
  const data = generateLabelled(persons, 7);
  const truth = Int32Array.from(data.map((d) => d.person));
  let t = performance.now();
  const baseline = pairwiseScores(exactBaseline(data), truth);
  const baseSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const engine = pairwiseScores(runBulk(data).labels, truth);
  const engineSeconds = (performance.now() - t) / 1000;
  const prf = (x: { precision: number; recall: number; f1: number }) => `${x.precision.toFixed(3)} / ${x.recall.toFixed(3)} / ${x.f1.toFixed(3)}`;
  return [
    { size: data.length, figure: `matching ${persons} labelled persons in memory: pairwise P / R / F1 (engine vs exact match)`, puente: prf(engine), baseline: prf(baseline), ratio: `F1 ×${(engine.f1 / baseline.f1).toFixed(2)}`, target: 'F1 ≥ 0.95, P ≥ 0.99 (at 100k persons)' },
    { size: data.length, figure: 'matching throughput, records/s (engine vs exact match)', puente: (data.length / engineSeconds).toFixed(0), baseline: (data.length / baseSeconds).toFixed(0), ratio: '', target: '' },
  ];
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

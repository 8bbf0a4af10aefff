import 'reflect-metadata';
import { createWriteStream, openAsBlob, rmSync, statSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Client } from 'pg';
import { loadConfig } from '@app/config';
import { ensureDatabase, openDatabaseRuntime, runMigrations } from '@app/db';
import { columnsOf, csvLine } from '@app/imports';
import { VICTIM_PII_FIELDS, VictimBatchEntryDto } from '@app/records';
import { syntheticVictim } from '@app/synthetic';
import { deploymentEnv, freePort, provisionClient, spawnApi } from '../libs/testing/src/api-process';
import { heapOf, median, mib, rssOf } from './proc-sampler';

/**
 * `npm run bench:import`: a generated CSV of --rows victims (default 200,000) imported through
 * POST /v1/imports (multipart upload + background job), against the batch API (POST /v1/victims/batch,
 * 1,000 entries per request, one writer: the import also submits one chunk at a time) on the same
 * database in the same run. The API is the compiled server (dist/apps/api/src/main.js) in a process of its
 * own (with its job workers: imports and matching); this process generates the file, uploads it and
 * samples the server's RSS (/proc) and V8 heap (/metrics) every --sample-ms. Between phases it waits for
 * the matching jobs the writes enqueued, so each phase is measured on its own.
 * Options: --rows 200000 --baseline 50000 --sample-ms 250 --drain-seconds 120 --json FILE (the samples).
 */
function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
}

const valueAt = (doc: Record<string, unknown>, path: string): unknown =>
  path.split('.').reduce<unknown>((cur, seg) => (cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined), doc);

interface Sample {
  t: number;
  phase: string;
  rss: number;
  heap?: number;
  rows?: number;
}

async function main(): Promise<void> {
  const rows = Number(arg('rows', '200000'));
  const baselineRows = Number(arg('baseline', '50000'));
  const sampleMs = Number(arg('sample-ms', '250'));
  const base = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
  const tmp = mkdtempSync(join(tmpdir(), 'puente-bench-import-'));
  const pgDir = base.databaseUrl ? undefined : join(tmpdir(), `puente-bench-pg-${process.pid}-${Date.now().toString(36)}`);
  const db = await openDatabaseRuntime({ ...base, embeddedDataDir: pgDir ?? base.embeddedDataDir, embeddedPort: base.databaseUrl ? base.embeddedPort : await freePort() }, (m) =>
    process.stderr.write(`${m}\n`),
  );
  const u = new URL(db.url);
  u.pathname = `/bench_import_${Date.now().toString(36)}`;
  const url = u.toString();
  const samples: Sample[] = [];
  let phase = 'start';
  let progressRows: number | undefined;
  let api: Awaited<ReturnType<typeof spawnApi>> | undefined;
  const t0 = Date.now();
  const sampler = setInterval(() => {
    if (api?.child.pid) samples.push({ t: Date.now() - t0, phase, rss: rssOf(api.child.pid), rows: progressRows });
  }, sampleMs);
  let heapBusy = false;
  const heapSampler = setInterval(() => {
    if (!api || heapBusy) return;
    heapBusy = true;
    void heapOf(api.url).then((h) => {
      heapBusy = false;
      if (h && samples.length) samples[samples.length - 1].heap = h.heapUsed;
    });
  }, 1000);
  const pg = new Client({ connectionString: url });
  try {
    // 1. The file: template columns (English header row), lists with |, dates ISO.
    const cols = columnsOf(VictimBatchEntryDto, VICTIM_PII_FIELDS);
    const file = join(tmp, 'victims.csv');
    const out = createWriteStream(file);
    out.write(csvLine(cols.map((c) => c.path)));
    for (let i = 0; i < rows; i++) {
      const v = syntheticVictim(i, 7, 'IMP') as unknown as Record<string, unknown>;
      const line = csvLine(
        cols.map((c) => {
          const x = valueAt(v, c.path);
          if (x === undefined || x === null) return null;
          if (c.type === 'json') return JSON.stringify(x);
          return Array.isArray(x) ? x.join('|') : (x as string);
        }),
      );
      if (!out.write(line)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    const size = statSync(file).size;
    process.stderr.write(`generated ${rows} rows, ${(size / 1048576).toFixed(1)} MiB\n`);

    await ensureDatabase(url);
    await runMigrations(url);
    const env = deploymentEnv(url, { LOG_LEVEL: 'warn', ...(process.env.IMPORT_LEASE_SECONDS ? { IMPORT_LEASE_SECONDS: process.env.IMPORT_LEASE_SECONDS } : {}) });
    api = await spawnApi(env);
    const { token } = await provisionClient(env, api.url, ['victims:read', 'victims:write', 'pii:read', 'imports:write'], `bench-imp-${Date.now().toString(36)}`);
    const auth = { authorization: `Bearer ${token}` };
    await pg.connect();
    const pendingMatching = async () =>
      Number((await pg.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name LIKE 'matching%' AND state IN ('created', 'retry', 'active')`)).rows[0].n);
    // Waits for the matching jobs of a phase, at most --drain-seconds (matching 200,000 victims on a small
    // machine takes longer than the import; what is left is reported).
    const drainLimit = Number(arg('drain-seconds', '120')) * 1000;
    const drainMatching = async (label: string) => {
      phase = `${label}:matching`;
      const started = Date.now();
      let left = await pendingMatching();
      while (left > 0 && Date.now() - started < drainLimit) {
        await new Promise((r) => setTimeout(r, 500));
        left = await pendingMatching();
      }
      return { seconds: Math.round((Date.now() - started) / 100) / 10, jobsLeft: left };
    };
    phase = 'idle';
    await new Promise((r) => setTimeout(r, 3000));

    // 2. Baseline: the batch API, 1,000 entries per request, one writer.
    phase = 'batch';
    let started = process.hrtime.bigint();
    for (let from = 0; from < baselineRows; from += 1000) {
      const entries = Array.from({ length: Math.min(1000, baselineRows - from) }, (_, k) => syntheticVictim(from + k, 7, 'BAT'));
      const res = await fetch(`${api.url}/v1/victims/batch`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ entries }) });
      const body = (await res.json()) as { summary?: { rejected: number } };
      if (res.status !== 200 || body.summary?.rejected) throw new Error(`batch failed: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
      progressRows = from + entries.length;
    }
    const batchSecs = Number(process.hrtime.bigint() - started) / 1e9;
    progressRows = undefined;
    const batchMatchingSecs = await drainMatching('batch');

    // 3. The import: upload (streamed from disk by this process) and follow the job.
    phase = 'upload';
    started = process.hrtime.bigint();
    const form = new FormData();
    form.append('kind', 'victims');
    form.append('file', await openAsBlob(file), 'victims.csv');
    const up = await fetch(`${api.url}/v1/imports`, { method: 'POST', headers: auth, body: form });
    const job = (await up.json()) as { id: string };
    if (up.status !== 202) throw new Error(`upload failed: ${up.status} ${JSON.stringify(job)}`);
    const uploadSecs = Number(process.hrtime.bigint() - started) / 1e9;
    phase = 'import';
    let status: { status: string; rowsRead: number; accepted: number; rejected: number; progress: number; etaSeconds: number | null; failure: string | null };
    for (;;) {
      await new Promise((r) => setTimeout(r, 1000));
      status = (await (await fetch(`${api.url}/v1/imports/${job.id}`, { headers: auth })).json()) as typeof status;
      progressRows = status.rowsRead;
      process.stderr.write(`\r${status.status} ${status.progress}% rows ${status.rowsRead} eta ${status.etaSeconds ?? '-'}s rss ${mib(rssOf(api.child.pid!))} MiB   `);
      if (status.status === 'succeeded' || status.status === 'failed') break;
    }
    process.stderr.write('\n');
    const importSecs = Number(process.hrtime.bigint() - started) / 1e9;
    if (status.status !== 'succeeded' || status.accepted !== rows) throw new Error(`import ended ${JSON.stringify(status)}`);
    progressRows = undefined;
    const importMatchingSecs = await drainMatching('import');
    phase = 'end';
    await new Promise((r) => setTimeout(r, 2000));

    const of = (p: string) => samples.filter((s) => s.phase === p);
    const stats = (p: string) => {
      const xs = of(p);
      if (!xs.length) return undefined;
      const rss = xs.map((s) => s.rss);
      const heaps = xs.map((s) => s.heap).filter((h): h is number => h !== undefined);
      const second = rss.slice(Math.floor(rss.length / 2));
      return {
        seconds: Math.round((xs[xs.length - 1].t - xs[0].t) / 100) / 10,
        rssStartMiB: mib(rss[0]),
        rssPeakMiB: mib(Math.max(...rss)),
        rssSteadyMiB: mib(median(second)),
        rssEndMiB: mib(rss[rss.length - 1]),
        heapPeakMiB: heaps.length ? mib(Math.max(...heaps)) : null,
        heapMedianMiB: heaps.length ? mib(median(heaps)) : null,
      };
    };
    // RSS against rows read during the job: flat memory = no growth with the rows processed.
    const job10: Array<{ rows: number; rssMiB: number; heapMiB: number | null }> = [];
    for (const s of of('import')) {
      if (s.rows === undefined) continue;
      const decile = Math.floor((s.rows / rows) * 10);
      if (!job10[decile]) job10[decile] = { rows: s.rows, rssMiB: mib(s.rss), heapMiB: s.heap ? mib(s.heap) : null };
    }
    const result = {
      rows,
      fileMiB: Math.round((size / 1048576) * 10) / 10,
      batchApi: { rows: baselineRows, seconds: Math.round(batchSecs * 10) / 10, rowsPerSecond: Math.round(baselineRows / batchSecs), matchingDrain: batchMatchingSecs },
      import: {
        rows,
        uploadSeconds: Math.round(uploadSecs * 10) / 10,
        totalSeconds: Math.round(importSecs * 10) / 10,
        rowsPerSecond: Math.round(rows / importSecs),
        matchingDrain: importMatchingSecs,
      },
      ratio: Math.round((rows / importSecs / (baselineRows / batchSecs)) * 100) / 100,
      apiProcessMemory: Object.fromEntries(['idle', 'batch', 'batch:matching', 'upload', 'import', 'import:matching', 'end'].map((p) => [p, stats(p)])),
      importRssByRowsRead: job10.filter(Boolean),
      node: process.version,
      cpus: (await import('node:os')).cpus().length,
      loadAverage: (await import('node:os')).loadavg().map((x) => Math.round(x * 10) / 10),
    };
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    const jsonOut = arg('json', '');
    if (jsonOut) (await import('node:fs')).writeFileSync(jsonOut, JSON.stringify({ result, samples }));
  } finally {
    clearInterval(sampler);
    clearInterval(heapSampler);
    await pg.end().catch(() => undefined);
    await api?.stop();
    await db.stop();
    rmSync(tmp, { recursive: true, force: true });
    if (pgDir) rmSync(pgDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

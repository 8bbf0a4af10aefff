import 'reflect-metadata';
import { createWriteStream, mkdtempSync, openAsBlob, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { AgenciesService, ApiClientsService } from '@app/auth';
import { loadConfig } from '@app/config';
import { openDatabaseRuntime, runMigrations } from '@app/db';
import { createRootLogger } from '@app/http';
import { columnsOf, csvLine } from '@app/imports';
import { VICTIM_PII_FIELDS, VictimBatchEntryDto } from '@app/records';
import { syntheticVictim } from '@app/synthetic';
import { createApp } from '../apps/api/src/configure-app';

/**
 * `npm run bench:import`: a generated CSV of --rows victims (default 200,000) imported through
 * POST /v1/imports (multipart upload + background job), against the batch API (POST /v1/victims/batch,
 * 1,000 entries per request, one writer: the import also submits one chunk at a time) on the same
 * database in the same run. Samples the process RSS every 100 ms. Options: --rows 200000 --baseline 50000.
 */
function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
}

const valueAt = (doc: Record<string, unknown>, path: string): unknown =>
  path.split('.').reduce<unknown>((cur, seg) => (cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined), doc);

async function main(): Promise<void> {
  const rows = Number(arg('rows', '200000'));
  const baselineRows = Number(arg('baseline', '50000'));
  const base = loadConfig({ ...process.env, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000' });
  const tmp = mkdtempSync(join(tmpdir(), 'puente-bench-import-'));
  const pgDir = base.databaseUrl ? undefined : mkdtempSync(join(tmpdir(), 'puente-bench-pg-'));
  const config = { ...base, embeddedDataDir: pgDir ?? base.embeddedDataDir, embeddedPort: 56000 + (process.pid % 1000) };
  const db = await openDatabaseRuntime(config, (m) => process.stderr.write(`${m}\n`));
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
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

    await runMigrations(db.url);
    const app = await createApp({ ...config, databaseUrl: db.url }, { logger: createRootLogger('warn') });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const apiUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const code = `bench-imp-${Date.now().toString(36)}`;
    await app.get(AgenciesService).create({ code, name: 'Import benchmark agency', kind: 'prosecutor', jurisdiction: '09' }, 'bench');
    const client = await app.get(ApiClientsService).create({ agency: code, name: 'bench', scopes: ['victims:read', 'victims:write', 'pii:read', 'imports:write'] }, 'bench');
    const tokenRes = await fetch(`${apiUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }),
    });
    const token = ((await tokenRes.json()) as { access_token: string }).access_token;
    const auth = { authorization: `Bearer ${token}` };
    const rssBefore = process.memoryUsage().rss;

    // 2. Baseline: the batch API, 1,000 entries per request, one writer.
    let started = process.hrtime.bigint();
    for (let from = 0; from < baselineRows; from += 1000) {
      const entries = Array.from({ length: Math.min(1000, baselineRows - from) }, (_, k) => syntheticVictim(from + k, 7, 'BAT'));
      const res = await fetch(`${apiUrl}/v1/victims/batch`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ entries }) });
      const body = (await res.json()) as { summary?: { rejected: number } };
      if (res.status !== 200 || body.summary?.rejected) throw new Error(`batch failed: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    }
    const batchSecs = Number(process.hrtime.bigint() - started) / 1e9;
    const peakAfterBatch = peak;
    peak = process.memoryUsage().rss;

    // 3. The import: upload (streamed from disk) and follow the job.
    started = process.hrtime.bigint();
    const form = new FormData();
    form.append('kind', 'victims');
    form.append('file', await openAsBlob(file), 'victims.csv');
    const up = await fetch(`${apiUrl}/v1/imports`, { method: 'POST', headers: auth, body: form });
    const job = (await up.json()) as { id: string };
    if (up.status !== 202) throw new Error(`upload failed: ${up.status} ${JSON.stringify(job)}`);
    const uploadSecs = Number(process.hrtime.bigint() - started) / 1e9;
    let status: { status: string; rowsRead: number; accepted: number; rejected: number; progress: number; etaSeconds: number | null; failure: string | null };
    for (;;) {
      await new Promise((r) => setTimeout(r, 1000));
      status = (await (await fetch(`${apiUrl}/v1/imports/${job.id}`, { headers: auth })).json()) as typeof status;
      process.stderr.write(`\r${status.status} ${status.progress}% rows ${status.rowsRead} eta ${status.etaSeconds ?? '-'}s   `);
      if (status.status === 'succeeded' || status.status === 'failed') break;
    }
    process.stderr.write('\n');
    const importSecs = Number(process.hrtime.bigint() - started) / 1e9;
    if (status.status !== 'succeeded' || status.accepted !== rows) throw new Error(`import ended ${JSON.stringify(status)}`);
    const result = {
      rows,
      fileMiB: Math.round((size / 1048576) * 10) / 10,
      batchApi: { rows: baselineRows, seconds: Math.round(batchSecs * 10) / 10, rowsPerSecond: Math.round(baselineRows / batchSecs), peakRssMiB: Math.round(peakAfterBatch / 1048576) },
      import: {
        rows,
        uploadSeconds: Math.round(uploadSecs * 10) / 10,
        totalSeconds: Math.round(importSecs * 10) / 10,
        rowsPerSecond: Math.round(rows / importSecs),
        peakRssMiB: Math.round(peak / 1048576),
      },
      rssBeforeMiB: Math.round(rssBefore / 1048576),
      ratio: Math.round((rows / importSecs / (baselineRows / batchSecs)) * 100) / 100,
      node: process.version,
    };
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    await app.close();
  } finally {
    clearInterval(sampler);
    await db.stop();
    rmSync(tmp, { recursive: true, force: true });
    if (pgDir) rmSync(pgDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

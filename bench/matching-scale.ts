import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { AgenciesService } from '@app/auth';
import { loadConfig } from '@app/config';
import { FIELD_CIPHER, type FieldCipher } from '@app/crypto';
import { DbContext, openDatabaseRuntime, runMigrations } from '@app/db';
import { createRootLogger } from '@app/http';
import { MatchingEngineService, MatchingRebuildService } from '@app/matching';
import { generateLabelled, type LabelledVictim } from '@app/synthetic';
import { createApp } from '../apps/api/src/configure-app';
import { exactBaseline, pairwiseScores, runBulk } from './matching-quality';

/**
 * `npm run bench:matching -- [--persons 2000] [--seed 7] [--max-block 100] [--db-persons N] [--no-db] [--latency 200] [--threads N] [--latency-only]`
 *
 * 1. Quality (in memory, the same bulk code as `matching:rebuild`): labelled synthetic records
 *    (libs/synthetic/src/labelled.ts: ~1.7 records per person over 12 agencies, Zipf-distributed names,
 *    relatives, perturbations, missing fields) → pairwise precision / recall / F1 and throughput of the
 *    engine's automatic links, and of a naive exact-match baseline (same CURP, or same normalised full
 *    name and birth date), in the same run.
 * 2. Scale (database, unless --no-db): the records of `--db-persons` persons (default: --persons) are
 *    loaded directly into `records` with SQL (personal data encrypted with the service's FieldCipher;
 *    HTTP bypassed, documented), then `MatchingRebuildService.rebuild()` (what `matching:rebuild` runs)
 *    matches them from scratch; seconds per phase are printed. Quality is re-measured on the stored
 *    clusters.
 * 3. Incremental: `--latency` held-out records (new persons and other agencies' copies of stored
 *    persons) are inserted one by one and matched by the incremental engine (`processRecords`, what the
 *    job worker runs): p50 / p95 / max milliseconds against the stored records.
 *    `--latency-only` (with `DATABASE_URL` pointing at a database an earlier run of the same `--db-persons`
 *    and `--seed` filled): skips the load and the rebuild and measures only this step again, against what is
 *    stored (the held-out records get new local ids, so runs can be repeated).
 */
function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
}
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
const fmt = (x: ReturnType<typeof pairwiseScores>) => ({
  precision: round(x.precision),
  recall: round(x.recall),
  f1: round(x.f1),
  predictedPairs: x.predictedPairs,
  truePairs: x.truePairs,
});

async function main(): Promise<void> {
  const persons = Number(arg('persons', '2000'));
  const seed = Number(arg('seed', '7'));
  const maxBlock = Number(arg('max-block', '100'));
  const out: Record<string, unknown> = { persons, seed, maxBlock, cpus: (await import('node:os')).cpus().length };

  // 1. Quality in memory, engine and baseline in the same run.
  const data = generateLabelled(persons, seed);
  const truth = Int32Array.from(data.map((d) => d.person));
  let t = performance.now();
  const base = exactBaseline(data);
  const baseSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const run = runBulk(data, undefined, maxBlock);
  const engineSeconds = (performance.now() - t) / 1000;
  const engine = pairwiseScores(run.labels, truth);
  const baseline = pairwiseScores(base, truth);
  out.records = data.length;
  out.quality = {
    engine: { ...fmt(engine), recordsPerSecond: Math.round(data.length / engineSeconds), seconds: round(engineSeconds, 1), phaseMs: run.ms, comparisons: run.compared },
    exactMatchBaseline: { ...fmt(baseline), recordsPerSecond: Math.round(data.length / baseSeconds), seconds: round(baseSeconds, 2) },
    f1Ratio: round(engine.f1 / baseline.f1, 2),
    links: run.links,
    reviewTasks: run.reviews,
    reviewTasksSamePerson: run.reviewsTrue,
  };
  process.stderr.write(`${JSON.stringify(out.quality)}\n`);
  if (process.argv.includes('--no-db')) {
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }

  // 2. Scale: bulk load, then matching:rebuild's service.
  const dbPersons = Number(arg('db-persons', String(persons)));
  const latencyN = Number(arg('latency', '200'));
  const all = dbPersons === persons ? data : generateLabelled(dbPersons, seed);
  // Hold out the last records (their persons' other records stay stored) for the incremental path.
  const held = all.slice(all.length - latencyN);
  const stored = all.slice(0, all.length - latencyN);
  const config0 = loadConfig({ ...process.env, LOG_LEVEL: 'warn', JOBS_WORKERS: 'false' });
  const tmp = config0.databaseUrl ? undefined : mkdtempSync(join(tmpdir(), 'puente-mbench-'));
  const config = { ...config0, embeddedDataDir: tmp ?? config0.embeddedDataDir, embeddedPort: 55000 + (process.pid % 1000) };
  const db = await openDatabaseRuntime(config, (m) => process.stderr.write(`${m}\n`));
  try {
    await runMigrations(db.url);
    const app = await createApp({ ...config, databaseUrl: db.url }, { logger: createRootLogger('warn') });
    await app.init();
    const cipher = app.get<FieldCipher>(FIELD_CIPHER);
    const latencyOnly = process.argv.includes('--latency-only');
    if (latencyOnly && !config0.databaseUrl) throw new Error('--latency-only needs DATABASE_URL (a database filled by an earlier run)');
    const agencies: string[] = [];
    if (latencyOnly) {
      const rows: Array<{ id: string }> = await app.get(DbContext).system((em) => em.query(`SELECT id FROM agencies WHERE code LIKE 'mb-%' ORDER BY created_at DESC, code LIMIT 12`));
      agencies.push(...rows.map((r) => r.id));
    }
    for (let k = agencies.length; k < 12; k++) {
      const a = await app.get(AgenciesService).create({ code: `mb-${k}-${Date.now().toString(36)}`, name: `Matching bench ${k}`, kind: 'prosecutor', jurisdiction: '09' }, 'bench');
      agencies.push(a.id);
    }
    const pool = new Pool({ connectionString: db.url, max: 2 });
    const runTag = Date.now().toString(36);
    const insert = async (recs: LabelledVictim[]): Promise<string[]> => {
      const cols = { agency: [] as string[], local: [] as string[], hash: [] as string[], data: [] as string[], pii: [] as string[] };
      for (const v of recs) {
        const data = {
          sex: v.sex,
          birthDate: v.birthDate,
          ageAtEvent: v.ageAtEvent,
          identifiedOn: v.identifiedOn,
          nationality: v.nationality ?? ['SI'],
          stateOfOrigin: v.stateOfOrigin ?? 'SI',
          ...(v.municipalityOfOrigin ? { municipalityOfOrigin: v.municipalityOfOrigin } : {}),
          vulnerableGroups: ['SI'],
          victimType: 'direct',
          offenses: ['LGT-13'],
        };
        const pii = { names: v.names, ...(v.curp ? { curp: v.curp } : {}) };
        cols.agency.push(agencies[v.agency]);
        cols.local.push(latencyOnly ? `${v.localId}-r${runTag}` : `${v.localId}`);
        cols.data.push(JSON.stringify(data));
        cols.pii.push(cipher.encryptJson(pii));
        cols.hash.push(createHash('sha256').update(cols.data[cols.data.length - 1]).update(cols.pii[cols.pii.length - 1]).digest('hex'));
      }
      const res = await pool.query(
        `INSERT INTO records (agency_id, kind, local_id, version, content_hash, data, pii_enc, catalog_versions, quality, completeness, warnings)
         SELECT x.a, 'victims', x.l, 1, x.h, x.d, x.p, '{}'::jsonb, 1, '{}'::jsonb, '[]'::jsonb
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::text[]) AS x(a, l, h, d, p) RETURNING id`,
        [cols.agency, cols.local, cols.hash, cols.data, cols.pii],
      );
      return res.rows.map((r: { id: string }) => r.id);
    };
    if (!latencyOnly) {
      t = performance.now();
      const ids: string[] = [];
      for (let s = 0; s < stored.length; s += 10_000) {
        ids.push(...(await insert(stored.slice(s, s + 10_000))));
        if (s % 100_000 === 0) process.stderr.write(`loaded ${s + Math.min(10_000, stored.length - s)} records\n`);
      }
      const loadSeconds = (performance.now() - t) / 1000;
      const rebuild = app.get(MatchingRebuildService);
      t = performance.now();
      let lastPhase = '';
      const threadsArg = arg('threads', '');
      const result = await rebuild.rebuild({
        maxBlock,
        ...(threadsArg ? { threads: Number(threadsArg) } : {}),
        onProgress: (p) => {
          if (p.phase !== lastPhase) process.stderr.write(`${p.phase} … (${round((performance.now() - t) / 1000, 1)} s)\n`);
          lastPhase = p.phase;
        },
      });
      const rebuildSeconds = (performance.now() - t) / 1000;
      const links: Array<{ record_id: string; person_id: string }> = (await pool.query(`SELECT record_id, person_id FROM person_links`)).rows;
      const personOf = new Map(links.map((l) => [l.record_id, l.person_id]));
      const storedTruth = Int32Array.from(stored.map((d) => d.person));
      const dbQuality = pairwiseScores(
        ids.map((id) => personOf.get(id) ?? id),
        storedTruth,
      );
      out.scale = {
        records: stored.length,
        bulkLoadSeconds: round(loadSeconds, 1),
        rebuildSeconds: round(rebuildSeconds, 1),
        recordsPerSecond: Math.round(stored.length / rebuildSeconds),
        rebuild: result,
        storedClusters: fmt(dbQuality),
      };
      process.stderr.write(`${JSON.stringify(out.scale)}\n`);
    }

    // 3. Incremental: one new record at a time against everything stored.
    const engineSvc = app.get(MatchingEngineService);
    const lat: number[] = [];
    for (const v of held) {
      const [id] = await insert([v]);
      const t1 = performance.now();
      await engineSvc.processRecords([id]);
      lat.push(performance.now() - t1);
    }
    lat.sort((x, y) => x - y);
    const q = (p: number) => round(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))], 1);
    const [{ n: storedNow }] = (await pool.query(`SELECT count(*)::int AS n FROM match_profiles`)).rows as Array<{ n: number }>;
    out.incremental = { storedRecords: storedNow, newRecords: held.length, ms: { p50: q(0.5), p95: q(0.95), max: round(lat[lat.length - 1] ?? 0, 1) }, stageMs: engineSvc.timings };
    await pool.end();
    await app.close();
  } finally {
    await db.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  });
}

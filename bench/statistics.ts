import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { AgenciesService, ApiClientsService } from '@app/auth';
import { catalogRegistry } from '@app/catalogs';
import { loadConfig } from '@app/config';
import { openDatabaseRuntime, runMigrations } from '@app/db';
import { createRootLogger } from '@app/http';
import { rebuildSummaries, StatisticsService } from '@app/statistics';
import { createApp } from '../apps/api/src/configure-app';

/**
 * Statistics section of `npm run bench` (also `node dist/bench/statistics.js`): grouped statistics over
 * HTTP on a database loaded with synthetic rows, p50 / p95 per query, against a same-run baseline (the bare
 * SQL GROUP BY over the projection tables, run through pg without the API).
 *
 * Loading: synthetic rows go straight into `records` + `victim_facts` and `records` + `case_charges` with
 * INSERT … SELECT FROM generate_series (no API, no encryption, no history: a bulk load of projections), with
 * the change-capture triggers off for the session (`session_replication_role = replica`); the summaries are
 * then built once by `rebuildSummaries` (timed). 1 % of the victims are registered twice (pairs linked to one
 * person in person_links). Options: --stat-victims 20000 --stat-cases 10000 --stat-reps 20 --stat-agencies 32
 * --stat-record-path yes (also time the un-aggregated path, slow at 1M).
 */
export interface BenchRow {
  size: number;
  figure: string;
  puente: string;
  baseline: string;
  ratio: string;
  target: string;
}

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
};

/**
 * Typical grouped queries (the dashboard's and the figures'), with the bare SQL that counts the same thing.
 * `fullCube`: queries that no roll-up holds (offense with age; offense with state), timed and reported apart.
 */
const QUERIES: Array<{ path: string; sql: string; fullCube?: boolean }> = [
  {
    path: '/v1/statistics/victims?groupBy=offense',
    sql: `SELECT o, count(DISTINCT COALESCE(pl.person_id, vf.record_id)) FROM victim_facts vf JOIN records r ON r.id = vf.record_id AND r.withdrawn_at IS NULL
          LEFT JOIN person_links pl ON pl.record_id = vf.record_id CROSS JOIN LATERAL unnest(vf.offenses) o GROUP BY o`,
  },
  {
    path: '/v1/statistics/victims?groupBy=offense,year',
    sql: `SELECT o, left(r.data->>'identifiedOn', 4), count(*) FROM victim_facts vf JOIN records r ON r.id = vf.record_id AND r.withdrawn_at IS NULL
          CROSS JOIN LATERAL unnest(vf.offenses) o GROUP BY 1, 2`,
  },
  {
    path: '/v1/statistics/victims?groupBy=sex,ageGroup&from=2024-01-01&to=2024-12-31',
    sql: `SELECT vf.sex, vf.age_at_event >= 18, count(*) FROM victim_facts vf JOIN records r ON r.id = vf.record_id AND r.withdrawn_at IS NULL
          WHERE r.data->>'identifiedOn' BETWEEN '2024-01-01' AND '2024-12-31' GROUP BY 1, 2`,
  },
  {
    path: '/v1/statistics/victim-records?groupBy=sex',
    sql: `SELECT vf.sex, count(*) FROM victim_facts vf JOIN records r ON r.id = vf.record_id AND r.withdrawn_at IS NULL GROUP BY 1`,
  },
  {
    path: '/v1/statistics/victims?groupBy=tipBucket,sex&from=2023-01-01&to=2023-06-30',
    sql: `SELECT o, vf.sex, count(*) FROM victim_facts vf JOIN records r ON r.id = vf.record_id AND r.withdrawn_at IS NULL
          CROSS JOIN LATERAL unnest(vf.offenses) o WHERE r.data->>'identifiedOn' BETWEEN '2023-01-01' AND '2023-06-30' GROUP BY 1, 2`,
  },
  {
    path: '/v1/statistics/cases?groupBy=state',
    sql: `SELECT cc.state, count(DISTINCT cc.record_id) FROM case_charges cc JOIN records r ON r.id = cc.record_id AND r.withdrawn_at IS NULL GROUP BY 1`,
  },
  {
    path: '/v1/statistics/cases?groupBy=offense,jurisdiction&from=2023-01-01&to=2023-12-31',
    sql: `SELECT cc.offense_code, cc.jurisdiction, count(DISTINCT cc.record_id) FROM case_charges cc JOIN records r ON r.id = cc.record_id AND r.withdrawn_at IS NULL
          WHERE cc.opened_on BETWEEN '2023-01-01' AND '2023-12-31' GROUP BY 1, 2`,
  },
  {
    path: '/v1/open-data/victims?groupBy=offense,sex&from=2024-01-01&to=2024-12-31',
    sql: `SELECT o, vf.sex, count(*) FROM victim_facts vf JOIN records r ON r.id = vf.record_id AND r.withdrawn_at IS NULL
          CROSS JOIN LATERAL unnest(vf.offenses) o WHERE r.data->>'identifiedOn' BETWEEN '2024-01-01' AND '2024-12-31' GROUP BY 1, 2`,
  },
  {
    path: '/v1/statistics/victims?groupBy=offense,ageGroup&from=2024-01-01&to=2024-12-31',
    sql: `SELECT o, vf.age_at_event >= 18, count(*) FROM victim_facts vf JOIN records r ON r.id = vf.record_id AND r.withdrawn_at IS NULL
          CROSS JOIN LATERAL unnest(vf.offenses) o WHERE r.data->>'identifiedOn' BETWEEN '2024-01-01' AND '2024-12-31' GROUP BY 1, 2`,
    fullCube: true,
  },
  {
    path: '/v1/statistics/cases?groupBy=offense,state',
    sql: `SELECT cc.offense_code, cc.state, count(DISTINCT cc.record_id) FROM case_charges cc JOIN records r ON r.id = cc.record_id AND r.withdrawn_at IS NULL GROUP BY 1, 2`,
    fullCube: true,
  },
];

/** Loads `victims` victim records and `cases` case records with generate_series. */
async function load(pool: Pool, agencyIds: string[], victims: number, cases: number): Promise<void> {
  const offenses = (catalogRegistry().get('offense')?.entries ?? []).filter((e) => !e.retiredOn).map((e) => e.code);
  // A skewed offense mix (a few offenses dominate, as in the published tables).
  const common = offenses.filter((c) => ['LGT-13', 'LGT-21', 'LGT-10', 'LGT-22', 'LGT-24', 'LGT-11'].includes(c));
  const pick = `(CASE WHEN h % 10 < 7 THEN $1::text[] ELSE $2::text[] END)`;
  const offense1 = `(${pick})[1 + ((h / 10) % cardinality(${pick}))]`;
  const c = await pool.connect();
  try {
    await c.query(`SET session_replication_role = replica`); // bulk load: change-capture triggers off, summaries rebuilt after
    await c.query(`CREATE TEMP TABLE bench_agencies AS SELECT row_number() OVER () - 1 AS i, id FROM unnest($1::uuid[]) AS id`, [agencyIds]);
    const n = agencyIds.length;
    await c.query(
      `INSERT INTO records (agency_id, kind, local_id, version, content_hash, data, catalog_versions, quality, completeness, warnings)
       SELECT a.id, 'victims', 'SV-' || g, 1, repeat('0', 64),
              jsonb_build_object('identifiedOn', (date '2019-01-01' + (abs(hashint4(g)) % 2190))::text), '{}'::jsonb, 1, '{}'::jsonb, '[]'::jsonb
         FROM generate_series(1, $1::int) g JOIN bench_agencies a ON a.i = g % ${n}`,
      [victims],
    );
    await c.query(
      `INSERT INTO victim_facts (record_id, agency_id, local_id, sex, age_at_event, nationality, state_of_origin, vulnerable_groups, victim_type, offenses, exploitation_forms)
       SELECT r.id, r.agency_id, r.local_id, (ARRAY['female', 'female', 'male', 'SI'])[1 + h % 4], CASE WHEN h % 9 = 0 THEN NULL ELSE (h / 7) % 70 END,
              ARRAY['MEX'], lpad((1 + (h / 3) % 32)::text, 2, '0'), ARRAY['SI'], 'direct',
              CASE WHEN h % 5 = 0 THEN ARRAY[${offense1}, ($2::text[])[1 + (h / 13) % cardinality($2::text[])]] ELSE ARRAY[${offense1}] END, ARRAY[]::text[]
         FROM (SELECT id, agency_id, local_id, abs(hashint4(substr(local_id, 4)::int)) AS h FROM records WHERE kind = 'victims' AND local_id LIKE 'SV-%') r`,
      [common, offenses],
    );
    // 1 % registered twice: pairs of records linked to one person.
    await c.query(`CREATE TEMP TABLE bench_pairs AS SELECT gen_random_uuid() AS person_id, g FROM generate_series(1, $1::int - 1, 200) g`, [victims]);
    await c.query(`INSERT INTO persons (person_id) SELECT person_id FROM bench_pairs`);
    await c.query(
      `INSERT INTO person_links (record_id, agency_id, person_id)
       SELECT r.id, r.agency_id, p.person_id
         FROM (SELECT person_id, 'SV-' || g AS local_id FROM bench_pairs UNION ALL SELECT person_id, 'SV-' || (g + 1) FROM bench_pairs) p
         JOIN records r ON r.kind = 'victims' AND r.local_id = p.local_id`,
    );
    await c.query(
      `INSERT INTO records (agency_id, kind, local_id, version, content_hash, data, catalog_versions, quality, completeness, warnings)
       SELECT a.id, 'cases', 'SC-' || g, 1, repeat('0', 64), '{}'::jsonb, '{}'::jsonb, 1, '{}'::jsonb, '[]'::jsonb
         FROM generate_series(1, $1::int) g JOIN bench_agencies a ON a.i = g % ${n}`,
      [cases],
    );
    await c.query(
      `INSERT INTO case_charges (record_id, agency_id, case_local_id, charge_index, offense_code, submitted_code, attempted, exploitation_forms, aggravating,
                                 stage, jurisdiction, state, opened_on, victim_local_ids, accused_local_ids)
       SELECT r.id, r.agency_id, r.local_id, k, CASE WHEN k = 0 THEN ${offense1} ELSE ($2::text[])[1 + (h / 11) % cardinality($2::text[])] END, 'x', false, ARRAY[]::text[], ARRAY[]::text[],
              'investigated', CASE WHEN h % 6 = 0 THEN 'fuero_federal' ELSE 'fuero_comun' END, lpad((1 + a.i % 32)::text, 2, '0'),
              date '2019-01-01' + (h % 2190), ARRAY[]::text[], ARRAY[]::text[]
         FROM (SELECT id, agency_id, local_id, abs(hashint4(substr(local_id, 4)::int)) AS h FROM records WHERE kind = 'cases' AND local_id LIKE 'SC-%') r
         JOIN bench_agencies a ON a.id = r.agency_id
         CROSS JOIN LATERAL generate_series(0, CASE WHEN r.h % 4 = 0 THEN 1 ELSE 0 END) k`,
      [common, offenses],
    );
    // One version per record (the history the statistics read for lastChangeAt and asOf).
    await c.query(
      `INSERT INTO record_versions (record_id, agency_id, kind, local_id, version, content_hash, data, op, client_id)
       SELECT id, agency_id, kind, local_id, 1, content_hash, data, 'create', 'bench' FROM records WHERE local_id LIKE 'SV-%' OR local_id LIKE 'SC-%'`,
    );
    await c.query(`RESET session_replication_role`);
  } finally {
    c.release();
  }
}

export async function statisticsBench(opts: { victims: number; cases: number; reps: number; agencies: number; recordPath: boolean }): Promise<BenchRow[]> {
  const base = loadConfig({ ...process.env, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000', JOBS_WORKERS: 'false' });
  const tmp = base.databaseUrl ? undefined : mkdtempSync(join(tmpdir(), 'puente-bench-stat-'));
  const config = { ...base, embeddedDataDir: tmp ?? base.embeddedDataDir, embeddedPort: 56000 + (process.pid % 1000) };
  const db = await openDatabaseRuntime(config, (m) => process.stderr.write(`${m}\n`));
  const rows: BenchRow[] = [];
  const size = opts.victims;
  try {
    await runMigrations(db.url);
    const app = await createApp({ ...config, databaseUrl: db.url }, { logger: createRootLogger('warn') });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const apiUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const stamp = Date.now().toString(36);
    const agencyIds: string[] = [];
    for (let i = 0; i < opts.agencies; i++) {
      const kind = (['prosecutor', 'victim_commission', 'shelter', 'hotline'] as const)[i % 4];
      const a = await app.get(AgenciesService).create({ code: `bst-${stamp}-${i}`, name: `Bench agency ${i}`, kind, jurisdiction: String(1 + (i % 32)).padStart(2, '0') }, 'bench');
      agencyIds.push(a.id);
    }
    const client = await app.get(ApiClientsService).create({ agency: `bst-${stamp}-0`, name: 'bench-stat', scopes: ['statistics:read', 'statistics:exact'] }, 'bench');
    const pool = new Pool({ connectionString: db.url, max: 4 });
    pool.on('error', () => undefined); // idle clients see the server stop at the end

    let t0 = Date.now();
    process.stderr.write(`statistics bench: loading ${opts.victims} victims and ${opts.cases} cases…\n`);
    await load(pool, agencyIds, opts.victims, opts.cases);
    process.stderr.write(`loaded in ${((Date.now() - t0) / 1000).toFixed(0)} s; vacuum analyze…\n`);
    await pool.query('VACUUM ANALYZE');
    rows.push({ size, figure: `bulk load ${opts.victims} victim + ${opts.cases} case records (generate_series), s`, puente: ((Date.now() - t0) / 1000).toFixed(1), baseline: '', ratio: '', target: '' });
    t0 = Date.now();
    process.stderr.write(`building the summaries…\n`);
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      await rebuildSummaries({ query: (sql: string, params?: unknown[]) => c.query(sql, params as unknown[]).then((r) => r.rows) } as never);
      await c.query('COMMIT');
    } finally {
      c.release();
    }
    await pool.query('VACUUM ANALYZE stat_victim_units, stat_victim_cube, stat_case_units, stat_case_cube');
    const [{ vc }] = (await pool.query(`SELECT (SELECT count(*) FROM stat_victim_cube)::int AS vc`)).rows;
    const [{ cc }] = (await pool.query(`SELECT (SELECT count(*) FROM stat_case_cube)::int AS cc`)).rows;
    rows.push({ size, figure: `build summaries from scratch (${vc} victim + ${cc} case summary rows), s`, puente: ((Date.now() - t0) / 1000).toFixed(1), baseline: '', ratio: '', target: '' });

    // The token is taken after the (long) load so that it does not expire during the queries.
    const tokenRes = await fetch(`${apiUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }),
    });
    const token = ((await tokenRes.json()) as { access_token: string }).access_token;
    const timeHttp = async (path: string) => {
      const s = process.hrtime.bigint();
      const res = await fetch(`${apiUrl}${path}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
      const body = (await res.json()) as { preAggregated?: boolean };
      if (res.status !== 200) throw new Error(`${path} → ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
      return { ms: Number(process.hrtime.bigint() - s) / 1e6, pre: body.preAggregated === true };
    };
    const timeSql = async (sql: string) => {
      const s = process.hrtime.bigint();
      await pool.query(sql);
      return Number(process.hrtime.bigint() - s) / 1e6;
    };
    const all: number[] = [];
    const allBase: number[] = [];
    const allWithCube: number[] = [];
    const allWithCubeBase: number[] = [];
    for (const q of QUERIES) {
      await timeHttp(q.path); // warm-up
      await timeSql(q.sql);
      const api: number[] = [];
      const bare: number[] = [];
      let pre = true;
      for (let r = 0; r < opts.reps; r++) {
        const x = await timeHttp(q.path);
        pre &&= x.pre;
        api.push(x.ms);
        bare.push(await timeSql(q.sql));
      }
      if (!q.fullCube) {
        all.push(...api);
        allBase.push(...bare);
      }
      allWithCube.push(...api);
      allWithCubeBase.push(...bare);
      rows.push({
        size,
        figure: `GET ${q.path}${pre ? '' : ' (record-level path)'}${q.fullCube ? ' (full cube)' : ''}, p50 / p95 ms`,
        puente: `${pct(api, 0.5).toFixed(1)} / ${pct(api, 0.95).toFixed(1)}`,
        baseline: `${pct(bare, 0.5).toFixed(1)} / ${pct(bare, 0.95).toFixed(1)}`,
        ratio: `${((pct(api, 0.95) / pct(bare, 0.95)) * 100).toFixed(0)}%`,
        target: '',
      });
    }
    rows.push({
      size,
      figure: `all grouped statistics queries above but the full-cube ones (${all.length} requests, sequential), p95 ms`,
      puente: pct(all, 0.95).toFixed(1),
      baseline: pct(allBase, 0.95).toFixed(1),
      ratio: `${((pct(all, 0.95) / pct(allBase, 0.95)) * 100).toFixed(0)}%`,
      target: '< 100 ms at 1M victims / 500k cases',
    });
    rows.push({
      size,
      figure: `the same and the full-cube queries (${allWithCube.length} requests), p95 ms`,
      puente: pct(allWithCube, 0.95).toFixed(1),
      baseline: pct(allWithCubeBase, 0.95).toFixed(1),
      ratio: `${((pct(allWithCube, 0.95) / pct(allWithCubeBase, 0.95)) * 100).toFixed(0)}%`,
      target: '',
    });
    // Freshness: a change (20 records withdrawn) is folded into the summaries by the next query.
    await pool.query(`UPDATE records SET withdrawn_at = now() WHERE kind = 'victims' AND local_id IN (SELECT 'SV-' || g FROM generate_series(1, 20) g)`);
    const fresh = await timeHttp(QUERIES[0].path);
    rows.push({ size, figure: 'first query after 20 withdrawals (incremental refresh included), ms', puente: fresh.ms.toFixed(1), baseline: '', ratio: '', target: '' });
    if (opts.recordPath) {
      const stats = app.get(StatisticsService);
      const rec: number[] = [];
      for (let r = 0; r < (opts.victims > 200_000 ? 1 : 3); r++) {
        const s = process.hrtime.bigint();
        await stats.compute('victims', { groupBy: 'offense' }, 'exact', { path: 'records' });
        rec.push(Number(process.hrtime.bigint() - s) / 1e6);
      }
      rows.push({ size, figure: 'victims by offense on the record-level path (no summaries, service call), median ms', puente: pct(rec, 0.5).toFixed(0), baseline: '', ratio: '', target: '' });
    }
    await pool.end();
    await app.close();
  } catch (err) {
    process.stderr.write(`statistics bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    throw err;
  } finally {
    await db.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
  return rows;
}

export function statisticsBenchOptions(): { victims: number; cases: number; reps: number; agencies: number; recordPath: boolean } {
  return {
    victims: Number(arg('stat-victims', '20000')),
    cases: Number(arg('stat-cases', '10000')),
    reps: Number(arg('stat-reps', '20')),
    agencies: Number(arg('stat-agencies', '32')),
    recordPath: arg('stat-record-path', 'no') === 'yes',
  };
}

export function printRows(rows: BenchRow[]): void {
  const header = ['stored', 'figure', 'Puente', 'baseline', 'Puente/baseline', 'target'];
  process.stdout.write(`\n| ${header.join(' | ')} |\n|${header.map(() => ' --- ').join('|')}|\n`);
  for (const r of rows) process.stdout.write(`| ${[String(r.size), r.figure, r.puente, r.baseline, r.ratio, r.target].join(' | ')} |\n`);
}

if (require.main === module) {
  statisticsBench(statisticsBenchOptions())
    .then(printRows)
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    });
}

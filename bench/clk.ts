/**
 * Quality of the CLK (privacy-preserving) matching path on the labelled synthetic set, in memory (no
 * database: the flow through the engine is covered by apps/api/test/matching-clk.e2e-spec.ts).
 * Records of the "NGO" agencies (agency index < --ngo-agencies of 12) are encoded by the agency-side
 * encoder and keep no plaintext names; the other records are encoded by the server with the same
 * secret. Evaluated pairs are those the CLK path decides: same-person pairs with at least one CLK-only
 * side. Candidates come from the LSH bands, scores from libs/matching/src/clk/clk-score.ts.
 *
 *   npm run bench:clk -- [--persons 3000] [--seed 7] [--ngo-agencies 3] [--bands 32 --rows 24]
 *   npm run bench:clk -- --db [--persons 2000] [--chunk 200]
 *
 * `--db` runs the real flow instead: records go through POST /v1/victims/batch (CLK-only ones with the
 * `clk` of the agency-side encoder), the engine (with its CLK extension) processes them in chunks, and
 * the CLK pairs stored in match_pairs are evaluated; prints engine time, the CLK stage time and the
 * latency of re-matching one record (uses DATABASE_URL or an embedded PostgreSQL).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { AgenciesService, ApiClientsService } from '@app/auth';
import { ClkEncoder, DEFAULT_LSH, dice, lshBands, type LshParams } from '@app/clk';
import { loadConfig } from '@app/config';
import { openDatabaseRuntime, runMigrations } from '@app/db';
import { createRootLogger } from '@app/http';
import { ClkMatcherService, MatchingEngineService } from '@app/matching';
import { generateLabelled } from '@app/synthetic';
import { createApp } from '../apps/api/src/configure-app';
import { clkSide, scoreClkPair } from '../libs/matching/src/clk/clk-score';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
}

function main(): void {
  const persons = Number(arg('persons', '3000'));
  const seed = Number(arg('seed', '7'));
  const ngo = Number(arg('ngo-agencies', '3'));
  const lsh: LshParams = { ...DEFAULT_LSH, bands: Number(arg('bands', String(DEFAULT_LSH.bands))), rows: Number(arg('rows', String(DEFAULT_LSH.rows))) };
  const recs = generateLabelled(persons, seed, 12);
  const enc = new ClkEncoder('bench-secret-not-for-production-0123456789');
  let t = process.hrtime.bigint();
  const filters = recs.map((r) => enc.encode(r.names)!);
  const encodeMs = Number(process.hrtime.bigint() - t) / 1e6;
  const clkOnly = recs.map((r) => r.agency < ngo);
  const sides = recs.map((r) => clkSide(r as unknown as Record<string, unknown>));

  // LSH buckets.
  t = process.hrtime.bigint();
  const buckets = new Map<string, number[]>();
  filters.forEach((f, i) => {
    for (const b of lshBands(f, lsh)) {
      let l = buckets.get(b);
      if (!l) buckets.set(b, (l = []));
      l.push(i);
    }
  });
  const cand = new Set<number>();
  const n = recs.length;
  for (const l of buckets.values()) {
    for (let x = 0; x < l.length; x++)
      for (let y = x + 1; y < l.length; y++) {
        const a = l[x];
        const b = l[y];
        if (!clkOnly[a] && !clkOnly[b]) continue;
        cand.add(a < b ? a * n + b : b * n + a);
      }
  }
  const lshMs = Number(process.hrtime.bigint() - t) / 1e6;
  // Truth: same-person pairs with at least one CLK-only side.
  const byPerson = new Map<number, number[]>();
  recs.forEach((r, i) => {
    const l = byPerson.get(r.person) ?? [];
    l.push(i);
    byPerson.set(r.person, l);
  });
  const truth = new Set<number>();
  for (const l of byPerson.values())
    for (let x = 0; x < l.length; x++)
      for (let y = x + 1; y < l.length; y++) if (clkOnly[l[x]] || clkOnly[l[y]]) truth.add(Math.min(l[x], l[y]) * n + Math.max(l[x], l[y]));

  t = process.hrtime.bigint();
  let tpLink = 0;
  let fpLink = 0;
  let reviewTrue = 0;
  let reviewFalse = 0;
  let candTrue = 0;
  const fpKinds = new Map<string, number>();
  const fnKinds = new Map<string, number>();
  for (const key of cand) {
    const a = Math.floor(key / n);
    const b = key % n;
    const s = scoreClkPair(dice(filters[a], filters[b]), sides[a], sides[b]);
    const same = truth.has(key);
    if (same) candTrue++;
    if (s.outcome === 'link') {
      if (same) tpLink++;
      else {
        fpLink++;
        const k = `${s.levels.clk}/${s.levels.birthDate}`;
        fpKinds.set(k, (fpKinds.get(k) ?? 0) + 1);
      }
    } else if (s.outcome === 'review') {
      if (same) reviewTrue++;
      else reviewFalse++;
    }
    if (same && s.outcome !== 'link') {
      const k = `${s.outcome}:${s.levels.clk}/${s.levels.birthDate}`;
      fnKinds.set(k, (fnKinds.get(k) ?? 0) + 1);
    }
  }
  const scoreMs = Number(process.hrtime.bigint() - t) / 1e6;
  // Baseline: identical CLK (same normalised names) and same birth date.
  let tpB = 0;
  let fpB = 0;
  for (const key of cand) {
    const a = Math.floor(key / n);
    const b = key % n;
    if (filters[a].equals(filters[b]) && sides[a].birthDate && sides[a].birthDate === sides[b].birthDate) {
      if (truth.has(key)) tpB++;
      else fpB++;
    }
  }
  const pr = (tp: number, fp: number) => {
    const p = tp + fp ? tp / (tp + fp) : 1;
    const r = truth.size ? tp / truth.size : 1;
    return { precision: +p.toFixed(4), recall: +r.toFixed(4), f1: +((2 * p * r) / (p + r || 1)).toFixed(4) };
  };
  const out = {
    persons,
    records: n,
    clkOnlyRecords: clkOnly.filter(Boolean).length,
    truePairs: truth.size,
    lsh: { bands: lsh.bands, rows: lsh.rows, candidates: cand.size, truePairsAmongCandidates: candTrue, blockingRecall: +(candTrue / (truth.size || 1)).toFixed(4) },
    automaticLinks: pr(tpLink, fpLink),
    reviewTasks: { total: reviewTrue + reviewFalse, samePerson: reviewTrue },
    afterCorrectReview: pr(tpLink + reviewTrue, fpLink),
    baselineExactClkAndBirthDate: pr(tpB, fpB),
    falseLinks: Object.fromEntries(fpKinds),
    missedLinks: Object.fromEntries(fnKinds),
    ms: { encode: Math.round(encodeMs), encodePerRecord: +(encodeMs / n).toFixed(3), lsh: Math.round(lshMs), score: Math.round(scoreMs) },
  };
  console.log(JSON.stringify(out, null, 2));
}

async function mainDb(): Promise<void> {
  const persons = Number(arg('persons', '2000'));
  const seed = Number(arg('seed', '7'));
  const ngo = Number(arg('ngo-agencies', '3'));
  const chunk = Number(arg('chunk', '200'));
  const secret = randomBytes(32).toString('base64');
  const recs = generateLabelled(persons, seed, 12);
  const enc = new ClkEncoder(secret);
  const base = loadConfig({ ...process.env, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000', JOBS_WORKERS: 'false', CLK_SECRET: secret });
  const tmp = base.databaseUrl ? undefined : mkdtempSync(join(tmpdir(), 'puente-bench-clk-'));
  const config = { ...base, embeddedDataDir: tmp ?? base.embeddedDataDir, embeddedPort: 56000 + (process.pid % 1000) };
  const db = await openDatabaseRuntime(config, (m) => process.stderr.write(`${m}\n`));
  try {
    await runMigrations(db.url);
    const app = await createApp({ ...config, databaseUrl: db.url }, { logger: createRootLogger('warn') });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const apiUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const agencies: Array<{ id: string; token: string }> = [];
    for (let k = 0; k < 12; k++) {
      const code = `cbench-${k}-${Date.now().toString(36)}`;
      const agency = await app.get(AgenciesService).create({ code, name: `CLK bench ${k}`, kind: k < ngo ? 'ngo' : 'prosecutor', jurisdiction: '09' }, 'bench');
      const client = await app.get(ApiClientsService).create({ agency: code, name: 'bench', scopes: ['victims:write'] }, 'bench');
      const tokenRes = await fetch(`${apiUrl}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }),
      });
      agencies.push({ id: agency.id, token: ((await tokenRes.json()) as { access_token: string }).access_token });
    }
    const entry = (r: (typeof recs)[number]) => {
      const common = { localId: r.localId, sex: r.sex ?? 'SI', birthDate: r.birthDate, ageAtEvent: r.ageAtEvent, identifiedOn: r.identifiedOn, nationality: ['MEX'], stateOfOrigin: '09', vulnerableGroups: ['SI'], victimType: 'direct', offenses: ['LGT-13'] };
      return r.agency < ngo ? { ...common, clk: { schema: enc.schema.id, encoding: enc.encodeBase64(r.names)!, keyCheck: enc.keyCheck } } : { ...common, names: r.names, curp: r.curp };
    };
    for (let k = 0; k < 12; k++) {
      const mine = recs.filter((r) => r.agency === k).map(entry);
      for (let s = 0; s < mine.length; s += 1000) {
        const res = await fetch(`${apiUrl}/v1/victims/batch`, {
          method: 'POST',
          headers: { authorization: `Bearer ${agencies[k].token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ entries: mine.slice(s, s + 1000) }),
        });
        const body = (await res.json()) as { summary?: { rejected: number }; results?: Array<{ status: string; errors?: unknown }> };
        if (res.status !== 200 || body.summary?.rejected) throw new Error(`batch failed: ${res.status} ${JSON.stringify(body.results?.filter((x) => x.status === 'rejected').slice(0, 2))}`);
      }
    }
    const pool = new Pool({ connectionString: db.url, max: 4 });
    const rows: Array<{ id: string; agency_id: string; local_id: string }> = (await pool.query(`SELECT id, agency_id, local_id FROM records WHERE kind = 'victims' ORDER BY created_at, id`)).rows;
    const agencyIndex = new Map(agencies.map((a, i) => [a.id, i]));
    const byKey = new Map(recs.map((r) => [`${r.agency}|${r.localId}`, r]));
    const person = new Map<string, number>();
    const clkOnly = new Set<string>();
    for (const r of rows) {
      const k = agencyIndex.get(r.agency_id)!;
      person.set(r.id, byKey.get(`${k}|${r.local_id}`)!.person);
      if (k < ngo) clkOnly.add(r.id);
    }
    const engine = app.get(MatchingEngineService);
    const t0 = process.hrtime.bigint();
    for (let s = 0; s < rows.length; s += chunk) await engine.processRecords(rows.slice(s, s + chunk).map((r) => r.id));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const clkTimings = app.get(ClkMatcherService).timings;
    const before = { ...clkTimings };
    const latencies: number[] = [];
    const ngoRows = rows.filter((r) => clkOnly.has(r.id));
    for (let s = 0; s < 40; s++) {
      const t1 = process.hrtime.bigint();
      await engine.processRecords([ngoRows[Math.floor((s * ngoRows.length) / 40)].id]);
      latencies.push(Number(process.hrtime.bigint() - t1) / 1e6);
    }
    latencies.sort((x, y) => x - y);
    const pairs: Array<{ a: string; b: string; outcome: string }> = (await pool.query(`SELECT record_a AS a, record_b AS b, outcome FROM match_pairs WHERE model_version LIKE 'clk-%'`)).rows;
    const byPerson = new Map<number, string[]>();
    for (const [id, p] of person) byPerson.set(p, [...(byPerson.get(p) ?? []), id]);
    let truePairs = 0;
    for (const ids of byPerson.values()) for (let x = 0; x < ids.length; x++) for (let y = x + 1; y < ids.length; y++) if (clkOnly.has(ids[x]) || clkOnly.has(ids[y])) truePairs++;
    const links = pairs.filter((p) => p.outcome === 'link');
    const tp = links.filter((p) => person.get(p.a) === person.get(p.b)).length;
    const reviewsSame = pairs.filter((p) => p.outcome === 'review' && person.get(p.a) === person.get(p.b)).length;
    const r4 = (x: number) => Math.round(x * 10000) / 10000;
    const report = {
      persons,
      records: rows.length,
      clkOnlyRecords: clkOnly.size,
      truePairsWithClkSide: truePairs,
      clkPairsStored: pairs.length,
      automaticLinks: { precision: r4(links.length ? tp / links.length : 1), recall: r4(tp / (truePairs || 1)) },
      reviewTasks: { total: pairs.length - links.length, samePerson: reviewsSame },
      afterCorrectReview: { precision: r4(tp + reviewsSame ? (tp + reviewsSame) / (links.length + reviewsSame) : 1), recall: r4((tp + reviewsSame) / (truePairs || 1)) },
      engineSeconds: Math.round(seconds * 100) / 100,
      recordsPerSecond: Math.round(rows.length / seconds),
      engineStageMs: Object.fromEntries(Object.entries(engine.timings).map(([k, v]) => [k, Math.round(v)])),
      clkStageMs: Object.fromEntries(Object.entries(before).map(([k, v]) => [k, Math.round(v)])),
      oneClkRecordRematchedMs: { p50: Math.round(latencies[20] * 10) / 10, p95: Math.round(latencies[37] * 10) / 10 },
      oneClkRecordStageMsTotalOf40: Object.fromEntries(Object.entries(clkTimings).map(([k, v]) => [k, Math.round(v - (before[k] ?? 0))])),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    await pool.end();
    await app.close();
  } finally {
    await db.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv.includes('--db')) {
  mainDb().catch((err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
} else main();

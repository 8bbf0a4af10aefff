import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { AgenciesService, ApiClientsService } from '@app/auth';
import { loadConfig } from '@app/config';
import { openDatabaseRuntime, runMigrations } from '@app/db';
import { createRootLogger } from '@app/http';
import { MatchingEngineService, clusterRecords, estimate, normaliseText } from '@app/matching';
import { prng, syntheticVictim, type SyntheticVictim } from '@app/synthetic';
import { createApp } from '../apps/api/src/configure-app';

/**
 * Matching benchmark on a labelled synthetic set (node dist/bench/matching.js [--records 2000] [--seed 7]).
 * Persons from libs/synthetic (25 % with a compound first name), spread over 5 agencies; about 30 % of
 * records are duplicates of another agency's person with perturbations (diminutives, swapped or
 * missing surnames, one-letter typos, accents/capitals, day/month swap, year ±1, CURP one character
 * off or missing, birth date replaced by an age); hard negatives: sisters (same surnames, other first
 * name and birth date) and twins (same surnames and birth date, other first name); the generator's
 * small name pools make same-name strangers frequent. Records go through POST /v1/victims/batch
 * (workers off), then the engine runs in chunks and is timed. Reports pairwise precision / recall / F1
 * of the automatic clusters, of the clusters after correct review decisions, and of an exact-match
 * baseline (same normalised full name and birth date), plus throughput and single-record latency.
 */
function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
}

const DIMINUTIVE: Record<string, string[]> = {
  Guadalupe: ['Lupita', 'Lupe'],
  José: ['Pepe'],
  Francisco: ['Paco', 'Pancho'],
  Jesús: ['Chuy'],
  María: ['Mari'],
  Alejandra: ['Ale'],
  Fernanda: ['Fer'],
  Daniela: ['Dani'],
  Valeria: ['Vale'],
  Lucía: ['Lucy'],
  Rosa: ['Rosita'],
  Juana: ['Juanita'],
  Sofía: ['Sofi'],
  Ximena: ['Xime'],
  Karla: ['Kari'],
  Juan: ['Juanito'],
  Luis: ['Luisito'],
  Carlos: ['Carlitos'],
};
const FIRST_F = ['María', 'Guadalupe', 'Juana', 'Ana', 'Rosa', 'Fernanda', 'Daniela', 'Karla', 'Alejandra', 'Sofía', 'Valeria', 'Ximena', 'Lucía', 'Itzel', 'Brenda'];
const FIRST_M = ['José', 'Juan', 'Luis', 'Carlos', 'Jesús', 'Miguel', 'Francisco', 'Pedro', 'Óscar', 'Kevin', 'Brayan', 'Ángel'];
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

interface Labelled {
  agency: number;
  person: number;
  v: SyntheticVictim & { ageAtEvent?: number; names: SyntheticVictim['names'] & { middleName?: string } };
}

function typo(r: () => number, s: string): string {
  if (s.length < 4) return s;
  const i = 1 + Math.floor(r() * (s.length - 2));
  const k = r();
  if (k < 0.4) return s.slice(0, i) + LETTERS[Math.floor(r() * 26)] + s.slice(i + 1);
  if (k < 0.7) return s.slice(0, i) + s.slice(i + 1);
  return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
}
const stripAccents = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');

export function generate(total: number, seed: number): Labelled[] {
  const r = prng(seed);
  const out: Labelled[] = [];
  let person = 0;
  const bases: Labelled[] = [];
  let i = 0;
  while (out.length < total) {
    const roll = r();
    if (bases.length > 20 && roll < 0.3) {
      // A duplicate of an existing person, registered by another agency, with perturbations.
      const src = bases[Math.floor(r() * bases.length)];
      const v = JSON.parse(JSON.stringify(src.v)) as Labelled['v'];
      v.localId = `D-${out.length}`;
      const n = v.names;
      const ops = 1 + Math.floor(r() * 3);
      for (let k = 0; k < ops; k++) {
        const op = Math.floor(r() * 11);
        if (op === 0) {
          const toks = n.firstName.split(' ');
          const t = Math.floor(r() * toks.length);
          const d = DIMINUTIVE[toks[t]];
          if (d) toks[t] = d[Math.floor(r() * d.length)];
          n.firstName = toks.length > 1 && r() < 0.5 ? toks[t] : toks.join(' ');
        } else if (op === 1 && n.maternalSurname) [n.paternalSurname, n.maternalSurname] = [n.maternalSurname, n.paternalSurname];
        else if (op === 2) delete n.maternalSurname;
        else if (op === 3) {
          const f = (['firstName', 'paternalSurname', 'maternalSurname'] as const)[Math.floor(r() * 3)];
          if (n[f]) n[f] = typo(r, n[f]!);
        } else if (op === 4) {
          n.firstName = stripAccents(n.firstName).toUpperCase();
          n.paternalSurname = stripAccents(n.paternalSurname).toUpperCase();
          if (n.maternalSurname) n.maternalSurname = stripAccents(n.maternalSurname).toUpperCase();
        } else if (op === 5 && v.birthDate) {
          const [y, m, d] = v.birthDate.split('-');
          if (Number(d) <= 12) v.birthDate = `${y}-${d}-${m}`;
        } else if (op === 6 && v.birthDate) v.birthDate = `${Number(v.birthDate.slice(0, 4)) + (r() < 0.5 ? -1 : 1)}${v.birthDate.slice(4)}`;
        else if (op === 7 && v.curp) {
          const p = 13 + Math.floor(r() * 3);
          const c = 'BCDFGHJKLMNPRSTVZ'.replace(v.curp[p], '');
          v.curp = v.curp.slice(0, p) + c[Math.floor(r() * c.length)] + v.curp.slice(p + 1);
        } else if (op === 8) delete v.curp;
        else if (op === 9 && v.birthDate) {
          v.ageAtEvent = Number(v.identifiedOn.slice(0, 4)) - Number(v.birthDate.slice(0, 4)) - (v.identifiedOn.slice(5) < v.birthDate.slice(5) ? 1 : 0);
          delete v.birthDate;
        } else if (op === 10 && n.firstName.includes(' ')) n.firstName = n.firstName.split(' ')[0];
      }
      let agency = Math.floor(r() * 5);
      if (agency === src.agency) agency = (agency + 1) % 5;
      out.push({ agency, person: src.person, v });
      continue;
    }
    const base = syntheticVictim(i++, seed, 'P') as Labelled['v'];
    if (r() < 0.25) {
      const pool = base.sex === 'female' ? FIRST_F : FIRST_M;
      const second = pool[Math.floor(r() * pool.length)];
      if (second !== base.names.firstName) base.names.firstName = `${base.names.firstName} ${second}`;
    }
    const rec: Labelled = { agency: Math.floor(r() * 5), person: person++, v: base };
    out.push(rec);
    bases.push(rec);
    if (r() < 0.06 && out.length < total) {
      // A sister (or twin): same surnames, another first name; different birth date unless twin.
      const sis = JSON.parse(JSON.stringify(base)) as Labelled['v'];
      sis.localId = `S-${out.length}`;
      const pool = sis.sex === 'female' ? FIRST_F : FIRST_M;
      let fn = pool[Math.floor(r() * pool.length)];
      if (base.names.firstName.startsWith(fn)) fn = pool[(pool.indexOf(fn) + 1) % pool.length];
      sis.names.firstName = fn;
      const twin = r() < 0.25;
      if (sis.birthDate && !twin) sis.birthDate = `${Number(sis.birthDate.slice(0, 4)) - 2 - Math.floor(r() * 5)}${sis.birthDate.slice(4)}`;
      if (sis.curp) {
        // As a real CURP: first-name initial (4th), first-name internal consonant (16th), homoclave and check digit differ.
        const cons = 'BCDFGHJKLMNPRSTVZ';
        const date = sis.birthDate ? sis.birthDate.slice(2, 4) + sis.birthDate.slice(5, 7) + sis.birthDate.slice(8, 10) : sis.curp.slice(4, 10);
        const c16 = cons.replace(sis.curp[15], '')[Math.floor(r() * 16)];
        sis.curp = sis.curp.slice(0, 3) + stripAccents(fn)[0].toUpperCase() + date + sis.curp.slice(10, 15) + c16 + String((Number(sis.curp[16]) + 1) % 10) + String((Number(sis.curp[17]) + 3) % 10);
      }
      out.push({ agency: rec.agency, person: person++, v: sis });
    }
  }
  return out.slice(0, total);
}

/** Pairwise precision / recall / F1 of predicted clusters against the truth. */
export function pairwise(pred: Map<string, string>, truth: Map<string, number>): { precision: number; recall: number; f1: number; predictedPairs: number; truePairs: number } {
  const c2 = (n: number) => (n * (n - 1)) / 2;
  const count = <K>(keys: K[]) => {
    const m = new Map<K, number>();
    for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
    return m;
  };
  const ids = [...truth.keys()];
  const predictedPairs = [...count(ids.map((id) => pred.get(id) ?? id)).values()].reduce((s, n) => s + c2(n), 0);
  const truePairs = [...count(ids.map((id) => truth.get(id)!)).values()].reduce((s, n) => s + c2(n), 0);
  const tp = [...count(ids.map((id) => `${pred.get(id) ?? id}|${truth.get(id)}`)).values()].reduce((s, n) => s + c2(n), 0);
  const precision = predictedPairs ? tp / predictedPairs : 1;
  const recall = truePairs ? tp / truePairs : 1;
  return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, predictedPairs, truePairs };
}

async function main(): Promise<void> {
  const total = Number(arg('records', '2000'));
  const seed = Number(arg('seed', '7'));
  const chunk = Number(arg('chunk', '200'));
  const data = generate(total, seed);
  const base = loadConfig({ ...process.env, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000', JOBS_WORKERS: 'false' });
  const tmp = base.databaseUrl ? undefined : mkdtempSync(join(tmpdir(), 'puente-bench-'));
  const config = { ...base, embeddedDataDir: tmp ?? base.embeddedDataDir, embeddedPort: 55000 + (process.pid % 1000) };
  const db = await openDatabaseRuntime(config, (m) => process.stderr.write(`${m}\n`));
  try {
    await runMigrations(db.url);
    const app = await createApp({ ...config, databaseUrl: db.url }, { logger: createRootLogger('warn') });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const apiUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const agencies: Array<{ id: string; token: string }> = [];
    for (let k = 0; k < 5; k++) {
      const code = `mbench-${k}-${Date.now().toString(36)}`;
      const agency = await app.get(AgenciesService).create({ code, name: `Matching bench ${k}`, kind: 'prosecutor', jurisdiction: '09' }, 'bench');
      const client = await app.get(ApiClientsService).create({ agency: code, name: 'bench', scopes: ['victims:write'] }, 'bench');
      const tokenRes = await fetch(`${apiUrl}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }),
      });
      agencies.push({ id: agency.id, token: ((await tokenRes.json()) as { access_token: string }).access_token });
    }
    for (let k = 0; k < 5; k++) {
      const mine = data.filter((d) => d.agency === k).map((d) => d.v);
      for (let s = 0; s < mine.length; s += 1000) {
        const res = await fetch(`${apiUrl}/v1/victims/batch`, {
          method: 'POST',
          headers: { authorization: `Bearer ${agencies[k].token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ entries: mine.slice(s, s + 1000) }),
        });
        const body = (await res.json()) as { summary?: { rejected: number }; results?: Array<{ status: string; errors?: unknown }> };
        if (res.status !== 200 || body.summary?.rejected) {
          throw new Error(`batch failed: ${res.status} ${JSON.stringify(body.results?.filter((x) => x.status === 'rejected').slice(0, 2))}`);
        }
      }
    }
    const pool = new Pool({ connectionString: db.url, max: 4 });
    const recs: Array<{ id: string; agency_id: string; local_id: string }> = (await pool.query(`SELECT id, agency_id, local_id FROM records WHERE kind = 'victims' ORDER BY created_at, id`)).rows;
    const truth = new Map<string, number>();
    const byKey = new Map(data.map((d) => [`${agencies[d.agency].id}|${d.v.localId}`, d]));
    for (const r of recs) truth.set(r.id, byKey.get(`${r.agency_id}|${r.local_id}`)!.person);

    const engine = app.get(MatchingEngineService);
    const vectors: import('@app/matching').Comparison[] = [];
    engine.collectVectors = vectors;
    const t0 = process.hrtime.bigint();
    for (let s = 0; s < recs.length; s += chunk) await engine.processRecords(recs.slice(s, s + chunk).map((r) => r.id));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    engine.collectVectors = undefined;
    const latencies: number[] = [];
    for (let s = 0; s < 50; s++) {
      const id = recs[Math.floor((s * recs.length) / 50)].id;
      const t1 = process.hrtime.bigint();
      await engine.processRecords([id]);
      latencies.push(Number(process.hrtime.bigint() - t1) / 1e6);
    }
    latencies.sort((x, y) => x - y);

    const links = (await pool.query(`SELECT record_id, person_id FROM person_links`)).rows as Array<{ record_id: string; person_id: string }>;
    const auto = pairwise(new Map(links.map((l) => [l.record_id, l.person_id])), truth);
    const pairs = (await pool.query(`SELECT record_a AS a, record_b AS b, score::float8 AS score, outcome, levels FROM match_pairs`)).rows as Array<{
      a: string;
      b: string;
      score: number;
      outcome: string;
      levels: import('@app/matching').Comparison;
    }>;
    // Reviewers deciding every review task correctly.
    const reviewPairs = pairs.filter((p) => p.outcome === 'review');
    const reviewedClusters = clusterRecords(
      recs.map((r) => r.id),
      reviewPairs.filter((p) => truth.get(p.a) === truth.get(p.b)).map((p) => [p.a, p.b]),
      reviewPairs.filter((p) => truth.get(p.a) !== truth.get(p.b)).map((p) => [p.a, p.b]),
      pairs.filter((p) => p.outcome === 'link').map((p) => ({ a: p.a, b: p.b, score: p.score })),
    );
    const reviewed = pairwise(new Map(reviewedClusters.flatMap((c) => c.map((id) => [id, c[0]] as [string, string]))), truth);
    // Exact-match baseline: same normalised first name, surnames and birth date.
    const exactKey = new Map<string, string>();
    for (const r of recs) {
      const v = byKey.get(`${r.agency_id}|${r.local_id}`)!.v;
      if (!v.birthDate) continue;
      exactKey.set(r.id, `${normaliseText(v.names.firstName)}|${normaliseText(v.names.paternalSurname)}|${normaliseText(v.names.maternalSurname)}|${v.birthDate}`);
    }
    const baseline = pairwise(exactKey, truth);
    // Upper-threshold sweep on the stored pairs (automatic clusters without reviews).
    const sweep: Record<string, string> = {};
    for (let th = 12; th <= 18; th += 1) {
      const cl = clusterRecords(recs.map((r) => r.id), [], [], pairs.filter((p) => p.score >= th).map((p) => ({ a: p.a, b: p.b, score: p.score })));
      const m = pairwise(new Map(cl.flatMap((c) => c.map((id) => [id, c[0]] as [string, string]))), truth);
      sweep[String(th)] = `P ${m.precision.toFixed(4)} R ${m.recall.toFixed(4)} F1 ${m.f1.toFixed(4)}`;
    }
    const em = estimate(engine.model, vectors);
    const fmt = (x: { precision: number; recall: number; f1: number; predictedPairs: number; truePairs: number }) =>
      `precision ${x.precision.toFixed(4)}  recall ${x.recall.toFixed(4)}  F1 ${x.f1.toFixed(4)}  (predicted pairs ${x.predictedPairs}, true pairs ${x.truePairs})`;
    const report = {
      records: recs.length,
      persons: new Set(truth.values()).size,
      candidatePairs: vectors.length,
      storedPairs: pairs.length,
      autoLinks: pairs.filter((p) => p.outcome === 'link').length,
      reviewTasks: reviewPairs.length,
      reviewTasksTrulySame: reviewPairs.filter((p) => truth.get(p.a) === truth.get(p.b)).length,
      engineSeconds: Math.round(seconds * 100) / 100,
      recordsPerSecond: Math.round(recs.length / seconds),
      engineStageMs: Object.fromEntries(Object.entries(engine.timings).map(([k, v]) => [k, Math.round(v)])),
      singleRecordMs: { p50: Math.round(latencies[25] * 10) / 10, p95: Math.round(latencies[47] * 10) / 10 },
      automatic: fmt(auto),
      afterCorrectReviews: fmt(reviewed),
      exactMatchBaseline: fmt(baseline),
      upperThresholdSweep: sweep,
      emEstimate: { p: em.p, iterations: em.iterations, fields: em.model.fields },
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if (process.argv.includes('--analyse')) {
      const sig = (p: (typeof pairs)[number]) => `${p.outcome} ${p.score} ${Object.values(p.levels).join(',')}`;
      const tally = (xs: typeof pairs) => [...xs.reduce((m, p) => m.set(sig(p), (m.get(sig(p)) ?? 0) + 1), new Map<string, number>())].sort((x, y) => y[1] - x[1]).slice(0, 15);
      process.stdout.write(`false links: ${JSON.stringify(tally(pairs.filter((p) => p.outcome === 'link' && truth.get(p.a) !== truth.get(p.b))), null, 1)}\n`);
      process.stdout.write(`true pairs not linked: ${JSON.stringify(tally(pairs.filter((p) => p.outcome !== 'link' && truth.get(p.a) === truth.get(p.b))), null, 1)}\n`);
      const seen = new Set(pairs.map((p) => (p.a < p.b ? `${p.a}|${p.b}` : `${p.b}|${p.a}`)));
      const byPerson = new Map<number, string[]>();
      for (const [id, pr] of truth) byPerson.set(pr, [...(byPerson.get(pr) ?? []), id]);
      let missed = 0;
      for (const ids of byPerson.values()) for (let x = 0; x < ids.length; x++) for (let y = x + 1; y < ids.length; y++) if (!seen.has(ids[x] < ids[y] ? `${ids[x]}|${ids[y]}` : `${ids[y]}|${ids[x]}`)) missed++;
      process.stdout.write(`true pairs not stored (never compared, or weight below the lower threshold): ${missed}\n`);
    }
    await pool.end();
    await app.close();
  } finally {
    await db.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  });
}

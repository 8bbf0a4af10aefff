import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { FIELD_CIPHER, type FieldCipher } from '@app/crypto';
import { DbContext } from '@app/db';
import { type Comparison, type MatchModel, type MatchProfile, type TermFrequencies, blockIndex, blockingKeys, buildProfile, clusterConflicts, clusterIndexed, estimate, plainKeys, profileTerms, scoreCandidates } from './engine';
import { MatchingEngineService } from './matching-engine.service';
import { ClkMatcherService } from './clk/clk-matcher.service';

export interface RebuildProgress {
  phase: string;
  done: number;
  total: number;
}

export interface RebuildResult {
  records: number;
  profiled: number;
  keys: number;
  blocks: number;
  skippedBlockVisits: number;
  compared: number;
  links: number;
  reviews: number;
  /** Privacy-preserving path (libs/matching/src/clk): records with a CLK, CLK pairs written (links / reviews). */
  clk: { records: number; links: number; reviews: number };
  clusters: number;
  multiRecordClusters: number;
  personsCreated: number;
  linksChanged: number;
  modelVersion: string;
  /** Seconds per phase (wall clock). */
  seconds: Record<string, number>;
  /** CPU seconds of this process per phase (the database's work is not included): on a busy machine, closer to the cost than wall time. */
  cpuSeconds: Record<string, number>;
}

const LOCK = `SELECT pg_advisory_xact_lock(hashtext('puente.matching'))`;
const PAGE = 20_000;

/** Term counts from plaintext counts, looked up by term; also written (hashed) for the incremental engine. */
class MemoryTerms implements TermFrequencies {
  readonly counts = new Map<string, number>();
  total = 0;
  add(p: MatchProfile): void {
    this.total++;
    for (const t of profileTerms(p)) this.counts.set(t, (this.counts.get(t) ?? 0) + 1);
  }
  count(term: string): number {
    return this.counts.get(term) ?? 0;
  }
}

/**
 * Full rebuild of matching (`npm run cli -- matching:rebuild`), in one system transaction under the
 * matching advisory lock (the incremental worker waits):
 *
 * 1. `load`: victim records are read in pages by id, personal data decrypted, profiles built;
 *    profiles (encrypted) and blocking keys (keyed hashes) are written with multi-row inserts while the
 *    next page is prepared; the key-hash index is dropped during the load and built once after it.
 * 2. `terms`: term counts (keyed hashes) for the term-frequency weights.
 * 3. `score`: candidate pairs from the blocks in memory (blocks of more than `maxBlock` records skipped),
 *    compared and scored (the same `scorePair` as the incremental engine).
 * 4. `pairs`: pairs at or above the lower threshold written; review tasks upserted (decided tasks are
 *    never reopened; pending ones not in the band any more are superseded).
 * 4b. `clk`: the privacy-preserving path (`ClkMatcherService.rebuild`): CLKs recomputed, CLK pairs and
 *    review tasks written (a pair the bulk engine already stored keeps its result); records with a CLK
 *    (CLK-only records have no match profile) take part in clustering.
 * 5. `cluster`: union-find with reviewer decisions (same_person first, different_persons as
 *    constraints), then again with CURP conflicts inside clusters as constraints (`clusterConflicts`); every cluster keeps the person id held by most of its records (larger clusters
 *    first), so person keys survive a rebuild; only changed links are written.
 */
@Injectable()
export class MatchingRebuildService {
  constructor(
    private readonly db: DbContext,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
    private readonly engine: MatchingEngineService,
    private readonly clk: ClkMatcherService,
  ) {}

  async rebuild(opts: { maxBlock?: number; onProgress?: (p: RebuildProgress) => void } = {}): Promise<RebuildResult> {
    const model = this.engine.model;
    const maxBlock = opts.maxBlock ?? this.engine.maxBlock;
    const progress = opts.onProgress ?? (() => undefined);
    const seconds: Record<string, number> = {};
    const cpuSeconds: Record<string, number> = {};
    let t = performance.now();
    let cpu = process.cpuUsage();
    const lap = (phase: string) => {
      const now = performance.now();
      const c = process.cpuUsage(cpu);
      seconds[phase] = Math.round((now - t) / 100) / 10;
      cpuSeconds[phase] = Math.round((c.user + c.system) / 1e5) / 10;
      t = now;
      cpu = process.cpuUsage();
    };
    return this.db.system(async (em) => {
      await em.query(LOCK);
      await em.query(`SET LOCAL synchronous_commit = off`);
      const [{ n: total }]: Array<{ n: number }> = await em.query(`SELECT count(*)::int AS n FROM records WHERE kind = 'victims' AND withdrawn_at IS NULL`);
      await em.query(`TRUNCATE match_keys, match_profiles, match_pairs, match_term_counts`);
      // The key-hash index is rebuilt once after the load (much faster than millions of random inserts).
      await em.query(`DROP INDEX IF EXISTS ix_match_keys_hash`);

      // 1. load
      const ids: string[] = [];
      const agencies: string[] = [];
      /** Every current victim record (also those without a profile: CLK-only records). */
      const victims: string[] = [];
      const profiles: Array<MatchProfile | null> = [];
      const keysOf: string[][] = [];
      const terms = new MemoryTerms();
      let pending: Promise<unknown> | null = null;
      let keyCount = 0;
      let after = '00000000-0000-0000-0000-000000000000';
      for (;;) {
        const rows: Array<{ id: string; agency_id: string; data: Record<string, unknown>; pii_enc: string | null }> = await em.query(
          `SELECT id, agency_id, jsonb_build_object('sex', data->'sex', 'birthDate', data->'birthDate', 'ageAtEvent', data->'ageAtEvent', 'eventDate', data->'eventDate', 'identifiedOn', data->'identifiedOn', 'nationality', data->'nationality', 'stateOfOrigin', data->'stateOfOrigin', 'municipalityOfOrigin', data->'municipalityOfOrigin') AS data, pii_enc
             FROM records WHERE kind = 'victims' AND withdrawn_at IS NULL AND id > $1 ORDER BY id LIMIT ${PAGE}`,
          [after],
        );
        if (!rows.length) break;
        after = rows[rows.length - 1].id;
        const prof: { record_id: string[]; agency_id: string[]; profile_enc: string[] } = { record_id: [], agency_id: [], profile_enc: [] };
        const keys: { record_id: string[]; key_type: string[]; key_hash: string[]; agency_id: string[] } = { record_id: [], key_type: [], key_hash: [], agency_id: [] };
        for (const r of rows) {
          victims.push(r.id);
          const pii = r.pii_enc ? this.cipher.decryptJson<Record<string, unknown>>(r.pii_enc) : {};
          const d = r.data;
          const profile = buildProfile({
            names: pii.names as never,
            curp: pii.curp as string | undefined,
            sex: d.sex as string | undefined,
            birthDate: d.birthDate as string | undefined,
            ageAtEvent: d.ageAtEvent as number | undefined,
            eventDate: d.eventDate as string | undefined,
            identifiedOn: d.identifiedOn as string | undefined,
            nationality: Array.isArray(d.nationality) ? (d.nationality as string[]) : undefined,
            stateOfOrigin: d.stateOfOrigin as string | undefined,
            municipalityOfOrigin: d.municipalityOfOrigin as string | undefined,
          });
          if (!profile) continue;
          ids.push(r.id);
          agencies.push(r.agency_id);
          profiles.push(profile);
          terms.add(profile);
          prof.record_id.push(r.id);
          prof.agency_id.push(r.agency_id);
          prof.profile_enc.push(this.cipher.encryptJson(profile));
          const mine: string[] = [];
          for (const k of blockingKeys(profile)) {
            const h = this.cipher.blindIndex(`match:${k.type}`, k.value);
            keys.record_id.push(r.id);
            keys.key_type.push(k.type);
            keys.key_hash.push(h);
            keys.agency_id.push(r.agency_id);
            mine.push(h.slice(0, 16));
          }
          keysOf.push(mine);
          keyCount += mine.length;
        }
        if (pending) await pending;
        pending = (async () => {
          await em.query(
            `INSERT INTO match_profiles (record_id, agency_id, profile_enc, updated_at) SELECT x.r, x.a, x.p, now() FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS x(r, a, p)`,
            [prof.record_id, prof.agency_id, prof.profile_enc],
          );
          await em.query(`INSERT INTO match_keys (record_id, key_type, key_hash, agency_id) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[]) ON CONFLICT DO NOTHING`, [
            keys.record_id,
            keys.key_type,
            keys.key_hash,
            keys.agency_id,
          ]);
        })();
        progress({ phase: 'load', done: ids.length, total });
      }
      if (pending) await pending;
      lap('load');
      progress({ phase: 'index', done: 0, total: 1 });
      await em.query(`SET LOCAL maintenance_work_mem = '512MB'`);
      await em.query(`CREATE INDEX ix_match_keys_hash ON match_keys (key_hash)`);
      lap('index');

      // 2. term counts
      const termHashes: string[] = [];
      const termCounts: number[] = [];
      for (const [term, n] of terms.counts) {
        termHashes.push(this.cipher.blindIndex('match:tf', term));
        termCounts.push(n);
      }
      for (let s = 0; s < termHashes.length; s += 50_000) {
        await em.query(`INSERT INTO match_term_counts (term_hash, n) SELECT * FROM unnest($1::text[], $2::int[])`, [termHashes.slice(s, s + 50_000), termCounts.slice(s, s + 50_000)]);
      }
      await em.query(`INSERT INTO match_counters (name, value) VALUES ('profiles', $1) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`, [profiles.length]);
      lap('terms');

      // 3. candidates and scores
      const ix = blockIndex(keysOf);
      keysOf.length = 0;
      const marker = new Int32Array(ix.n).fill(-1);
      const pairs: ReturnType<typeof scoreCandidates>['pairs'] = [];
      let compared = 0;
      let skippedBlockVisits = 0;
      const slice = 10_000;
      for (let from = 0; from < ix.n; from += slice) {
        const r = scoreCandidates(profiles, ix, { model, tf: terms, maxBlock, from, to: from + slice }, marker);
        for (const p of r.pairs) pairs.push(p);
        compared += r.compared;
        skippedBlockVisits += r.skippedBlocks;
        progress({ phase: 'score', done: Math.min(from + slice, ix.n), total: ix.n });
      }
      lap('score');

      // 4. pairs and review tasks
      for (let s = 0; s < pairs.length; s += 20_000) {
        const chunk = pairs.slice(s, s + 20_000);
        await em.query(
          `INSERT INTO match_pairs (record_a, record_b, agency_a, agency_b, score, levels, outcome, model_version)
           SELECT x.a, x.b, x.aa, x.ab, x.s, x.l, x.o, $8 FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::numeric[], $6::jsonb[], $7::text[]) AS x(a, b, aa, ab, s, l, o)`,
          [
            chunk.map((p) => ordered(ids[p.a], ids[p.b])[0]),
            chunk.map((p) => ordered(ids[p.a], ids[p.b])[1]),
            chunk.map((p) => agencies[ids[p.a] < ids[p.b] ? p.a : p.b]),
            chunk.map((p) => agencies[ids[p.a] < ids[p.b] ? p.b : p.a]),
            chunk.map((p) => p.score),
            chunk.map((p) => JSON.stringify(p.levels)),
            chunk.map((p) => p.outcome),
            model.version,
          ],
        );
        progress({ phase: 'pairs', done: Math.min(s + 20_000, pairs.length), total: pairs.length });
      }
      await em.query(`INSERT INTO match_counters (name, value) VALUES ('pairs_compared', $1) ON CONFLICT (name) DO UPDATE SET value = match_counters.value + EXCLUDED.value`, [compared]);
      await em.query(`UPDATE match_reviews SET status = 'superseded', updated_at = now() WHERE status = 'pending'`);
      const reviews = pairs.filter((p) => p.outcome === 'review');
      for (let s = 0; s < reviews.length; s += 20_000) {
        const chunk = reviews.slice(s, s + 20_000);
        await em.query(
          `INSERT INTO match_reviews (record_a, record_b, agency_a, agency_b, agency_a_code, agency_b_code, score, levels, status)
           SELECT x.a, x.b, x.aa, x.ab, ga.code, gb.code, x.s, x.l, 'pending'
             FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::numeric[], $6::jsonb[]) AS x(a, b, aa, ab, s, l)
             JOIN agencies ga ON ga.id = x.aa JOIN agencies gb ON gb.id = x.ab
            WHERE NOT EXISTS (SELECT 1 FROM match_decisions d WHERE d.record_a = x.a AND d.record_b = x.b)
           ON CONFLICT ON CONSTRAINT uq_match_reviews_pair DO UPDATE SET score = EXCLUDED.score, levels = EXCLUDED.levels,
             status = CASE WHEN match_reviews.status = 'decided' THEN 'decided' ELSE 'pending' END, updated_at = now()`,
          [
            chunk.map((p) => ordered(ids[p.a], ids[p.b])[0]),
            chunk.map((p) => ordered(ids[p.a], ids[p.b])[1]),
            chunk.map((p) => agencies[ids[p.a] < ids[p.b] ? p.a : p.b]),
            chunk.map((p) => agencies[ids[p.a] < ids[p.b] ? p.b : p.a]),
            chunk.map((p) => p.score),
            chunk.map((p) => JSON.stringify(p.levels)),
          ],
        );
      }
      lap('pairs');

      // 4b. CLK pairs (records submitted with a CLK instead of names, compared with every other record's
      // CLK): recomputed after the bulk pairs (a pair both paths find keeps the bulk result); records
      // with a CLK take part in clustering even without a match profile.
      const indexOf = new Map<string, number>();
      ids.forEach((id, i) => indexOf.set(id, i));
      const profiled = ids.length;
      const clk = await this.clk.rebuild(em, victims, { onProgress: progress });
      victims.length = 0;
      for (const r of clk.active) {
        if (indexOf.has(r.record_id)) continue;
        indexOf.set(r.record_id, ids.length);
        ids.push(r.record_id);
        agencies.push(r.agency_id);
        profiles.push(null);
      }
      const clkLinks = clk.pairs.filter((p) => p.outcome === 'link').map((p) => ({ a: indexOf.get(p.a)!, b: indexOf.get(p.b)!, score: Number(p.score) }));
      lap('clk');

      // 5. clusters
      const decisions: Array<{ a: string; b: string; decision: string }> = await em.query(`SELECT record_a AS a, record_b AS b, decision FROM match_decisions`);
      const must: Array<[number, number]> = [];
      const cannot: Array<[number, number]> = [];
      for (const d of decisions) {
        const a = indexOf.get(d.a);
        const b = indexOf.get(d.b);
        if (a === undefined || b === undefined) continue;
        (d.decision === 'same_person' ? must : cannot).push([a, b]);
      }
      const linked: Array<{ a: number; b: number; score: number }> = pairs.filter((p) => p.outcome === 'link');
      for (const l of clkLinks) if (l.a !== undefined && l.b !== undefined) linked.push(l);
      let labels = clusterIndexed(ids.length, must, cannot, linked);
      // Records with CURPs two or more characters apart are not left in one automatic cluster (unless a
      // reviewer said they are the same person).
      const sameByReviewer = new Set(must.map(([a, b]) => `${Math.min(a, b)}|${Math.max(a, b)}`));
      const conflicts = clusterConflicts(labels, profiles).filter(([a, b]) => !sameByReviewer.has(`${Math.min(a, b)}|${Math.max(a, b)}`));
      if (conflicts.length) labels = clusterIndexed(ids.length, must, [...cannot, ...conflicts], linked);
      const result = await this.writeClusters(em, ids, agencies, labels, progress);
      // Fresh planner statistics for the incremental engine's queries after a bulk load.
      await em.query(`ANALYZE match_keys, match_profiles, match_pairs, match_term_counts, match_clks, match_clk_keys, person_links, persons`);
      lap('cluster');
      return {
        records: total,
        profiled,
        keys: keyCount,
        blocks: ix.blocks,
        skippedBlockVisits,
        compared,
        links: pairs.length - reviews.length,
        reviews: reviews.length,
        clk: { records: clk.active.length, links: clkLinks.length, reviews: clk.pairs.length - clkLinks.length },
        ...result,
        modelVersion: model.version,
        seconds,
        cpuSeconds,
      };
    });
  }

  /**
   * EM estimate of m/u from the stored data (`npm run cli -- matching:estimate`): the stored profiles are
   * decrypted, candidate pairs generated by the same blocking (blocks of at most `maxBlock` records),
   * and the comparison vectors of up to `maxPairs` of them fed to `estimate()` (EM, conditional
   * independence, starting from the configured model). Reads only; the caller decides whether to write
   * the result. The `u` values are conditional on blocking (pairs that already share a key).
   */
  async estimateFromStore(opts: { maxBlock?: number; maxPairs?: number; onProgress?: (p: RebuildProgress) => void } = {}): Promise<{ model: MatchModel; p: number; iterations: number; profiles: number; pairs: number }> {
    const profiles: MatchProfile[] = [];
    await this.db.system(async (em) => {
      let after = '00000000-0000-0000-0000-000000000000';
      for (;;) {
        const rows: Array<{ record_id: string; profile_enc: string }> = await em.query(
          `SELECT record_id, profile_enc FROM match_profiles WHERE record_id > $1 ORDER BY record_id LIMIT ${PAGE}`,
          [after],
        );
        if (!rows.length) break;
        after = rows[rows.length - 1].record_id;
        for (const r of rows) profiles.push(this.cipher.decryptJson<MatchProfile>(r.profile_enc));
        opts.onProgress?.({ phase: 'load', done: profiles.length, total: profiles.length });
      }
    });
    const ix = blockIndex(plainKeys(profiles));
    const vectors: Comparison[] = [];
    const maxPairs = opts.maxPairs ?? 2_000_000;
    const marker = new Int32Array(ix.n).fill(-1);
    for (let from = 0; from < ix.n && vectors.length < maxPairs; from += 10_000) {
      scoreCandidates(profiles, ix, { model: this.engine.model, maxBlock: opts.maxBlock ?? this.engine.maxBlock, from, to: from + 10_000, collect: (c) => vectors.length < maxPairs && vectors.push(c) }, marker);
      opts.onProgress?.({ phase: 'pairs', done: Math.min(from + 10_000, ix.n), total: ix.n });
    }
    const em = estimate(this.engine.model, vectors);
    return { ...em, profiles: profiles.length, pairs: vectors.length };
  }

  /** Person ids: each cluster keeps the id most of its records had (larger clusters choose first). */
  private async writeClusters(
    em: EntityManager,
    ids: string[],
    agencies: string[],
    labels: Int32Array,
    progress: (p: RebuildProgress) => void,
  ): Promise<{ clusters: number; multiRecordClusters: number; personsCreated: number; linksChanged: number }> {
    const old = new Map<string, string>();
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows: Array<{ record_id: string; person_id: string }> = await em.query(
        `SELECT record_id, person_id FROM person_links WHERE record_id > $1 ORDER BY record_id LIMIT 100000`,
        [after],
      );
      if (!rows.length) break;
      for (const r of rows) old.set(r.record_id, r.person_id);
      after = rows[rows.length - 1].record_id;
    }
    const members = new Map<number, number[]>();
    for (let i = 0; i < labels.length; i++) {
      const m = members.get(labels[i]);
      if (m) m.push(i);
      else members.set(labels[i], [i]);
    }
    const clusters = [...members.values()].sort((x, y) => y.length - x.length || x[0] - y[0]);
    const used = new Set<string>();
    const created: string[] = [];
    const changed: { r: string[]; a: string[]; p: string[] } = { r: [], a: [], p: [] };
    let multi = 0;
    for (const c of clusters) {
      if (c.length > 1) multi++;
      let person: string | undefined;
      if (c.length === 1) {
        const p = old.get(ids[c[0]]);
        if (p && !used.has(p)) person = p;
      } else {
        const votes = new Map<string, number>();
        for (const i of c) {
          const p = old.get(ids[i]);
          if (p && !used.has(p)) votes.set(p, (votes.get(p) ?? 0) + 1);
        }
        let best = 0;
        for (const [p, n] of votes) if (n > best || (n === best && person !== undefined && p < person)) [person, best] = [p, n];
      }
      if (!person) {
        person = randomUUID();
        created.push(person);
      }
      used.add(person);
      for (const i of c) {
        if (old.get(ids[i]) === person) continue;
        changed.r.push(ids[i]);
        changed.a.push(agencies[i]);
        changed.p.push(person);
      }
    }
    for (let s = 0; s < created.length; s += 50_000) await em.query(`INSERT INTO persons (person_id) SELECT unnest($1::uuid[])`, [created.slice(s, s + 50_000)]);
    for (let s = 0; s < changed.r.length; s += 50_000) {
      await em.query(
        `INSERT INTO person_links (record_id, agency_id, person_id) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[])
         ON CONFLICT (record_id) DO UPDATE SET person_id = EXCLUDED.person_id, agency_id = EXCLUDED.agency_id, linked_at = now()`,
        [changed.r.slice(s, s + 50_000), changed.a.slice(s, s + 50_000), changed.p.slice(s, s + 50_000)],
      );
      progress({ phase: 'cluster', done: Math.min(s + 50_000, changed.r.length), total: changed.r.length });
    }
    // Records without a profile or a CLK any more (withdrawn, purged) leave their cluster; unused persons go.
    await em.query(
      `DELETE FROM person_links l WHERE NOT EXISTS (SELECT 1 FROM match_profiles p WHERE p.record_id = l.record_id)
         AND NOT EXISTS (SELECT 1 FROM match_clks c WHERE c.record_id = l.record_id)`,
    );
    await em.query(`DELETE FROM persons p WHERE NOT EXISTS (SELECT 1 FROM person_links l WHERE l.person_id = p.person_id)`);
    return { clusters: clusters.length, multiRecordClusters: multi, personsCreated: created.length, linksChanged: changed.r.length };
  }
}

const ordered = (x: string, y: string): [string, string] => (x < y ? [x, y] : [y, x]);

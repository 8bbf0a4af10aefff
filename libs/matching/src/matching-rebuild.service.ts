import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { FIELD_CIPHER, type FieldCipher } from '@app/crypto';
import { DbContext } from '@app/db';
import { BlockIndexBuilder, type Comparison, type MatchModel, type MatchProfile, blockIndex, clusterConflicts, clusterIndexed, estimate, plainKeys, profileTerms, scoreCandidates, scoreInThreads } from './engine';
import { LoadPool } from './load-pool';
import { type LoadRow, pgArray } from './load-worker';
import { PROFILE_DATA_FIELDS } from './record-profile';
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

/** Plaintext term counts of the loaded profiles (scoring threads look them up; written hashed for the incremental engine). */
class MemoryTerms {
  readonly counts = new Map<string, number>();
  total = 0;
  add(p: MatchProfile): void {
    this.total++;
    for (const t of profileTerms(p)) this.counts.set(t, (this.counts.get(t) ?? 0) + 1);
  }
}

/**
 * Indexes of the tables the rebuild empties and refills in bulk: dropped before the insert and built once
 * after it (much faster than maintaining B-trees through millions of inserts). The definitions are the
 * migrations' (`db:drift` on a rebuilt database finds no difference). DDL is transactional: a failed
 * rebuild rolls back to the previous state, indexes included.
 */
const BULK_INDEXES: Record<'match_keys' | 'match_pairs', Array<{ drop: string; create: string }>> = {
  match_keys: [
    { drop: `ALTER TABLE match_keys DROP CONSTRAINT IF EXISTS pk_match_keys`, create: `ALTER TABLE match_keys ADD CONSTRAINT pk_match_keys PRIMARY KEY (record_id, key_type, key_hash)` },
    { drop: `DROP INDEX IF EXISTS ix_match_keys_hash`, create: `CREATE INDEX ix_match_keys_hash ON match_keys (key_hash)` },
    { drop: `DROP INDEX IF EXISTS ix_match_keys_agency_record`, create: `CREATE INDEX ix_match_keys_agency_record ON match_keys (agency_id, record_id)` },
  ],
  match_pairs: [
    { drop: `ALTER TABLE match_pairs DROP CONSTRAINT IF EXISTS pk_match_pairs`, create: `ALTER TABLE match_pairs ADD CONSTRAINT pk_match_pairs PRIMARY KEY (record_a, record_b)` },
    { drop: `DROP INDEX IF EXISTS ix_match_pairs_record_b`, create: `CREATE INDEX ix_match_pairs_record_b ON match_pairs (record_b)` },
    { drop: `DROP INDEX IF EXISTS ix_match_pairs_outcome`, create: `CREATE INDEX ix_match_pairs_outcome ON match_pairs (outcome)` },
  ],
};
const dropBulkIndexes = async (em: EntityManager, table: keyof typeof BULK_INDEXES) => {
  for (const i of BULK_INDEXES[table]) await em.query(i.drop);
};
const createBulkIndexes = async (em: EntityManager, table: keyof typeof BULK_INDEXES) => {
  for (const i of BULK_INDEXES[table]) await em.query(i.create);
};

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

  async rebuild(opts: { maxBlock?: number; threads?: number; onProgress?: (p: RebuildProgress) => void } = {}): Promise<RebuildResult> {
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
      // match_keys holds about 13 rows per record: its indexes are built after the load (BULK_INDEXES).
      await dropBulkIndexes(em, 'match_keys');

      // 1. load
      const ids: string[] = [];
      const agencies: string[] = [];
      /** Every current victim record (also those without a profile: CLK-only records). */
      const victims: string[] = [];
      const profiles: Array<MatchProfile | null> = [];
      const blocks = new BlockIndexBuilder();
      const terms = new MemoryTerms();
      let keyCount = 0;
      // One sequential scan through a cursor: a keyset page (`id > $1 ORDER BY id LIMIT n`) was planned as a
      // scan and sort of the whole table for the first pages (2.4 s per page at 1,000,000 records).
      await em.query(
        `DECLARE matching_load NO SCROLL CURSOR FOR
           SELECT id, agency_id, jsonb_build_object(${PROFILE_DATA_FIELDS.map((f) => `'${f}', data->'${f}'`).join(', ')}) AS data, pii_enc
             FROM records WHERE kind = 'victims' AND withdrawn_at IS NULL`,
      );
      const readPage = (): Promise<LoadRow[]> => em.query(`FETCH ${PAGE} FROM matching_load`);
      // Pipeline: worker threads prepare page n (decrypt, profile, encrypt, hash) while the connection
      // writes page n − 1 and reads page n + 1.
      // Threads only pay off beyond one page (each starts a runtime and gets the key material).
      const pool = new LoadPool(this.cipher, total > PAGE ? opts.threads : 1);
      let pending: Promise<unknown> | null = null;
      try {
        let rows = await readPage();
        while (rows.length) {
          const work = pool.prepare(rows);
          const nextRows = readPage();
          const batches = await work;
          for (const b of batches) {
            for (const v of b.victims) victims.push(v);
            for (let i = 0; i < b.ids.length; i++) {
              ids.push(b.ids[i]);
              agencies.push(b.agencies[i]);
              profiles.push(b.profiles[i]);
              terms.add(b.profiles[i]);
              blocks.add(b.shortKeys[i]);
            }
            keyCount += b.keyCount;
          }
          if (pending) await pending;
          pending = (async () => {
            for (const b of batches) {
              if (!b.ids.length) continue;
              await em.query(
                `INSERT INTO match_profiles (record_id, agency_id, profile_enc, updated_at) SELECT x.r, x.a, x.p, now() FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS x(r, a, p)`,
                [b.profileRows.recordId, b.profileRows.agencyId, b.profileRows.profileEnc],
              );
              await em.query(`INSERT INTO match_keys (record_id, key_type, key_hash, agency_id) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[])`, [
                b.keyRows.recordId,
                b.keyRows.keyType,
                b.keyRows.keyHash,
                b.keyRows.agencyId,
              ]);
            }
          })();
          pending.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"
          progress({ phase: 'load', done: ids.length, total });
          rows = await nextRows;
        }
      } finally {
        await pool.close();
      }
      await em.query(`CLOSE matching_load`);
      if (pending) await pending;
      lap('load');

      // 2 + 3. The database builds the key indexes and writes the term counts while this process scores the
      // candidate pairs in worker threads (the two use different cores).
      const database = (async () => {
        await em.query(`SET LOCAL maintenance_work_mem = '512MB'`);
        await createBulkIndexes(em, 'match_keys');
        const indexSeconds = (performance.now() - t) / 1000;
        const termHashes: string[] = [];
        const termCounts: number[] = [];
        for (const [term, n] of terms.counts) {
          termHashes.push(this.cipher.blindIndex('match:tf', term));
          termCounts.push(n);
        }
        for (let s = 0; s < termHashes.length; s += 50_000) {
          await em.query(`INSERT INTO match_term_counts (term_hash, n) SELECT * FROM unnest($1::text[], $2::int[])`, [
            pgArray(termHashes.slice(s, s + 50_000)),
            pgArray(termCounts.slice(s, s + 50_000).map(String)),
          ]);
        }
        await em.query(`INSERT INTO match_counters (name, value) VALUES ('profiles', $1) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`, [profiles.length]);
        return { indexSeconds, seconds: (performance.now() - t) / 1000 };
      })();
      const ix = blocks.build();
      const scored = await scoreInThreads(profiles, ix, {
        model,
        terms: terms.counts,
        total: terms.total,
        maxBlock,
        threads: opts.threads,
        onProgress: (done, n) => progress({ phase: 'score', done, total: n }),
      });
      const scoreSeconds = (performance.now() - t) / 1000;
      const db = await database;
      const { pairs, compared } = scored;
      const skippedBlockVisits = scored.skippedBlocks;
      lap('score');
      // Concurrent phases: their own durations (the lap above is the wall time of both).
      seconds.index = Math.round(db.indexSeconds * 10) / 10;
      seconds.terms = Math.round((db.seconds - db.indexSeconds) * 10) / 10;
      seconds.scoreOnly = Math.round(scoreSeconds * 10) / 10;

      // 4. pairs and review tasks
      const pairRow = (p: (typeof pairs)[number]) => {
        const first = ids[p.a] < ids[p.b];
        return { a: first ? ids[p.a] : ids[p.b], b: first ? ids[p.b] : ids[p.a], aa: agencies[first ? p.a : p.b], ab: agencies[first ? p.b : p.a], s: p.score, l: p.levels, o: p.outcome };
      };
      // match_pairs was truncated: its indexes are built after the insert, like the keys'.
      await dropBulkIndexes(em, 'match_pairs');
      for (let s = 0; s < pairs.length; s += 20_000) {
        await em.query(
          `INSERT INTO match_pairs (record_a, record_b, agency_a, agency_b, score, levels, outcome, model_version)
           SELECT x.a, x.b, x.aa, x.ab, x.s, x.l, x.o, $2 FROM jsonb_to_recordset($1::jsonb) AS x(a uuid, b uuid, aa uuid, ab uuid, s numeric, l jsonb, o text)`,
          [JSON.stringify(pairs.slice(s, s + 20_000).map(pairRow)), model.version],
        );
        progress({ phase: 'pairs', done: Math.min(s + 20_000, pairs.length), total: pairs.length });
      }
      await createBulkIndexes(em, 'match_pairs');
      await em.query(`INSERT INTO match_counters (name, value) VALUES ('pairs_compared', $1) ON CONFLICT (name) DO UPDATE SET value = match_counters.value + EXCLUDED.value`, [compared]);
      await em.query(`UPDATE match_reviews SET status = 'superseded', updated_at = now() WHERE status = 'pending'`);
      const reviews = pairs.filter((p) => p.outcome === 'review');
      for (let s = 0; s < reviews.length; s += 20_000) {
        await em.query(
          `INSERT INTO match_reviews (record_a, record_b, agency_a, agency_b, agency_a_code, agency_b_code, score, levels, status)
           SELECT x.a, x.b, x.aa, x.ab, ga.code, gb.code, x.s, x.l, 'pending'
             FROM jsonb_to_recordset($1::jsonb) AS x(a uuid, b uuid, aa uuid, ab uuid, s numeric, l jsonb)
             JOIN agencies ga ON ga.id = x.aa JOIN agencies gb ON gb.id = x.ab
            WHERE NOT EXISTS (SELECT 1 FROM match_decisions d WHERE d.record_a = x.a AND d.record_b = x.b)
           ON CONFLICT ON CONSTRAINT uq_match_reviews_pair DO UPDATE SET score = EXCLUDED.score, levels = EXCLUDED.levels,
             status = CASE WHEN match_reviews.status = 'decided' THEN 'decided' ELSE 'pending' END, updated_at = now()`,
          [JSON.stringify(reviews.slice(s, s + 20_000).map(pairRow))],
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
    for (let s = 0; s < created.length; s += 50_000) await em.query(`INSERT INTO persons (person_id) SELECT unnest($1::uuid[])`, [pgArray(created.slice(s, s + 50_000))]);
    // (The secondary indexes of person_links stay: its statistics trigger looks links up by person_id per row.)
    for (let s = 0; s < changed.r.length; s += 50_000) {
      await em.query(
        `INSERT INTO person_links (record_id, agency_id, person_id) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[])
         ON CONFLICT (record_id) DO UPDATE SET person_id = EXCLUDED.person_id, agency_id = EXCLUDED.agency_id, linked_at = now()`,
        [pgArray(changed.r.slice(s, s + 50_000)), pgArray(changed.a.slice(s, s + 50_000)), pgArray(changed.p.slice(s, s + 50_000))],
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

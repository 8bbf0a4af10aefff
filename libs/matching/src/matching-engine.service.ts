import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { FIELD_CIPHER, type FieldCipher } from '@app/crypto';
import { DbContext } from '@app/db';
import type { MatchingEngineExtension } from './clk/engine-extension';
import { profileOfRecord } from './record-profile';
import {
  type Comparison,
  type MatchModel,
  type MatchProfile,
  type TermFrequencies,
  blockingKeys,
  clusterRecords,
  compareProfiles,
  conflicting,
  decide,
  defaultModel,
  profileTerms,
  scorePair,
} from './engine';

export const MATCHING_QUEUE = 'matching.victim-changed';
export const MATCHING_OPS_QUEUE = 'matching.cluster-op';

/** Blocks (shared keys) larger than this are skipped: they are too common to discriminate. */
const MAX_BLOCK = 100;
const LOCK = `SELECT pg_advisory_xact_lock(hashtext('puente.matching'))`;

interface RecordRow {
  id: string;
  agency_id: string;
  data: Record<string, unknown>;
  pii_enc: string | null;
  withdrawn_at: Date | null;
}

export interface EngineRunStats {
  records: number;
  profiled: number;
  compared: number;
  links: number;
  reviews: number;
}

const ordered = (x: string, y: string): [string, string] => (x < y ? [x, y] : [y, x]);

/**
 * The matching engine. Runs in the job worker with system privileges (it is the one component that
 * reads across agencies by design): builds the encrypted profile and the keyed-hash blocking keys of
 * changed records, compares them with the records sharing a key (any agency), scores the pairs with
 * the Fellegi–Sunter model, opens review tasks and re-clusters the affected persons. Reviewer
 * decisions are inputs it never changes. All work is serialised by one advisory lock.
 */
@Injectable()
export class MatchingEngineService {
  private readonly logger = new Logger('Matching');
  model: MatchModel = defaultModel();
  /** Blocks (records sharing one key) larger than this are not used for candidates. */
  maxBlock = MAX_BLOCK;
  /** Cumulative milliseconds per engine stage (for the benchmark). */
  readonly timings: Record<string, number> = {};
  /** When set (benchmark, EM), the comparison vector of every compared pair is appended here. */
  collectVectors?: Comparison[];
  // --- extension hook (CLK / privacy-preserving matching, libs/matching/src/clk) ---
  private readonly extensions: MatchingEngineExtension[] = [];
  registerExtension(x: MatchingEngineExtension): void {
    this.extensions.push(x);
  }
  // --- end extension hook ---
  private lap(stage: string, since: bigint): bigint {
    const now = process.hrtime.bigint();
    this.timings[stage] = (this.timings[stage] ?? 0) + Number(now - since) / 1e6;
    return now;
  }

  constructor(
    private readonly db: DbContext,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
  ) {}

  /** Processes changed victim records (ids of `records`), in one system transaction. */
  async processRecords(recordIds: string[]): Promise<EngineRunStats> {
    const ids = [...new Set(recordIds)];
    if (!ids.length) return { records: 0, profiled: 0, compared: 0, links: 0, reviews: 0 };
    return this.db.system(async (em) => {
      await em.query(LOCK);
      return this.process(em, ids);
    });
  }

  private async process(em: EntityManager, ids: string[]): Promise<EngineRunStats> {
    let t = process.hrtime.bigint();
    const rows: RecordRow[] = await em.query(
      `SELECT id, agency_id, data, pii_enc, withdrawn_at FROM records WHERE id = ANY($1::uuid[]) AND kind = 'victims'`,
      [ids],
    );
    const profiles = new Map<string, { agencyId: string; profile: MatchProfile }>();
    for (const r of rows) {
      if (r.withdrawn_at) continue;
      const pii = r.pii_enc ? this.cipher.decryptJson<Record<string, unknown>>(r.pii_enc) : {};
      const profile = profileOfRecord(pii, r.data);
      if (profile) profiles.set(r.id, { agencyId: r.agency_id, profile });
    }
    t = this.lap('profile', t);
    const known = rows.map((r) => r.id);
    // Term counts (term-frequency weights): remove the terms of the profiles being replaced, add the new ones.
    const previous: Array<{ profile_enc: string }> = await em.query(`SELECT profile_enc FROM match_profiles WHERE record_id = ANY($1::uuid[])`, [known]);
    const delta = new Map<string, number>();
    for (const p of previous) for (const term of profileTerms(this.cipher.decryptJson<MatchProfile>(p.profile_enc))) delta.set(term, (delta.get(term) ?? 0) - 1);
    for (const p of profiles.values()) for (const term of profileTerms(p.profile)) delta.set(term, (delta.get(term) ?? 0) + 1);
    const changes = [...delta].filter(([, n]) => n !== 0);
    if (changes.length) {
      await em.query(
        `INSERT INTO match_term_counts (term_hash, n) SELECT * FROM unnest($1::text[], $2::int[])
         ON CONFLICT (term_hash) DO UPDATE SET n = greatest(match_term_counts.n + EXCLUDED.n, 0)`,
        [changes.map(([term]) => this.termHash(term)), changes.map(([, n]) => n)],
      );
    }
    if (profiles.size !== previous.length) {
      await em.query(
        `INSERT INTO match_counters (name, value) VALUES ('profiles', greatest($1::bigint, 0)) ON CONFLICT (name) DO UPDATE SET value = greatest(match_counters.value + $1::bigint, 0)`,
        [profiles.size - previous.length],
      );
    }
    await em.query(`DELETE FROM match_keys WHERE record_id = ANY($1::uuid[])`, [known]);
    await em.query(`DELETE FROM match_pairs WHERE record_a = ANY($1::uuid[]) OR record_b = ANY($1::uuid[])`, [known]);
    const gone = known.filter((id) => !profiles.has(id));
    if (gone.length) {
      await em.query(`DELETE FROM match_profiles WHERE record_id = ANY($1::uuid[])`, [gone]);
      await em.query(
        `UPDATE match_reviews SET status = 'superseded', updated_at = now() WHERE status = 'pending' AND (record_a = ANY($1::uuid[]) OR record_b = ANY($1::uuid[]))`,
        [gone],
      );
    }
    const present = [...profiles.entries()];
    if (present.length) {
      await em.query(
        `INSERT INTO match_profiles (record_id, agency_id, profile_enc, updated_at)
         SELECT x.record_id, x.agency_id, x.profile_enc, now() FROM jsonb_to_recordset($1::jsonb) AS x(record_id uuid, agency_id uuid, profile_enc text)
         ON CONFLICT (record_id) DO UPDATE SET agency_id = EXCLUDED.agency_id, profile_enc = EXCLUDED.profile_enc, updated_at = now()`,
        [JSON.stringify(present.map(([id, p]) => ({ record_id: id, agency_id: p.agencyId, profile_enc: this.cipher.encryptJson(p.profile) })))],
      );
      const keys = present.flatMap(([id, p]) =>
        blockingKeys(p.profile).map((k) => ({ record_id: id, agency_id: p.agencyId, key_type: k.type, key_hash: this.cipher.blindIndex(`match:${k.type}`, k.value) })),
      );
      await em.query(
        `INSERT INTO match_keys (record_id, key_type, key_hash, agency_id)
         SELECT x.record_id, x.key_type, x.key_hash, x.agency_id FROM jsonb_to_recordset($1::jsonb) AS x(record_id uuid, agency_id uuid, key_type text, key_hash text)
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(keys)],
      );
    }

    t = this.lap('store-profile-keys', t);
    // Candidate pairs: records sharing a (not too common) blocking key, across all agencies.
    const presentIds = present.map(([id]) => id);
    const cands: Array<{ a: string; b: string }> = presentIds.length
      ? await em.query(
          // Block sizes are counted only up to the cap (LIMIT), so a common key costs at most cap + 1
          // index entries instead of a count over the whole block.
          `WITH mine AS (SELECT record_id, key_hash FROM match_keys WHERE record_id = ANY($1::uuid[])),
                sizes AS (SELECT h.key_hash, (SELECT count(*) FROM (SELECT 1 FROM match_keys k WHERE k.key_hash = h.key_hash LIMIT $2 + 1) x) AS n
                            FROM (SELECT DISTINCT key_hash FROM mine) h)
           SELECT DISTINCT m.record_id AS a, k.record_id AS b
             FROM mine m JOIN sizes s ON s.key_hash = m.key_hash AND s.n <= $2
             JOIN match_keys k ON k.key_hash = m.key_hash AND k.record_id <> m.record_id`,
          [presentIds, this.maxBlock],
        )
      : [];
    t = this.lap('candidates', t);
    const pairKeys = new Map<string, [string, string]>();
    for (const c of cands) {
      const [a, b] = ordered(c.a, c.b);
      pairKeys.set(`${a}|${b}`, [a, b]);
    }
    const others = [...new Set(cands.map((c) => c.b))].filter((id) => !profiles.has(id));
    if (others.length) {
      const prof: Array<{ record_id: string; agency_id: string; profile_enc: string }> = await em.query(
        `SELECT record_id, agency_id, profile_enc FROM match_profiles WHERE record_id = ANY($1::uuid[])`,
        [others],
      );
      t = this.lap('candidate-profiles-read', t);
      for (const p of prof) profiles.set(p.record_id, { agencyId: p.agency_id, profile: this.cipher.decryptJson<MatchProfile>(p.profile_enc) });
      t = this.lap('candidate-profiles-decrypt', t);
    }
    const tf = await this.termFrequencies(em, [...profiles.values()].map((p) => p.profile));
    t = this.lap('term-counts', t);
    const pairs: Array<{ a: string; b: string; agencyA: string; agencyB: string; score: number; levels: Comparison; outcome: string }> = [];
    for (const [a, b] of pairKeys.values()) {
      const pa = profiles.get(a);
      const pb = profiles.get(b);
      if (!pa || !pb) continue;
      const levels = compareProfiles(pa.profile, pb.profile);
      const s = scorePair(this.model, pa.profile, pb.profile, levels, tf);
      pairs.push({ a, b, agencyA: pa.agencyId, agencyB: pb.agencyId, score: s.total, levels, outcome: decide(this.model, s.total) });
    }
    t = this.lap('compare-score', t);
    if (this.collectVectors) for (const p of pairs) this.collectVectors.push(p.levels);
    if (pairs.length) {
      await em.query(
        `INSERT INTO match_counters (name, value) VALUES ('pairs_compared', $1) ON CONFLICT (name) DO UPDATE SET value = match_counters.value + EXCLUDED.value`,
        [pairs.length],
      );
    }
    // Only pairs in the review band or above are stored; the rest are counted.
    const kept = pairs.filter((p) => p.outcome !== 'none');
    if (kept.length) {
      await em.query(
        `INSERT INTO match_pairs (record_a, record_b, agency_a, agency_b, score, levels, outcome, model_version)
         SELECT x.a, x.b, x.agency_a, x.agency_b, x.score, x.levels, x.outcome, $2 FROM jsonb_to_recordset($1::jsonb)
             AS x(a uuid, b uuid, agency_a uuid, agency_b uuid, score numeric, levels jsonb, outcome text)
         ON CONFLICT (record_a, record_b) DO UPDATE SET score = EXCLUDED.score, levels = EXCLUDED.levels, outcome = EXCLUDED.outcome,
           model_version = EXCLUDED.model_version, compared_at = now()`,
        [JSON.stringify(kept.map((p) => ({ a: p.a, b: p.b, agency_a: p.agencyA, agency_b: p.agencyB, score: p.score, levels: p.levels, outcome: p.outcome }))), this.model.version],
      );
    }
    // Review tasks: pairs in the review band without a reviewer decision. Pending tasks of pairs that
    // left the band are superseded; decided tasks are never touched.
    const reviews = pairs.filter((p) => p.outcome === 'review');
    if (reviews.length) {
      await em.query(
        `INSERT INTO match_reviews (record_a, record_b, agency_a, agency_b, agency_a_code, agency_b_code, score, levels, status)
         SELECT x.a, x.b, x.agency_a, x.agency_b, ga.code, gb.code, x.score, x.levels, 'pending'
           FROM jsonb_to_recordset($1::jsonb) AS x(a uuid, b uuid, agency_a uuid, agency_b uuid, score numeric, levels jsonb)
           JOIN agencies ga ON ga.id = x.agency_a JOIN agencies gb ON gb.id = x.agency_b
          WHERE NOT EXISTS (SELECT 1 FROM match_decisions d WHERE d.record_a = x.a AND d.record_b = x.b)
         ON CONFLICT ON CONSTRAINT uq_match_reviews_pair DO UPDATE SET score = EXCLUDED.score, levels = EXCLUDED.levels,
           status = CASE WHEN match_reviews.status = 'decided' THEN 'decided' ELSE 'pending' END, updated_at = now()`,
        [JSON.stringify(reviews.map((p) => ({ a: p.a, b: p.b, agency_a: p.agencyA, agency_b: p.agencyB, score: p.score, levels: p.levels })))],
      );
    }
    if (presentIds.length) {
      await em.query(
        `UPDATE match_reviews r SET status = 'superseded', updated_at = now()
          WHERE r.status = 'pending' AND (r.record_a = ANY($1::uuid[]) OR r.record_b = ANY($1::uuid[]))
            AND NOT EXISTS (SELECT 1 FROM match_pairs p WHERE p.record_a = r.record_a AND p.record_b = r.record_b AND p.outcome = 'review')`,
        [presentIds],
      );
    }
    t = this.lap('store-pairs-reviews', t);
    for (const x of this.extensions) await x.afterCompare(em, known); // extension hook (CLK)
    t = this.lap('extensions', t);
    await this.recluster(em, known, new Map([...profiles].map(([id, p]) => [id, p.profile])));
    this.lap('recluster', t);
    return {
      records: rows.length,
      profiled: present.length,
      compared: pairs.length,
      links: pairs.filter((p) => p.outcome === 'link').length,
      reviews: reviews.length,
    };
  }

  /**
   * Keyed hash of a term (`match:tf`), memoised in this process: a candidate set repeats the same common
   * names, and each HMAC costs a few microseconds. Bounded: the memo is dropped when it reaches 200,000
   * terms (process memory only; nothing is written).
   */
  private termHash(term: string): string {
    let h = this.termHashes.get(term);
    if (h === undefined) {
      if (this.termHashes.size >= 200_000) this.termHashes.clear();
      this.termHashes.set(term, (h = this.cipher.blindIndex('match:tf', term)));
    }
    return h;
  }
  private readonly termHashes = new Map<string, string>();

  /** Counts of the name terms of `profiles` (keyed hashes in match_term_counts) and the number of profiles. */
  async termFrequencies(em: EntityManager, profiles: MatchProfile[]): Promise<TermFrequencies> {
    const hashOf = new Map<string, string>();
    for (const p of profiles) for (const term of profileTerms(p)) if (!hashOf.has(term)) hashOf.set(term, this.termHash(term));
    const [counts, total]: [Array<{ term_hash: string; n: number }>, Array<{ value: string }>] = await Promise.all([
      hashOf.size ? em.query(`SELECT term_hash, n FROM match_term_counts WHERE term_hash = ANY($1::bpchar[])`, [[...hashOf.values()]]) : Promise.resolve([]),
      em.query(`SELECT value FROM match_counters WHERE name = 'profiles'`),
    ]);
    const byHash = new Map(counts.map((c) => [c.term_hash, c.n]));
    return { total: Number(total[0]?.value ?? 0), count: (term) => byHash.get(hashOf.get(term) ?? '') ?? 0 };
  }

  /**
   * Recomputes the clusters of the connected components (automatic links and same_person decisions)
   * that contain `seeds` or shared a cluster with them. Person ids are kept where possible (a cluster
   * keeps the id most of its records had), so they are stable pseudonymous keys.
   */
  async recluster(em: EntityManager, seeds: string[], loaded: ReadonlyMap<string, MatchProfile> = new Map()): Promise<void> {
    const nodes = new Set<string>(seeds);
    let frontier = [...seeds];
    for (let round = 0; frontier.length && round < 50; round++) {
      // One index scan per branch (record_a, record_b of pairs and decisions; person of links): an OR over
      // `IN (subquery)` would scan the whole pair table once per round.
      const next: Array<{ id: string }> = await em.query(
        `SELECT l2.record_id AS id FROM person_links l1 JOIN person_links l2 ON l2.person_id = l1.person_id WHERE l1.record_id = ANY($1::uuid[])
         UNION SELECT p.record_b FROM match_pairs p WHERE p.record_a = ANY($1::uuid[]) AND p.outcome = 'link'
         UNION SELECT p.record_a FROM match_pairs p WHERE p.record_b = ANY($1::uuid[]) AND p.outcome = 'link'
         UNION SELECT d.record_b FROM match_decisions d WHERE d.record_a = ANY($1::uuid[]) AND d.decision = 'same_person'
         UNION SELECT d.record_a FROM match_decisions d WHERE d.record_b = ANY($1::uuid[]) AND d.decision = 'same_person'`,
        [frontier],
      );
      frontier = next.map((n) => n.id).filter((id) => !nodes.has(id));
      for (const id of frontier) nodes.add(id);
    }
    const all = [...nodes];
    const active: Array<{ record_id: string; agency_id: string }> = await em.query(
      `SELECT record_id, agency_id FROM match_profiles WHERE record_id = ANY($1::uuid[])`,
      [all],
    );
    for (const x of this.extensions) active.push(...(await x.activeRecords(em, all))); // extension hook (CLK)
    const agencyOf = new Map(active.map((a) => [a.record_id, a.agency_id]));
    const inactive = all.filter((id) => !agencyOf.has(id));
    const old: Array<{ record_id: string; person_id: string }> = await em.query(`SELECT record_id, person_id FROM person_links WHERE record_id = ANY($1::uuid[])`, [all]);
    if (inactive.length) await em.query(`DELETE FROM person_links WHERE record_id = ANY($1::uuid[])`, [inactive]);
    const activeIds = [...agencyOf.keys()];
    if (!activeIds.length) return this.dropOrphans(em, old.map((o) => o.person_id));
    const links: Array<{ a: string; b: string; score: string }> = await em.query(
      `SELECT record_a AS a, record_b AS b, score FROM match_pairs WHERE outcome = 'link' AND record_a = ANY($1::uuid[]) AND record_b = ANY($1::uuid[])`,
      [activeIds],
    );
    const decisions: Array<{ a: string; b: string; decision: string }> = await em.query(
      `SELECT record_a AS a, record_b AS b, decision FROM match_decisions WHERE record_a = ANY($1::uuid[]) AND record_b = ANY($1::uuid[])`,
      [activeIds],
    );
    const must = decisions.filter((d) => d.decision === 'same_person').map((d): [string, string] => [d.a, d.b]);
    const cannot = decisions.filter((d) => d.decision === 'different_persons').map((d): [string, string] => [d.a, d.b]);
    const auto = links.map((l) => ({ a: l.a, b: l.b, score: Number(l.score) }));
    let clusters = clusterRecords(activeIds, must, cannot, auto);
    // As in the bulk rebuild: records with CURPs two or more characters apart are not left in one
    // automatic cluster, unless a reviewer said they are the same person.
    const grouped = clusters.filter((c) => c.length > 1 && c.length <= 200).flat();
    if (grouped.length) {
      // Profiles the caller already decrypted are reused; only the other cluster members are read.
      const prof = new Map<string, MatchProfile>();
      for (const id of grouped) {
        const p = loaded.get(id);
        if (p) prof.set(id, p);
      }
      const missing = grouped.filter((id) => !prof.has(id));
      if (missing.length) {
        const rows: Array<{ record_id: string; profile_enc: string }> = await em.query(`SELECT record_id, profile_enc FROM match_profiles WHERE record_id = ANY($1::uuid[])`, [missing]);
        for (const r of rows) prof.set(r.record_id, this.cipher.decryptJson<MatchProfile>(r.profile_enc));
      }
      const reviewed = new Set(must.map(([a, b]) => ordered(a, b).join('|')));
      const conflicts: Array<[string, string]> = [];
      for (const c of clusters) {
        if (c.length < 2 || c.length > 200) continue;
        for (let x = 0; x < c.length; x++) {
          for (let y = x + 1; y < c.length; y++) {
            const pa = prof.get(c[x]);
            const pb = prof.get(c[y]);
            if (pa && pb && conflicting(pa, pb) && !reviewed.has(ordered(c[x], c[y]).join('|'))) conflicts.push([c[x], c[y]]);
          }
        }
      }
      if (conflicts.length) clusters = clusterRecords(activeIds, must, [...cannot, ...conflicts], auto);
    }
    const oldOf = new Map(old.map((o) => [o.record_id, o.person_id]));
    const used = new Set<string>();
    const assignments: Array<{ record_id: string; agency_id: string; person_id: string }> = [];
    // Larger clusters choose first, so a split keeps the id on its larger part.
    for (const c of [...clusters].sort((x, y) => y.length - x.length || (x[0] < y[0] ? -1 : 1))) {
      const votes = new Map<string, number>();
      for (const r of c) {
        const p = oldOf.get(r);
        if (p && !used.has(p)) votes.set(p, (votes.get(p) ?? 0) + 1);
      }
      let person = [...votes.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0]?.[0];
      if (!person) {
        const [created]: Array<{ person_id: string }> = await em.query(`INSERT INTO persons DEFAULT VALUES RETURNING person_id`);
        person = created.person_id;
      }
      used.add(person);
      for (const r of c) assignments.push({ record_id: r, agency_id: agencyOf.get(r)!, person_id: person });
    }
    const changed = assignments.filter((a) => oldOf.get(a.record_id) !== a.person_id);
    if (changed.length) {
      await em.query(
        `INSERT INTO person_links (record_id, agency_id, person_id) SELECT x.record_id, x.agency_id, x.person_id
           FROM jsonb_to_recordset($1::jsonb) AS x(record_id uuid, agency_id uuid, person_id uuid)
         ON CONFLICT (record_id) DO UPDATE SET person_id = EXCLUDED.person_id, agency_id = EXCLUDED.agency_id, linked_at = now()`,
        [JSON.stringify(changed)],
      );
    }
    await this.dropOrphans(
      em,
      old.map((o) => o.person_id).filter((p) => !used.has(p)),
    );
  }

  private async dropOrphans(em: EntityManager, personIds: string[]): Promise<void> {
    if (!personIds.length) return;
    await em.query(`DELETE FROM persons p WHERE p.person_id = ANY($1::uuid[]) AND NOT EXISTS (SELECT 1 FROM person_links l WHERE l.person_id = p.person_id)`, [
      [...new Set(personIds)],
    ]);
  }

  /** Reclusters given records (after a reviewer decision), in a system transaction. */
  async reclusterRecords(recordIds: string[]): Promise<void> {
    await this.db.system(async (em) => {
      await em.query(LOCK);
      await this.recluster(em, recordIds);
    });
  }

  /** Applies a reviewer's split or merge (match_cluster_ops row), then reclusters. */
  async applyClusterOp(opId: string): Promise<void> {
    await this.db.system(async (em) => {
      await em.query(LOCK);
      const [op]: Array<{ id: string; agency_id: string; op: string; person_id: string; other_person_id: string | null; record_ids: string[]; client_id: string; reason: string; status: string }> =
        await em.query(`SELECT id, agency_id, op, person_id, other_person_id, record_ids, client_id, reason, status FROM match_cluster_ops WHERE id = $1 FOR UPDATE`, [opId]);
      if (!op || op.status !== 'queued') return;
      const members = async (person: string): Promise<Array<{ record_id: string; agency_id: string }>> =>
        em.query(`SELECT record_id, agency_id FROM person_links WHERE person_id = $1`, [person]);
      const decide = async (pairs: Array<[{ record_id: string; agency_id: string }, { record_id: string; agency_id: string }]>, decision: string) => {
        const rows = pairs.map(([x, y]) => {
          const [a, b] = x.record_id < y.record_id ? [x, y] : [y, x];
          return { a: a.record_id, b: b.record_id, agency_a: a.agency_id, agency_b: b.agency_id };
        });
        if (!rows.length) return;
        await em.query(
          `INSERT INTO match_decisions (record_a, record_b, agency_a, agency_b, decision, agency_id, client_id, reason, source)
           SELECT x.a, x.b, x.agency_a, x.agency_b, $2, $3, $4, $5, $6 FROM jsonb_to_recordset($1::jsonb) AS x(a uuid, b uuid, agency_a uuid, agency_b uuid)
           ON CONFLICT (record_a, record_b) DO UPDATE SET decision = EXCLUDED.decision, agency_id = EXCLUDED.agency_id, client_id = EXCLUDED.client_id,
             reason = EXCLUDED.reason, source = EXCLUDED.source, review_id = NULL, decided_at = now()`,
          [JSON.stringify(rows), decision, op.agency_id, op.client_id, op.reason, op.op],
        );
      };
      let seeds: string[];
      if (op.op === 'split') {
        const c = await members(op.person_id);
        const moving = c.filter((m) => op.record_ids.includes(m.record_id));
        const staying = c.filter((m) => !op.record_ids.includes(m.record_id));
        await decide(moving.flatMap((x) => staying.map((y) => [x, y] as [typeof x, typeof y])), 'different_persons');
        seeds = c.map((m) => m.record_id);
      } else {
        const c1 = await members(op.person_id);
        const c2 = await members(op.other_person_id!);
        const a = c1.find((m) => m.record_id === op.record_ids[0]);
        const b = c2.find((m) => m.record_id === op.record_ids[1]);
        // A merge overrides earlier `different_persons` decisions between the two clusters.
        const ids1 = c1.map((m) => m.record_id);
        const ids2 = c2.map((m) => m.record_id);
        await em.query(
          `DELETE FROM match_decisions WHERE decision = 'different_persons'
             AND ((record_a = ANY($1::uuid[]) AND record_b = ANY($2::uuid[])) OR (record_a = ANY($2::uuid[]) AND record_b = ANY($1::uuid[])))`,
          [ids1, ids2],
        );
        if (a && b) await decide([[a, b]], 'same_person');
        seeds = [...ids1, ...ids2];
      }
      await em.query(`UPDATE match_cluster_ops SET status = 'applied', applied_at = now() WHERE id = $1`, [op.id]);
      await this.recluster(em, seeds);
    });
  }

  /** Every profiled record id (for a full rebuild). */
  async allProfiledRecordIds(): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.db.system((em) => em.query(`SELECT id FROM records WHERE kind = 'victims' AND withdrawn_at IS NULL ORDER BY id`));
    return rows.map((r) => r.id);
  }

  /** Review tasks waiting (all agencies; for the metrics gauge). */
  async pendingReviews(): Promise<number> {
    const rows: Array<{ n: number }> = await this.db.dataSource.query(`SELECT count(*)::int AS n FROM match_reviews WHERE status = 'pending'`);
    return rows[0]?.n ?? 0;
  }

  log(msg: string, extra: Record<string, unknown> = {}): void {
    this.logger.log({ ...extra }, msg);
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ClkEncoder, CURRENT_CLK_SCHEMA, DEFAULT_LSH, decodeClk, dice, lshBands, registerServerClkKeyCheck } from '@app/clk';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { FIELD_CIPHER, type FieldCipher } from '@app/crypto';
import { clkSide, scoreClkPair, CLK_MODEL, type ClkSide } from './clk-score';
import type { MatchingEngineExtension } from './engine-extension';

/** LSH band values shared by more records than this are skipped (same name repeated very often). */
const MAX_BAND = 1000;

interface Row {
  id: string;
  agency_id: string;
  data: Record<string, unknown>;
  pii_enc: string | null;
  withdrawn_at: Date | null;
}

/** A pair written to match_pairs by the CLK path (ordered ids; `outcome` is `link` or `review`). */
export interface ClkStoredPair {
  a: string;
  b: string;
  score: number;
  outcome: string;
}

interface StoredClk {
  agencyId: string;
  filter: Buffer;
  source: string;
  side: ClkSide;
}

interface ClkKey {
  record_id: string;
  agency_id: string;
  key_hash: string;
}

interface ClkClaim {
  schema?: string;
  encoding?: string;
  keyCheck?: string;
}

const hasName = (names: unknown): boolean =>
  !!names && typeof names === 'object' && Object.values(names as Record<string, unknown>).some((v) => typeof v === 'string' && v.trim() !== '');

/**
 * Privacy-preserving matching (issue 7). Agencies that may not share names submit a CLK (Bloom-filter
 * encoding of the names, schema `puente-clk-v1`, shared secret) instead of `names`. For every other
 * victim record the server computes the CLK of its plaintext names with the same secret (CLK_SECRET).
 * Pairs with at least one CLK-only side are compared here (Dice coefficient of the CLKs + the plaintext
 * birth date and sex, `clk-score.ts`) and written to the same `match_pairs` / `match_reviews` the main
 * engine uses, so they flow into the same person clusters and review tasks; pairs of two plaintext
 * records stay with the main engine. Runs as an extension of MatchingEngineService, inside its locked
 * system transaction. Stores CLKs encrypted and LSH band values as keyed hashes; logs no value.
 */
@Injectable()
export class ClkMatcherService implements MatchingEngineExtension {
  private readonly logger = new Logger('MatchingClk');
  private readonly encoder: ClkEncoder | null;
  /** Cumulative milliseconds per stage (for the benchmark). */
  readonly timings: Record<string, number> = {};
  private lap(stage: string, since: bigint): bigint {
    const now = process.hrtime.bigint();
    this.timings[stage] = (this.timings[stage] ?? 0) + Number(now - since) / 1e6;
    return now;
  }

  constructor(
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.encoder = config.clkSecret ? new ClkEncoder(config.clkSecret, CURRENT_CLK_SCHEMA) : null;
    registerServerClkKeyCheck(CURRENT_CLK_SCHEMA, this.encoder?.keyCheck ?? null);
  }

  get enabled(): boolean {
    return this.encoder !== null;
  }

  /** The CLK of a record's personal data: computed from `names`, else the submitted one (if valid for this server), else null. */
  private clkOf(pii: Record<string, unknown>): { filter: Buffer; source: 'server' | 'submitted' } | null {
    if (!this.encoder) return null;
    if (hasName(pii.names)) {
      const f = this.encoder.encode(pii.names as never);
      return f ? { filter: f, source: 'server' } : null;
    }
    const c = pii.clk as ClkClaim | undefined;
    if (!c || c.schema !== this.encoder.schema.id || typeof c.encoding !== 'string') return null;
    if (c.keyCheck !== undefined && c.keyCheck !== this.encoder.keyCheck) return null;
    const d = decodeClk(c.encoding, c.schema);
    return d.ok ? { filter: d.filter, source: 'submitted' } : null;
  }

  async activeRecords(em: EntityManager, recordIds: string[]): Promise<Array<{ record_id: string; agency_id: string }>> {
    if (!recordIds.length) return [];
    return em.query(`SELECT record_id, agency_id FROM match_clks WHERE record_id = ANY($1::uuid[])`, [recordIds]);
  }

  async afterCompare(em: EntityManager, recordIds: string[]): Promise<void> {
    await this.compare(em, recordIds);
  }

  /**
   * Full rebuild of the CLK state (called by MatchingRebuildService after the bulk pairs are written,
   * before clustering, in its locked transaction): every stored CLK and LSH key is dropped; the CLKs of
   * `recordIds` (all current victim records) are recomputed and stored in slices of `slice` records;
   * then only the CLK-only records (submitted CLKs) are probed against all stored keys, since every
   * CLK pair has at least one such side. A pair the bulk engine already stored keeps its result.
   * Returns the records that take part in clustering through a CLK and the pairs written here.
   */
  async rebuild(
    em: EntityManager,
    recordIds: string[],
    opts: { slice?: number; onProgress?: (p: { phase: string; done: number; total: number }) => void } = {},
  ): Promise<{ active: Array<{ record_id: string; agency_id: string }>; pairs: ClkStoredPair[] }> {
    await em.query(`TRUNCATE match_clk_keys, match_clks`);
    if (!this.encoder) return { active: [], pairs: [] };
    const slice = opts.slice ?? 1000;
    const submitted: Array<[string, StoredClk]> = [];
    const keysOf = new Map<string, ClkKey[]>();
    // The secondary indexes of the LSH keys are built once after the load (same definitions as the migration).
    await em.query(`DROP INDEX IF EXISTS ix_match_clk_keys_hash`);
    await em.query(`DROP INDEX IF EXISTS ix_match_clk_keys_agency_record`);
    for (let s = 0; s < recordIds.length; s += slice) {
      const stored = await this.store(em, recordIds.slice(s, s + slice), true);
      if (stored) {
        for (const e of stored.mine) if (e[1].source === 'submitted') submitted.push(e);
        for (const k of stored.keys) if (stored.mine.get(k.record_id)!.source === 'submitted') (keysOf.get(k.record_id) ?? keysOf.set(k.record_id, []).get(k.record_id)!).push(k);
      }
      opts.onProgress?.({ phase: 'clk', done: Math.min(s + slice, recordIds.length), total: recordIds.length });
    }
    await em.query(`CREATE INDEX ix_match_clk_keys_hash ON match_clk_keys (key_hash)`);
    await em.query(`CREATE INDEX ix_match_clk_keys_agency_record ON match_clk_keys (agency_id, record_id)`);
    const pairs: ClkStoredPair[] = [];
    for (let s = 0; s < submitted.length; s += slice) {
      const part = submitted.slice(s, s + slice);
      for (const p of await this.compareStored(em, new Map(part), part.flatMap(([id]) => keysOf.get(id) ?? []))) pairs.push(p);
      opts.onProgress?.({ phase: 'clk-pairs', done: Math.min(s + slice, submitted.length), total: submitted.length });
    }
    const active: Array<{ record_id: string; agency_id: string }> = await em.query(`SELECT record_id, agency_id FROM match_clks`);
    return { active, pairs };
  }

  /** Stores the CLKs of `recordIds`, compares them with their LSH candidates; returns the pairs newly written to match_pairs. */
  private async compare(em: EntityManager, recordIds: string[]): Promise<ClkStoredPair[]> {
    const stored = await this.store(em, recordIds);
    return stored ? this.compareStored(em, stored.mine, stored.keys) : [];
  }

  /**
   * Recomputes and stores the CLKs and LSH keys of `recordIds` (those without a CLK any more lose
   * theirs); `fresh`: the tables were just emptied (nothing to delete). Null when nothing is stored.
   */
  private async store(em: EntityManager, recordIds: string[], fresh = false): Promise<{ mine: Map<string, StoredClk>; keys: ClkKey[] } | null> {
    if (!recordIds.length) return null;
    if (!this.encoder) {
      // CLK path off: forget any stored CLK state of these records (it would be stale).
      await em.query(`DELETE FROM match_clk_keys WHERE record_id = ANY($1::uuid[])`, [recordIds]);
      await em.query(`DELETE FROM match_clks WHERE record_id = ANY($1::uuid[])`, [recordIds]);
      return null;
    }
    let t = process.hrtime.bigint();
    const rows: Row[] = await em.query(`SELECT id, agency_id, data, pii_enc, withdrawn_at FROM records WHERE id = ANY($1::uuid[]) AND kind = 'victims'`, [recordIds]);
    const mine = new Map<string, StoredClk>();
    for (const r of rows) {
      if (r.withdrawn_at || !r.pii_enc) continue;
      const c = this.clkOf(this.cipher.decryptJson<Record<string, unknown>>(r.pii_enc));
      if (c) mine.set(r.id, { agencyId: r.agency_id, filter: c.filter, source: c.source, side: clkSide(r.data) });
    }
    t = this.lap('encode', t);
    if (!fresh) {
      await em.query(`DELETE FROM match_clk_keys WHERE record_id = ANY($1::uuid[])`, [recordIds]);
      const gone = recordIds.filter((id) => !mine.has(id));
      if (gone.length) await em.query(`DELETE FROM match_clks WHERE record_id = ANY($1::uuid[])`, [gone]);
    }
    if (!mine.size) return null;
    const entries = [...mine.entries()];
    await em.query(
      `INSERT INTO match_clks (record_id, agency_id, schema_id, source, clk_enc, updated_at)
       SELECT x.record_id, x.agency_id, $2, x.source, x.clk_enc, now() FROM jsonb_to_recordset($1::jsonb) AS x(record_id uuid, agency_id uuid, source text, clk_enc text)
       ON CONFLICT (record_id) DO UPDATE SET agency_id = EXCLUDED.agency_id, schema_id = EXCLUDED.schema_id, source = EXCLUDED.source, clk_enc = EXCLUDED.clk_enc, updated_at = now()`,
      [
        JSON.stringify(entries.map(([id, m]) => ({ record_id: id, agency_id: m.agencyId, source: m.source, clk_enc: this.cipher.encrypt(m.filter.toString('base64')) }))),
        this.encoder.schema.id,
      ],
    );
    const keys: ClkKey[] = entries.flatMap(([id, m]) =>
      lshBands(m.filter, DEFAULT_LSH).map((b) => ({ record_id: id, agency_id: m.agencyId, key_hash: BigInt.asIntN(64, BigInt(`0x${this.cipher.blindIndex(`clk-lsh:${this.encoder!.schema.id}`, b).slice(0, 16)}`)).toString() })),
    );
    await em.query(`INSERT INTO match_clk_keys (record_id, key_hash, agency_id) SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::uuid[]) ON CONFLICT DO NOTHING`, [
      keys.map((k) => k.record_id),
      keys.map((k) => k.key_hash),
      keys.map((k) => k.agency_id),
    ]);
    this.lap('store', t);
    return { mine, keys };
  }

  /** Compares the stored CLKs `mine` (LSH keys `keys`) with their candidates; returns the pairs newly written to match_pairs. */
  private async compareStored(em: EntityManager, mine: Map<string, StoredClk>, keys: ClkKey[]): Promise<ClkStoredPair[]> {
    let t = process.hrtime.bigint();
    // Candidates: records sharing an LSH band value, of which at least one side is CLK-only. The band
    // hashes are passed as arrays so both look-ups go through ix_match_clk_keys_hash (no scan).
    const big = new Set<string>(
      (
        (await em.query(`SELECT key_hash::text AS h FROM match_clk_keys WHERE key_hash = ANY($1::bigint[]) GROUP BY key_hash HAVING count(*) > $2`, [
          [...new Set(keys.map((k) => k.key_hash))],
          MAX_BAND,
        ])) as Array<{ h: string }>
      ).map((r) => r.h),
    );
    const probe = keys.filter((k) => !big.has(k.key_hash));
    const cands: Array<{ a: string; b: string }> = probe.length
      ? await em.query(
          `SELECT DISTINCT x.record_id AS a, k.record_id AS b
             FROM unnest($1::uuid[], $2::bigint[]) AS x(record_id, key_hash)
             JOIN match_clk_keys k ON k.key_hash = x.key_hash AND k.record_id <> x.record_id
             JOIN match_clks ca ON ca.record_id = x.record_id JOIN match_clks cb ON cb.record_id = k.record_id
            WHERE ca.source = 'submitted' OR cb.source = 'submitted'`,
          [probe.map((k) => k.record_id), probe.map((k) => k.key_hash)],
        )
      : [];
    t = this.lap('candidates', t);
    const others = [...new Set(cands.map((c) => c.b))].filter((id) => !mine.has(id));
    const all = new Map<string, { agencyId: string; filter: Buffer; side: ClkSide }>(mine);
    if (others.length) {
      const loaded: Array<{ record_id: string; agency_id: string; clk_enc: string; data: Record<string, unknown> }> = await em.query(
        `SELECT c.record_id, c.agency_id, c.clk_enc, r.data FROM match_clks c JOIN records r ON r.id = c.record_id WHERE c.record_id = ANY($1::uuid[]) AND r.withdrawn_at IS NULL`,
        [others],
      );
      for (const l of loaded) all.set(l.record_id, { agencyId: l.agency_id, filter: Buffer.from(this.cipher.decrypt(l.clk_enc), 'base64'), side: clkSide(l.data) });
    }
    t = this.lap('load', t);
    const seen = new Set<string>();
    const pairs: Array<{ a: string; b: string; agency_a: string; agency_b: string; score: number; levels: Record<string, string>; outcome: string }> = [];
    for (const c of cands) {
      const [a, b] = c.a < c.b ? [c.a, c.b] : [c.b, c.a];
      const key = `${a}|${b}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const pa = all.get(a);
      const pb = all.get(b);
      if (!pa || !pb) continue;
      const s = scoreClkPair(dice(pa.filter, pb.filter), pa.side, pb.side);
      pairs.push({ a, b, agency_a: pa.agencyId, agency_b: pb.agencyId, score: s.score, levels: { ...s.levels }, outcome: s.outcome });
    }
    t = this.lap('compare', t);
    if (pairs.length) {
      await em.query(
        `INSERT INTO match_counters (name, value) VALUES ('pairs_compared', $1) ON CONFLICT (name) DO UPDATE SET value = match_counters.value + EXCLUDED.value`,
        [pairs.length],
      );
    }
    // Same storage as the main engine: pairs in the review band or above; a pair the main engine already
    // scored (e.g. through a CURP sent with the CLK) keeps the main engine's result.
    const kept = pairs.filter((p) => p.outcome !== 'none');
    const stored: ClkStoredPair[] = kept.length
      ? await em.query(
          `INSERT INTO match_pairs (record_a, record_b, agency_a, agency_b, score, levels, outcome, model_version)
           SELECT x.a, x.b, x.agency_a, x.agency_b, x.score, x.levels, x.outcome, $2 FROM jsonb_to_recordset($1::jsonb)
               AS x(a uuid, b uuid, agency_a uuid, agency_b uuid, score numeric, levels jsonb, outcome text)
           ON CONFLICT (record_a, record_b) DO NOTHING
           RETURNING record_a AS a, record_b AS b, score::float8 AS score, outcome`,
          [JSON.stringify(kept), CLK_MODEL.version],
        )
      : [];
    const reviews = pairs.filter((p) => p.outcome === 'review');
    if (reviews.length) {
      await em.query(
        `INSERT INTO match_reviews (record_a, record_b, agency_a, agency_b, agency_a_code, agency_b_code, score, levels, status)
         SELECT x.a, x.b, x.agency_a, x.agency_b, ga.code, gb.code, x.score, x.levels, 'pending'
           FROM jsonb_to_recordset($1::jsonb) AS x(a uuid, b uuid, agency_a uuid, agency_b uuid, score numeric, levels jsonb)
           JOIN agencies ga ON ga.id = x.agency_a JOIN agencies gb ON gb.id = x.agency_b
          WHERE NOT EXISTS (SELECT 1 FROM match_decisions d WHERE d.record_a = x.a AND d.record_b = x.b)
            AND EXISTS (SELECT 1 FROM match_pairs p WHERE p.record_a = x.a AND p.record_b = x.b AND p.outcome = 'review')
         ON CONFLICT ON CONSTRAINT uq_match_reviews_pair DO UPDATE SET score = EXCLUDED.score, levels = EXCLUDED.levels,
           status = CASE WHEN match_reviews.status = 'decided' THEN 'decided' ELSE 'pending' END, updated_at = now()`,
        [JSON.stringify(reviews)],
      );
    }
    this.lap('store-pairs', t);
    this.logger.debug({ records: mine.size, compared: pairs.length, links: kept.length - reviews.length, reviews: reviews.length }, 'clk pairs');
    return stored;
  }
}

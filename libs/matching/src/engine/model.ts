import modelData from '../../data/model.json';
import { type Comparison, FIELDS, type FieldName } from './compare';
import type { MatchProfile } from './profile';

export interface LevelParams {
  m: number;
  u: number;
}
/**
 * A Fellegi–Sunter model: per field and agreement level, m = P(level | same person) and
 * u = P(level | different persons); `missing` always weighs 0. Thresholds on the total weight (bits).
 */
export interface MatchModel {
  version: string;
  /** `referenceRecords`: the register size the thresholds were set for (see the prior adjustment in `scorePair`). */
  thresholds: { upper: number; lower: number; referenceRecords?: number };
  fields: Record<FieldName, Record<string, LevelParams>>;
  /**
   * Term-frequency adjustment (see `scorePair`): lower bounds of the value-specific `u` (how often two
   * different persons agree on a name this rare: relatives share names, so `u` never goes below these),
   * and the pseudo-count added to each term count.
   */
  termFrequency?: {
    prior: number;
    minProfiles?: number;
    /**
     * When true, the name floors `minU.firstName`, `surnames`, `partial` are those of a register of
     * `thresholds.referenceRecords` profiles and fall as 1/N above it (a floor stands for a number of
     * relatives sharing the name, which does not grow with the register).
     */
    floorsScaleWithPrior?: boolean;
    /**
     * `m` of `surnames = partial` when its `u` is term-frequency adjusted: P(the single surname agrees with one
     * of the other record's | same person, one side has a single surname). Without it the level's `m` is used.
     */
    partialM?: number;
    /** `nationality`, `origin` (state), `originMun` (municipality within the state): floors of the code-value `u`. */
    minU: { firstName: number; surnames: number; partial: number; nationality?: number; origin?: number; originMun?: number };
  };
}

export type Decision = 'link' | 'review' | 'none';

/** The configured model (data/model.json). */
export function defaultModel(): MatchModel {
  const { version, thresholds, fields, termFrequency } = modelData as unknown as MatchModel;
  return {
    version,
    thresholds: { ...thresholds },
    fields: JSON.parse(JSON.stringify(fields)) as MatchModel['fields'],
    ...(termFrequency ? { termFrequency: JSON.parse(JSON.stringify(termFrequency)) as MatchModel['termFrequency'] } : {}),
  };
}

/** Weight of one level: log2(m/u) (for a two-level field, the disagree level gives log2((1−m)/(1−u))). */
export function levelWeight(model: MatchModel, field: FieldName, level: string): number {
  if (level === 'missing') return 0;
  let cache = WEIGHTS.get(model);
  if (!cache) WEIGHTS.set(model, (cache = {}));
  const row = (cache[field] ??= {});
  const hit = row[level];
  if (hit !== undefined) return hit;
  const p = model.fields[field]?.[level];
  return (row[level] = p ? Math.log2(p.m / p.u) : 0);
}
/** Level weights per model object (a model is not changed after it is in use; `estimate` returns a new one). */
const WEIGHTS = new WeakMap<MatchModel, Record<string, Record<string, number>>>();

export interface Score {
  total: number;
  weights: Record<FieldName, number>;
}

export function score(model: MatchModel, c: Comparison): Score {
  const weights = {} as Record<FieldName, number>;
  let total = 0;
  for (const f of FIELDS) {
    const w = levelWeight(model, f, c[f]);
    weights[f] = Math.round(w * 100) / 100;
    total += w;
  }
  return { total: Math.round(total * 100) / 100, weights };
}

export function decide(model: MatchModel, total: number): Decision {
  if (total >= model.thresholds.upper) return 'link';
  if (total >= model.thresholds.lower) return 'review';
  return 'none';
}

/**
 * Expectation–maximisation of m, u and the match proportion p over comparison vectors (conditional
 * independence of fields; `missing` ignored). Starts from `start`; thresholds are kept.
 */
export function estimate(start: MatchModel, vectors: Comparison[], iterations = 50): { model: MatchModel; p: number; iterations: number } {
  const model: MatchModel = JSON.parse(JSON.stringify(start)) as MatchModel;
  let p = 0.01;
  const floor = 1e-6;
  let it = 0;
  for (; it < iterations && vectors.length; it++) {
    const mAcc: Record<string, Record<string, number>> = {};
    const uAcc: Record<string, Record<string, number>> = {};
    const mTot: Record<string, number> = {};
    const uTot: Record<string, number> = {};
    let gSum = 0;
    for (const v of vectors) {
      let lm = Math.log(p);
      let lu = Math.log(1 - p);
      for (const f of FIELDS) {
        const lvl = v[f];
        if (lvl === 'missing') continue;
        const q = model.fields[f][lvl];
        if (!q) continue;
        lm += Math.log(q.m);
        lu += Math.log(q.u);
      }
      const g = 1 / (1 + Math.exp(lu - lm));
      gSum += g;
      for (const f of FIELDS) {
        const lvl = v[f];
        if (lvl === 'missing' || !model.fields[f][lvl]) continue;
        (mAcc[f] ??= {})[lvl] = (mAcc[f][lvl] ?? 0) + g;
        (uAcc[f] ??= {})[lvl] = (uAcc[f][lvl] ?? 0) + (1 - g);
        mTot[f] = (mTot[f] ?? 0) + g;
        uTot[f] = (uTot[f] ?? 0) + (1 - g);
      }
    }
    const newP = Math.min(Math.max(gSum / vectors.length, floor), 1 - floor);
    for (const f of FIELDS) {
      for (const lvl of Object.keys(model.fields[f])) {
        const m = mTot[f] ? (mAcc[f]?.[lvl] ?? 0) / mTot[f] : model.fields[f][lvl].m;
        const u = uTot[f] ? (uAcc[f]?.[lvl] ?? 0) / uTot[f] : model.fields[f][lvl].u;
        model.fields[f][lvl] = { m: Math.max(m, floor), u: Math.max(u, floor) };
      }
    }
    const converged = Math.abs(newP - p) < 1e-7;
    p = newP;
    if (converged) break;
  }
  return { model, p, iterations: it };
}

/**
 * Term frequencies of name values among the stored profiles, for value-specific `u` probabilities
 * (agreeing on "María Hernández" is weak evidence, agreeing on "Citlali Cuamolinde" is strong). `count`
 * is the number of profiles holding a term: `f:<first-name tokens>` or `s:<surname>` (see
 * `profileTerms`); the engine keeps these counts as keyed hashes (`match_term_counts`), the bulk
 * rebuild in memory.
 */
export interface TermFrequencies {
  total: number;
  count(term: string): number;
}

const FIRST_TERM = new WeakMap<MatchProfile, string>();
export const firstNameTerm = (p: MatchProfile): string => {
  let t = FIRST_TERM.get(p);
  if (t === undefined) FIRST_TERM.set(p, (t = `f:${p.first.map((x) => x.token).join(' ')}`));
  return t;
};
export const surnameTerm = (s: string): string => `s:${s}`;
export const surnamePairTerm = (s: string[]): string => `p:${[...s].sort().join(' ')}`;

export const nationalityTerm = (code: string): string => `n:${code}`;
export const originTerm = (state: string): string => `o:${state}`;
export const originMunTerm = (state: string, mun: string): string => `m:${state}-${mun}`;

/**
 * The terms of a profile whose frequencies are counted: first name, each distinct surname, the surname
 * pair; each nationality code and `n:*` (profiles with a nationality), the state of origin and `o:*`, the
 * municipality of origin and `m:<state>-*` (profiles of that state with a municipality). The `*` terms are
 * the denominators of the code shares (a code's share among the profiles that record the field).
 */
export function profileTerms(p: MatchProfile): string[] {
  const out = p.first.length ? [firstNameTerm(p)] : [];
  for (const s of new Set(p.surnames)) out.push(surnameTerm(s));
  if (p.surnames.length === 2) out.push(surnamePairTerm(p.surnames));
  if (p.nat?.length) {
    for (const c of p.nat) out.push(nationalityTerm(c));
    out.push(nationalityTerm('*'));
  }
  if (p.origin) {
    out.push(originTerm(p.origin), originTerm('*'));
    if (p.originMun) out.push(originMunTerm(p.origin, p.originMun), originMunTerm(p.origin, '*'));
  }
  return out;
}

const TF_DEFAULTS: NonNullable<MatchModel['termFrequency']> & { minU: Required<NonNullable<MatchModel['termFrequency']>['minU']> } = { prior: 2, minProfiles: 1000, minU: { firstName: 0.001, surnames: 0.0002, partial: 0.001, nationality: 0.03, origin: 0.03, originMun: 0.1 } };

/** Attributes a person shares with their family (parents, siblings): nationality, state and municipality of origin. */
export const FAMILY_FIELDS = ['nationality', 'origin', 'originMun'] as const;

/**
 * True when the names of a pair cannot be those of two relatives: the first names agree (`exact` or
 * `close`: siblings and twins have different first names) and either both surnames agree (`exact`,
 * `swapped`, `close`: a namesake parent or child shares at most one surname) or one surname is missing on
 * one side and the birth data agree (`exact`, `swap`, `year`, `age`: a namesake parent or child is a
 * generation apart). Only then is agreement on a family attribute evidence of the same person (and not of
 * a relative): conditional independence fails for relatives, as for the first-name guard.
 */
export function namesExcludeRelatives(c: Comparison): boolean {
  if (c.firstName !== 'exact' && c.firstName !== 'close') return false;
  if (c.surnames === 'exact' || c.surnames === 'swapped' || c.surnames === 'close') return true;
  return c.surnames === 'partial' && (c.birthDate === 'exact' || c.birthDate === 'swap' || c.birthDate === 'year' || c.birthDate === 'age');
}

/**
 * Scores a compared pair with term-frequency adjustment of the exact name levels (Winkler; as in
 * Splink): for `firstName = exact` the `u` of the level is replaced by the share of profiles with that
 * first name, for `surnames = exact` by the product of the shares of the two surnames, for
 * `surnames = partial` by the share of the agreeing surname. Shares are smoothed ((count + 2) / total)
 * and never below the floors `termFrequency.minU`. Other levels keep the model's `u`. Without `tf`
 * this is `score()`.
 *
 * Model 2026-12-05.1: the name floors are those of the reference register and fall as 1/N above it, as the
 * prior does (`floorsScaleWithPrior`: a floor stands for a number of relatives sharing the name, and that
 * number does not grow with the register; a fixed floor made the prior take the bits of a rare name twice);
 * `surnames = partial` uses the `m` given the one-surname state (`partialM`), since its term-frequency `u`
 * is conditional on that state.
 *
 * Guard: a pair whose first names disagree is never linked automatically unless the CURPs are equal
 * (twins and siblings share surnames and often birth dates; conditional independence fails for them);
 * it goes to review at most (its total is capped just below the upper threshold).
 */
export function scorePair(model: MatchModel, a: MatchProfile, b: MatchProfile, c: Comparison, tf?: TermFrequencies): Score {
  const s = score(model, c);
  const cfg = model.termFrequency ?? TF_DEFAULTS;
  if (tf && tf.total >= (cfg.minProfiles ?? 0)) {
    const share = (term: string) => Math.min(1, (tf.count(term) + cfg.prior) / tf.total);
    const ref = model.thresholds.referenceRecords;
    // Name floors are set at the reference register size; with `floorsScaleWithPrior` they fall as 1/N above
    // it, like the prior (see the prior adjustment below and docs/matching.md).
    const nameFloor = (f: number) => (cfg.floorsScaleWithPrior && ref && tf.total > ref ? (f * ref) / tf.total : f);
    const minFirst = nameFloor(cfg.minU.firstName);
    const minPair = nameFloor(cfg.minU.surnames);
    const minPartial = nameFloor(cfg.minU.partial);
    let delta = 0;
    if (c.firstName === 'exact') {
      const w = Math.log2(model.fields.firstName.exact.m / Math.max(share(firstNameTerm(a)), minFirst));
      delta += w - s.weights.firstName;
      s.weights.firstName = Math.round(w * 100) / 100;
    }
    if ((c.surnames === 'exact' || c.surnames === 'swapped') && a.surnames.length === 2 && model.fields.surnames[c.surnames]) {
      // The pair's own frequency (siblings share both surnames: the product of the two shares would
      // understate it; the count is of the unordered pair, about twice that of one order), never below the floor.
      const w = Math.log2(model.fields.surnames[c.surnames].m / Math.max(share(surnamePairTerm(a.surnames)) / 2, minPair));
      delta += w - s.weights.surnames;
      s.weights.surnames = Math.round(w * 100) / 100;
    } else if (c.surnames === 'partial') {
      const [one, two] = a.surnames.length <= b.surnames.length ? [a.surnames, b.surnames] : [b.surnames, a.surnames];
      const agree = two.find((x) => x === one[0]);
      if (agree) {
        // The term-frequency `u` (a random record holds this surname) is conditional on the pair being in the
        // one-surname state; so must its `m` be: `partialM` = P(the single surname agrees | same person, one
        // side has a single surname), not the level's unconditional m (≈ P(a surname is missing | same person)).
        const m = cfg.partialM ?? model.fields.surnames.partial.m;
        const w = Math.log2(m / Math.max(Math.min(1, 2 * share(surnameTerm(agree))), minPartial));
        delta += w - s.weights.surnames;
        s.weights.surnames = Math.round(w * 100) / 100;
      }
    }
    // Codes (nationality, state and municipality of origin): `u` of the agreement = the code's share among
    // the profiles recording the field ((count + prior) / (recorded + prior)), never below the floor. With
    // no counts yet (profiles stored before these terms existed), the share is 1 and agreement weighs ≤ 0.
    const codeShare = (term: string, of: string) => Math.min(1, (tf.count(term) + cfg.prior) / (tf.count(of) + cfg.prior));
    const codeWeight = (field: 'nationality' | 'origin' | 'originMun', u: number) => {
      const p = model.fields[field]?.exact;
      if (!p) return;
      const w = Math.log2(p.m / Math.max(u, cfg.minU[field] ?? TF_DEFAULTS.minU[field]));
      delta += w - s.weights[field];
      s.weights[field] = Math.round(w * 100) / 100;
    };
    if (namesExcludeRelatives(c)) {
      if (c.nationality === 'exact' && a.nat && b.nat) {
        // the most common shared code (the weakest evidence)
        let u = 0;
        for (const x of a.nat) if (b.nat.includes(x)) u = Math.max(u, codeShare(nationalityTerm(x), nationalityTerm('*')));
        codeWeight('nationality', u);
      }
      if (c.origin === 'exact' && a.origin) codeWeight('origin', codeShare(originTerm(a.origin), originTerm('*')));
      if (c.originMun === 'exact' && a.origin && a.originMun) codeWeight('originMun', codeShare(originMunTerm(a.origin, a.originMun), originMunTerm(a.origin, '*')));
    }
    s.total = Math.round((s.total + delta) * 100) / 100;
    // Prior odds: two records drawn at random are the same person with a probability that falls as
    // 1/N, so the same posterior needs log2(N / N_ref) more bits as the register grows. Expressed as a
    // (negative) adjustment of the weight, so that thresholds stay fixed.
    if (ref && tf.total > ref) {
      const prior = Math.log2(tf.total / ref);
      s.total = Math.round((s.total - prior) * 100) / 100;
    }
  }
  // Family fields: relatives share nationality and origin, so agreement counts only when the names
  // already exclude a relative (see `namesExcludeRelatives`); disagreement always counts.
  if (!namesExcludeRelatives(c)) {
    let off = 0;
    for (const f of FAMILY_FIELDS)
      if (s.weights[f] > 0) {
        off += s.weights[f];
        s.weights[f] = 0;
      }
    if (off) s.total = Math.round((s.total - off) * 100) / 100;
  }
  if (c.firstName === 'disagree' && c.curp !== 'exact' && s.total >= model.thresholds.upper) s.total = Math.round((model.thresholds.upper - 0.01) * 100) / 100;
  return s;
}

import modelData from '../../data/model.json';
import { type Comparison, FIELDS, type FieldName } from './compare';

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
  thresholds: { upper: number; lower: number };
  fields: Record<FieldName, Record<string, LevelParams>>;
}

export type Decision = 'link' | 'review' | 'none';

/** The configured model (data/model.json). */
export function defaultModel(): MatchModel {
  const { version, thresholds, fields } = modelData as unknown as MatchModel;
  return { version, thresholds: { ...thresholds }, fields: JSON.parse(JSON.stringify(fields)) as MatchModel['fields'] };
}

/** Weight of one level: log2(m/u) (for a two-level field, the disagree level gives log2((1−m)/(1−u))). */
export function levelWeight(model: MatchModel, field: FieldName, level: string): number {
  if (level === 'missing') return 0;
  const p = model.fields[field]?.[level];
  if (!p) return 0;
  return Math.log2(p.m / p.u);
}

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

import { buildProfile, blockIndex, clusterConflicts, clusterIndexed, countTerms, defaultModel, normaliseCurp, normaliseText, plainKeys, scoreCandidates, type MatchModel, type MatchProfile } from '../libs/matching/src/engine';
import { generateLabelled, type LabelledVictim } from '../libs/synthetic/src/labelled';

/** Pairwise precision / recall / F1 of cluster labels against the true person of each record. */
export function pairwiseScores(pred: ArrayLike<number | string>, truth: ArrayLike<number>): { precision: number; recall: number; f1: number; predictedPairs: number; truePairs: number } {
  const c2 = (n: number) => (n * (n - 1)) / 2;
  const tally = (key: (i: number) => string | number) => {
    const m = new Map<string | number, number>();
    for (let i = 0; i < truth.length; i++) {
      const k = key(i);
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    let s = 0;
    for (const v of m.values()) s += c2(v);
    return s;
  };
  const predictedPairs = tally((i) => pred[i]);
  const truePairs = tally((i) => truth[i]);
  const tp = tally((i) => `${pred[i]}|${truth[i]}`);
  const precision = predictedPairs ? tp / predictedPairs : 1;
  const recall = truePairs ? tp / truePairs : 1;
  return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, predictedPairs, truePairs };
}

export function profileOf(v: LabelledVictim): MatchProfile | null {
  return buildProfile({
    names: v.names,
    curp: v.curp,
    sex: v.sex,
    birthDate: v.birthDate,
    ageAtEvent: v.ageAtEvent,
    identifiedOn: v.identifiedOn,
    ...(process.argv.includes('--no-origin') ? {} : { nationality: v.nationality, stateOfOrigin: v.stateOfOrigin, municipalityOfOrigin: v.municipalityOfOrigin }),
  });
}

/**
 * Naive exact-match baseline: two records are the same person when their CURPs are equal, or their
 * normalised first name, both surnames and birth date are equal (transitively closed).
 */
export function exactBaseline(data: LabelledVictim[]): Int32Array {
  const keyed = new Map<string, number>();
  const links: Array<{ a: number; b: number; score: number }> = [];
  data.forEach((v, i) => {
    const keys: string[] = [];
    const c = normaliseCurp(v.curp);
    if (c) keys.push(`c:${c}`);
    if (v.birthDate) keys.push(`n:${normaliseText(`${v.names.firstName} ${v.names.middleName ?? ''}`)}|${normaliseText(v.names.paternalSurname)}|${normaliseText(v.names.maternalSurname)}|${v.birthDate}`);
    for (const k of keys) {
      const j = keyed.get(k);
      if (j === undefined) keyed.set(k, i);
      else links.push({ a: j, b: i, score: 1 });
    }
  });
  return clusterIndexed(data.length, [], [], links);
}

export interface QualityRun {
  labels: Int32Array;
  compared: number;
  kept: number;
  links: number;
  reviews: number;
  reviewsTrue: number;
  ms: Record<string, number>;
}

/** The bulk engine over the labelled records, in memory (the same code as `matching:rebuild`). */
export function runBulk(data: LabelledVictim[], model: MatchModel = defaultModel(), maxBlock = 100, useTf = true): QualityRun {
  const ms: Record<string, number> = {};
  let t = performance.now();
  const lap = (k: string) => {
    const now = performance.now();
    ms[k] = Math.round(now - t);
    t = now;
  };
  const profiles = data.map(profileOf);
  lap('profiles');
  const ix = blockIndex(plainKeys(profiles));
  lap('blocking');
  const tf = useTf ? countTerms(profiles) : undefined;
  lap('termCounts');
  const { pairs, compared } = scoreCandidates(profiles, ix, { model, tf, maxBlock });
  lap('compareScore');
  const linked = pairs.filter((p) => p.outcome === 'link');
  let labels = clusterIndexed(data.length, [], [], linked);
  if (!process.argv.includes('--no-conflicts')) labels = clusterIndexed(data.length, [], clusterConflicts(labels, profiles), linked);
  lap('cluster');
  const reviews = pairs.filter((p) => p.outcome === 'review');
  return {
    labels,
    compared,
    kept: pairs.length,
    links: pairs.length - reviews.length,
    reviews: reviews.length,
    reviewsTrue: reviews.filter((p) => data[p.a].person === data[p.b].person).length,
    ms,
  };
}

if (require.main === module) {
  const arg = (name: string, def: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : def;
  };
  const persons = Number(arg('persons', '10000'));
  const data = generateLabelled(persons, Number(arg('seed', '7')));
  const truth = Int32Array.from(data.map((d) => d.person));
  const t0 = performance.now();
  const base = exactBaseline(data);
  const baseMs = performance.now() - t0;
  const run = runBulk(data, defaultModel(), Number(arg('max-block', '100')), !process.argv.includes('--no-tf'));
  const f = (x: ReturnType<typeof pairwiseScores>) => `P ${x.precision.toFixed(4)} R ${x.recall.toFixed(4)} F1 ${x.f1.toFixed(4)} (pred ${x.predictedPairs}, true ${x.truePairs})`;
  console.log(JSON.stringify({ persons, records: data.length, engine: f(pairwiseScores(run.labels, truth)), baseline: f(pairwiseScores(base, truth)), baseMs: Math.round(baseMs), ...run, labels: undefined }, null, 1));
}

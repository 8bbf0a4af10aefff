import { buildProfile, blockIndex, clusterConflicts, clusterIndexed, compareProfiles, countTerms, decide, defaultModel, FIELDS, normaliseCurp, normaliseText, plainKeys, scoreCandidates, scorePair, type Comparison, type MatchModel, type MatchProfile } from '../libs/matching/src/engine';
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
  /** With `analyse`: where the true pairs not put into one cluster were lost, and what the false links are. */
  analysis?: MissAnalysis;
  compared: number;
  kept: number;
  links: number;
  reviews: number;
  reviewsTrue: number;
  ms: Record<string, number>;
}

/**
 * The bulk engine over the labelled records, in memory (the same code as `matching:rebuild`). Options of the
 * command line (`bench/matching-quality.ts`): `--analyse` (where the missed true pairs were lost, what the
 * false links are; `analyse`), `--date-conflicts` (full birth dates that disagree as cluster conflicts, a
 * variant of `clusterConflicts` measured here only), `--set path=json` (a model variant).
 */
export function runBulk(data: LabelledVictim[], model: MatchModel = defaultModel(), maxBlock = 100, useTf = true, analyse = false): QualityRun {
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
  if (!process.argv.includes('--no-conflicts')) {
    const conflicts = clusterConflicts(labels, profiles);
    // --date-conflicts: also full birth dates that disagree (a proposal for bulk.ts `conflicting`, measured here)
    if (process.argv.includes('--date-conflicts')) conflicts.push(...dateConflicts(labels, profiles));
    labels = clusterIndexed(data.length, [], conflicts, linked);
  }
  lap('cluster');
  const reviews = pairs.filter((p) => p.outcome === 'review');
  const analysis = analyse ? analyseMisses(data, profiles, ix, maxBlock, model, tf, labels, linked) : undefined;
  if (analyse) lap('analysis');
  return {
    labels,
    ...(analysis ? { analysis } : {}),
    compared,
    kept: pairs.length,
    links: pairs.length - reviews.length,
    reviews: reviews.length,
    reviewsTrue: reviews.filter((p) => data[p.a].person === data[p.b].person).length,
    ms,
  };
}

/** Pairs of one automatic cluster whose full birth dates both exist and disagree (`compareBirth` = `disagree`) and whose CURPs are not equal. */
function dateConflicts(labels: Int32Array, profiles: ReadonlyArray<MatchProfile | null>, maxCluster = 200): Array<[number, number]> {
  const members = new Map<number, number[]>();
  labels.forEach((l, i) => (members.get(l) ?? members.set(l, []).get(l)!).push(i));
  const out: Array<[number, number]> = [];
  for (const m of members.values()) {
    if (m.length < 2 || m.length > maxCluster) continue;
    for (let x = 0; x < m.length; x++)
      for (let y = x + 1; y < m.length; y++) {
        const a = profiles[m[x]];
        const b = profiles[m[y]];
        if (!a?.birthDate || !b?.birthDate) continue;
        const c = compareProfiles(a, b);
        if (c.birthDate === 'disagree' && c.curp !== 'exact') out.push([m[x], m[y]]);
      }
  }
  return out;
}

/** Comparison levels as one pattern string (field order of `FIELDS`, `-` for missing). */
const pattern = (c: Comparison) => FIELDS.map((f) => (c[f] === 'missing' ? '-' : c[f])).join(' ');

export interface MissAnalysis {
  truePairs: number;
  /** True pairs by how the pair itself was scored: never compared (no shared block ≤ maxBlock), below the lower threshold, review band, link. */
  byPairOutcome: Record<string, number>;
  /** True pairs not in one cluster, by the pair's own outcome. */
  missedByOutcome: Record<string, number>;
  /** Missed true pairs never compared, by the decision their weight would have given. */
  notComparedWouldBe: Record<string, number>;
  /** Most frequent level patterns of the missed true pairs (outcome | pattern → count, mean weight). */
  missedPatterns: Array<{ outcome: string; pattern: string; count: number; meanWeight: number }>;
  /** False pairs inside automatic clusters by first-name level, CURP level and birth disagreement. */
  falsePairs: Record<string, number>;
  /**
   * Automatic links between different persons, by `rel` (persons generated together: ids ≤ 1 apart) or `str`
   * (strangers) and level pattern, with the mean first-name and surname weights.
   */
  falseLinks: { total: number; relatives: number; patterns: Array<{ pattern: string; count: number; meanWeight: number; meanNameWeights: number[] }> };
}

/**
 * Analysis of the labelled run (optional, `--analyse`): every true pair (two records of one person) is
 * compared and scored directly, and whether the bulk engine could have compared it (a shared block of at
 * most `maxBlock` records) is checked. Levels and counts only: no name, date or CURP is printed.
 */
function analyseMisses(
  data: LabelledVictim[],
  profiles: Array<MatchProfile | null>,
  ix: ReturnType<typeof blockIndex>,
  maxBlock: number,
  model: MatchModel,
  tf: ReturnType<typeof countTerms> | undefined,
  labels: Int32Array,
  linked: Array<{ a: number; b: number; score: number }>,
): MissAnalysis {
  const byPerson = new Map<number, number[]>();
  data.forEach((v, i) => (byPerson.get(v.person) ?? byPerson.set(v.person, []).get(v.person)!).push(i));
  const sharesBlock = (i: number, j: number) => {
    for (let x = ix.recordStart[i]; x < ix.recordStart[i + 1]; x++) {
      const k = ix.recordKeys[x];
      if (ix.blockStart[k + 1] - ix.blockStart[k] > maxBlock) continue;
      for (let y = ix.recordStart[j]; y < ix.recordStart[j + 1]; y++) if (ix.recordKeys[y] === k) return true;
    }
    return false;
  };
  const byPairOutcome: Record<string, number> = {};
  const missedByOutcome: Record<string, number> = {};
  const pat = new Map<string, { n: number; w: number }>();
  const notComparedWouldBe: Record<string, number> = { link: 0, review: 0, none: 0 };
  let truePairs = 0;
  for (const recs of byPerson.values()) {
    for (let x = 0; x < recs.length; x++) {
      for (let y = x + 1; y < recs.length; y++) {
        const i = recs[x];
        const j = recs[y];
        const pa = profiles[i];
        const pb = profiles[j];
        truePairs++;
        if (!pa || !pb) continue;
        const c = compareProfiles(pa, pb);
        const w = scorePair(model, pa, pb, c, tf).total;
        const outcome = sharesBlock(i, j) ? decide(model, w) : 'not-compared';
        byPairOutcome[outcome] = (byPairOutcome[outcome] ?? 0) + 1;
        if (labels[i] === labels[j]) continue;
        missedByOutcome[outcome] = (missedByOutcome[outcome] ?? 0) + 1;
        if (outcome === 'not-compared') notComparedWouldBe[decide(model, w)]++;
        const key = `${outcome}|${pattern(c)}`;
        const e = pat.get(key) ?? { n: 0, w: 0 };
        e.n++;
        e.w += w;
        pat.set(key, e);
      }
    }
  }
  const fl = new Map<string, { n: number; w: number }>();
  const fwSum = new Map<string, [number, number]>();
  let falseTotal = 0;
  let relatives = 0;
  for (const l of linked) {
    if (data[l.a].person === data[l.b].person) continue;
    falseTotal++;
    if (Math.abs(data[l.a].person - data[l.b].person) <= 1) relatives++;
    const c = compareProfiles(profiles[l.a]!, profiles[l.b]!);
    const sw = scorePair(model, profiles[l.a]!, profiles[l.b]!, c, tf).weights;
    // relative or stranger, the pattern, and the mean weight of the name fields
    const key = `${Math.abs(data[l.a].person - data[l.b].person) <= 1 ? 'rel' : 'str'} ${pattern(c)}`;
    const nw = fwSum.get(key) ?? [0, 0];
    nw[0] += sw.firstName;
    nw[1] += sw.surnames;
    fwSum.set(key, nw);
    const e = fl.get(key) ?? { n: 0, w: 0 };
    e.n++;
    e.w += l.score;
    fl.set(key, e);
  }
  // False pairs inside the automatic clusters (what pairwise precision counts), by the levels of the pair itself.
  const members = new Map<number, number[]>();
  labels.forEach((l, i) => (members.get(l) ?? members.set(l, []).get(l)!).push(i));
  const falsePairs: Record<string, number> = {};
  for (const m of members.values()) {
    if (m.length < 2 || m.length > 200) continue;
    for (let x = 0; x < m.length; x++)
      for (let y = x + 1; y < m.length; y++) {
        if (data[m[x]].person === data[m[y]].person) continue;
        const c = compareProfiles(profiles[m[x]]!, profiles[m[y]]!);
        const k = `first:${c.firstName} curp:${c.curp} birth:${c.birthDate === 'disagree' ? 'disagree' : 'other'}`;
        falsePairs[k] = (falsePairs[k] ?? 0) + 1;
      }
  }
  const top = <T>(m: Map<string, { n: number; w: number }>, f: (k: string, v: { n: number; w: number }) => T, n = 150) =>
    [...m.entries()].sort((a, b) => b[1].n - a[1].n).slice(0, n).map(([k, v]) => f(k, v));
  return {
    truePairs,
    byPairOutcome,
    missedByOutcome,
    notComparedWouldBe,
    missedPatterns: top(pat, (k, v) => {
      const [outcome, pattern] = k.split('|');
      return { outcome, pattern, count: v.n, meanWeight: Math.round((v.w / v.n) * 100) / 100 };
    }),
    falsePairs,
    falseLinks: { total: falseTotal, relatives, patterns: top(fl, (pattern, v) => ({ pattern, count: v.n, meanWeight: Math.round((v.w / v.n) * 100) / 100, meanNameWeights: fwSum.get(pattern)!.map((x) => Math.round((x / v.n) * 100) / 100) }), 40) },
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
  // --set path=json (repeatable): a model variant for comparisons, e.g. --set thresholds.upper=15
  const model = defaultModel();
  process.argv.forEach((a, i) => {
    if (a !== '--set') return;
    const [path, value] = process.argv[i + 1].split('=');
    const keys = path.split('.');
    let o = model as unknown as Record<string, unknown>;
    for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
    o[keys[keys.length - 1]] = JSON.parse(value);
  });
  const run = runBulk(data, model, Number(arg('max-block', '100')), !process.argv.includes('--no-tf'), process.argv.includes('--analyse'));
  const f = (x: ReturnType<typeof pairwiseScores>) => `P ${x.precision.toFixed(4)} R ${x.recall.toFixed(4)} F1 ${x.f1.toFixed(4)} (pred ${x.predictedPairs}, true ${x.truePairs})`;
  console.log(JSON.stringify({ persons, records: data.length, engine: f(pairwiseScores(run.labels, truth)), baseline: f(pairwiseScores(base, truth)), baseMs: Math.round(baseMs), ...run, labels: undefined }, null, 1));
}

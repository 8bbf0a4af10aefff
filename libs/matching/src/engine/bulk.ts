import { blockingKeys } from './blocking';
import { type Comparison, compareCurp, compareProfiles } from './compare';
import { type Decision, type MatchModel, type TermFrequencies, decide, profileTerms, scorePair } from './model';
import type { MatchProfile } from './profile';

/**
 * Bulk matching of many profiles at once (full rebuild, benchmark). Records are numbered 0…n−1.
 *
 * 1. `blockIndex`: the blocking keys of every record (plaintext or keyed hashes; only equality matters)
 *    are numbered and laid out as compressed arrays (record → keys, key → members, members sorted).
 * 2. `scoreCandidates`: for each record i, every member j > i of each of its blocks of at most `maxBlock`
 *    records is compared once (a marker array removes the pairs found through several keys); pairs are
 *    scored with `scorePair` (term-frequency adjusted) and only those reaching the lower threshold are
 *    kept. Memory is O(keys + kept pairs), time O(Σ block²) over the blocks kept.
 * 3. `clusterIndexed`: union-find with reviewer constraints (same as `clusterRecords`).
 */
export interface BlockIndex {
  n: number;
  blocks: number;
  recordStart: Int32Array;
  recordKeys: Int32Array;
  blockStart: Int32Array;
  blockMembers: Int32Array;
}

export function blockIndex(keysOf: ReadonlyArray<readonly string[]>): BlockIndex {
  const b = new BlockIndexBuilder();
  for (const keys of keysOf) b.add(keys);
  return b.build();
}

/**
 * Builds a `BlockIndex` record by record: keys are numbered as they arrive (only the key → number map and
 * growing typed arrays are kept, not the key strings of every record), so a rebuild of a million records
 * does not hold ten million key strings on the heap.
 */
export class BlockIndexBuilder {
  private readonly ids = new Map<string, number>();
  private starts: Int32Array<ArrayBuffer> = new Int32Array(1024);
  private keys: Int32Array<ArrayBuffer> = new Int32Array(8192);
  private n = 0;
  private total = 0;

  /** Adds the next record (number = records added so far) with its keys. */
  add(keys: readonly string[]): number {
    if (this.n + 2 > this.starts.length) this.starts = grow(this.starts, this.n + 2);
    if (this.total + keys.length > this.keys.length) this.keys = grow(this.keys, this.total + keys.length);
    this.starts[this.n] = this.total;
    for (const k of keys) {
      let id = this.ids.get(k);
      if (id === undefined) this.ids.set(k, (id = this.ids.size));
      this.keys[this.total++] = id;
    }
    this.starts[this.n + 1] = this.total;
    return this.n++;
  }

  get records(): number {
    return this.n;
  }

  build(): BlockIndex {
    const n = this.n;
    const total = this.total;
    const recordStart = this.starts.slice(0, n + 1);
    const recordKeys = this.keys.slice(0, total);
    const blocks = this.ids.size;
    this.ids.clear();
    const blockStart = new Int32Array(blocks + 1);
    for (let x = 0; x < total; x++) blockStart[recordKeys[x] + 1]++;
    for (let b = 0; b < blocks; b++) blockStart[b + 1] += blockStart[b];
    const fill = blockStart.slice(0, blocks);
    const blockMembers = new Int32Array(total);
    for (let i = 0; i < n; i++) for (let x = recordStart[i]; x < recordStart[i + 1]; x++) blockMembers[fill[recordKeys[x]]++] = i;
    return { n, blocks, recordStart, recordKeys, blockStart, blockMembers };
  }
}

function grow(a: Int32Array<ArrayBuffer>, min: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(Math.max(min, a.length * 2));
  b.set(a);
  return b;
}

/** Plaintext blocking keys of each profile (`type\0value`), for in-memory use; the database stores HMACs. */
export function plainKeys(profiles: ReadonlyArray<MatchProfile | null>): string[][] {
  return profiles.map((p) => (p ? blockingKeys(p).map((k) => `${k.type}\0${k.value}`) : []));
}

/** Term counts of a set of profiles (for the term-frequency adjustment). */
export function countTerms(profiles: ReadonlyArray<MatchProfile | null>): TermFrequencies {
  const counts = new Map<string, number>();
  let total = 0;
  for (const p of profiles) {
    if (!p) continue;
    total++;
    for (const t of profileTerms(p)) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  return { total, count: (t) => counts.get(t) ?? 0 };
}

export interface BulkPair {
  a: number;
  b: number;
  score: number;
  levels: Comparison;
  outcome: Decision;
}

export interface ScoreOptions {
  model: MatchModel;
  tf?: TermFrequencies;
  /** Blocks with more records than this are skipped (not discriminating). */
  maxBlock: number;
  /** Only records i with from ≤ i < to are taken as the left side (for progress / slicing). */
  from?: number;
  to?: number;
  /** Called with every comparison vector (EM estimation). */
  collect?: (c: Comparison) => void;
}

export function scoreCandidates(
  profiles: ReadonlyArray<MatchProfile | null>,
  ix: BlockIndex,
  opts: ScoreOptions,
  marker: Int32Array = new Int32Array(ix.n).fill(-1),
): { pairs: BulkPair[]; compared: number; skippedBlocks: number } {
  const pairs: BulkPair[] = [];
  let compared = 0;
  let skippedBlocks = 0;
  const lower = opts.model.thresholds.lower;
  const to = Math.min(opts.to ?? ix.n, ix.n);
  for (let i = opts.from ?? 0; i < to; i++) {
    const pa = profiles[i];
    if (!pa) continue;
    for (let x = ix.recordStart[i]; x < ix.recordStart[i + 1]; x++) {
      const k = ix.recordKeys[x];
      const s = ix.blockStart[k];
      const e = ix.blockStart[k + 1];
      if (e - s > opts.maxBlock) {
        skippedBlocks++;
        continue;
      }
      for (let y = s; y < e; y++) {
        const j = ix.blockMembers[y];
        if (j <= i || marker[j] === i) continue;
        marker[j] = i;
        const pb = profiles[j];
        if (!pb) continue;
        compared++;
        const levels = compareProfiles(pa, pb);
        if (opts.collect) opts.collect(levels);
        const sc = scorePair(opts.model, pa, pb, levels, opts.tf);
        if (sc.total >= lower) pairs.push({ a: i, b: j, score: sc.total, levels, outcome: decide(opts.model, sc.total) });
      }
    }
  }
  return { pairs, compared, skippedBlocks };
}

/**
 * Union-find clustering of records 0…n−1: `mustLink` edges (reviewer `same_person`) first, then
 * `links` by decreasing score; an edge that would join two records with a `cannotLink`
 * (`different_persons`) constraint is skipped. Returns the cluster label (smallest member) of each record.
 */
export function clusterIndexed(
  n: number,
  mustLink: ReadonlyArray<readonly [number, number]>,
  cannotLink: ReadonlyArray<readonly [number, number]>,
  links: ReadonlyArray<{ a: number; b: number; score: number }>,
): Int32Array {
  const parent = new Int32Array(n);
  const size = new Int32Array(n).fill(1);
  for (let i = 0; i < n; i++) parent[i] = i;
  const cannot = new Map<number, number[]>();
  for (const [a, b] of cannotLink) {
    (cannot.get(a) ?? cannot.set(a, []).get(a)!).push(b);
    (cannot.get(b) ?? cannot.set(b, []).get(b)!).push(a);
  }
  /** Constrained records of each root's cluster. */
  const constrained = new Map<number, number[]>();
  for (const a of cannot.keys()) constrained.set(a, [a]);
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== r) r = parent[r];
    while (parent[x] !== r) {
      const nx = parent[x];
      parent[x] = r;
      x = nx;
    }
    return r;
  };
  const union = (a: number, b: number) => {
    let ra = find(a);
    let rb = find(b);
    if (ra === rb) return;
    const ca = constrained.get(ra);
    const cb = constrained.get(rb);
    if (ca && cb) {
      const [small, otherRoot] = ca.length <= cb.length ? [ca, rb] : [cb, ra];
      for (const x of small) for (const y of cannot.get(x)!) if (find(y) === otherRoot) return;
    }
    if (size[ra] < size[rb]) [ra, rb] = [rb, ra];
    parent[rb] = ra;
    size[ra] += size[rb];
    const merged = ca && cb ? ca.concat(cb) : (ca ?? cb);
    constrained.delete(rb);
    if (merged) constrained.set(ra, merged);
  };
  for (const [a, b] of mustLink) union(a, b);
  const order = [...links].sort((x, y) => y.score - x.score || x.a - y.a || x.b - y.b);
  for (const e of order) union(e.a, e.b);
  const label = new Int32Array(n);
  const smallest = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const r = find(i);
    const s = smallest.get(r);
    if (s === undefined) smallest.set(r, i);
    label[i] = s ?? i;
  }
  return label;
}

/**
 * Conflicts inside automatic clusters: pairs of records of one cluster whose CURPs are both present and
 * differ in more than one character (full birth dates that disagree were tried too: they cost more
 * recall than they gained precision, since dates carry more typos). Transitive links can join such records (A~B, B~C, A≠C); re-clustering with these pairs as
 * `cannotLink` constraints keeps the strongest links and drops the weakest one that joined them.
 * Only clusters of at most `maxCluster` records are checked pairwise.
 */
export function clusterConflicts(labels: Int32Array, profiles: ReadonlyArray<MatchProfile | null>, maxCluster = 200): Array<[number, number]> {
  const members = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === i) continue;
    const m = members.get(labels[i]);
    if (m) m.push(i);
    else members.set(labels[i], [labels[i], i]);
  }
  const out: Array<[number, number]> = [];
  for (const m of members.values()) {
    if (m.length > maxCluster) continue;
    for (let x = 0; x < m.length; x++) {
      for (let y = x + 1; y < m.length; y++) {
        const a = profiles[m[x]];
        const b = profiles[m[y]];
        if (a && b && conflicting(a, b)) out.push([m[x], m[y]]);
      }
    }
  }
  return out;
}

/** Strong evidence of two different persons: CURPs (official unique ids) more than one character apart. */
export function conflicting(a: MatchProfile, b: MatchProfile): boolean {
  return compareCurp(a.curp, b.curp) === 'disagree';
}

/**
 * Candidate generation for CLK comparison: Hamming LSH by bit sampling. `bands` groups of `rows` bit
 * positions (fixed pseudo-random positions, public: they reveal nothing without the secret); two
 * filters are candidates when all sampled bits of at least one band are equal. Two filters agreeing on
 * a fraction q of their bits collide with probability 1 − (1 − q^rows)^bands: for similar names
 * (q ≈ 0.9) almost always, for unrelated names (q ≈ 0.6) almost never. The server stores the band
 * values only as keyed hashes.
 */
export interface LshParams {
  bands: number;
  rows: number;
  bits: number;
  seed: number;
}

export const DEFAULT_LSH: LshParams = { bands: 32, rows: 24, bits: 1024, seed: 20261204 };

const cache = new Map<string, number[][]>();

/** The sampled positions of each band (deterministic for the parameters). */
export function lshPositions(p: LshParams = DEFAULT_LSH): number[][] {
  const id = `${p.bands}/${p.rows}/${p.bits}/${p.seed}`;
  let pos = cache.get(id);
  if (!pos) {
    let a = p.seed >>> 0;
    const rnd = () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    pos = [];
    for (let b = 0; b < p.bands; b++) {
      const set = new Set<number>();
      while (set.size < p.rows) set.add(Math.floor(rnd() * p.bits));
      pos.push([...set].sort((x, y) => x - y));
    }
    cache.set(id, pos);
  }
  return pos;
}

/** One value per band: `<band>:<sampled bits as 0/1>`, to be stored only as a keyed hash. */
export function lshBands(filter: Uint8Array, p: LshParams = DEFAULT_LSH): string[] {
  return lshPositions(p).map((ps, b) => {
    let s = `${b}:`;
    for (const q of ps) s += (filter[q >> 3] >> (7 - (q & 7))) & 1;
    return s;
  });
}

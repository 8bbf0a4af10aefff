/**
 * Scoring of CLK pairs (issue 7, privacy-preserving matching): at least one side submitted only a
 * Bloom-filter encoding of its names, so names are compared as one field through the Sørensen–Dice
 * coefficient of the two CLKs, and the pseudonymous fields every victim record carries in plaintext
 * (birth date or age, sex) are compared like the main engine does. The weights are Fellegi–Sunter
 * weights log2(m/u) in bits, so the main thresholds (upper 14 = link, lower 6 = review) apply.
 * Self-contained on purpose (the main engine's model may change independently); documented in
 * docs/matching.md § CLK.
 */

/** Levels of the `clk` field (names compared through their encodings). */
export type ClkLevel = 'exact' | 'close' | 'partial' | 'disagree';
export type ClkDateLevel = 'exact' | 'swap' | 'year' | 'approx' | 'disagree' | 'missing';

export const CLK_MODEL = {
  version: 'clk-2026-12-04.1',
  /** Dice lower bounds of the name levels. */
  dice: { exact: 0.97, close: 0.86, partial: 0.72 },
  /** Weights (bits) per level; `missing` weighs 0. */
  weights: {
    clk: { exact: 10.2, close: 9.0, partial: 1.0, disagree: -11.0 },
    birthDate: { exact: 11.97, swap: 9.23, year: 6.64, approx: 2.94, disagree: -5.04 },
    sex: { exact: 0.83, disagree: -4.49 },
  },
  thresholds: { upper: 14, lower: 6 },
} as const;

/** Plaintext pseudonymous fields of a record (its `data`). */
export interface ClkSide {
  birthDate: string | null;
  birthYear: number | null;
  sex: 'female' | 'male' | null;
}

export function clkSide(d: Record<string, unknown>): ClkSide {
  const birthDate = typeof d.birthDate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d.birthDate) ? d.birthDate : null;
  let birthYear = birthDate ? Number(birthDate.slice(0, 4)) : null;
  if (birthYear === null && typeof d.ageAtEvent === 'number') {
    const at = (typeof d.eventDate === 'string' && d.eventDate) || (typeof d.identifiedOn === 'string' && d.identifiedOn) || null;
    if (at) birthYear = Number(at.slice(0, 4)) - d.ageAtEvent;
  }
  const sex = d.sex === 'female' || d.sex === 'male' ? d.sex : null;
  return { birthDate, birthYear, sex };
}

export function clkLevel(d: number): ClkLevel {
  const t = CLK_MODEL.dice;
  return d >= t.exact ? 'exact' : d >= t.close ? 'close' : d >= t.partial ? 'partial' : 'disagree';
}

export function compareClkBirth(a: ClkSide, b: ClkSide): ClkDateLevel {
  if (a.birthDate && b.birthDate) {
    if (a.birthDate === b.birthDate) return 'exact';
    const [ya, ma, da] = a.birthDate.split('-');
    const [yb, mb, db] = b.birthDate.split('-');
    if (ya === yb && ma === db && da === mb) return 'swap';
    if (ma === mb && da === db && Math.abs(Number(ya) - Number(yb)) <= 1) return 'year';
    return 'disagree';
  }
  if (a.birthYear !== null && b.birthYear !== null) return Math.abs(a.birthYear - b.birthYear) <= 1 ? 'approx' : 'disagree';
  return 'missing';
}

export interface ClkComparison {
  /** Names through the CLKs; the plaintext name fields are not compared (`missing`). */
  clk: ClkLevel;
  firstName: 'missing';
  surnames: 'missing';
  curp: 'missing';
  birthDate: ClkDateLevel;
  sex: 'exact' | 'disagree' | 'missing';
}

export function scoreClkPair(diceValue: number, a: ClkSide, b: ClkSide): { levels: ClkComparison; score: number; outcome: 'link' | 'review' | 'none' } {
  const w = CLK_MODEL.weights;
  const levels: ClkComparison = {
    clk: clkLevel(diceValue),
    firstName: 'missing',
    surnames: 'missing',
    curp: 'missing',
    birthDate: compareClkBirth(a, b),
    sex: !a.sex || !b.sex ? 'missing' : a.sex === b.sex ? 'exact' : 'disagree',
  };
  const score =
    w.clk[levels.clk] + (levels.birthDate === 'missing' ? 0 : w.birthDate[levels.birthDate]) + (levels.sex === 'missing' ? 0 : w.sex[levels.sex]);
  const rounded = Math.round(score * 100) / 100;
  const outcome = rounded >= CLK_MODEL.thresholds.upper ? 'link' : rounded >= CLK_MODEL.thresholds.lower ? 'review' : 'none';
  return { levels, score: rounded, outcome };
}

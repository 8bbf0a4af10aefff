import type { MatchProfile } from './profile';
import { spanishPhonetic } from './phonetic';
import { hamming, jaroWinkler, withinOneEdit } from './similarity';

export type NameLevel = 'exact' | 'close' | 'partial' | 'disagree' | 'missing';
export type SurnameLevel = 'exact' | 'swapped' | 'close' | 'partial' | 'mixed' | 'disagree' | 'missing';
export type DateLevel = 'exact' | 'swap' | 'year' | 'approx' | 'disagree' | 'missing';
export type CurpLevel = 'exact' | 'close' | 'disagree' | 'missing';
export type SexLevel = 'exact' | 'disagree' | 'missing';

/** Agreement level of every compared field: the comparison vector of a pair. */
export interface Comparison {
  firstName: NameLevel;
  surnames: SurnameLevel;
  birthDate: DateLevel;
  curp: CurpLevel;
  sex: SexLevel;
}
export type FieldName = keyof Comparison;
export const FIELDS: FieldName[] = ['firstName', 'surnames', 'birthDate', 'curp', 'sex'];

/** Close: Jaro–Winkler ≥ 0.92, same Spanish phonetic code, or one edit (one-letter typo). */
export function closeTokens(a: string, b: string): boolean {
  if (a === b) return true;
  let row = CLOSE_CACHE.get(a);
  if (!row) {
    if (CLOSE_CACHE.size > 200_000) CLOSE_CACHE.clear();
    CLOSE_CACHE.set(a, (row = new Map()));
  }
  const hit = row.get(b);
  if (hit !== undefined) return hit;
  const close = spanishPhonetic(a) === spanishPhonetic(b) || (Math.min(a.length, b.length) >= 4 && withinOneEdit(a, b)) || jaroWinkler(a, b) >= 0.92;
  if (row.size < 10_000) row.set(b, close);
  return close;
}
/** Token pairs already decided (the vocabulary of names is small compared with the number of pairs). */
const CLOSE_CACHE = new Map<string, Map<string, boolean>>();

type TokenLevel = 'exact' | 'close' | null;

function firstTokenLevel(a: { token: string; forms: string[] }, b: { token: string; forms: string[] }): TokenLevel {
  if (a.token === b.token) return 'exact';
  for (const fa of a.forms) for (const fb of b.forms) if (fa === fb) return 'close';
  for (const fa of a.forms) for (const fb of b.forms) if (closeTokens(fa, fb)) return 'close';
  return null;
}

/**
 * First names: every token of the shorter name must match a distinct token of the longer one (so
 * "Lupita" matches "María Guadalupe", but "María José" does not match "María Guadalupe").
 */
export function compareFirst(a: MatchProfile['first'], b: MatchProfile['first']): NameLevel {
  if (!a.length || !b.length) return 'missing';
  const [s, l] = a.length <= b.length ? [a, b] : [b, a];
  const used = new Set<number>();
  let allExact = a.length === b.length;
  for (const t of s) {
    let best: { j: number; level: TokenLevel } | null = null;
    for (let j = 0; j < l.length; j++) {
      if (used.has(j)) continue;
      const level = firstTokenLevel(t, l[j]);
      if (level === 'exact') {
        best = { j, level };
        break;
      }
      if (level && !best) best = { j, level };
    }
    if (!best) return 'disagree';
    used.add(best.j);
    if (best.level !== 'exact') allExact = false;
  }
  // One name has tokens the other lacks ("María" ~ "María José"): weaker than a spelling variant, since
  // sisters often share the first token of a compound name.
  if (a.length !== b.length) return 'partial';
  return allExact ? 'exact' : 'close';
}

function surnameLevel(a: string, b: string): TokenLevel {
  if (a === b) return 'exact';
  return closeTokens(a, b) ? 'close' : null;
}

/** Surnames in either order; one may be missing. */
export function compareSurnames(a: string[], b: string[]): SurnameLevel {
  if (!a.length || !b.length) return 'missing';
  if (a.length === 2 && b.length === 2) {
    const options = [
      [surnameLevel(a[0], b[0]), surnameLevel(a[1], b[1])],
      [surnameLevel(a[0], b[1]), surnameLevel(a[1], b[0])],
    ];
    const rank = (o: TokenLevel[]) => o.reduce((n, l) => n + (l === 'exact' ? 3 : l === 'close' ? 2 : 0), 0);
    const best = rank(options[0]) >= rank(options[1]) ? options[0] : options[1];
    const agree = best.filter((l) => l !== null).length;
    if (agree === 2 && best.every((l) => l === 'exact')) return best === options[0] ? 'exact' : 'swapped';
    if (agree === 2) return 'close';
    return agree === 1 ? 'mixed' : 'disagree';
  }
  const [s, l] = a.length <= b.length ? [a, b] : [b, a];
  return l.some((x) => surnameLevel(s[0], x) !== null) ? 'partial' : 'disagree';
}

/**
 * Birth dates: exact, day/month swapped, `year` (same day and month, year ±1), `approx` (one side has
 * only a year estimated from the age at the event, within ±1 of the other), disagree.
 */
export function compareBirth(a: MatchProfile, b: MatchProfile): DateLevel {
  if (a.birthDate && b.birthDate) {
    const x = a.birthDate;
    const y = b.birthDate;
    if (x === y) return 'exact';
    // YYYY-MM-DD: compare the parts in place (this runs for every candidate pair)
    const sameYear = x.charCodeAt(0) === y.charCodeAt(0) && x.charCodeAt(1) === y.charCodeAt(1) && x.charCodeAt(2) === y.charCodeAt(2) && x.charCodeAt(3) === y.charCodeAt(3);
    if (sameYear && x.charCodeAt(5) === y.charCodeAt(8) && x.charCodeAt(6) === y.charCodeAt(9) && x.charCodeAt(8) === y.charCodeAt(5) && x.charCodeAt(9) === y.charCodeAt(6)) return 'swap';
    if (x.endsWith(y.slice(4)) && Math.abs((a.birthYear ?? 0) - (b.birthYear ?? 0)) <= 1) return 'year';
    return 'disagree';
  }
  if (a.birthYear !== null && b.birthYear !== null) return Math.abs(a.birthYear - b.birthYear) <= 1 ? 'approx' : 'disagree';
  return 'missing';
}

export function compareCurp(a: string | null, b: string | null): CurpLevel {
  if (!a || !b) return 'missing';
  if (a === b) return 'exact';
  return hamming(a, b) === 1 ? 'close' : 'disagree';
}

export function compareProfiles(a: MatchProfile, b: MatchProfile): Comparison {
  return {
    firstName: compareFirst(a.first, b.first),
    surnames: compareSurnames(a.surnames, b.surnames),
    birthDate: compareBirth(a, b),
    curp: compareCurp(a.curp, b.curp),
    sex: !a.sex || !b.sex ? 'missing' : a.sex === b.sex ? 'exact' : 'disagree',
  };
}

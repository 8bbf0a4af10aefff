import type { MatchProfile } from './profile';
import { spanishPhonetic } from './phonetic';
import { hamming, jaroWinkler, withinOneEdit } from './similarity';

export type NameLevel = 'exact' | 'close' | 'partial' | 'disagree' | 'missing';
export type SurnameLevel = 'exact' | 'swapped' | 'close' | 'partial' | 'mixed' | 'disagree' | 'missing';
export type DateLevel = 'exact' | 'swap' | 'year' | 'age' | 'approx' | 'disagree' | 'missing';
export type CurpLevel = 'exact' | 'close' | 'disagree' | 'missing';
export type SexLevel = 'exact' | 'disagree' | 'missing';
export type CodeLevel = 'exact' | 'disagree' | 'missing';

/** Agreement level of every compared field: the comparison vector of a pair. */
export interface Comparison {
  firstName: NameLevel;
  surnames: SurnameLevel;
  birthDate: DateLevel;
  curp: CurpLevel;
  sex: SexLevel;
  /** Nationalities: `exact` = at least one code in common. */
  nationality: CodeLevel;
  /** State of origin (INEGI code). */
  origin: CodeLevel;
  /** Municipality of origin, compared only when the states of origin agree (else `missing`). */
  originMun: CodeLevel;
}
export type FieldName = keyof Comparison;
export const FIELDS: FieldName[] = ['firstName', 'surnames', 'birthDate', 'curp', 'sex', 'nationality', 'origin', 'originMun'];

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

/** Whole years between a birth date and a date (both YYYY-MM-DD): the age on that date. */
function ageOn(birth: string, on: string): number {
  return Number(on.slice(0, 4)) - Number(birth.slice(0, 4)) - (on.slice(5) < birth.slice(5) ? 1 : 0);
}
/** The birth dates an age on a date allows: (on − years − 1 year, on − years], as [from, to] strings. */
function birthWindow(age: { years: number; on: string }): [string, string] {
  const y = Number(age.on.slice(0, 4)) - age.years;
  return [`${String(y - 1).padStart(4, '0')}${age.on.slice(4)}`, `${String(y).padStart(4, '0')}${age.on.slice(4)}`];
}

/** Two-digit years up to this one are 20YY in a CURP, later ones 19YY (no victim is a hundred years old). */
const CURP_CENTURY_PIVOT = new Date().getUTCFullYear() % 100;

/**
 * The birth date a CURP encodes (characters 5–10, YYMMDD; RENAPO), or null when it is not a valid date.
 * The century is taken from the two-digit year (20YY up to the current year, else 19YY) rather than from
 * the 17th character (digit before 2000, letter from 2000), which is less often transcribed correctly.
 */
export function curpBirthDate(curp: string | null | undefined): string | null {
  if (!curp || curp.length !== 18) return null;
  const yy = curp.slice(4, 6);
  const mm = curp.slice(6, 8);
  const dd = curp.slice(8, 10);
  if (!/^\d{6}$/.test(yy + mm + dd)) return null;
  const y = Number(yy) <= CURP_CENTURY_PIVOT ? 2000 + Number(yy) : 1900 + Number(yy);
  const m = Number(mm);
  const d = Number(dd);
  if (m < 1 || m > 12 || d < 1 || d > 31) return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCMonth() !== m - 1) return null;
  return `${y}-${mm}-${dd}`;
}

/**
 * The birth data of `p` for comparing it with `other`: its own birth date, or — when it has none but a CURP,
 * and `other` has no CURP (otherwise the CURP comparison already carries the date) — the date its CURP encodes.
 */
function birthData(p: MatchProfile, other: MatchProfile): Pick<MatchProfile, 'birthDate' | 'birthYear' | 'age'> {
  if (p.birthDate || !p.curp || other.curp) return p;
  const d = curpBirthDate(p.curp);
  return d ? { birthDate: d, birthYear: Number(d.slice(0, 4)), age: null } : p;
}

/**
 * Birth dates: exact, day/month swapped, `year` (same day and month, year ±1), `age` (one side has only
 * an age at a date and it is exactly consistent with the other side: its birth date gives that age on
 * that date, or both ages allow a common birth date), `approx` (an age-derived year within ±1 of the
 * other, but not exactly consistent — or a profile stored without the age's date), disagree.
 */
export function compareBirth(pa: MatchProfile, pb: MatchProfile): DateLevel {
  const a = birthData(pa, pb);
  const b = birthData(pb, pa);
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
  if (a.birthYear !== null && b.birthYear !== null) {
    if (Math.abs(a.birthYear - b.birthYear) > 1) return 'disagree';
    if (a.birthDate && b.age) return ageOn(a.birthDate, b.age.on) === b.age.years ? 'age' : 'approx';
    if (b.birthDate && a.age) return ageOn(b.birthDate, a.age.on) === a.age.years ? 'age' : 'approx';
    if (a.age && b.age) {
      // Two ages: the birth-date windows (each one year wide, open at the start) overlap.
      const [fa, ta] = birthWindow(a.age);
      const [fb, tb] = birthWindow(b.age);
      return fa < tb && fb < ta ? 'age' : 'approx';
    }
    return 'approx';
  }
  return 'missing';
}

/** Two code sets (nationalities): `exact` when they share a code. */
export function compareCodes(a: readonly string[] | null | undefined, b: readonly string[] | null | undefined): CodeLevel {
  if (!a?.length || !b?.length) return 'missing';
  return a.some((x) => b.includes(x)) ? 'exact' : 'disagree';
}

export function compareCode(a: string | null | undefined, b: string | null | undefined): CodeLevel {
  if (!a || !b) return 'missing';
  return a === b ? 'exact' : 'disagree';
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
    nationality: compareCodes(a.nat, b.nat),
    origin: compareCode(a.origin, b.origin),
    originMun: a.origin && a.origin === b.origin ? compareCode(a.originMun, b.originMun) : 'missing',
  };
}

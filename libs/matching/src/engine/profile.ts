import { canonicalForms, nameTokens, normaliseCurp } from './normalise';

/**
 * The comparison profile of one victim record: normalised, never raw, and stored only encrypted
 * (match_profiles.profile_enc). Built from the record's personal data (names, CURP) and its
 * pseudonymous data (sex, birth date, age at the event).
 */
export interface MatchProfile {
  /** Profile format version. */
  v: 1;
  /** First-name tokens (first and middle names, particles removed), each with its canonical forms. */
  first: Array<{ token: string; forms: string[] }>;
  /** 0–2 surnames, normalised, particles removed ("de la Cruz" → "cruz"). */
  surnames: string[];
  birthDate: string | null;
  /** Birth year: from birthDate, or estimated from ageAtEvent and the event/identification date. */
  birthYear: number | null;
  /** True when birthYear is only an estimate from an age. */
  approxYear: boolean;
  sex: 'female' | 'male' | null;
  curp: string | null;
  /**
   * Nationalities (ISO 3166-1 alpha-3 codes of catalog `country`, sorted; null codes dropped); null when
   * none is known. Absent in profiles stored before model 2026-12-04.2: treated as unknown.
   */
  nat?: string[] | null;
  /** State of origin (INEGI code of catalog `state`, "01"–"32"); null when unknown or born abroad (`NA`). */
  origin?: string | null;
  /** Municipality of origin (INEGI 3-digit code within `origin`); null when unknown. */
  originMun?: string | null;
  /** With an age-derived `birthYear`: the age and the date it refers to (event or identification date). */
  age?: { years: number; on: string } | null;
}

export interface ProfileSource {
  names?: { firstName?: string; middleName?: string; paternalSurname?: string; maternalSurname?: string } | null;
  curp?: string | null;
  sex?: string | null;
  birthDate?: string | null;
  ageAtEvent?: number | null;
  eventDate?: string | null;
  identifiedOn?: string | null;
  nationality?: readonly string[] | null;
  stateOfOrigin?: string | null;
  municipalityOfOrigin?: string | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Null codes of the catalogs (unknown, not applicable, not recorded, withheld): no evidence. */
const NULL_CODES = new Set(['SI', 'NA', 'NR', 'RESERVED']);

/** Builds the profile; null when there is nothing to match on (no name and no CURP). */
export function buildProfile(src: ProfileSource): MatchProfile | null {
  const n = src.names ?? {};
  const first = nameTokens(`${n.firstName ?? ''} ${n.middleName ?? ''}`).map((token) => ({ token, forms: canonicalForms(token) }));
  const pat = nameTokens(n.paternalSurname);
  const mat = nameTokens(n.maternalSurname);
  let surnames: string[];
  if (pat.length >= 2 && !mat.length) surnames = [pat[0], pat.slice(1).join('')];
  else surnames = [pat.join(''), mat.join('')].filter((s) => s.length > 0);
  const curp = normaliseCurp(src.curp);
  const birthDate = src.birthDate && DATE.test(src.birthDate) ? src.birthDate : null;
  let birthYear: number | null = birthDate ? Number(birthDate.slice(0, 4)) : null;
  let approxYear = false;
  let age: MatchProfile['age'] = null;
  if (birthYear === null && typeof src.ageAtEvent === 'number') {
    const at = src.eventDate ?? src.identifiedOn;
    if (at) {
      birthYear = Number(at.slice(0, 4)) - src.ageAtEvent;
      approxYear = true;
      if (DATE.test(at)) age = { years: src.ageAtEvent, on: at };
    }
  }
  const nat = [...new Set((src.nationality ?? []).filter((c) => typeof c === 'string' && /^[A-Z]{3}$/.test(c)))].sort();
  const origin = src.stateOfOrigin && /^\d{2}$/.test(src.stateOfOrigin) && !NULL_CODES.has(src.stateOfOrigin) ? src.stateOfOrigin : null;
  const originMun = origin && src.municipalityOfOrigin && /^\d{3}$/.test(src.municipalityOfOrigin) ? src.municipalityOfOrigin : null;
  const sex = src.sex === 'female' || src.sex === 'male' ? src.sex : null;
  if (!first.length && !surnames.length && !curp) return null;
  return { v: 1, first, surnames, birthDate, birthYear, approxYear, sex, curp, nat: nat.length ? nat : null, origin, originMun, age };
}

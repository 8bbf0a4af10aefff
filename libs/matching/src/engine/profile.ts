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
}

export interface ProfileSource {
  names?: { firstName?: string; middleName?: string; paternalSurname?: string; maternalSurname?: string } | null;
  curp?: string | null;
  sex?: string | null;
  birthDate?: string | null;
  ageAtEvent?: number | null;
  eventDate?: string | null;
  identifiedOn?: string | null;
}

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
  const birthDate = src.birthDate && /^\d{4}-\d{2}-\d{2}$/.test(src.birthDate) ? src.birthDate : null;
  let birthYear: number | null = birthDate ? Number(birthDate.slice(0, 4)) : null;
  let approxYear = false;
  if (birthYear === null && typeof src.ageAtEvent === 'number') {
    const at = src.eventDate ?? src.identifiedOn;
    if (at) {
      birthYear = Number(at.slice(0, 4)) - src.ageAtEvent;
      approxYear = true;
    }
  }
  const sex = src.sex === 'female' || src.sex === 'male' ? src.sex : null;
  if (!first.length && !surnames.length && !curp) return null;
  return { v: 1, first, surnames, birthDate, birthYear, approxYear, sex, curp };
}

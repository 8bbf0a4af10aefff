import diminutivesData from '../../data/diminutives.json';

/**
 * Name normalisation for matching (Spanish / Mexican / Central American names): lower case, accents
 * and diaeresis removed (NFD + strip combining marks; ñ → n), punctuation to spaces, particles
 * (de, del, la, las, los, y, da, van, von, mc) dropped, and short forms mapped to canonical names
 * through data/diminutives.json.
 */
const PARTICLES = new Set(['de', 'del', 'la', 'las', 'los', 'y', 'e', 'da', 'di', 'do', 'dos', 'van', 'von', 'mc', 'san', 'santa']);

const DIMINUTIVES: ReadonlyMap<string, readonly string[]> = new Map(
  Object.entries(diminutivesData as Record<string, unknown>)
    .filter(([k, v]) => !k.startsWith('$') && Array.isArray(v) && v.length > 0)
    .map(([k, v]) => [k, v as string[]]),
);

/** Lower case, no accents, letters and single spaces only. */
export function normaliseText(s: string | null | undefined): string {
  if (!s) return '';
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z\s]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Tokens of a name without particles. "de la Cruz" → ["cruz"]; "María de los Ángeles" → ["maria", "angeles"]. */
export function nameTokens(s: string | null | undefined): string[] {
  return normaliseText(s)
    .split(' ')
    .filter((t) => t.length > 0 && !PARTICLES.has(t));
}

/** Canonical forms of a first-name token: itself, plus the names a diminutive stands for. */
export function canonicalForms(token: string): string[] {
  const d = DIMINUTIVES.get(token);
  return d ? [...d] : [token];
}

/** True when the token is a known short form (Lupita, Pepe, Beto…). */
export const isDiminutive = (token: string): boolean => DIMINUTIVES.has(token);

/** CURP normalised: upper case, alphanumerics only, 18 characters, otherwise null. */
export function normaliseCurp(c: string | null | undefined): string | null {
  if (!c) return null;
  const v = c.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return v.length === 18 ? v : null;
}

/** Codes already computed (the vocabulary of name tokens is small; cleared when it grows past 200,000). */
const PHONETIC_CACHE = new Map<string, string>();

/**
 * A small Spanish-aware phonetic key for one normalised name token (a–z only), so that spellings
 * that sound the same in Mexican Spanish get the same code. Rules, applied left to right:
 *
 * - `h` is silent (dropped), except in `ch` (kept as `C`); `ph` → `f`
 * - `ll` and `y` before a vowel → `y`; `y` elsewhere → `i`
 * - `qu`, `k`, `c` before a/o/u or a consonant → `k`; `c` before e/i, `z`, `s`, `sc` before e/i → `s`
 * - `gu` before e/i → `g`; `g` before e/i → `j`; `j` → `j`
 * - `x` at the start → `j` (Ximena = Jimena, Xavier = Javier); `x` elsewhere → `ks`
 * - `v`, `w` → `b`; `nb` → `mb`; `tz` → `s`
 * - repeated codes collapse (`rr` → `r`, `ss` → `s`)
 *
 * Vowels are kept (they carry most of the information in short Spanish names). Examples:
 * Vázquez/Basques → `baskes`, Jiménez/Giménez/Ximénez → `jimenes`, Hernández/Ernandes → `ernandes`,
 * Yolanda/Llolanda → `yolanda`. Documented in docs/matching.md.
 */
export function spanishPhonetic(token: string): string {
  const hit = PHONETIC_CACHE.get(token);
  if (hit !== undefined) return hit;
  const key = phoneticOf(token);
  if (PHONETIC_CACHE.size > 200_000) PHONETIC_CACHE.clear();
  PHONETIC_CACHE.set(token, key);
  return key;
}

function phoneticOf(token: string): string {
  const s = token;
  const out: string[] = [];
  const vowel = (c: string | undefined) => c !== undefined && 'aeiou'.includes(c);
  const front = (c: string | undefined) => c === 'e' || c === 'i';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const n = s[i + 1];
    switch (c) {
      case 'h':
        break;
      case 'c':
        if (n === 'h') {
          out.push('C');
          i++;
        } else if (front(n)) out.push('s');
        else out.push('k');
        break;
      case 'q':
        out.push('k');
        if (n === 'u') i++;
        break;
      case 'k':
        out.push('k');
        break;
      case 'z':
        out.push('s');
        break;
      case 's':
        if (n === 'c' && front(s[i + 2])) i++;
        out.push('s');
        break;
      case 'g':
        if (n === 'u' && front(s[i + 2])) {
          out.push('g');
          i++;
        } else if (front(n)) out.push('j');
        else out.push('g');
        break;
      case 'x':
        if (i === 0) out.push('j');
        else out.push('k', 's');
        break;
      case 'v':
      case 'w':
      case 'b':
        out.push('b');
        if (out.length >= 2 && out[out.length - 2] === 'n') out[out.length - 2] = 'm';
        break;
      case 'l':
        if (n === 'l') {
          out.push('y');
          i++;
        } else out.push('l');
        break;
      case 'y':
        out.push(vowel(n) ? 'y' : 'i');
        break;
      case 'p':
        if (n === 'h') {
          out.push('f');
          i++;
        } else out.push('p');
        break;
      case 't':
        if (n === 'z') {
          out.push('s');
          i++;
        } else out.push('t');
        break;
      default:
        out.push(c);
    }
  }
  let key = '';
  for (const c of out) if (key[key.length - 1] !== c) key += c;
  return key;
}

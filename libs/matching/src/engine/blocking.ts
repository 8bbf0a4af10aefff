import type { MatchProfile } from './profile';
import { curpBirthDate } from './compare';
import { spanishPhonetic } from './phonetic';

/**
 * Blocking keys of a profile (plaintext here; stored only as keyed hashes, FieldCipher.blindIndex with
 * purpose `match:<type>`). Two records are compared when they share at least one key.
 *
 * - `curp`: the CURP; `curp10`: its first 10 characters (name initials + birth date)
 * - `sn2`: phonetic codes of both surnames, sorted (either order); `sn2-y`: the same + birth year (splits
 *   the blocks of common surname pairs; catches first-name changes)
 * - `sn-y`: phonetic code of each surname + birth year (one surname missing); a year derived from an age
 *   may be one off, so such a profile gives the keys of the three years around it (also for `fn-sn-y`)
 * - `fn-sn`: phonetic code of each canonical first-name form + of each surname (typos in the date)
 * - `fn-sn-y`: the same + birth year (± 1 when the year comes from an age): splits the `fn-sn` blocks of
 *   common names, which are too large to be used
 * - `fn-dm`: phonetic code of each canonical first-name form + birth year + {day, month} unordered
 *   (surnames changed or missing; day/month swaps)
 * - `fn-sn-dm` (model 2026-12-05.1): first-name form + each surname + {day, month} unordered, no year (a
 *   year typo in a common name, whose year-free blocks are over the cap)
 *
 * Without a birth date, the date encoded in the CURP is used for the year and date keys (`curpBirthDate`).
 */
export function blockingKeys(p: MatchProfile): Array<{ type: string; value: string }> {
  const keys = new Map<string, { type: string; value: string }>();
  const add = (type: string, value: string) => keys.set(`${type}\0${value}`, { type, value });
  if (p.curp) {
    add('curp', p.curp);
    add('curp10', p.curp.slice(0, 10));
  }
  const sn = p.surnames.map(spanishPhonetic).filter((s) => s.length > 0);
  if (sn.length === 2) add('sn2', [...sn].sort().join('|'));
  // Without a birth date, the date a CURP encodes (compared with records without a CURP, see `compareBirth`).
  const birthDate = p.birthDate ?? curpBirthDate(p.curp);
  const years = birthDate ? [Number(birthDate.slice(0, 4))] : p.birthYear === null ? [] : p.approxYear ? [p.birthYear - 1, p.birthYear, p.birthYear + 1] : [p.birthYear];
  for (const y of years) for (const s of sn) add('sn-y', `${s}|${y}`);
  if (sn.length === 2) for (const y of years) add('sn2-y', `${[...sn].sort().join('|')}|${y}`);
  const fn = [...new Set(p.first.flatMap((t) => t.forms).map(spanishPhonetic))].filter((s) => s.length > 0);
  for (const f of fn) for (const s of sn) add('fn-sn', `${f}|${s}`);
  // Common name + surname blocks are too large to use: split them by birth year.
  for (const f of fn) for (const s of sn) for (const y of years) add('fn-sn-y', `${f}|${s}|${y}`);
  if (birthDate) {
    const [y, m, d] = birthDate.split('-');
    const dm = [m, d].sort().join('');
    for (const f of fn) add('fn-dm', `${f}|${y}|${dm}`);
    // Without the year (a year typo in a common name, whose year-free blocks are over the cap).
    for (const f of fn) for (const s of sn) add('fn-sn-dm', `${f}|${s}|${dm}`);
  }
  return [...keys.values()];
}

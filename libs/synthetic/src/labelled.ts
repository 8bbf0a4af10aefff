import { prng } from './victims';

/**
 * Labelled synthetic victim records for the matching benchmark (`npm run bench:matching`): persons with
 * ground truth, each registered by 1–5 agencies under perturbed spellings. Never real data.
 *
 * Names follow a heavy-tailed (Zipf) frequency distribution like Mexican names: a head of very common
 * real first names and surnames (María, José, Hernández, García…: a few per cent of people each, so
 * different people share names all the time) and a long tail of rarer surnames built from Spanish /
 * Nahuatl-like syllables. Hard cases, all with ground truth:
 * - families: siblings (same two surnames, other first name, birth date 1–15 years apart), twins (same
 *   birth date), mothers and daughters with the same first name (the daughter's maternal surname is the
 *   mother's paternal one, 17–35 years apart), fathers and sons with the same first name and paternal
 *   surname;
 * - per record (0–3 perturbations): diminutives (Lupita, Pepe, Paco, Chuy…), one token of a compound
 *   first name dropped, surnames swapped, maternal surname missing, a one-letter typo, capitals without
 *   accents, day/month swap, birth year ±1, CURP one character off;
 * - missing fields: CURP only on ~45 % of records, birth date on ~85 % (else 70 % give an age at the event),
 *   sex missing on a few.
 */
export interface LabelledVictim {
  person: number;
  agency: number;
  localId: string;
  names: { firstName: string; middleName?: string; paternalSurname: string; maternalSurname?: string };
  curp?: string;
  sex?: 'female' | 'male';
  birthDate?: string;
  ageAtEvent?: number;
  identifiedOn: string;
  /** ISO 3166-1 alpha-3 codes (catalog `country`); absent = not established on this record. */
  nationality?: string[];
  /** INEGI state code; `NA` for persons born abroad; absent = not recorded. */
  stateOfOrigin?: string;
  /** INEGI 3-digit municipality code within stateOfOrigin; absent = not recorded. */
  municipalityOfOrigin?: string;
}

const FIRST_F = [
  'María', 'Guadalupe', 'Juana', 'Margarita', 'Verónica', 'Leticia', 'Rosa', 'Francisca', 'Teresa', 'Alejandra', 'Patricia', 'Elizabeth', 'Gabriela', 'Adriana',
  'Martha', 'Ana', 'Silvia', 'Laura', 'Claudia', 'Daniela', 'Fernanda', 'Karla', 'Sofía', 'Valeria', 'Ximena', 'Lucía', 'Itzel', 'Brenda', 'Yolanda', 'Araceli',
  'Angélica', 'Norma', 'Gloria', 'Sandra', 'Mónica', 'Carmen', 'Dolores', 'Concepción', 'Esperanza', 'Isabel', 'Beatriz', 'Alicia', 'Lorena', 'Maricela', 'Érika',
  'Diana', 'Paola', 'Andrea', 'Jessica', 'Mariana', 'Jimena', 'Camila', 'Regina', 'Natalia', 'Victoria', 'Montserrat', 'Estefanía', 'Citlali', 'Xóchitl', 'Yesenia',
];
const FIRST_M = [
  'José', 'Juan', 'Luis', 'Carlos', 'Jesús', 'Miguel', 'Francisco', 'Pedro', 'Antonio', 'Alejandro', 'Jorge', 'Manuel', 'Roberto', 'Ricardo', 'Eduardo', 'Fernando',
  'Javier', 'Sergio', 'Daniel', 'Arturo', 'Rafael', 'Guillermo', 'Ignacio', 'Óscar', 'Kevin', 'Brayan', 'Ángel', 'Diego', 'Mario', 'Raúl', 'Enrique', 'Héctor',
  'Alberto', 'Martín', 'Andrés', 'Salvador', 'Gerardo', 'Alfredo', 'Víctor', 'Hugo', 'Joel', 'Iván', 'Emiliano', 'Santiago', 'Mateo', 'Leonardo', 'Sebastián',
];
const SURNAMES = [
  'Hernández', 'García', 'Martínez', 'López', 'González', 'Pérez', 'Rodríguez', 'Sánchez', 'Ramírez', 'Cruz', 'Flores', 'Gómez', 'Morales', 'Vázquez', 'Reyes',
  'Jiménez', 'Torres', 'Díaz', 'Gutiérrez', 'Ruiz', 'Mendoza', 'Aguilar', 'Ortiz', 'Moreno', 'Castillo', 'Romero', 'Álvarez', 'Méndez', 'Chávez', 'Rivera',
  'Juárez', 'Ramos', 'Domínguez', 'Herrera', 'Medina', 'Castro', 'Vargas', 'Guzmán', 'Velázquez', 'Muñoz', 'Rojas', 'de la Cruz', 'Contreras', 'Salazar',
  'Luna', 'Ortega', 'Guerrero', 'Santiago', 'Estrada', 'Bautista', 'Cortés', 'Soto', 'Alvarado', 'Espinoza', 'Lara', 'Ávila', 'Ríos', 'Cervantes', 'Silva',
  'Delgado', 'Vega', 'Márquez', 'Sandoval', 'Fernández', 'León', 'Carrillo', 'Mejía', 'Solís', 'Núñez', 'Rosas', 'Valdez', 'Ibarra', 'Campos', 'Santos',
  'Camacho', 'Navarro', 'Peña', 'Maldonado', 'Rosales', 'Acosta', 'Miranda', 'Trejo', 'Valencia', 'Nava', 'Pacheco', 'Robles', 'Molina', 'Rangel', 'Fuentes',
  'Huerta', 'Padilla', 'Espinosa', 'Cabrera', 'Ayala', 'Escobar', 'Zamora', 'Quintero', 'Tapia', 'Mora', 'Ochoa', 'Zúñiga', 'Galván', 'Villanueva', 'Arellano',
];
const COMPOUND_SECOND_F = ['Guadalupe', 'José', 'Fernanda', 'Isabel', 'Elena', 'Luisa', 'del Carmen', 'de los Ángeles', 'Teresa', 'Alejandra'];
const COMPOUND_SECOND_M = ['Luis', 'Antonio', 'Manuel', 'Alberto', 'Ángel', 'Carlos', 'Eduardo', 'Francisco', 'de Jesús', 'Alejandro'];
const DIMINUTIVE: Record<string, string[]> = {
  Guadalupe: ['Lupita', 'Lupe'], José: ['Pepe', 'Chepe'], Francisco: ['Paco', 'Pancho'], Jesús: ['Chuy', 'Chucho'], María: ['Mari', 'Maru'],
  Eduardo: ['Lalo'], Guillermo: ['Memo'], Ignacio: ['Nacho'], Antonio: ['Toño'], Roberto: ['Beto'], Alberto: ['Beto'], Leticia: ['Lety'],
  Concepción: ['Conchita'], Dolores: ['Lola'], Alejandra: ['Ale'], Fernanda: ['Fer'], Margarita: ['Magui'], Rosa: ['Rosita'], Juana: ['Juanita'],
};
const SYL1 = ['Ca', 'Ma', 'Te', 'Xo', 'Cua', 'Tla', 'Za', 'Ba', 'Lo', 'Mi', 'Hua', 'Pe', 'Ri', 'So', 'Ya', 'Co', 'Ne', 'Tzi', 'Ga', 'Du', 'Al', 'Ar', 'Es', 'Ol', 'Ur'];
const SYL2 = ['ra', 'mo', 'lin', 'can', 'hua', 'ten', 'ri', 'so', 'tel', 'mar', 'gon', 'ver', 'cal', 'pan', 'ni', 'bar', 'dar', 'zal', 'quel', 'bri'];
const SYL3 = ['do', 'les', 'co', 'tl', 'nez', 'ga', 'zo', 'rio', 'llo', 'che', 'dez', 'ta', 'no', 'ñez', 'to', 'ro'];
const TAIL_SURNAMES = SYL1.flatMap((a) => SYL2.flatMap((b) => SYL3.map((c) => a + b + c))); // 8,000
const TAIL_FIRST_F = SYL1.flatMap((a) => SYL2.map((b) => `${a}${b}a`));
const TAIL_FIRST_M = SYL1.flatMap((a) => SYL2.map((b) => `${a}${b}o`));

/** Sampler over `head` with Zipf weights (exponent s) plus a uniform tail holding `tailMass` of the probability. */
function zipf(head: readonly string[], tail: readonly string[], s: number, tailMass: number): (r: () => number) => string {
  const w = head.map((_, i) => 1 / Math.pow(i + 1, s));
  const total = w.reduce((x, y) => x + y, 0);
  const cum: number[] = [];
  let acc = 0;
  for (const x of w) cum.push((acc += ((1 - tailMass) * x) / total));
  return (r) => {
    const x = r();
    if (x >= acc) return tail[Math.floor(r() * tail.length)];
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return head[lo];
  };
}
const surname = zipf(SURNAMES, TAIL_SURNAMES, 0.9, 0.3);
const firstF = zipf(FIRST_F, TAIL_FIRST_F, 1.0, 0.15);
const firstM = zipf(FIRST_M, TAIL_FIRST_M, 1.0, 0.15);

/**
 * Origin of persons (added 2026-12-04 for model 2026-12-04.2; drawn from a separate random stream so that
 * every other field of the records is the same as before for a seed). Nationality: the hotline's victims
 * by nationality (brief §4 T4, "not established" left out: it is a recording gap, see below).
 */
const NATIONALITY: Array<[string, number]> = [
  ['MEX', 67.1], ['HND', 4.4], ['GTM', 3.6], ['COL', 3.5], ['VEN', 2.7], ['USA', 2.5], ['SLV', 2.5], ['BRA', 0.9], ['PER', 0.7],
  ['IND', 0.4], ['PRY', 0.4], ['BLZ', 0.4], ['CUB', 0.3], ['ECU', 0.2], ['ESP', 0.2], ['NIC', 0.2], ['RUS', 0.2],
];
/**
 * State of origin of Mexican victims (INEGI code, weight %): the hotline's top five (T5: Mexico City 27, State
 * of Mexico 11, Veracruz 7, Jalisco 5, Chiapas 4); the remaining 46 % spread over the other states, heavier
 * for the states prominent in the judgments (T43/T44: Puebla, Guanajuato, Tlaxcala, Sonora) and in the
 * trafficking literature (Oaxaca, Guerrero, Michoacán, border and tourist states), 10 % evenly over 14 others.
 */
const ORIGIN_STATE: Array<[string, number]> = [
  ['09', 27], ['15', 11], ['30', 7], ['14', 5], ['07', 4], ['21', 5], ['11', 4], ['20', 4], ['12', 3], ['29', 3], ['16', 3], ['26', 2], ['02', 2],
  ['08', 2], ['19', 2], ['13', 2], ['28', 2], ['23', 2],
  ...['01', '03', '04', '05', '06', '10', '17', '18', '22', '24', '25', '27', '31', '32'].map((c): [string, number] => [c, 10 / 14]),
];
/** Number of municipalities per state (INEGI Marco Geoestadístico, rounded to the current counts). */
const MUNICIPALITIES: Record<string, number> = {
  '01': 11, '02': 7, '03': 5, '04': 13, '05': 38, '06': 10, '07': 124, '08': 67, '09': 16, '10': 39, '11': 46, '12': 85, '13': 84, '14': 125, '15': 125, '16': 113,
  '17': 36, '18': 20, '19': 51, '20': 570, '21': 217, '22': 18, '23': 11, '24': 58, '25': 20, '26': 72, '27': 17, '28': 43, '29': 60, '30': 212, '31': 106, '32': 58,
};
/** Recording on a record: nationality established on 85 % of records, wrong on 1 % of those; state of origin on 75 % (wrong 2 %); municipality on 30 % of records with a state (wrong 5 %). */
export const ORIGIN_RATES = { nationality: 0.85, nationalityError: 0.01, state: 0.75, stateError: 0.02, municipality: 0.3, municipalityError: 0.05 };

function weighted<T>(xs: ReadonlyArray<[T, number]>): (r: () => number) => T {
  const total = xs.reduce((a, [, w]) => a + w, 0);
  return (r) => {
    let x = r() * total;
    for (const [v, w] of xs) if ((x -= w) < 0) return v;
    return xs[xs.length - 1][0];
  };
}
const nationalityOf = weighted(NATIONALITY);
const stateOf = weighted(ORIGIN_STATE);
/** Municipality within a state: Zipf (s = 1) over the state's municipalities (the capital and metropolitan ones first). */
function municipalityOf(r: () => number, state: string): string {
  const n = MUNICIPALITIES[state] ?? 50;
  let h = 0;
  for (let k = 1; k <= n; k++) h += 1 / k;
  let x = r() * h;
  for (let k = 1; k <= n; k++) if ((x -= 1 / k) < 0) return String(k).padStart(3, '0');
  return String(n).padStart(3, '0');
}

interface Person {
  id: number;
  sex: 'female' | 'male';
  first: string;
  middle?: string;
  paternal: string;
  maternal: string;
  birth: [number, number, number];
  state: string;
  homoclave: string;
  nationality: string;
  /** INEGI state and municipality of origin (Mexicans only). */
  origin: string | null;
  originMun: string | null;
}

const CONS = 'BCDFGHJKLMNPQRSTVWXYZ';
const strip = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
const upper = (s: string) => strip(s).toUpperCase().replace(/[^A-Z ]/g, 'X');
const pad = (n: number) => String(n).padStart(2, '0');

function lastWord(s: string): string {
  const w = upper(s).split(' ');
  return w[w.length - 1];
}
function innerConsonant(s: string): string {
  for (let i = 1; i < s.length; i++) if (CONS.includes(s[i])) return s[i];
  return 'X';
}
/** A CURP-shaped identifier computed like a real one (initials, birth date, sex, state, inner consonants). */
export function curpOf(p: Person): string {
  const pa = lastWord(p.paternal);
  const ma = lastWord(p.maternal);
  const fn = upper(p.first).split(' ')[0];
  const vowel = [...pa.slice(1)].find((c) => 'AEIOU'.includes(c)) ?? 'X';
  const [y, m, d] = p.birth;
  return `${pa[0]}${vowel}${ma[0]}${fn[0]}${String(y).slice(2)}${pad(m)}${pad(d)}${p.sex === 'female' ? 'M' : 'H'}${p.state}${innerConsonant(pa)}${innerConsonant(ma)}${innerConsonant(fn)}${p.homoclave}`;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
function typo(r: () => number, s: string): string {
  if (s.length < 4) return s;
  const i = 1 + Math.floor(r() * (s.length - 2));
  const k = r();
  if (k < 0.4) return s.slice(0, i) + LETTERS[Math.floor(r() * 26)] + s.slice(i + 1);
  if (k < 0.7) return s.slice(0, i) + s.slice(i + 1);
  return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
}

const STATES = ['DF', 'MC', 'JC', 'PL', 'VZ', 'GT', 'CS', 'OC', 'GR', 'NL', 'BC', 'CH', 'MN', 'HG', 'TS', 'SP'];

/**
 * Generates the records of `persons` persons (about 1.7 records per person) over `agencies` agencies.
 * Deterministic for a seed. Records of one person always come from different agencies.
 */
export function generateLabelled(persons: number, seed = 7, agencies = 12): LabelledVictim[] {
  const r = prng(seed);
  // origin attributes: a separate stream, so that the other fields stay those of earlier runs of a seed
  const r2 = prng((seed ^ 0x5bd1e995) >>> 0);
  const people: Person[] = [];
  const newPerson = (over: Partial<Person> = {}): Person => {
    const sex: 'female' | 'male' = over.sex ?? (r() < 0.75 ? 'female' : 'male');
    const first = over.first ?? (sex === 'female' ? firstF(r) : firstM(r));
    const pool = sex === 'female' ? COMPOUND_SECOND_F : COMPOUND_SECOND_M;
    const p: Person = {
      id: people.length,
      sex,
      first,
      middle: 'middle' in over ? over.middle : r() < 0.25 ? pool[Math.floor(r() * pool.length)] : undefined,
      paternal: over.paternal ?? surname(r),
      maternal: over.maternal ?? surname(r),
      birth: over.birth ?? [1965 + Math.floor(r() * 45), 1 + Math.floor(r() * 12), 1 + Math.floor(r() * 28)],
      state: over.state ?? STATES[Math.floor(r() * STATES.length)],
      homoclave: `${'0A'[Math.floor(r() * 2)]}${Math.floor(r() * 10)}`,
      nationality: 'MEX',
      origin: null,
      originMun: null,
    };
    // relatives share their family's origin
    if (over.nationality) {
      p.nationality = over.nationality;
      p.origin = over.origin ?? null;
      p.originMun = over.originMun ?? null;
    } else {
      p.nationality = nationalityOf(r2);
      if (p.nationality === 'MEX') {
        p.origin = stateOf(r2);
        p.originMun = municipalityOf(r2, p.origin);
      }
    }
    if (p.middle && strip(p.middle) === strip(p.first)) p.middle = undefined;
    // victims are born 1950–2010
    p.birth[0] = Math.min(2010, Math.max(1950, p.birth[0]));
    people.push(p);
    return p;
  };
  // Parents do not give two children the same given name; "María Guadalupe" and "María José" are fine.
  const distinctSibling = (p: Person, q: Person) => {
    if (strip(q.first) !== strip(p.first)) return;
    const pool = q.sex === 'female' ? COMPOUND_SECOND_F : COMPOUND_SECOND_M;
    const others = pool.filter((x) => x !== p.middle && strip(x) !== strip(q.first));
    q.middle = others[Math.floor(r() * others.length)];
  };
  while (people.length < persons) {
    const p = newPerson();
    const roll = r();
    if (people.length >= persons) break;
    if (roll < 0.06) {
      // sibling: same surnames, another first name, born 1–15 years apart
      const y = p.birth[0] + (r() < 0.5 ? -1 : 1) * (1 + Math.floor(r() * 15));
      distinctSibling(p, newPerson({ paternal: p.paternal, maternal: p.maternal, state: p.state, nationality: p.nationality, origin: p.origin, originMun: p.originMun, birth: [y, 1 + Math.floor(r() * 12), 1 + Math.floor(r() * 28)] }));
    } else if (roll < 0.08) {
      // twin: same surnames and birth date, another first name (same sex half of the time)
      distinctSibling(p, newPerson({ paternal: p.paternal, maternal: p.maternal, state: p.state, nationality: p.nationality, origin: p.origin, originMun: p.originMun, birth: [...p.birth], sex: r() < 0.5 ? p.sex : undefined }));
    } else if (roll < 0.11 && p.sex === 'female') {
      // daughter with her mother's first name
      newPerson({ sex: 'female', first: p.first, middle: p.middle, maternal: p.paternal, state: p.state, nationality: p.nationality, origin: p.origin, originMun: p.originMun, birth: [p.birth[0] + 17 + Math.floor(r() * 19), 1 + Math.floor(r() * 12), 1 + Math.floor(r() * 28)] });
    } else if (roll < 0.13 && p.sex === 'male') {
      // son with his father's first name and paternal surname
      newPerson({ sex: 'male', first: p.first, middle: p.middle, paternal: p.paternal, state: p.state, nationality: p.nationality, origin: p.origin, originMun: p.originMun, birth: [p.birth[0] + 18 + Math.floor(r() * 20), 1 + Math.floor(r() * 12), 1 + Math.floor(r() * 28)] });
    }
  }
  people.length = persons;
  const out: LabelledVictim[] = [];
  for (const p of people) {
    const k = r();
    const n = k < 0.55 ? 1 : k < 0.8 ? 2 : k < 0.93 ? 3 : k < 0.98 ? 4 : 5;
    const used = new Set<number>();
    for (let j = 0; j < n; j++) {
      let a = Math.floor(r() * agencies);
      while (used.has(a)) a = (a + 1) % agencies;
      used.add(a);
      out.push(withOrigin(r2, recordOf(r, p, a, out.length, j > 0 || r() < 0.3), p));
    }
  }
  return out;
}

/** What one agency records of the person's origin (rates: `ORIGIN_RATES`). */
function withOrigin(r: () => number, v: LabelledVictim, p: Person): LabelledVictim {
  const k = ORIGIN_RATES;
  if (r() < k.nationality) {
    let nat = p.nationality;
    if (r() < k.nationalityError) while (nat === p.nationality) nat = nationalityOf(r);
    v.nationality = [nat];
  }
  if (!p.origin) {
    if (v.nationality && v.nationality[0] !== 'MEX') v.stateOfOrigin = 'NA';
    return v;
  }
  if (r() < k.state) {
    let state = p.origin;
    if (r() < k.stateError) while (state === p.origin) state = stateOf(r);
    v.stateOfOrigin = state;
    if (r() < k.municipality) {
      let mun = state === p.origin && p.originMun ? p.originMun : municipalityOf(r, state);
      if (r() < k.municipalityError && (MUNICIPALITIES[state] ?? 2) > 1) {
        const right = mun;
        while (mun === right) mun = municipalityOf(r, state);
      }
      v.municipalityOfOrigin = mun;
    }
  }
  return v;
}

function recordOf(r: () => number, p: Person, agency: number, index: number, perturb: boolean): LabelledVictim {
  const curp = curpOf(p);
  let [y, m, d] = p.birth;
  const names: LabelledVictim['names'] = { firstName: p.first, paternalSurname: p.paternal, maternalSurname: p.maternal };
  if (p.middle) {
    if (r() < 0.5) names.firstName = `${p.first} ${p.middle}`;
    else names.middleName = p.middle;
  }
  const v: LabelledVictim = {
    person: p.id,
    agency,
    localId: `L-${index}`,
    names,
    identifiedOn: `${2019 + Math.floor(r() * 6)}-${pad(1 + Math.floor(r() * 12))}-${pad(1 + Math.floor(r() * 28))}`,
  };
  let curpOut: string | undefined = r() < 0.45 ? curp : undefined;
  let hasDate = r() < 0.85;
  if (perturb) {
    const ops = Math.floor(r() * 4);
    for (let o = 0; o < ops; o++) {
      const op = Math.floor(r() * 10);
      if (op === 0) {
        const d2 = DIMINUTIVE[p.first];
        if (d2) names.firstName = d2[Math.floor(r() * d2.length)] + (names.firstName.includes(' ') && r() < 0.5 ? names.firstName.slice(names.firstName.indexOf(' ')) : '');
      } else if (op === 1) {
        if (names.middleName) delete names.middleName;
        else if (names.firstName.includes(' ')) names.firstName = names.firstName.split(' ')[r() < 0.7 ? 0 : 1];
      } else if (op === 2 && names.maternalSurname) [names.paternalSurname, names.maternalSurname] = [names.maternalSurname, names.paternalSurname];
      else if (op === 3) delete names.maternalSurname;
      else if (op === 4) {
        const f = (['firstName', 'paternalSurname', 'maternalSurname'] as const)[Math.floor(r() * 3)];
        if (names[f]) names[f] = typo(r, names[f]!);
      } else if (op === 5) {
        names.firstName = strip(names.firstName).toUpperCase();
        names.paternalSurname = strip(names.paternalSurname).toUpperCase();
        if (names.maternalSurname) names.maternalSurname = strip(names.maternalSurname).toUpperCase();
      } else if (op === 6 && d <= 12) [m, d] = [d, m];
      else if (op === 7) y += r() < 0.5 ? -1 : 1;
      else if (op === 8 && curpOut) {
        const pos = 13 + Math.floor(r() * 3);
        const c = CONS.replace(curpOut[pos], '');
        curpOut = curpOut.slice(0, pos) + c[Math.floor(r() * c.length)] + curpOut.slice(pos + 1);
      } else if (op === 9) hasDate = false;
    }
  }
  if (curpOut) v.curp = curpOut;
  if (r() < 0.96) v.sex = p.sex;
  if (hasDate) v.birthDate = `${y}-${pad(m)}-${pad(d)}`;
  else if (r() < 0.7) {
    const iy = Number(v.identifiedOn.slice(0, 4));
    v.ageAtEvent = iy - p.birth[0] - (v.identifiedOn.slice(5) < `${pad(p.birth[1])}-${pad(p.birth[2])}` ? 1 : 0);
  }
  return v;
}

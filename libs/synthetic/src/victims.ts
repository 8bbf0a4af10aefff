/**
 * Deterministic synthetic victim records for benchmarks and seeding: realistic Mexican and Central
 * American names, CURP-shaped identifiers, catalog-distributed attributes (most victims female, Mexican,
 * a few foreign; vulnerable groups multi-valued; offenses from the General Law catalog). Never real data.
 */
const FIRST_F = ['María', 'Guadalupe', 'Juana', 'Ana', 'Rosa', 'Fernanda', 'Daniela', 'Karla', 'Alejandra', 'Sofía', 'Valeria', 'Ximena', 'Lucía', 'Itzel', 'Brenda'];
const FIRST_M = ['José', 'Juan', 'Luis', 'Carlos', 'Jesús', 'Miguel', 'Francisco', 'Pedro', 'Óscar', 'Kevin', 'Brayan', 'Ángel'];
const SURNAMES = ['Hernández', 'García', 'Martínez', 'López', 'González', 'Pérez', 'Rodríguez', 'Sánchez', 'Ramírez', 'Cruz', 'Flores', 'Gómez', 'Morales', 'Vázquez', 'Reyes', 'Jiménez', 'Torres', 'Díaz', 'Gutiérrez', 'Ruiz', 'Mendoza', 'Aguilar', 'Ortiz', 'Castillo', 'Chávez', 'de la Cruz'];
const STATES = Array.from({ length: 32 }, (_, i) => String(i + 1).padStart(2, '0'));
const FOREIGN = ['GTM', 'HND', 'SLV', 'VEN', 'COL', 'NIC', 'CUB'];
const GROUPS = ['indigenous', 'lgbtttiq', 'disability', 'migrant_in_transit', 'unaccompanied_child', 'person_in_commercial_sex', 'SI'];
const OFFENSES = ['LGT-10', 'LGT-10-III', 'LGT-13', 'LGT-14', 'LGT-16', 'LGT-21', 'LGT-22', 'LGT-24', 'LGT-28'];
const FORMS = ['sexual', 'labour', 'forced_labour', 'begging', 'servitude'];

/** Small, fast, seedable PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

export interface SyntheticVictim {
  localId: string;
  names: { firstName: string; paternalSurname: string; maternalSurname?: string };
  curp?: string;
  phone?: string;
  sex: string;
  birthDate?: string;
  nationality: string[];
  stateOfOrigin: string;
  vulnerableGroups: string[];
  victimType: string;
  identificationRoute: string;
  identifiedOn: string;
  offenses: string[];
  exploitationForms: string[];
}

/** The i-th synthetic victim of a seed (same seed and index → same record). */
export function syntheticVictim(i: number, seed = 1, prefix = 'SYN'): SyntheticVictim {
  const r = prng(seed * 1_000_003 + i);
  const female = r() < 0.78;
  const foreign = r() < 0.12;
  const year = 1975 + Math.floor(r() * 35);
  const month = 1 + Math.floor(r() * 12);
  const day = 1 + Math.floor(r() * 28);
  const paternal = pick(r, SURNAMES);
  const maternal = pick(r, SURNAMES);
  const first = pick(r, female ? FIRST_F : FIRST_M);
  const state = pick(r, STATES);
  const pad = (n: number) => String(n).padStart(2, '0');
  const groups = r() < 0.5 ? [pick(r, GROUPS)] : r() < 0.3 ? [pick(r, GROUPS.slice(0, 6)), pick(r, GROUPS.slice(0, 6))] : ['SI'];
  const offense = pick(r, OFFENSES);
  return {
    localId: `${prefix}-${i}`,
    names: { firstName: first, paternalSurname: paternal, ...(r() < 0.9 ? { maternalSurname: maternal } : {}) },
    ...(foreign || r() < 0.3
      ? {}
      : {
          curp: `${paternal.replace(/[^A-Z]/gi, 'X').slice(0, 2).toUpperCase()}${maternal.slice(0, 1).toUpperCase().replace(/[^A-Z]/, 'X')}${first.slice(0, 1).toUpperCase().replace(/[^A-Z]/, 'X')}${String(year).slice(2)}${pad(month)}${pad(day)}${female ? 'M' : 'H'}DF${'BCDFGHJKLMNPRSTVZ'[Math.floor(r() * 17)]}${'BCDFGHJKLMNPRSTVZ'[Math.floor(r() * 17)]}${'BCDFGHJKLMNPRSTVZ'[Math.floor(r() * 17)]}0${Math.floor(r() * 10)}`,
        }),
    ...(r() < 0.4 ? { phone: `55${String(Math.floor(r() * 1e8)).padStart(8, '0')}` } : {}),
    sex: female ? 'female' : 'male',
    ...(r() < 0.85 ? { birthDate: `${year}-${pad(month)}-${pad(day)}` } : {}),
    nationality: [foreign ? pick(r, FOREIGN) : 'MEX'],
    stateOfOrigin: foreign ? 'NA' : state,
    vulnerableGroups: [...new Set(groups)],
    victimType: 'direct',
    identificationRoute: pick(r, ['complaint', 'operation', 'hotline', 'labour_inspection', 'migration_verification']),
    identifiedOn: `2024-${pad(1 + Math.floor(r() * 12))}-${pad(1 + Math.floor(r() * 28))}`,
    offenses: offense === 'LGT-10' ? ['LGT-10', pick(r, ['LGT-13', 'LGT-21', 'LGT-22'])] : [offense],
    exploitationForms: [pick(r, FORMS)],
  };
}

import { generateLabelled } from './labelled';
import { prng, syntheticVictim } from './victims';

/**
 * Synthetic registry contents for `npm run cli -- seed:synthetic` and the benchmarks at large sizes:
 * victims of several agencies (identities from the labelled generator: Zipf-distributed names, families,
 * each person registered by 1–5 agencies under perturbed spellings — the cross-agency duplicates the
 * matching engine must find), the other attributes catalog-distributed as in `syntheticVictim`, and
 * cases whose charges and victims reference the victims of their agency. Deterministic for a seed;
 * generated in chunks so a million victims never sit in memory at once. Never real data.
 */
export interface SeedVictimEntry {
  localId: string;
  [field: string]: unknown;
}

export interface SeedChunk {
  /** Victim entries per agency index (0-based), each with a unique localId. */
  victims: Map<number, SeedVictimEntry[]>;
}

const PERSONS_PER_CHUNK = 5_000;

/**
 * Victims in chunks: yields about `PERSONS_PER_CHUNK` persons' records at a time until `total`
 * victims were produced (the last chunk is cut to the exact total). Victim numbers (in the localIds)
 * start at `from`, so a later run can add to an earlier one (use another seed for other persons).
 */
export function* seedVictimChunks(total: number, agencies: number, seed = 1, from = 0): Generator<SeedChunk> {
  let produced = 0;
  for (let chunk = 0; produced < total; chunk++) {
    // The generator spreads a person over up to 5 distinct agencies; with fewer agencies, some of those
    // registrations fold into the same agency (a duplicate within one agency, which also happens).
    const labelled = generateLabelled(PERSONS_PER_CHUNK, seed * 100_003 + chunk, Math.max(agencies, 5));
    const victims = new Map<number, SeedVictimEntry[]>();
    for (const l of labelled) {
      if (produced >= total) break;
      const i = from + produced++;
      // Non-identity attributes (nationality, state, groups, offenses, forms…) from the catalog-distributed generator.
      const base = syntheticVictim(i, seed) as unknown as Record<string, unknown>;
      // Origin: the labelled person's (consistent across its records, as the matching engine compares it);
      // a field the agency did not record carries the null code SI.
      const foreign = l.stateOfOrigin === 'NA' || (l.nationality !== undefined && !l.nationality.includes('MEX'));
      const entry: SeedVictimEntry = {
        localId: `SYN-${String((l.agency % agencies) + 1).padStart(2, '0')}-${i}`,
        names: l.names,
        ...(l.curp && !foreign ? { curp: l.curp } : {}),
        ...(base.phone ? { phone: base.phone } : {}),
        sex: l.sex ?? 'SI',
        // (the family generator can place a child's birth after the identification date: then unknown)
        ...(l.birthDate && l.birthDate < l.identifiedOn ? { birthDate: l.birthDate } : {}),
        ...(l.ageAtEvent !== undefined && l.ageAtEvent >= 0 && l.ageAtEvent <= 120 ? { ageAtEvent: l.ageAtEvent } : {}),
        nationality: l.nationality ?? ['SI'],
        stateOfOrigin: l.stateOfOrigin ?? 'SI',
        ...(l.municipalityOfOrigin ? { municipalityOfOrigin: l.municipalityOfOrigin } : {}),
        vulnerableGroups: base.vulnerableGroups,
        victimType: 'direct',
        identificationRoute: base.identificationRoute,
        identifiedOn: l.identifiedOn,
        offenses: base.offenses,
        exploitationForms: base.exploitationForms,
      };
      const agency = l.agency % agencies;
      const list = victims.get(agency) ?? [];
      list.push(entry);
      victims.set(agency, list);
    }
    yield { victims };
  }
}

/** The agencies of a seed: code, name, kind, jurisdiction (INEGI state code, FED = federal). */
export function seedAgencies(count: number): Array<{ code: string; name: string; kind: string; jurisdiction: string }> {
  const kinds = ['prosecutor', 'prosecutor', 'victim_commission', 'prosecutor', 'shelter', 'hotline'];
  return Array.from({ length: count }, (_, a) => ({
    code: `syn-${String(a + 1).padStart(2, '0')}`,
    name: `Synthetic agency ${a + 1}`,
    kind: kinds[a % kinds.length],
    jurisdiction: a === 0 ? 'FED' : String(((a - 1) % 32) + 1).padStart(2, '0'),
  }));
}

/**
 * The i-th case of an agency, over victims of that agency (their localIds and offenses): one charge per
 * distinct offense of its victims, a few attempted, dates in 2019–2025.
 */
export function seedCase(i: number, agency: number, victims: Array<{ localId: string; offenses: string[] }>, seed = 1): Record<string, unknown> {
  const r = prng(seed * 7_919 + i);
  const pad = (n: number) => String(n).padStart(2, '0');
  const offenses = [...new Set(victims.flatMap((v) => v.offenses))].slice(0, 5);
  const year = 2019 + Math.floor(r() * 6);
  return {
    localId: `CASE-${String(agency + 1).padStart(2, '0')}-${i}`,
    fileNumber: `CI-SYN/${agency + 1}/${String(i).padStart(6, '0')}/${year}`,
    fileType: r() < 0.85 ? 'carpeta_investigacion' : 'averiguacion_previa',
    jurisdiction: r() < 0.8 ? 'fuero_comun' : 'fuero_federal',
    state: String(1 + Math.floor(r() * 32)).padStart(2, '0'),
    openedOn: `${year}-${pad(1 + Math.floor(r() * 12))}-${pad(1 + Math.floor(r() * 28))}`,
    charges: (offenses.length ? offenses : ['LGT-10']).map((offense) => ({
      offense,
      attempted: r() < 0.05,
      victims: victims.filter((v) => v.offenses.includes(offense)).map((v) => v.localId),
    })),
    victims: victims.map((v) => ({ localId: v.localId, offenses: v.offenses })),
  };
}

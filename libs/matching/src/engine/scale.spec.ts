import { generateLabelled } from '../../../synthetic/src/labelled';
import {
  type MatchProfile,
  type ProfileSource,
  type TermFrequencies,
  blockIndex,
  blockingKeys,
  buildProfile,
  clusterIndexed,
  compareProfiles,
  countTerms,
  curpBirthDate,
  decide,
  defaultModel,
  plainKeys,
  profileTerms,
  scoreCandidates,
  scorePair,
} from './index';

const model = defaultModel();
const P = (s: ProfileSource): MatchProfile => buildProfile(s)!;

/** A register of `total` profiles where the given terms have the given counts (everything else: 1). */
function register(total: number, counts: Record<string, number>): TermFrequencies {
  return { total, count: (t) => counts[t] ?? 1 };
}
const pairOf = (a: MatchProfile, b: MatchProfile, tf?: TermFrequencies) => {
  const c = compareProfiles(a, b);
  const s = scorePair(model, a, b, c, tf);
  return { c, total: s.total, decision: decide(model, s.total) };
};

describe('matching at scale: term-frequency weights', () => {
  const names = (firstName: string, paternalSurname: string, maternalSurname?: string) => ({ firstName, paternalSurname, ...(maternalSurname ? { maternalSurname } : {}) });
  const common = (extra: Partial<ProfileSource> = {}) => P({ names: names('María', 'Hernández', 'García'), sex: 'female', ...extra });
  const rare = (extra: Partial<ProfileSource> = {}) => P({ names: names('Citlali', 'Cuamatzi', 'Tecuapetla'), sex: 'female', ...extra });
  // 100,000 profiles: María (8 %), Hernández (10 %), García (7 %), the pair 1 %; Citlali, Cuamatzi, Tecuapetla: 3 each.
  const tf = register(100_000, {
    'f:maria': 8_000,
    's:hernandez': 10_000,
    's:garcia': 7_000,
    'p:garcia hernandez': 1_000,
    'f:citlali': 3,
    's:cuamatzi': 3,
    's:tecuapetla': 3,
    'p:cuamatzi tecuapetla': 2,
  });

  it('the same full name and nothing else: a rare name links, a common one does not', () => {
    expect(pairOf(rare(), rare(), tf).decision).toBe('link');
    expect(pairOf(common(), common(), tf).decision).not.toBe('link');
    expect(pairOf(common(), common(), tf).total).toBeLessThan(pairOf(rare(), rare(), tf).total - 10);
    // without frequencies, the configured average weights: review for both
    expect(pairOf(rare(), rare()).decision).toBe('review');
    expect(pairOf(common(), common()).decision).toBe('review');
  });

  it('common name with the same birth date still links (the date carries the evidence)', () => {
    expect(pairOf(common({ birthDate: '1990-03-14' }), common({ birthDate: '1990-03-14' }), tf).decision).toBe('link');
  });

  it('the prior adjustment: the same name weighs less in a larger register', () => {
    const small = register(10_000, { 'f:maria': 800, 's:hernandez': 1_000, 's:garcia': 700, 'p:garcia hernandez': 100 });
    const big = register(1_000_000, { 'f:maria': 80_000, 's:hernandez': 100_000, 's:garcia': 70_000, 'p:garcia hernandez': 10_000 });
    const a = common({ birthDate: '1990-03-14' });
    const b = common({ birthDate: '1990-03-14' });
    expect(pairOf(a, b, big).total).toBeLessThan(pairOf(a, b, small).total);
  });

  it('twins with rare surnames and the same birth date are never linked automatically', () => {
    const a = P({ names: names('Ana', 'Cuamatzi', 'Tecuapetla'), sex: 'female', birthDate: '2005-06-01' });
    const b = P({ names: names('Rosa', 'Cuamatzi', 'Tecuapetla'), sex: 'female', birthDate: '2005-06-01' });
    const r = pairOf(a, b, tf);
    expect(r.c.firstName).toBe('disagree');
    expect(r.decision).not.toBe('link');
  });

  it('a mother and her daughter with the same first name (daughter: maternal = mother’s paternal) do not match', () => {
    const mother = P({ names: names('María', 'Hernández', 'López'), sex: 'female', birthDate: '1970-02-10' });
    const daughter = P({ names: names('María', 'García', 'Hernández'), sex: 'female', birthDate: '1994-09-22' });
    const r = pairOf(mother, daughter, tf);
    expect(r.c.surnames).toBe('mixed');
    expect(r.decision).toBe('none');
  });

  it('a father and his namesake son (same first name and paternal surname, no dates) are not linked', () => {
    const father = P({ names: names('José', 'Cuamatzi', 'López'), sex: 'male' });
    const son = P({ names: names('José', 'Cuamatzi', 'Tecuapetla'), sex: 'male' });
    expect(pairOf(father, son, tf).decision).not.toBe('link');
  });

  it('profile terms: first name, each surname, the unordered surname pair', () => {
    expect(profileTerms(rare())).toEqual(['f:citlali', 's:cuamatzi', 's:tecuapetla', 'p:cuamatzi tecuapetla']);
    expect(profileTerms(P({ names: names('Citlali', 'Tecuapetla', 'Cuamatzi') }))).toContain('p:cuamatzi tecuapetla');
  });
});

describe('matching at scale: blocking keys', () => {
  it('an age-derived birth year gives the keys of the years around it; both surnames + year split common pairs', () => {
    const a = P({ names: { firstName: 'Lupita', paternalSurname: 'Hernández' }, ageAtEvent: 30, identifiedOn: '2020-05-01' });
    const b = P({ names: { firstName: 'Guadalupe', paternalSurname: 'Hernandez', maternalSurname: 'Cruz' }, birthDate: '1989-11-02' });
    const ka = new Set(blockingKeys(a).map((k) => `${k.type}:${k.value}`));
    expect(blockingKeys(b).some((k) => k.type === 'fn-sn-y' && ka.has(`${k.type}:${k.value}`))).toBe(true);
    expect(blockingKeys(b).some((k) => k.type === 'sn2-y')).toBe(true);
  });
});

describe('matching at scale: bulk pipeline', () => {
  it('block index, scoring and clustering reproduce the pairwise engine and respect reviewer constraints', () => {
    const src: ProfileSource[] = [
      { names: { firstName: 'María Guadalupe', paternalSurname: 'Hernández', maternalSurname: 'López' }, birthDate: '1990-03-14', sex: 'female' },
      { names: { firstName: 'Lupita', paternalSurname: 'Hernandez' }, birthDate: '1990-03-14', sex: 'female' },
      { names: { firstName: 'MARIA GUADALUPE', paternalSurname: 'LOPEZ', maternalSurname: 'HERNANDEZ' }, birthDate: '1990-03-14', sex: 'female' },
      { names: { firstName: 'Rosa', paternalSurname: 'Cruz', maternalSurname: 'Reyes' }, birthDate: '1985-01-01', sex: 'female' },
    ];
    const profiles = src.map((s) => buildProfile(s));
    const ix = blockIndex(plainKeys(profiles));
    const { pairs, compared } = scoreCandidates(profiles, ix, { model, maxBlock: 100 });
    expect(compared).toBe(3);
    for (const p of pairs) expect(p.score).toBe(scorePair(model, profiles[p.a]!, profiles[p.b]!, compareProfiles(profiles[p.a]!, profiles[p.b]!)).total);
    const links = pairs.filter((p) => p.outcome === 'link');
    expect(Array.from(clusterIndexed(4, [], [], links))).toEqual([0, 0, 0, 3]);
    // a reviewer's different_persons decision between 0 and 2 wins over the automatic links
    const split = clusterIndexed(4, [], [[0, 2]], links);
    expect(split[0]).not.toBe(split[2]);
    // a same_person decision links records the engine did not
    expect(clusterIndexed(4, [[2, 3]], [], links)[3]).toBe(clusterIndexed(4, [[2, 3]], [], links)[2]);
    // blocks larger than maxBlock are skipped
    expect(scoreCandidates(profiles, ix, { model, maxBlock: 1 }).compared).toBe(0);
  });

  it('on a labelled synthetic register: high precision, far above the exact-match baseline in recall', () => {
    const data = generateLabelled(1500, 3);
    const profiles = data.map((v) => buildProfile({ names: v.names, curp: v.curp, sex: v.sex, birthDate: v.birthDate, ageAtEvent: v.ageAtEvent, identifiedOn: v.identifiedOn }));
    const { pairs } = scoreCandidates(profiles, blockIndex(plainKeys(profiles)), { model, maxBlock: 100, tf: countTerms(profiles) });
    const labels = clusterIndexed(data.length, [], [], pairs.filter((p) => p.outcome === 'link'));
    let tp = 0;
    let predicted = 0;
    let truePairs = 0;
    for (let i = 0; i < data.length; i++) {
      for (let j = i + 1; j < data.length; j++) {
        const same = data[i].person === data[j].person;
        const linked = labels[i] === labels[j];
        if (same) truePairs++;
        if (linked) predicted++;
        if (same && linked) tp++;
      }
    }
    expect(tp / predicted).toBeGreaterThan(0.97);
    expect(tp / truePairs).toBeGreaterThan(0.8);
  });

  it('the labelled generator is deterministic and contains the hard cases', () => {
    const a = generateLabelled(3000, 5);
    expect(generateLabelled(3000, 5)).toEqual(a);
    const byPerson = new Map<number, typeof a>();
    for (const v of a) byPerson.set(v.person, [...(byPerson.get(v.person) ?? []), v]);
    const multi = [...byPerson.values()].filter((r) => r.length > 1);
    expect(multi.length).toBeGreaterThan(1000);
    // records of one person always come from different agencies
    for (const r of multi) expect(new Set(r.map((v) => v.agency)).size).toBe(r.length);
    expect(a.some((v) => /^(Lupita|Lupe|Pepe|Chepe|Paco|Pancho|Chuy|Chucho)$/.test(v.names.firstName.split(' ')[0]))).toBe(true);
    expect(a.filter((v) => v.curp).length / a.length).toBeGreaterThan(0.3);
    expect(a.filter((v) => v.curp).length / a.length).toBeLessThan(0.6);
    expect(a.some((v) => !v.names.maternalSurname)).toBe(true);
    expect(a.some((v) => !v.birthDate && v.ageAtEvent !== undefined)).toBe(true);
    // different persons share full names (common names collide)
    const fullName = (v: (typeof a)[number]) => `${v.names.firstName}|${v.names.paternalSurname}|${v.names.maternalSurname}`;
    const owners = new Map<string, Set<number>>();
    for (const v of a) owners.set(fullName(v), (owners.get(fullName(v)) ?? new Set()).add(v.person));
    expect([...owners.values()].some((s) => s.size > 1)).toBe(true);
  });
});

describe('matching at scale: model 2026-12-05.1 (F1 at 100,000 persons)', () => {
  const names = (firstName: string, paternalSurname: string, maternalSurname?: string) => ({ firstName, paternalSurname, ...(maternalSurname ? { maternalSurname } : {}) });
  const shared = (a: MatchProfile, b: MatchProfile, type: string) => {
    const ka = new Set(blockingKeys(a).map((k) => `${k.type}:${k.value}`));
    return blockingKeys(b).some((k) => k.type === type && ka.has(`${k.type}:${k.value}`));
  };

  it('the birth date encoded in a CURP (YYMMDD; 20YY up to the current year, else 19YY), null when not a date', () => {
    expect(curpBirthDate('HELG900314MDFRPD05')).toBe('1990-03-14');
    expect(curpBirthDate('HELG050101MDFRPDA5')).toBe('2005-01-01');
    expect(curpBirthDate('HELG901314MDFRPD05')).toBeNull();
    expect(curpBirthDate('HELG900230MDFRPD05')).toBeNull();
    expect(curpBirthDate(null)).toBeNull();
  });

  it('a record with a CURP but no birth date is compared on the CURP’s date with a record without a CURP (never twice)', () => {
    const withCurp = P({ names: names('Citlali', 'Cuamatzi', 'Tecuapetla'), curp: 'CUTC900314MDFMCT05' });
    const dated = P({ names: names('Citlali', 'Cuamatzi', 'Tecuapetla'), birthDate: '1990-03-14' });
    expect(compareProfiles(withCurp, dated).birthDate).toBe('exact');
    expect(compareProfiles(dated, withCurp).birthDate).toBe('exact');
    expect(compareProfiles(withCurp, P({ names: names('Citlali', 'Cuamatzi'), birthDate: '1995-07-01' })).birthDate).toBe('disagree');
    // 34 on 2024-03-14: consistent with the CURP's date
    expect(compareProfiles(withCurp, P({ names: names('Citlali', 'Cuamatzi'), ageAtEvent: 34, eventDate: '2024-03-14' })).birthDate).toBe('age');
    // both have a CURP: the CURP comparison carries the date, the date level stays missing
    const otherCurp = P({ names: names('Citlali', 'Cuamatzi', 'Tecuapetla'), curp: 'CUTC900314MDFMCT05', birthDate: '1990-03-14' });
    expect(compareProfiles(withCurp, otherCurp)).toMatchObject({ birthDate: 'missing', curp: 'exact' });
    // and the CURP's date gives the year keys
    expect(shared(withCurp, dated, 'fn-sn-y')).toBe(true);
  });

  it('blocking without the year (fn-sn-dm): a year typo in a common name', () => {
    // a year typo in a common name
    const a = P({ names: names('María', 'Hernández', 'García'), birthDate: '1990-03-14' });
    const b = P({ names: names('María', 'Hernández', 'García'), birthDate: '1991-03-14' });
    expect(shared(a, b, 'fn-sn-dm')).toBe(true);
    expect(shared(a, b, 'fn-dm')).toBe(false);
    expect(shared(a, b, 'fn-sn-y')).toBe(false);
    // one surname missing on one side, day and month swapped, year off by one
    const e = P({ names: names('María', 'Hernández', 'García'), birthDate: '1990-03-11' });
    expect(shared(e, P({ names: names('María', 'García'), birthDate: '1991-11-03' }), 'fn-sn-dm')).toBe(true);
  });

  it('name floors fall as 1/N above the reference size: a name rarer than the floor keeps its posterior as the register grows', () => {
    const fixed = { ...model, termFrequency: { ...model.termFrequency!, floorsScaleWithPrior: false } };
    const a = P({ names: { firstName: 'Citlali', paternalSurname: 'Cuamatzi' } });
    const b = P({ names: { firstName: 'Citlali', paternalSurname: 'Vázquez' } });
    const c = compareProfiles(a, b);
    const first = (m: typeof model, total: number) => scorePair(m, a, b, c, register(total, { 'f:citlali': 3 })).weights.firstName;
    // at the reference size (10,000) the floor 0.001 binds: log2(0.82 / 0.001)
    expect(first(model, 10_000)).toBeCloseTo(Math.log2(0.82 / 0.001), 1);
    // at 100,000 the floor is 0.0001: + log2(10) bits, which the prior takes back (the posterior stays the same)
    expect(first(model, 100_000)).toBeCloseTo(Math.log2(0.82 / 0.0001), 1);
    expect(first(fixed, 100_000)).toBeCloseTo(Math.log2(0.82 / 0.001), 1);
    // a common name is above every floor: the same weight either way
    const tf = register(100_000, { 'f:citlali': 8_000 });
    expect(scorePair(model, a, b, c, tf).weights.firstName).toBe(scorePair(fixed, a, b, c, tf).weights.firstName);
  });

  it('one surname missing: the agreeing surname weighs m given that state (0.95) against its share, not the level’s unconditional m', () => {
    const a = P({ names: names('Citlali', 'Cuamatzi'), sex: 'female' });
    const b = P({ names: names('Citlali', 'Cuamatzi', 'Tecuapetla'), sex: 'female' });
    const c = compareProfiles(a, b);
    expect(c.surnames).toBe('partial');
    const tf = register(100_000, { 's:cuamatzi': 998 });
    // u = 2 · (998 + 2) / 100,000 = 0.02
    expect(scorePair(model, a, b, c, tf).weights.surnames).toBeCloseTo(Math.log2(0.95 / 0.02), 1);
    const old = { ...model, termFrequency: { ...model.termFrequency!, partialM: undefined } };
    expect(scorePair(old, a, b, c, tf).weights.surnames).toBeCloseTo(Math.log2(0.12 / 0.02), 1);
  });
});

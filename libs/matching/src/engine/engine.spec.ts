import {
  blockingKeys,
  buildProfile,
  clusterRecords,
  compareProfiles,
  decide,
  defaultModel,
  estimate,
  jaroWinkler,
  levelWeight,
  type MatchProfile,
  nameTokens,
  type ProfileSource,
  scorePair,
  spanishPhonetic,
  type TermFrequencies,
  withinOneEdit,
} from './index';

const model = defaultModel();
const base: ProfileSource = {
  names: { firstName: 'María Guadalupe', paternalSurname: 'Hernández', maternalSurname: 'López' },
  curp: 'HELG900314MDFRPD05',
  sex: 'female',
  birthDate: '1990-03-14',
};
const run = (a: ProfileSource, b: ProfileSource) => {
  const pa = buildProfile(a)!;
  const pb = buildProfile(b)!;
  const c = compareProfiles(pa, pb);
  const s = scorePair(model, pa, pb, c);
  const sharedKeys = blockingKeys(pa).filter((k) => blockingKeys(pb).some((x) => x.type === k.type && x.value === k.value));
  return { c, total: s.total, decision: decide(model, s.total), blocked: sharedKeys.length > 0 };
};

describe('matching engine: normalisation and phonetics', () => {
  it('removes accents, capitals and particles', () => {
    expect(nameTokens('  María de los ÁNGELES ')).toEqual(['maria', 'angeles']);
    expect(nameTokens('de la Cruz')).toEqual(['cruz']);
  });
  it('gives Spanish homophones the same phonetic code', () => {
    expect(spanishPhonetic('vazquez')).toBe(spanishPhonetic('basques'));
    expect(spanishPhonetic('jimenez')).toBe(spanishPhonetic('ximenez'));
    expect(spanishPhonetic('jimenez')).toBe(spanishPhonetic('gimenez'));
    expect(spanishPhonetic('hernandez')).toBe(spanishPhonetic('ernandes'));
    expect(spanishPhonetic('yolanda')).toBe(spanishPhonetic('llolanda'));
    expect(spanishPhonetic('maria')).not.toBe(spanishPhonetic('mario'));
  });
  it('measures Jaro–Winkler and one-edit distance', () => {
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.961, 3);
    expect(withinOneEdit('gonzalez', 'gonzales')).toBe(true);
    expect(withinOneEdit('gonzalez', 'gozalse')).toBe(false);
    expect(withinOneEdit('ramirez', 'rmairez')).toBe(true);
  });
});

describe('matching engine: pairs that must match', () => {
  it('"María Guadalupe Hernández López" vs "Lupita Hernandez" (diminutive, one surname, no CURP)', () => {
    const r = run(base, { names: { firstName: 'Lupita', paternalSurname: 'Hernandez' }, sex: 'female', birthDate: '1990-03-14' });
    expect(r.c).toMatchObject({ firstName: 'partial', surnames: 'partial', birthDate: 'exact', curp: 'missing' });
    expect(r.blocked).toBe(true);
    expect(r.decision).toBe('link');
  });
  it('surnames swapped', () => {
    const r = run(base, { ...base, names: { firstName: 'Maria Guadalupe', paternalSurname: 'Lopez', maternalSurname: 'Hernandez' } });
    expect(r.c.surnames).toBe('swapped');
    expect(r.decision).toBe('link');
  });
  it('one-letter typo in a surname and a name, without CURP', () => {
    const r = run({ ...base, curp: null }, { ...base, curp: null, names: { firstName: 'Maria Guadalpe', paternalSurname: 'Hernandes', maternalSurname: 'Lopez' } });
    expect(r.c).toMatchObject({ firstName: 'close', surnames: 'close' });
    expect(r.decision).toBe('link');
  });
  it('day/month swap', () => {
    const s = run({ ...base, birthDate: '1990-03-04', curp: null }, { ...base, birthDate: '1990-04-03', curp: null });
    expect(s.c.birthDate).toBe('swap');
    expect(s.blocked).toBe(true);
    expect(s.decision).toBe('link');
  });
  it('CURP one character off', () => {
    const r = run(base, { ...base, curp: 'HELG900314MDFRPD06', names: { firstName: 'Guadalupe', paternalSurname: 'Hernández', maternalSurname: 'López' } });
    expect(r.c.curp).toBe('close');
    expect(r.decision).toBe('link');
  });
  it('birth year off by one, and an age at the event consistent with the birth date', () => {
    const r = run({ ...base, curp: null }, { ...base, curp: null, birthDate: '1991-03-14' });
    expect(r.c.birthDate).toBe('year');
    expect(r.decision).not.toBe('none');
    const age = run({ ...base, curp: null }, { names: base.names, sex: 'female', ageAtEvent: 33, eventDate: '2024-01-10' });
    expect(age.c.birthDate).toBe('age');
  });
});

describe('matching engine: pairs that must NOT match', () => {
  it('same common name, different birth date and CURP', () => {
    const a: ProfileSource = { names: { firstName: 'María', paternalSurname: 'Hernández', maternalSurname: 'García' }, curp: 'HEGM950101MDFRRR01', sex: 'female', birthDate: '1995-01-01' };
    const b: ProfileSource = { names: { firstName: 'María', paternalSurname: 'Hernández', maternalSurname: 'García' }, curp: 'HEGM880712MPLRRR02', sex: 'female', birthDate: '1988-07-12' };
    const r = run(a, b);
    expect(r.blocked).toBe(true);
    expect(r.decision).toBe('none');
  });
  it('sisters with the same surnames and different first names', () => {
    const a: ProfileSource = { names: { firstName: 'María Guadalupe', paternalSurname: 'Hernández', maternalSurname: 'López' }, sex: 'female', birthDate: '1990-03-14' };
    const b: ProfileSource = { names: { firstName: 'María José', paternalSurname: 'Hernández', maternalSurname: 'López' }, sex: 'female', birthDate: '1993-08-02' };
    const r = run(a, b);
    expect(r.c.firstName).toBe('disagree');
    expect(r.decision).toBe('none');
  });
  it('twins: same surnames and birth date, different first names, go to review at most', () => {
    const a: ProfileSource = { names: { firstName: 'Ana', paternalSurname: 'Cruz', maternalSurname: 'Reyes' }, sex: 'female', birthDate: '2005-06-01' };
    const b: ProfileSource = { names: { firstName: 'Rosa', paternalSurname: 'Cruz', maternalSurname: 'Reyes' }, sex: 'female', birthDate: '2005-06-01' };
    expect(run(a, b).decision).not.toBe('link');
  });
});

describe('matching engine: clustering and estimation', () => {
  it('a different_persons constraint blocks a transitive link; same_person forces one', () => {
    const clusters = clusterRecords(['a', 'b', 'c', 'd'], [['c', 'd']], [['a', 'c']], [
      { a: 'a', b: 'b', score: 20 },
      { a: 'b', b: 'c', score: 18 },
    ]);
    expect(clusters.map((c) => c.join(',')).sort()).toEqual(['a,b', 'c,d']);
  });
  it('EM separates matches from non-matches on synthetic vectors', () => {
    const vectors = [
      ...Array.from({ length: 50 }, () => ({ firstName: 'exact', surnames: 'exact', birthDate: 'exact', curp: 'exact', sex: 'exact', nationality: 'exact', origin: 'missing', originMun: 'missing' }) as const),
      ...Array.from(
        { length: 500 },
        (_, i) =>
          ({ firstName: i % 7 ? 'disagree' : 'exact', surnames: i % 3 ? 'partial' : 'disagree', birthDate: 'disagree', curp: 'missing', sex: i % 2 ? 'exact' : 'disagree', nationality: 'exact', origin: 'missing', originMun: 'missing' }) as const,
      ),
    ];
    const { model: m, p } = estimate(model, [...vectors]);
    expect(p).toBeGreaterThan(0.05);
    expect(p).toBeLessThan(0.15);
    expect(m.fields.birthDate.exact.m).toBeGreaterThan(m.fields.birthDate.exact.u);
  });
});

describe('matching engine: age at an event, nationality and origin (model 2026-12-04.2)', () => {
  const named = { names: { firstName: 'Citlali', paternalSurname: 'Cuamatzi', maternalSurname: 'Tecuapetla' }, sex: 'female' } as const;
  const weights = (a: ProfileSource, b: ProfileSource, tf?: TermFrequencies) => {
    const pa = buildProfile(a)!;
    const pb = buildProfile(b)!;
    const c = compareProfiles(pa, pb);
    return { c, s: scorePair(model, pa, pb, c, tf) };
  };
  it('an age is `age` when exactly consistent with the birth date (or the other age), `approx` when only within ±1 year', () => {
    const dated: ProfileSource = { ...named, birthDate: '1990-03-14' };
    // on 2024-03-13 she is 33, on 2024-03-14 she turns 34
    expect(weights(dated, { ...named, ageAtEvent: 33, eventDate: '2024-03-13' }).c.birthDate).toBe('age');
    expect(weights(dated, { ...named, ageAtEvent: 34, eventDate: '2024-03-14' }).c.birthDate).toBe('age');
    expect(weights(dated, { ...named, ageAtEvent: 34, eventDate: '2024-03-13' }).c.birthDate).toBe('approx');
    expect(weights(dated, { ...named, ageAtEvent: 31, eventDate: '2024-03-13' }).c.birthDate).toBe('disagree');
    // two ages: 17 on 2022-05-01 (born 2004-05-02 … 2005-05-01) and 19 on 2024-02-01 (born 2004-02-02 … 2005-02-01)
    expect(weights({ ...named, ageAtEvent: 17, eventDate: '2022-05-01' }, { ...named, ageAtEvent: 19, identifiedOn: '2024-02-01' }).c.birthDate).toBe('age');
    // 17 on 2022-05-01 (born 2004-05-02 … 2005-05-01) vs 18 on 2022-04-01 (born 2003-04-02 … 2004-04-01): no common birth date
    expect(weights({ ...named, ageAtEvent: 17, eventDate: '2022-05-01' }, { ...named, ageAtEvent: 18, eventDate: '2022-04-01' }).c.birthDate).toBe('approx');
    const w = (l: string) => levelWeight(model, 'birthDate', l);
    expect(w('age')).toBeGreaterThan(w('approx'));
    expect(w('age')).toBeLessThan(w('year'));
  });
  it('nationality: agree (a shared code), disagree, missing (absent or only null codes)', () => {
    const nat = (a: string[] | undefined, b: string[] | undefined) => weights({ ...named, nationality: a }, { ...named, nationality: b });
    expect(nat(['HND'], ['GTM', 'HND']).c.nationality).toBe('exact');
    expect(nat(['HND'], ['GTM', 'HND']).s.weights.nationality).toBeGreaterThan(0);
    expect(nat(['HND'], ['GTM']).c.nationality).toBe('disagree');
    expect(nat(['HND'], ['GTM']).s.weights.nationality).toBeLessThan(-3);
    expect(nat(['HND'], undefined).c.nationality).toBe('missing');
    expect(nat(['HND'], ['SI']).c.nationality).toBe('missing');
    expect(nat(['HND'], ['SI']).s.weights.nationality).toBe(0);
  });
  it('state of origin: agree, disagree, missing (absent, null code, NA for the foreign-born); municipality only within the same state', () => {
    const o = (a: Partial<ProfileSource>, b: Partial<ProfileSource>) => weights({ ...named, ...a }, { ...named, ...b });
    expect(o({ stateOfOrigin: '29' }, { stateOfOrigin: '29' }).c).toMatchObject({ origin: 'exact', originMun: 'missing' });
    expect(o({ stateOfOrigin: '29' }, { stateOfOrigin: '29' }).s.weights.origin).toBeGreaterThan(3);
    expect(o({ stateOfOrigin: '29' }, { stateOfOrigin: '21' }).c.origin).toBe('disagree');
    expect(o({ stateOfOrigin: '29' }, { stateOfOrigin: '21' }).s.weights.origin).toBeLessThan(-4);
    for (const other of [undefined, 'SI', 'NA', 'FED']) expect(o({ stateOfOrigin: '29' }, { stateOfOrigin: other }).c.origin).toBe('missing');
    expect(o({ stateOfOrigin: '29', municipalityOfOrigin: '033' }, { stateOfOrigin: '29', municipalityOfOrigin: '033' }).c.originMun).toBe('exact');
    expect(o({ stateOfOrigin: '29', municipalityOfOrigin: '033' }, { stateOfOrigin: '29', municipalityOfOrigin: '010' }).c.originMun).toBe('disagree');
    expect(o({ stateOfOrigin: '29', municipalityOfOrigin: '033' }, { stateOfOrigin: '29' }).c.originMun).toBe('missing');
    // the same municipality number in two states is not the same municipality
    expect(o({ stateOfOrigin: '29', municipalityOfOrigin: '033' }, { stateOfOrigin: '21', municipalityOfOrigin: '033' }).c).toMatchObject({ origin: 'disagree', originMun: 'missing' });
  });
  it('a profile stored before these fields existed compares them as missing and the age as approx', () => {
    const now = buildProfile({ ...named, ageAtEvent: 33, eventDate: '2024-01-10', nationality: ['MEX'], stateOfOrigin: '09', municipalityOfOrigin: '007' })!;
    const old = { ...buildProfile({ ...named, birthDate: '1990-03-14' })! } as MatchProfile;
    delete old.nat;
    delete old.origin;
    delete old.originMun;
    const stored = JSON.parse(JSON.stringify(old)) as MatchProfile;
    const c = compareProfiles(stored, now);
    expect(c).toMatchObject({ nationality: 'missing', origin: 'missing', originMun: 'missing', birthDate: 'age' });
    const olderAge = { ...now, age: undefined };
    expect(compareProfiles(buildProfile({ ...named, birthDate: '1990-03-14' })!, olderAge).birthDate).toBe('approx');
  });
  it('the share of a state among the profiles recording one sets its agreement weight: a common state weighs less', () => {
    const counts = new Map<string, number>([
      ['o:*', 8000],
      ['o:09', 2000],
      ['o:29', 250],
    ]);
    const tf: TermFrequencies = { total: 10_000, count: (t) => counts.get(t) ?? 3 };
    const cdmx = weights({ ...named, stateOfOrigin: '09' }, { ...named, stateOfOrigin: '09' }, tf).s.weights.origin;
    const tlax = weights({ ...named, stateOfOrigin: '29' }, { ...named, stateOfOrigin: '29' }, tf).s.weights.origin;
    expect(cdmx).toBeCloseTo(Math.log2(0.95 / (2002 / 8002)), 1);
    expect(tlax).toBeCloseTo(Math.log2(0.95 / (252 / 8002)), 1); // 0.0315, just above the floor 0.03
    expect(tlax).toBeGreaterThan(cdmx);
    // with no counts yet (terms not counted before a rebuild), agreement weighs nothing
    const empty: TermFrequencies = { total: 10_000, count: () => 0 };
    expect(weights({ ...named, stateOfOrigin: '29' }, { ...named, stateOfOrigin: '29' }, empty).s.weights.origin).toBeLessThanOrEqual(0);
  });
  it('relatives share their origin: it adds nothing unless the names exclude a relative; a disagreement always counts', () => {
    const origin = { nationality: ['MEX'], stateOfOrigin: '29', municipalityOfOrigin: '033' };
    // sisters (same surnames, other first name)
    const sisters = weights(
      { names: { firstName: 'Ana', paternalSurname: 'Cuamatzi', maternalSurname: 'Tecuapetla' }, sex: 'female', ...origin },
      { names: { firstName: 'Rosa', paternalSurname: 'Cuamatzi', maternalSurname: 'Tecuapetla' }, sex: 'female', ...origin },
    );
    expect(sisters.c).toMatchObject({ nationality: 'exact', origin: 'exact', originMun: 'exact' });
    expect(sisters.s.weights).toMatchObject({ nationality: 0, origin: 0, originMun: 0 });
    // namesake father and son: first name and paternal surname, no birth data
    const fatherSon = weights(
      { names: { firstName: 'José', paternalSurname: 'Cuamatzi', maternalSurname: 'Pérez' }, sex: 'male', ...origin },
      { names: { firstName: 'José', paternalSurname: 'Cuamatzi' }, sex: 'male', ...origin },
    );
    expect(fatherSon.c.surnames).toBe('partial');
    expect(fatherSon.s.weights.origin).toBe(0);
    // the same full name: agreement counts
    const same = weights({ ...named, ...origin }, { ...named, ...origin });
    expect(same.s.weights.origin).toBeGreaterThan(0);
    expect(same.s.weights.originMun).toBeGreaterThan(0);
    expect(same.s.total).toBeGreaterThan(weights(named, named).s.total + 5);
    // one surname missing, but the birth date agrees: counts
    const partialDated = weights({ ...named, birthDate: '1990-03-14', ...origin }, { names: { firstName: 'Citlali', paternalSurname: 'Cuamatzi' }, sex: 'female', birthDate: '1990-03-14', ...origin });
    expect(partialDated.s.weights.origin).toBeGreaterThan(0);
    // sisters born in different states: the disagreement still counts
    const apart = weights(
      { names: { firstName: 'Ana', paternalSurname: 'Cuamatzi', maternalSurname: 'Tecuapetla' }, sex: 'female', stateOfOrigin: '29' },
      { names: { firstName: 'Rosa', paternalSurname: 'Cuamatzi', maternalSurname: 'Tecuapetla' }, sex: 'female', stateOfOrigin: '21' },
    );
    expect(apart.s.weights.origin).toBeLessThan(-4);
  });
});

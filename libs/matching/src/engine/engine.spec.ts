import { blockingKeys, buildProfile, clusterRecords, compareProfiles, decide, defaultModel, estimate, jaroWinkler, nameTokens, type ProfileSource, scorePair, spanishPhonetic, withinOneEdit } from './index';

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
    expect(age.c.birthDate).toBe('approx');
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
      ...Array.from({ length: 50 }, () => ({ firstName: 'exact', surnames: 'exact', birthDate: 'exact', curp: 'exact', sex: 'exact' }) as const),
      ...Array.from({ length: 500 }, (_, i) => ({ firstName: i % 7 ? 'disagree' : 'exact', surnames: i % 3 ? 'partial' : 'disagree', birthDate: 'disagree', curp: 'missing', sex: i % 2 ? 'exact' : 'disagree' }) as const),
    ];
    const { model: m, p } = estimate(model, [...vectors]);
    expect(p).toBeGreaterThan(0.05);
    expect(p).toBeLessThan(0.15);
    expect(m.fields.birthDate.exact.m).toBeGreaterThan(m.fields.birthDate.exact.u);
  });
});

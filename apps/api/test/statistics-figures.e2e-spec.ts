import request from 'supertest';
import { createPrincipal, startTestApp, type TestApp, type TestPrincipal, type FigureResult } from '@app/testing';

/**
 * Reproduces published figures (figures.json, brief §4) from synthetic record-level data:
 * T27 (CEAV direct victims by sex: 375 women and girls, 398 men and boys, 17 sex not reported = 790),
 * T28 (CEAV direct victims by age within sex: age known 339 / 383, unknown 36 / 15, female 53% adult /
 * 47% under 18, male 66% under 18 / 34% adult) and T34 (INM: 133 foreign victims, 93 adult women,
 * 17 girls, 17 adult men, 6 boys; 83% / 17% by sex; 15 nationalities, Northern Triangle 76%, Honduran 47%,
 * Guatemalan 22%, Salvadoran 7%).
 */
type Result = FigureResult;

const victim = (localId: string, sex: string, age: number | undefined, nationality = 'MEX') => ({
  localId,
  sex,
  ...(age === undefined ? {} : { ageAtEvent: age }),
  identifiedOn: '2015-06-01',
  nationality: [nationality],
  stateOfOrigin: nationality === 'MEX' ? '16' : 'NA',
  vulnerableGroups: ['SI'],
  victimType: 'direct',
  offenses: ['LGT-10'],
});
const many = (n: number, prefix: string, sex: string, age: number | undefined, nationality?: string) =>
  Array.from({ length: n }, (_, i) => victim(`${prefix}-${i}`, sex, age, nationality));

describe('statistics reproduce published figures (T27, T28, T34)', () => {
  let t: TestApp;
  let exact: TestPrincipal;
  const cell = (r: Result, key: Record<string, string>) => r.rows.find((x) => Object.entries(key).every(([k, v]) => x.key[k] === v))!.value!;
  const stat = async (path: string): Promise<Result> => {
    const res = await request(t.baseUrl).get(path).auth(exact.token, { type: 'bearer' });
    expect(res.status).toBe(200);
    return res.body as Result;
  };
  const load = async (who: TestPrincipal, entries: object[]) => {
    for (let i = 0; i < entries.length; i += 1000) {
      const res = await request(t.baseUrl).post('/v1/victims/batch').auth(who.token, { type: 'bearer' }).send({ entries: entries.slice(i, i + 1000), atomic: true });
      if (res.status !== 200 || res.body.summary?.rejected !== 0) throw new Error(`batch failed: ${res.status}`);
    }
  };
  const pct = (n: number, base: number) => Math.round((100 * n) / base);

  beforeAll(async () => {
    t = await startTestApp();
    const ceav = await createPrincipal(t, { kind: 'victim_commission', jurisdiction: 'FED', scopes: ['victims:write'] });
    const inm = await createPrincipal(t, { kind: 'migration', jurisdiction: 'FED', scopes: ['victims:write'] });
    exact = await createPrincipal(t, { kind: 'oversight', scopes: ['statistics:read', 'statistics:exact'] });
    // CEAV: women 180 adult + 159 under 18 + 36 age unknown; men 130 adult + 253 under 18 + 15 unknown; 17 sex not reported.
    await load(ceav, [
      ...many(180, 'F-AD', 'female', 30),
      ...many(159, 'F-CH', 'female', 15),
      ...many(36, 'F-SI', 'female', undefined),
      ...many(130, 'M-AD', 'male', 30),
      ...many(253, 'M-CH', 'male', 15),
      ...many(15, 'M-SI', 'male', undefined),
      ...many(17, 'S-SI', 'SI', undefined),
    ]);
    // INM: foreign victims.
    // INM: 133 foreign victims of 15 nationalities (Honduras 63, Guatemala 29, El Salvador 9, 32 from 12 others).
    const others = ['ARG', 'COL', 'CRI', 'CUB', 'ECU', 'ESP', 'USA', 'ITA', 'NIC', 'PRY', 'TGO', 'VEN'];
    const nationalities = [...Array(63).fill('HND'), ...Array(29).fill('GTM'), ...Array(9).fill('SLV'), ...Array.from({ length: 32 }, (_, i) => others[i % 12])];
    const inmVictims = [...many(93, 'W', 'female', 25), ...many(17, 'G', 'female', 16), ...many(17, 'M', 'male', 28), ...many(6, 'B', 'male', 14)];
    await load(inm, inmVictims.map((v, i) => ({ ...v, nationality: [nationalities[i]], stateOfOrigin: 'NA' })));
  });
  afterAll(() => t.close());

  it('T27: CEAV direct victims by sex (375 + 398 + 17 = 790; 49% / 51% of known sex)', async () => {
    const r = await stat('/v1/statistics/victims?groupBy=sex&agencyKind=victim_commission&victimType=direct&from=2014-01-01&to=2017-07-31');
    expect(r.total.value).toBe(790);
    expect([cell(r, { sex: 'female' }), cell(r, { sex: 'male' }), cell(r, { sex: 'SI' })]).toEqual([375, 398, 17]);
    expect([pct(375, 773), pct(398, 773)]).toEqual([49, 51]);
  });

  it('T28: CEAV direct victims by age within sex', async () => {
    const r = await stat('/v1/statistics/victims?groupBy=sex,ageGroup&agencyKind=victim_commission&from=2014-01-01&to=2017-07-31');
    const f = { adult: cell(r, { sex: 'female', ageGroup: 'adult_18_plus' }), minor: cell(r, { sex: 'female', ageGroup: 'under_18' }), unknown: cell(r, { sex: 'female', ageGroup: 'SI' }) };
    const m = { adult: cell(r, { sex: 'male', ageGroup: 'adult_18_plus' }), minor: cell(r, { sex: 'male', ageGroup: 'under_18' }), unknown: cell(r, { sex: 'male', ageGroup: 'SI' }) };
    expect([f.adult + f.minor, f.unknown, m.adult + m.minor, m.unknown]).toEqual([339, 36, 383, 15]);
    expect([pct(f.adult, 339), pct(f.minor, 339), pct(m.minor, 383), pct(m.adult, 383)]).toEqual([53, 47, 66, 34]);
  });

  it('T34: INM foreign victims by sex and age (93 adult women, 17 girls, 17 adult men, 6 boys = 133; 83% / 17%)', async () => {
    const r = await stat('/v1/statistics/victims?groupBy=sex,ageGroup&agencyKind=migration');
    expect(r.total.value).toBe(133);
    expect([
      cell(r, { sex: 'female', ageGroup: 'adult_18_plus' }),
      cell(r, { sex: 'female', ageGroup: 'under_18' }),
      cell(r, { sex: 'male', ageGroup: 'adult_18_plus' }),
      cell(r, { sex: 'male', ageGroup: 'under_18' }),
    ]).toEqual([93, 17, 17, 6]);
    const bySex = Object.fromEntries(r.margins.sex.map((c) => [c.key.sex, c.value!]));
    expect([pct(bySex.female, 133), pct(bySex.male, 133)]).toEqual([83, 17]);
    const nat = await stat('/v1/statistics/victims?groupBy=nationality&agencyKind=migration');
    const n = (c: string) => cell(nat, { nationality: c });
    expect(nat.rows.filter((x) => x.value! > 0)).toHaveLength(15);
    expect([pct(n('HND') + n('GTM') + n('SLV'), 133), pct(n('HND'), 133), pct(n('GTM'), 133), pct(n('SLV'), 133)]).toEqual([76, 47, 22, 7]);
  });
});

/**
 * T41 (persons indicted and charged, 2012-06-15 to 2017-07-31): 3,344 accused persons, 69% men / 31% women,
 * nationality 46% no information / 51% Mexican / 3% foreign, foreigners with a record from 8 countries —
 * through the `accused` measure (unit accused_person), filtered on the procedural status `indicted_charged`.
 * Not reproduced: the state-of-origin shares of Mexicans relative to the state of the investigation (no such
 * dimension) and the "no nationality record" share of foreigners (contradicts the foreign count itself).
 */
describe('statistics reproduce published figures (T41, accused persons)', () => {
  let t: TestApp;
  let exact: TestPrincipal;
  const countries = ['SLV', 'USA', 'HND', 'ISR', 'ITA', 'PRI', 'ROU', 'VEN'];
  // 2,307 men + 1,037 women = 3,344; nationality: 1,538 SI, 1,706 MEX, 100 foreign (8 countries).
  const person = (i: number) => ({
    localId: `T41-${i}`,
    sex: i < 2307 ? 'male' : 'female',
    nationality: [i < 1538 ? 'SI' : i < 1538 + 1706 ? 'MEX' : countries[i % countries.length]],
    stateOfOrigin: i < 1538 ? 'SI' : i < 1538 + 1706 ? '09' : 'NA',
    roles: ['SI'],
    proceedings: [{ caseLocalId: `CI-${i % 700}`, offense: 'LGT-13', status: 'indicted_charged', on: '2015-03-01' }],
  });
  const pct = (n: number, base: number) => Math.round((100 * n) / base);

  beforeAll(async () => {
    t = await startTestApp();
    const prosecutor = await createPrincipal(t, { kind: 'prosecutor', jurisdiction: '09', scopes: ['cases:write'] });
    exact = await createPrincipal(t, { kind: 'oversight', scopes: ['statistics:read', 'statistics:exact'] });
    const all = Array.from({ length: 3344 }, (_, i) => person(i));
    for (let i = 0; i < all.length; i += 1000) {
      const res = await request(t.baseUrl).post('/v1/accused/batch').auth(prosecutor.token, { type: 'bearer' }).send({ entries: all.slice(i, i + 1000), atomic: true });
      if (res.status !== 200 || res.body.summary?.rejected !== 0) throw new Error(`batch failed: ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`);
    }
  });
  afterAll(() => t.close());

  it('T41: persons indicted and charged (3,344; 69% men / 31% women; nationality 46% / 51% / 3%, 8 countries)', async () => {
    const get = async (groupBy: string): Promise<Result> => {
      const res = await request(t.baseUrl).get(`/v1/statistics/accused?groupBy=${groupBy}&proceduralStatus=indicted_charged`).auth(exact.token, { type: 'bearer' });
      expect(res.status).toBe(200);
      return res.body as Result;
    };
    const bySex = await get('sex');
    const sexCell = (s: string) => bySex.rows.find((x) => x.key.sex === s)?.value ?? 0;
    expect(bySex.total.value).toBe(3344);
    expect([pct(sexCell('male'), 3344), pct(sexCell('female'), 3344)]).toEqual([69, 31]);
    const byNat = await get('nationality');
    const nat = (c: string) => byNat.rows.find((x) => x.key.nationality === c)?.value ?? 0;
    const foreign = byNat.rows.filter((x) => !['SI', 'MEX'].includes(x.key.nationality) && (x.value ?? 0) > 0);
    const foreignTotal = foreign.reduce((sum, x) => sum + x.value!, 0);
    expect([pct(nat('SI'), 3344), pct(nat('MEX'), 3344), pct(foreignTotal, 3344)]).toEqual([46, 51, 3]);
    expect(foreign).toHaveLength(8);
  });
});

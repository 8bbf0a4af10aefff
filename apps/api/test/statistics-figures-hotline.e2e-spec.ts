import request from 'supertest';
import { createPrincipal, startTestApp, type TestApp, type TestPrincipal, type FigureCell, type FigureResult, range, pct, pct1, figuresHarness } from '@app/testing';

/**
 * Reproduces the hotline tables of brief §4.1 that the record model can express (T2, T3, T4, T5, T6, T13,
 * T15, T16) and T35 (INM, brief §4.4) from synthetic record-level data loaded through the HTTP API.
 * Hotline contacts are records of kind `reports` submitted by the hotline operator (agency kind `hotline`),
 * counted by the `reports` measure (unit report; period on `receivedAt`, UTC date). "Hotline victims" are the
 * victim records the hotline registers (measure `victims`, `agencyKind=hotline`, period on `identifiedOn`):
 * the victims described inside a report (`victims[]`) are not a statistics unit. Percentages use the
 * source's rounding (whole numbers, T4 one decimal). Records outside each period are loaded too, so that the
 * period filters matter.
 */
type Cell = FigureCell;
type Result = FigureResult;

const repeat = <T>(pairs: Array<[T, number]>): T[] => pairs.flatMap(([v, n]) => Array<T>(n).fill(v));
/** A day of the period 2024-01-01 .. 2025-06-30 (546 days). */
const inPeriod = (i: number) => new Date(Date.UTC(2024, 0, 1) + (i % 546) * 86_400_000).toISOString().slice(0, 10);
const PERIOD = 'from=2024-01-01&to=2025-06-30';
const Y1920 = 'from=2019-01-01&to=2020-12-31';

// T2: 5,170 contacts = 2,281 crime-related (1,186 trafficking + 593 risk + 502 other crimes) + 2,889 informational.
// The number of crime-related reports is not stated; 2,281 is consistent with both 44% of 5,170 and 1,186 = 52%.
const CLASSIFICATIONS = repeat<string>([
  ['trafficking_related_crime', 1186],
  ['risk_situation', 593],
  ['child_abduction', 150],
  ['kidnapping', 120],
  ['human_smuggling', 132],
  ['other_crime', 100],
  ['legal_guidance', 1200],
  ['psychological_support', 900],
  ['council_services_campaigns', 489],
  ['informational_service', 300],
]);
const CRIME = [
  'trafficking_related_crime',
  'risk_situation',
  'other_crime',
  'child_abduction',
  'kidnapping',
  'human_smuggling',
  'other_crime_other',
];
const OTHER_CRIME = ['other_crime', 'child_abduction', 'kidnapping', 'human_smuggling', 'other_crime_other'];
// T6: 266 contacts from abroad, 33 countries: the 11 main ones, then 22 others with one contact each.
const MAIN_ABROAD: Array<[string, number]> = [
  ['USA', 170],
  ['COL', 16],
  ['GTM', 14],
  ['VEN', 9],
  ['CAN', 5],
  ['ECU', 5],
  ['IND', 5],
  ['ARG', 5],
  ['SLV', 5],
  ['HND', 5],
  ['NIC', 5],
];
const OTHER_ABROAD = [
  'BRA',
  'PER',
  'CHL',
  'BOL',
  'URY',
  'PRY',
  'CUB',
  'DOM',
  'PAN',
  'CRI',
  'BLZ',
  'ESP',
  'FRA',
  'DEU',
  'ITA',
  'GBR',
  'CHN',
  'JPN',
  'PHL',
  'RUS',
  'UKR',
  'HTI',
];
const ABROAD = [...repeat(MAIN_ABROAD), ...OTHER_ABROAD];
// T4: 1,011 hotline victims by nationality (SI = not established); T5: the 678 Mexicans by state of origin.
const T4: Array<[string, number, number]> = [
  ['MEX', 678, 67.1],
  ['SI', 102, 10.1],
  ['HND', 44, 4.4],
  ['GTM', 36, 3.6],
  ['COL', 35, 3.5],
  ['VEN', 27, 2.7],
  ['USA', 25, 2.5],
  ['SLV', 25, 2.5],
  ['BRA', 9, 0.9],
  ['PER', 7, 0.7],
  ['IND', 4, 0.4],
  ['PRY', 4, 0.4],
  ['BLZ', 4, 0.4],
  ['CUB', 3, 0.3],
  ['ECU', 2, 0.2],
  ['ESP', 2, 0.2],
  ['NIC', 2, 0.2],
  ['RUS', 2, 0.2],
];
const TOP5: Array<[string, number, number]> = [
  ['09', 183, 27], // Mexico City
  ['15', 75, 11], // State of Mexico
  ['30', 47, 7], // Veracruz
  ['14', 34, 5], // Jalisco
  ['07', 27, 4], // Chiapas
];
const OTHER_STATES = range(32)
  .map((i) => String(i + 1).padStart(2, '0'))
  .filter((s) => !TOP5.some(([c]) => c === s))
  .slice(0, 26); // 26 × 12 = 312 Mexicans (46%)
const MEXICAN_ORIGINS = [
  ...repeat(TOP5.map(([s, n]) => [s, n] as [string, number])),
  ...OTHER_STATES.flatMap((s) => Array<string>(12).fill(s)),
];
// T13: 232 victims in the 2019-2020 hotline trafficking cases.
const T13: Array<[string, number]> = [
  ['MEX', 173],
  ['HND', 5],
  ['VEN', 4],
  ['COL', 3],
  ['ECU', 2],
  ['GTM', 2],
  ['USA', 1],
  ['URY', 1],
  ['PAN', 1],
  ['SI', 40],
];
// T15: origin of the call of the 184 trafficking cases of 2019-2020. The other states are given for both years
// together; the first 43 of this list are placed in 2019, the other 48 in 2020.
const T15_STATES: Array<[string, number]> = [
  ['21', 10], // Puebla
  ['14', 9], // Jalisco
  ['29', 8], // Tlaxcala
  ['19', 7], // Nuevo León
  ['02', 6], // Baja California
  ['07', 6], // Chiapas
  ...(['03', '12', '11', '16', '17', '22', '23', '26', '27', '30', '31'].map((s) => [s, 3]) as Array<[string, number]>),
  ...(['04', '08', '05', '20'].map((s) => [s, 2]) as Array<[string, number]>),
  ...(['06', '10', '25', '28'].map((s) => [s, 1]) as Array<[string, number]>),
];
// T16: modalities registered in those cases (196 registrations; "use of persons under 18 in criminal activities"
// is not stated in the source: the data hold 6, which gives the stated "about 69%" sexual exploitation).
const T16: Array<[string, number]> = [
  ['sexual', 135],
  ['labour', 22],
  ['forced_labour', 19],
  ['criminal_activities', 6],
  ['begging', 5],
  ['illegal_adoption', 7],
  ['forced_marriage', 2],
];

/**
 * T2 (contacts by classification): "report related to a crime" = the classifications of contact type `report`
 * (trafficking-related crime, risk situation, other crime and its sub-codes); informational = the rest.
 * T3 (trafficking reports by environment). T6 (contacts from abroad by the caller's country, `callerOrigin`;
 * dimensions `callerState` / `callerCountry` added for this test). T4 / T5 (hotline victims by nationality and
 * Mexicans by state of origin). T13 (2019-2020 victims by nationality). T15 (2019-2020 trafficking cases by the
 * caller's state, `NA` abroad, `SI` not established). T16 (modalities: `exploitationForm`, multi-valued, so a
 * report counts once per modality = registrations).
 * Not reproduced: T16's "use of persons under 18 in criminal activities" (not stated in the source; the data
 * hold 6, which is not asserted as a published value).
 * T35 (INM, 2012-06-15 to 2017-07-31): the 133 foreign victims registered by INM (agency kind `migration`) and
 * their referrals (measure `referrals`, one per victim) to civil-society shelters (receiving agency kind `ngo`,
 * 21) and government shelters (kind `shelter`, 8); "referral: no information" (104) = victims − referred;
 * humanitarian visas delivered (90) and residence obtained (0) = victims by `migrationEvent` (types of the
 * record's `migrationEvents`: `humanitarian_visa_granted`, `residence_granted`; dimension added for this test).
 * The referrals' sending date is set in the database (the API stamps the current time).
 */
describe('statistics reproduce the hotline tables (T2-T6, T13, T15, T16) and INM referrals (T35)', () => {
  let t: TestApp;
  let exact: TestPrincipal;
  const h = figuresHarness();
  const post = (who: TestPrincipal, kind: string, entries: object[]) => h.post(who, kind, entries);
  const stat = (measure: string, query: string): Promise<Result> => h.stat(measure, query);
  const byKey = (cells: Cell[], dim: string) => Object.fromEntries(cells.map((x) => [x.key[dim], x.value!]));
  const cellOf = (r: Result, key: Record<string, string>) =>
    r.rows.find((x) => Object.entries(key).every(([k, v]) => x.key[k] === v))?.value ?? 0;

  const report = (localId: string, receivedOn: string, classification: string, extra: object = {}) => ({
    localId,
    receivedAt: `${receivedOn}T12:00:00-06:00`,
    channel: localId.length % 2 ? 'phone' : 'chat',
    callerRole: 'third_party_witness',
    anonymous: true,
    classification,
    place: { state: '09' },
    ...extra,
  });
  const victim = (localId: string, identifiedOn: string, nationality: string, stateOfOrigin: string, extra: object = {}) => ({
    localId,
    sex: 'female',
    ageAtEvent: 24,
    identifiedOn,
    nationality: [nationality],
    stateOfOrigin,
    vulnerableGroups: ['SI'],
    victimType: 'direct',
    offenses: ['LGT-10'],
    ...extra,
  });

  beforeAll(async () => {
    t = await startTestApp();
    exact = await createPrincipal(t, { kind: 'oversight', scopes: ['statistics:read', 'statistics:exact'] });
    h.t = t;
    h.exact = exact;
    const hotline = await createPrincipal(t, { kind: 'hotline', jurisdiction: 'FED', scopes: ['reports:write', 'victims:write'] });

    // 2024-01-01 .. 2025-06-30: the 5,170 contacts; the first 266 of every 19 came from abroad.
    const contacts = CLASSIFICATIONS.map((c, i) => {
      const abroad = i % 19 === 0 && i / 19 < ABROAD.length ? ABROAD[i / 19] : null;
      const environment = c === 'trafficking_related_crime' ? { environment: i < 735 ? 'digital' : 'in_person' } : {};
      const origin = abroad
        ? { callerOrigin: { state: 'NA', country: abroad } }
        : i % 3
          ? { callerOrigin: { state: '15', country: 'MEX' } }
          : {};
      return report(`C-${i}`, inPeriod(i), c, { ...environment, ...origin });
    });
    // Outside the period: 2023-12-31 and 2025-07-01 (UTC dates), some from abroad.
    const outside = range(40).map((i) =>
      report(`X-${i}`, i % 2 ? '2023-12-30' : '2025-07-01', CLASSIFICATIONS[i * 97], {
        environment: 'digital',
        callerOrigin: { state: 'NA', country: 'USA' },
      }),
    );
    // 2019-2020: the 184 trafficking cases by origin of the call, with their modalities (2020 listed first).
    const origins: Array<[number, object]> = [];
    const others = repeat(T15_STATES);
    for (const year of [2020, 2019]) {
      const mine = year === 2019 ? others.slice(0, 43) : others.slice(43);
      origins.push(
        ...repeat<string>([
          ['09', year === 2019 ? 35 : 17],
          ['15', year === 2019 ? 7 : 13],
        ]).map((s) => [year, { state: s, country: 'MEX' }] as [number, object]),
      );
      origins.push(...mine.map((s) => [year, { state: s, country: 'MEX' }] as [number, object]));
      origins.push(
        ...(year === 2019 ? ['USA', 'USA'] : ['USA', 'USA', 'USA', 'FRA']).map(
          (c) => [year, { state: 'NA', country: c }] as [number, object],
        ),
      );
      origins.push(...range(year === 2019 ? 8 : 7).map(() => [year, { state: 'SI', country: 'SI' }] as [number, object]));
    }
    const forms = repeat(T16); // 196: reports 0-183 get one each, reports 0-11 (2020) a second one from the tail
    const cases = origins.map(([year, callerOrigin], i) =>
      report(`T-${i}`, `${year}-${String((i % 12) + 1).padStart(2, '0')}-15`, 'trafficking_related_crime', {
        callerOrigin,
        exploitationForms: i < 12 ? [forms[i], forms[184 + i]] : [forms[i]],
      }),
    );
    const later = range(10).map((i) =>
      report(`L-${i}`, '2021-02-01', 'trafficking_related_crime', {
        callerOrigin: { state: '09', country: 'MEX' },
        exploitationForms: ['sexual'],
      }),
    );
    await post(hotline, 'reports', [...contacts, ...outside, ...cases, ...later]);

    // Hotline victims: 1,011 in 2024-2025 (T4, T5), 232 in 2019-2020 (T13), 20 in 2023 (outside both periods).
    const nationalities = repeat(T4.map(([c, n]) => [c, n] as [string, number]));
    let mex = 0;
    const v2425 = nationalities.map((c, i) =>
      victim(`HV-${i}`, inPeriod(i * 7), c, c === 'MEX' ? MEXICAN_ORIGINS[mex++] : c === 'SI' ? 'SI' : 'NA'),
    );
    const v1920 = repeat(T13).map((c, i) => victim(`HW-${i}`, `${2019 + (i % 2)}-05-10`, c, c === 'MEX' ? '09' : c === 'SI' ? 'SI' : 'NA'));
    const v23 = range(20).map((i) => victim(`HX-${i}`, '2023-06-01', 'MEX', '09'));
    await post(hotline, 'victims', [...v2425, ...v1920, ...v23]);

    // T35: INM, 133 foreign victims (90 with a humanitarian visa); 21 referred to civil-society shelters, 8 to government shelters.
    const inm = await createPrincipal(t, { kind: 'migration', jurisdiction: 'FED', scopes: ['victims:write', 'referrals:write'] });
    const ngo = await createPrincipal(t, { kind: 'ngo', jurisdiction: '09', scopes: ['referrals:read'] });
    const shelter = await createPrincipal(t, { kind: 'shelter', jurisdiction: '09', scopes: ['referrals:read'] });
    const inmVictims = range(133).map((i) =>
      victim(`INM-${i}`, `${2013 + (i % 4)}-03-01`, ['HND', 'GTM', 'SLV'][i % 3], 'NA', {
        migrationEvents:
          i < 90 ? [{ type: 'humanitarian_visa_granted', on: `${2013 + (i % 4)}-04-01`, until: `${2014 + (i % 4)}-04-01` }] : [],
      }),
    );
    await post(inm, 'victims', inmVictims);
    const sentAt: Array<[string, string]> = [];
    for (const i of range(29)) {
      const res = await request(t.baseUrl)
        .post('/v1/referrals')
        .auth(inm.token, { type: 'bearer' })
        .send({
          toAgency: (i < 21 ? ngo : shelter).agencyCode,
          subject: { kind: 'victims', localId: `INM-${i}` },
          reason: 'victim_assistance',
          urgency: 'urgent',
          shared: ['victim.demographics'],
        });
      if (res.status !== 201) throw new Error(`referral: ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`);
      sentAt.push([res.body.id, `${2013 + (i % 4)}-03-02T12:00:00Z`]);
    }
    await t.db.pool.query(
      `UPDATE referrals r SET created_at = x.at FROM unnest($1::uuid[], $2::timestamptz[]) AS x(id, at) WHERE r.id = x.id`,
      [sentAt.map((x) => x[0]), sentAt.map((x) => x[1])],
    );
  }, 600_000);
  afterAll(() => t.close());

  it('T2: hotline contacts by classification (5,170 calls/chats; 44% crime-related / 56% informational; of crime reports 52% trafficking-related = 1,186, 26% risk situation, 22% other crimes)', async () => {
    const r = await stat('reports', `groupBy=classification&${PERIOD}`);
    expect(r.total.value).toBe(5170);
    const n = byKey(r.rows, 'classification');
    const crime = CRIME.reduce((s, c) => s + n[c], 0);
    expect([pct(crime, 5170), pct(5170 - crime, 5170)]).toEqual([44, 56]);
    expect(n.trafficking_related_crime).toBe(1186);
    const otherCrime = OTHER_CRIME.reduce((s, c) => s + n[c], 0);
    expect([pct(n.trafficking_related_crime, crime), pct(n.risk_situation, crime), pct(otherCrime, crime)]).toEqual([52, 26, 22]);
    // The whole classification catalog is listed; a code without contacts is a zero row.
    expect(n.other_crime_other).toBe(0);
    const crimeOnly = await stat('reports', `groupBy=classification&classification=${CRIME.join(',')}&${PERIOD}`);
    expect(crimeOnly.total.value).toBe(crime);
  });

  it('T3: reports classified as trafficking by environment (62% digital, 38% in person)', async () => {
    const r = await stat('reports', `groupBy=environment&classification=trafficking_related_crime&${PERIOD}`);
    const n = byKey(r.rows, 'environment');
    expect([pct(n.digital, r.total.value!), pct(n.in_person, r.total.value!)]).toEqual([62, 38]);
    expect(r.total.value).toBe(1186);
  });

  it('T4: hotline victims by nationality (67.1% Mexican, 10.1% not established, 4.4% Honduran … 0.2% Russian; 17 countries plus N/E, sum 100.3)', async () => {
    const r = await stat('victims', `groupBy=nationality&agencyKind=hotline&${PERIOD}`);
    expect(r.total.value).toBe(1011);
    const n = byKey(r.rows, 'nationality');
    expect(T4.map(([c]) => [c, pct1(n[c], 1011)])).toEqual(T4.map(([c, , p]) => [c, p]));
    expect(r.rows.filter((x) => x.value! > 0)).toHaveLength(18);
    expect(Math.round(T4.reduce((s, [c]) => s + pct1(n[c], 1011), 0) * 10) / 10).toBe(100.3);
  });

  it('T5: Mexican hotline victims by state of origin, top five (Mexico City 27%, State of Mexico 11%, Veracruz 7%, Jalisco 5%, Chiapas 4%)', async () => {
    const r = await stat('victims', `groupBy=stateOfOrigin&agencyKind=hotline&nationality=MEX&${PERIOD}`);
    const mexicans = r.total.value!;
    expect(mexicans).toBe(678);
    const ranked = [...r.rows].sort((a, b) => b.value! - a.value!).slice(0, 5);
    expect(ranked.map((x) => [x.key.stateOfOrigin, pct(x.value!, mexicans)])).toEqual(TOP5.map(([s, , p]) => [s, p]));
    expect(pct(mexicans - ranked.reduce((s, x) => s + x.value!, 0), mexicans)).toBe(46);
  });

  it('T6: hotline contacts from abroad by the caller’s country (266 from 33 countries; United States 64%, Colombia 6%, Guatemala 5%, Venezuela 3%, seven countries 2% each)', async () => {
    const r = await stat('reports', `groupBy=callerCountry&callerState=NA&${PERIOD}`);
    expect(r.total.value).toBe(266);
    const countries = r.rows.filter((x) => x.value! > 0 && !['MEX', 'SI', 'NA', 'NR', 'RESERVED'].includes(x.key.callerCountry));
    expect(countries).toHaveLength(33);
    const n = byKey(countries, 'callerCountry');
    expect(MAIN_ABROAD.map(([c]) => [c, pct(n[c], 266)])).toEqual([
      ['USA', 64],
      ['COL', 6],
      ['GTM', 5],
      ['VEN', 3],
      ...['CAN', 'ECU', 'IND', 'ARG', 'SLV', 'HND', 'NIC'].map((c) => [c, 2]),
    ]);
    const rest = countries.filter((x) => !MAIN_ABROAD.some(([c]) => c === x.key.callerCountry));
    expect([
      rest.length,
      pct(
        rest.reduce((s, x) => s + x.value!, 0),
        266,
      ),
    ]).toEqual([22, 8]);
  });

  it('T13: victims in the 2019-2020 hotline trafficking cases by nationality (232 = 173 Mexican + 5 Honduran + 4 Venezuelan + 3 Colombian + 2 Ecuadorian + 2 Guatemalan + 1 US + 1 Uruguayan + 1 Panamanian + 40 not identified; 3 of 4 Mexican)', async () => {
    const r = await stat('victims', `groupBy=nationality&agencyKind=hotline&${Y1920}`);
    expect(r.total.value).toBe(232);
    expect(
      byKey(
        r.rows.filter((x) => x.value! > 0),
        'nationality',
      ),
    ).toEqual(Object.fromEntries(T13));
    expect(pct1(173, r.total.value!)).toBe(74.6);
  });

  it('T15: hotline trafficking cases 2019-2020 by origin of the call (184 = Mexico City 35 + 17, State of Mexico 7 + 13, 25 other states 43 + 48, abroad 2 + 4 (US 5, France 1), 15 not established)', async () => {
    const r = await stat('reports', `groupBy=callerState,year&classification=trafficking_related_crime&${Y1920}`);
    expect(r.total.value).toBe(184);
    const c = (state: string, year: string) => cellOf(r, { callerState: state, year });
    expect([c('09', '2019'), c('09', '2020'), c('15', '2019'), c('15', '2020')]).toEqual([35, 17, 7, 13]);
    const others = (year: string) =>
      r.rows.filter((x) => x.key.year === year && !['09', '15', 'NA', 'SI'].includes(x.key.callerState)).reduce((s, x) => s + x.value!, 0);
    expect([others('2019'), others('2020')]).toEqual([43, 48]);
    expect([c('NA', '2019'), c('NA', '2020')]).toEqual([2, 4]);
    const byState = byKey(r.margins.callerState, 'callerState');
    expect(Object.fromEntries(T15_STATES.map(([s]) => [s, byState[s]]))).toEqual(Object.fromEntries(T15_STATES));
    expect(byState.SI).toBe(15);
    for (const absent of ['01', '13', '18', '24', '32']) expect(byState[absent] ?? 0).toBe(0); // Ags., Hgo., Nay., SLP, Zac.
    const abroad = await stat('reports', `groupBy=callerCountry&callerState=NA&classification=trafficking_related_crime&${Y1920}`);
    expect(byKey(abroad.rows, 'callerCountry')).toEqual({ USA: 5, FRA: 1 });
  });

  it('T16: exploitation modalities registered in the 2019-2020 hotline cases (135 sexual, 22 labour, 19 forced labour, 5 begging, 7 illegal adoption, 2 forced marriage, first in 2020; about 69% sexual)', async () => {
    const r = await stat('reports', `groupBy=exploitationForm&classification=trafficking_related_crime&${Y1920}`);
    expect(r.total.value).toBe(184);
    const n = byKey(r.rows, 'exploitationForm');
    expect([n.sexual, n.labour, n.forced_labour, n.begging, n.illegal_adoption, n.forced_marriage]).toEqual([135, 22, 19, 5, 7, 2]);
    const registrations = r.rows.reduce((s, x) => s + x.value!, 0);
    expect(pct(n.sexual, registrations)).toBe(69);
    const byYear = await stat('reports', `groupBy=exploitationForm,year&classification=trafficking_related_crime&${Y1920}`);
    expect([
      cellOf(byYear, { exploitationForm: 'forced_marriage', year: '2019' }),
      cellOf(byYear, { exploitationForm: 'forced_marriage', year: '2020' }),
    ]).toEqual([0, 2]);
  });

  it('T35: INM foreign victims, humanitarian visas and referral (133 victims; 90 humanitarian visas, 0 residences; 21 referred to civil-society shelters, 8 to government shelters, 104 no information)', async () => {
    const PERIOD_004 = 'from=2012-06-15&to=2017-07-31';
    const victims = await stat('victims', `groupBy=nationality&agencyKind=migration&${PERIOD_004}`);
    expect(victims.total.value).toBe(133);
    const referred = await stat('referrals', `groupBy=receiverAgencyKind&agencyKind=migration&${PERIOD_004}`);
    const n = byKey(referred.rows, 'receiverAgencyKind');
    expect([n.ngo, n.shelter]).toEqual([21, 8]);
    expect(victims.total.value! - referred.total.value!).toBe(104);
    expect(n.ngo + n.shelter + 104).toBe(133);
    const events = await stat(
      'victims',
      `groupBy=migrationEvent&migrationEvent=humanitarian_visa_granted,residence_granted&agencyKind=migration&${PERIOD_004}`,
    );
    expect(byKey(events.rows, 'migrationEvent')).toEqual({ humanitarian_visa_granted: 90, residence_granted: 0 });
  });
});

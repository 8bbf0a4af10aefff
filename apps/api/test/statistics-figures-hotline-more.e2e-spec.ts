import { createPrincipal, startTestApp, type TestApp, type TestPrincipal, type FigureCell, type FigureResult, range, pct, pct1, figuresHarness } from '@app/testing';

/**
 * Reproduces the remaining hotline tables of brief §4.1 that the record model can express (T1, T7-T11,
 * T14, T17-T21; T2-T6, T13, T15, T16 are in statistics-figures-hotline.e2e-spec.ts) from synthetic record-level
 * data loaded through the HTTP batch endpoints. Hotline contacts are records of kind `reports` of the hotline
 * operator (measure `reports`, period on `receivedAt`); hotline victims are the victim records it registers
 * (measure `victims`, `agencyKind=hotline`, period on `identifiedOn`), whose recruitment channels, methods and
 * means of control (R30) are the dimensions `recruitmentChannel`, `recruitmentMethod` and `meansOfControl`
 * (added for these tables). Investigation files opened with the hotline's legal support (T7) are the case
 * records the hotline holds, to which its reports point (`relatedCaseLocalIds`). Percentages use the source's
 * rounding. Records outside each period are loaded too, so that the period filters matter.
 *
 * Not reproduced (no field or unit of the record model holds them): T1 "people assisted" (persons served,
 * not a statistics unit); T8 and T9 "recruiter / aggressor" (no victim-perpetrator relationship field); T9
 * goods delivered in sextortion; T10 family recruitment (relationship), job offered, perpetrators' sex (the
 * hotline records no perpetrators); T11 activity forced to perform; T19 barber shops (no place type). T19's
 * minimum and maximum ages are checked through age bands, its routes through the victims' places of transit,
 * destination and exploitation (dimensions `transitState`, `destinationState`, `destinationCountry`,
 * `exploitationState`, added for this table). T14 counts reports (`victimGroupNationality`, the nationalities of the
 * groups of victims of unknown size a report describes; added for this table): one group per report here.
 * T19's "cases of minors" are the trafficking reports describing a victim under 18 (`involvesMinor`).
 */
type Cell = FigureCell;
type Result = FigureResult;

/** The date `days` after `start` (YYYY-MM-DD). */
const day = (start: string, days: number) => new Date(Date.parse(`${start}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const PERIOD = 'from=2024-01-01&to=2025-06-30';
const Y1920 = 'from=2019-01-01&to=2020-12-31';
const NON_CSAM = [
  'slavery',
  'servitude',
  'sexual',
  'labour',
  'forced_labour',
  'begging',
  'criminal_activities',
  'illegal_adoption',
  'forced_marriage',
  'organs',
  'biomedical',
  'debt_bondage',
  'unidentified',
];
const DIGITAL = ['social_network', 'website', 'other_platform_advertising', 'mobile_app', 'video_game'];
const OTHER_CLASSIFICATIONS = ['legal_guidance', 'psychological_support', 'risk_situation', 'other_crime', 'informational_service'];
// T19: the 25 states of origin of the Mexican victims of 2019-2020.
const STATES_25 = range(25).map((i) => String(i + 1).padStart(2, '0'));
// T13 (nationalities of the 232 victims of 2019-2020).
const NAT_1920 = [
  ...Array<string>(173).fill('MEX'),
  ...['HND', 'HND', 'HND', 'HND', 'HND', 'VEN', 'VEN', 'VEN', 'VEN', 'COL', 'COL', 'COL', 'ECU', 'ECU', 'GTM', 'GTM', 'USA', 'URY', 'PAN'],
  ...Array<string>(40).fill('SI'),
];
// T19 routes: 9 transit states, 28 national destination states, 8 destination countries abroad (among them
// Dubai and Malta), 15 states where the foreign victims were exploited.
const TRANSIT_9 = ['05', '08', '10', '11', '16', '19', '24', '26', '28'];
const DEST_28 = range(28).map((i) => String(i + 1).padStart(2, '0'));
const ABROAD_8 = ['USA', 'CAN', 'ESP', 'ARE', 'MLT', 'JPN', 'GTM', 'COL'];
const EXPLOITED_15 = range(15).map((i) => String(i + 1).padStart(2, '0'));
const FOREIGN = ['HND', 'VEN', 'COL', 'ECU', 'GTM', 'USA', 'URY', 'PAN'];
// T14: the 119 groups of victims named in witness reports of 2019-2020, by nationality.
const GROUPS_1920: Array<[string, number]> = [
  ['MEX', 56],
  ['SI', 37],
  ['VEN', 8],
  ['COL', 5],
  ['HND', 3],
  ['CUB', 3],
  ['GTM', 1],
  ['ECU', 1],
  ['PHL', 1],
  ['IND', 1],
  ['SLV', 1],
  ['BRA', 1],
  ['NIC', 1],
];
const GROUP_NAT = GROUPS_1920.flatMap(([c, n]) => Array<string>(n).fill(c));
/**
 * Victims described in the k-th trafficking case of 2019-2020 (0-107 up to February 2020, 108-183 from March):
 * cases 9-127 (witness reports) name one group of victims of unknown size (T14); 45 cases (100-144) describe a
 * victim under 18 (T19), by age group or by age; cases 150-159 describe an adult.
 */
const described = (k: number): object => {
  const victims: object[] = [];
  if (k >= 9 && k < 128) {
    const nat = GROUP_NAT[k - 9];
    victims.push({ unquantified: true, ...(nat === 'SI' ? {} : { nationality: nat }), ...(k >= 100 ? { ageGroup: 'adolescent_12_17' } : {}) });
  }
  if (k >= 128 && k < 145) victims.push(k % 2 ? { count: 1, sex: 'female', age: 15 } : { count: 2, ageGroup: 'under_18' });
  if (k >= 150 && k < 160) victims.push({ count: 1, age: 25, nationality: 'MEX' });
  return victims.length ? { victims } : {};
};

describe('statistics reproduce the other hotline tables (T1, T7-T11, T14, T17-T21)', () => {
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
    ...extra,
  });
  const victim = (localId: string, identifiedOn: string, o: Record<string, unknown>) => ({
    localId,
    sex: 'female',
    identifiedOn,
    nationality: ['MEX'],
    stateOfOrigin: '09',
    vulnerableGroups: ['SI'],
    victimType: 'direct',
    offenses: ['LGT-10'],
    ...o,
  });
  const file = (localId: string, openedOn: string, o: object = {}) => ({
    localId,
    fileNumber: localId,
    fileType: 'carpeta_investigacion',
    jurisdiction: 'fuero_comun',
    state: '09',
    openedOn,
    origin: 'complaint',
    charges: [{ offense: 'LGT-10', attempted: false }],
    ...o,
  });

  beforeAll(async () => {
    t = await startTestApp();
    exact = await createPrincipal(t, { kind: 'oversight', scopes: ['statistics:read', 'statistics:exact'] });
    h.t = t;
    h.exact = exact;
    const hotline = await createPrincipal(t, { kind: 'hotline', jurisdiction: 'FED', scopes: ['reports:write', 'victims:write', 'cases:write'] });

    // --- Reports: 21,579 contacts from 2013 to 2025-06-30 (T1), of which 4,472 in 2019-2020 (T1 "> 4,400", T18 39%).
    const reports: object[] = [];
    const other = (prefix: string, n: number, start: string, days: number) =>
      range(n).map((i) => report(`${prefix}-${i}`, day(start, i % days), OTHER_CLASSIFICATIONS[i % 5]));
    reports.push(...other('P', 7000, '2013-01-01', 2191)); // 2013-2018
    // 2019-01-01 .. 2020-02-29: 2,728 contacts, 108 of them trafficking cases (90 in 2019, 18 in Jan-Feb 2020).
    reports.push(...other('E', 2619, '2019-01-01', 425));
    const early = range(108).map((j) => {
      const on = j < 90 ? day('2019-01-01', j * 4) : day('2020-01-01', (j - 90) * 3);
      // T19: 7 sexual-exploitation cases reported by clients ("receptors"), 2 labour ones.
      const role = j < 9 ? { callerRole: 'client_receptor' } : {};
      const forms = j >= 7 && j < 9 ? ['labour'] : ['sexual'];
      // T7: 64 of the 2019 cases led to an investigation file opened in 2019.
      const cases = j < 64 ? { relatedCaseLocalIds: [`HC-${j}`] } : {};
      return [report(`TE-${j}`, on, 'trafficking_related_crime', { ...role, exploitationForms: forms, ...cases, ...described(j) }), on] as const;
    });
    reports.push(...early.map(([r]) => r));
    // 2020-03-01 .. 2020-12-31 (COVID-19 contingency, T18): 1,744 contacts, 76 of them trafficking cases.
    reports.push(...other('C', 1668, '2020-03-01', 306));
    const LATE_FORMS = [
      ...Array<string[]>(53).fill(['sexual']),
      ...Array<string[]>(5).fill(['sexual', 'forced_labour']),
      ...Array<string[]>(9).fill(['labour']),
      ...Array<string[]>(5).fill(['forced_labour']),
      ['labour', 'forced_labour'],
      ...Array<string[]>(3).fill(['begging']),
    ];
    const late = LATE_FORMS.map((forms, j) => {
      const on = day('2020-03-01', j * 4);
      // T7: 45 of them led to an investigation file opened in 2020.
      const cases = j < 45 ? { relatedCaseLocalIds: [`HC-${64 + j}`] } : {};
      return [report(`TL-${j}`, on, 'trafficking_related_crime', { exploitationForms: forms, ...cases, ...described(108 + j) }), on] as const;
    });
    reports.push(...late.map(([r]) => r));
    // 2021-2023: 4,500 contacts, among them a sexual case reported by a client and CSAM reports.
    reports.push(...other('M', 4490, '2021-01-01', 1095));
    // Outside 2019-2020, or not from a witness: groups of victims and minors that T14 and T19 must not count.
    reports.push(
      report('M-client', '2021-01-05', 'trafficking_related_crime', {
        callerRole: 'client_receptor',
        exploitationForms: ['sexual'],
        victims: [{ unquantified: true, nationality: 'MEX', age: 16 }],
      }),
    );
    reports.push(report('E-client', '2019-06-01', 'risk_situation', { callerRole: 'client_receptor', victims: [{ unquantified: true, nationality: 'COL' }] }));
    reports.push(...range(4).map((i) => report(`M-sex-${i}`, '2021-01-10', 'trafficking_related_crime', { exploitationForms: ['sexual', 'labour'] })));
    reports.push(...range(5).map((i) => report(`M-csam-${i}`, '2023-05-10', 'trafficking_related_crime', { exploitationForms: ['csam'] })));
    // 2024-01-01 .. 2025-06-30: 5,607 contacts; CSAM reports: 100 in H1 2024, 150 in H2 2024, 186 in H1 2025 (T9).
    reports.push(...other('N', 5171, '2024-01-01', 546));
    const csam = (prefix: string, n: number, start: string, days: number) =>
      range(n).map((i) => report(`${prefix}-${i}`, day(start, i % days), 'trafficking_related_crime', { environment: 'digital', exploitationForms: ['csam'] }));
    reports.push(...csam('S1', 100, '2024-01-01', 182), ...csam('S2', 150, '2024-07-01', 184), ...csam('S3', 186, '2025-01-01', 181));
    // Outside the period of T1: 2012-12-31 and 2025-07-01 (UTC dates).
    reports.push(...other('X', 20, '2012-12-31', 1), ...csam('Y', 20, '2025-07-01', 1));
    await post(hotline, 'reports', reports);

    // --- Investigation files held by the hotline (T7): 64 opened in 2019, 45 in 2020, 66 in 2024-01..2025-06; 5 outside.
    const hotlineFiles = [
      ...early.slice(0, 64).map(([, on], j) => file(`HC-${j}`, on)),
      ...late.slice(0, 45).map(([, on], j) => file(`HC-${64 + j}`, on)),
      ...range(66).map((i) => file(`HN-${i}`, day('2024-01-03', i * 8))),
      ...['2021-03-01', '2022-03-01', '2023-03-01', '2023-12-31', '2025-07-01'].map((on, i) => file(`HO-${i}`, on)),
    ];
    await post(hotline, 'cases', hotlineFiles);

    // --- Hotline victims of 2019-2020 (T17, T19): 232, aged 7 to 38, 36 adults, 139 aged 13-31.
    let foreign = 0;
    const v1920 = range(232).map((i) => {
      const age = i < 77 ? 7 + (i % 6) : i < 196 ? 13 + (i % 5) : i < 216 ? 18 + (i % 14) : 32 + (i % 7);
      const nat = NAT_1920[(i * 7) % 232];
      const channel = i < 167 ? 'person_to_person' : i < 218 ? 'social_network' : i < 226 ? 'website' : 'other_platform_advertising';
      const m = [[109, 'job_offer'], [176, 'emotional_manipulation'], [196, 'promise_of_help'], [211, 'deprivation_of_liberty'], [219, 'substance_abuse'], [224, 'education_or_leisure_offer']] as const;
      const method = m.find(([n]) => i < n)?.[1] ?? 'other';
      return victim(`HW-${i}`, day(i % 2 ? '2020-01-01' : '2019-01-01', i), {
        sex: i % 3 ? 'female' : 'male',
        ageAtEvent: age,
        nationality: [nat],
        stateOfOrigin: nat === 'MEX' ? STATES_25[i % 25] : nat === 'SI' ? 'SI' : 'NA',
        recruitmentChannels: [channel],
        recruitmentMethods: [method],
        ...(i % 10 === 0 ? { placesOfTransit: [{ country: 'MEX', state: TRANSIT_9[(i / 10) % 9] }] } : {}),
        placesOfDestination: [
          ...(nat === 'MEX' ? [{ country: 'MEX', state: DEST_28[i % 28] }] : []),
          ...(i % 29 === 0 ? [{ country: ABROAD_8[i / 29] }] : []),
        ],
        placesOfExploitation: [{ country: 'MEX', state: FOREIGN.includes(nat) ? EXPLOITED_15[foreign++ % 15] : '30' }],
      });
    });
    // Outside 2019-2020: a 5-year-old on 2018-12-31, adults aged 45 in 2021 recruited in person by a job offer.
    const around1920 = [
      victim('HW-old', '2018-12-31', { ageAtEvent: 5, stateOfOrigin: '30', recruitmentChannels: ['social_network'], recruitmentMethods: ['emotional_manipulation'] }),
      ...range(10).map((i) =>
        victim(`HW-new-${i}`, '2021-02-01', {
          ageAtEvent: 45,
          stateOfOrigin: '32',
          recruitmentChannels: ['person_to_person'],
          recruitmentMethods: ['job_offer'],
          placesOfTransit: [{ country: 'MEX', state: '07' }],
          placesOfDestination: [{ country: 'MEX', state: '29' }, { country: 'FRA' }],
          placesOfExploitation: [{ country: 'MEX', state: '20' }],
          ...(i % 2 ? { nationality: ['HND'], stateOfOrigin: 'NA' } : {}),
        }),
      ),
    ];
    // T20: 50 hotline victims of 2022, 31 first recruited through websites or social networks (3 through both).
    const v2022 = range(50).map((i) =>
      victim(`HT-${i}`, day('2022-01-01', i * 7), {
        ageAtEvent: 16 + (i % 20),
        recruitmentChannels: i < 20 ? ['social_network'] : i < 28 ? ['website'] : i < 31 ? ['social_network', 'website'] : ['person_to_person'],
      }),
    );

    // --- Hotline victims of 2024-01-01 .. 2025-06-30 (T8-T11): 1,600.
    // A: 996 children, victims of CSAM (300 identified in 2024, 696 in H1 2025); 582 girls (150 recruited in person); 807 recruited online.
    const a = range(996).map((i) => {
      const channels = i < 150 ? ['person_to_person'] : i < 750 ? ['social_network'] : i < 900 ? ['video_game'] : i < 957 ? ['social_network', 'video_game'] : undefined;
      return victim(`VA-${i}`, i < 300 ? day('2024-01-01', i) : day('2025-01-01', (i - 300) % 181), {
        sex: i < 582 ? 'female' : 'male',
        ageAtEvent: 10 + (i % 8),
        exploitationForms: ['csam'],
        ...(channels ? { recruitmentChannels: channels } : {}),
      });
    });
    // B: 241 children, other forms (T8): 135 girls; 74 sexual, 68 forced labour, 37 begging, 62 criminal activities;
    // 207 recruited person to person; 149 exploited through their vulnerability.
    const b = range(241).map((i) =>
      victim(`VB-${i}`, day('2024-01-01', (i * 7) % 546), {
        sex: i < 135 ? 'female' : 'male',
        ageAtEvent: 7 + (i % 11),
        stateOfOrigin: '15',
        exploitationForms: [i < 74 ? 'sexual' : i < 142 ? 'forced_labour' : i < 179 ? 'begging' : 'criminal_activities'],
        recruitmentChannels: [i < 207 ? 'person_to_person' : 'social_network'],
        meansOfControl: [i < 149 ? 'exploitation_of_vulnerability' : 'violence'],
      }),
    );
    // C: 107 adults (95 women, 6 men, 6 sex not established); 65 of the women recruited person to person.
    const c = range(107).map((i) =>
      victim(`VC-${i}`, day('2024-01-02', (i * 5) % 546), {
        sex: i < 95 ? 'female' : i < 101 ? 'male' : 'SI',
        ageAtEvent: 20 + (i % 30),
        exploitationForms: [i % 2 ? 'sexual' : 'labour'],
        recruitmentChannels: [i < 65 || i >= 95 ? 'person_to_person' : 'website'],
      }),
    );
    // D: 256 adult migrants in transit (T11; 180 women, 66 men, 10 not established; 150 of the women recruited in person).
    const d = range(256).map((i) =>
      victim(`VD-${i}`, day('2024-01-03', (i * 3) % 546), {
        sex: i < 180 ? 'female' : i < 246 ? 'male' : 'SI',
        ageAtEvent: 18 + (i % 40),
        nationality: [['HND', 'GTM', 'SLV', 'VEN'][i % 4]],
        stateOfOrigin: 'NA',
        vulnerableGroups: ['migrant_in_transit'],
        exploitationForms: [i < 188 ? 'forced_labour' : i < 244 ? 'sexual' : i < 248 ? 'begging' : 'criminal_activities'],
        recruitmentChannels: [i < 150 || i >= 180 ? 'person_to_person' : 'social_network'],
        ...(i < 214 ? { recruitmentMethods: [i < 161 ? 'promise_of_help' : i < 164 ? 'education_or_leisure_offer' : i < 194 ? 'deprivation_of_liberty' : 'job_offer'] } : {}),
        meansOfControl: [i < 117 ? 'violence' : i < 212 ? 'exploitation_of_vulnerability' : 'document_retention'],
      }),
    );
    // Outside 2024-01-01 .. 2025-06-30: 2023-12-31 and 2025-07-01.
    const around = range(20).flatMap((i) => [
      victim(`VX-${i}`, i % 2 ? '2023-12-31' : '2025-07-01', { sex: 'male', ageAtEvent: 12, exploitationForms: ['csam'], recruitmentChannels: ['person_to_person'] }),
      victim(`VY-${i}`, i % 2 ? '2023-12-31' : '2025-07-01', {
        sex: 'male',
        ageAtEvent: 30,
        vulnerableGroups: ['migrant_in_transit'],
        exploitationForms: ['sexual'],
        recruitmentMethods: ['job_offer'],
        meansOfControl: ['debt_bondage'],
      }),
    ]);
    await post(hotline, 'victims', [...v1920, ...around1920, ...v2022, ...a, ...b, ...c, ...d, ...around]);

    // --- T21: 2,701 investigation files of 2012-06-15 .. 2017-07-31 (932 local: 857 by complaint, 56 ex officio,
    // 19 origin not found); 10 opened in 2018.
    const local = await createPrincipal(t, { kind: 'prosecutor', jurisdiction: '09', scopes: ['cases:write'] });
    const fgr = await createPrincipal(t, { kind: 'prosecutor', jurisdiction: 'FED', scopes: ['cases:write'] });
    const opened = (i: number) => day('2012-06-15', (i * 11) % 1873);
    await post(local, 'cases', [
      ...range(932).map((i) => file(`L-${i}`, opened(i), { origin: i < 857 ? 'complaint' : i < 913 ? 'ex_officio' : 'SI' })),
      ...range(10).map((i) => file(`L-late-${i}`, '2018-01-15', { origin: 'ex_officio' })),
    ]);
    await post(
      fgr,
      'cases',
      range(1769).map((i) => file(`F-${i}`, opened(i), { jurisdiction: 'fuero_federal', state: 'FED', origin: i % 10 ? 'complaint' : 'ex_officio' })),
    );
  }, 900_000);
  afterAll(() => t.close());

  it('T1: hotline cumulative volumes (21,579 reports received 2013 to 2025-06-30; more than 4,400 in 2019-2020)', async () => {
    const all = await stat('reports', 'groupBy=year&from=2013-01-01&to=2025-06-30');
    expect(all.total.value).toBe(21579);
    // The 40 contacts of 2012-12-31 and 2025-07-01 are outside.
    expect((await stat('reports', 'groupBy=year')).total.value).toBe(21619);
    const y1920 = await stat('reports', `groupBy=year&${Y1920}`);
    expect(y1920.total.value).toBeGreaterThan(4400);
    expect(y1920.total.value).toBe(4472);
  });

  it('T7: investigation files opened with the hotline’s legal support (64 in 2019, 45 in 2020, 109 in 2019-2020 = 59% of the 184 cases; 66 in 2024-01..2025-06)', async () => {
    const r = await stat('cases', `groupBy=year&agencyKind=hotline&${Y1920}`);
    expect(byKey(r.rows, 'year')).toEqual({ '2019': 64, '2020': 45 });
    expect(r.total.value).toBe(109);
    const cases = await stat('reports', `groupBy=year&classification=trafficking_related_crime&${Y1920}`);
    expect(cases.total.value).toBe(184);
    expect(pct(r.total.value!, cases.total.value!)).toBe(59);
    const recent = await stat('cases', `groupBy=agencyKind&agencyKind=hotline&${PERIOD}`);
    expect(recent.total.value).toBe(66);
  });

  it('T8: child victims excluding CSAM (56% girls / 44% boys; 86% recruited person to person; 62% through their vulnerability; purposes 30.7% sexual, 28.2% forced labour, 15.4% forced begging)', async () => {
    // Children without CSAM = children − children with CSAM, for every breakdown.
    const minus = async (dim: string) => {
      const all = await stat('victims', `groupBy=${dim}&agencyKind=hotline&ageGroup=under_18&${PERIOD}`);
      const withCsam = await stat('victims', `groupBy=${dim}&agencyKind=hotline&ageGroup=under_18&exploitationForm=csam&${PERIOD}`);
      const n = byKey(withCsam.rows, dim);
      return { total: all.total.value! - withCsam.total.value!, n: Object.fromEntries(all.rows.map((x) => [x.key[dim], x.value! - (n[x.key[dim]] ?? 0)])) };
    };
    const sex = await minus('sex');
    expect(sex.total).toBe(241);
    expect([pct(sex.n.female, sex.total), pct(sex.n.male, sex.total)]).toEqual([56, 44]);
    const channel = await minus('recruitmentChannel');
    expect(pct(channel.n.person_to_person, channel.total)).toBe(86);
    const means = await minus('meansOfControl');
    expect(pct(means.n.exploitation_of_vulnerability, means.total)).toBe(62);
    const purpose = await stat('victims', `groupBy=exploitationForm&agencyKind=hotline&ageGroup=under_18&exploitationForm=${NON_CSAM.join(',')}&${PERIOD}`);
    expect(purpose.total.value).toBe(241);
    const p = byKey(purpose.rows, 'exploitationForm');
    expect([pct1(p.sexual, 241), pct1(p.forced_labour, 241), pct1(p.begging, 241)]).toEqual([30.7, 28.2, 15.4]);
  });

  it('T9: CSAM (696 victims identified Jan-Jun 2025; reports +86% H1 2025 vs H1 2024; 81% recruited through the digital environment)', async () => {
    const h1 = await stat('victims', 'groupBy=sex&agencyKind=hotline&exploitationForm=csam&from=2025-01-01&to=2025-06-30');
    expect(h1.total.value).toBe(696);
    const r24 = await stat('reports', 'groupBy=year&exploitationForm=csam&from=2024-01-01&to=2024-06-30');
    const r25 = await stat('reports', 'groupBy=year&exploitationForm=csam&from=2025-01-01&to=2025-06-30');
    expect(Math.round(((r25.total.value! - r24.total.value!) / r24.total.value!) * 100)).toBe(86);
    const all = await stat('victims', `groupBy=sex&agencyKind=hotline&exploitationForm=csam&${PERIOD}`);
    const digital = await stat('victims', `groupBy=recruitmentChannel&agencyKind=hotline&exploitationForm=csam&recruitmentChannel=${DIGITAL.join(',')}&${PERIOD}`);
    expect(all.total.value).toBe(996);
    // A victim recruited through two digital channels counts once.
    expect(digital.rows.reduce((s, x) => s + x.value!, 0)).toBeGreaterThan(digital.total.value!);
    expect(pct(digital.total.value!, all.total.value!)).toBe(81);
  });

  it('T10: gender profile of hotline victims (62% women and girls, 1% sex not specified; children 58% girls / 42% boys; women recruited person to person 78%, women, girls and teenagers more than 40%)', async () => {
    const sex = await stat('victims', `groupBy=sex&agencyKind=hotline&${PERIOD}`);
    const n = byKey(sex.rows, 'sex');
    expect(sex.total.value).toBe(1600);
    expect([pct(n.female, 1600), pct(n.SI, 1600)]).toEqual([62, 1]);
    const children = await stat('victims', `groupBy=sex&agencyKind=hotline&ageGroup=under_18&${PERIOD}`);
    const c = byKey(children.rows, 'sex');
    expect([pct(c.female, children.total.value!), pct(c.male, children.total.value!)]).toEqual([58, 42]);
    const women = await stat('victims', `groupBy=recruitmentChannel&agencyKind=hotline&sex=female&ageGroup=adult_18_plus&${PERIOD}`);
    expect(pct(byKey(women.rows, 'recruitmentChannel').person_to_person, women.total.value!)).toBe(78);
    const female = await stat('victims', `groupBy=recruitmentChannel&agencyKind=hotline&sex=female&${PERIOD}`);
    expect((100 * byKey(female.rows, 'recruitmentChannel').person_to_person) / female.total.value!).toBeGreaterThan(40);
  });

  it('T11: migrant victims (attraction: false promise of help 63%, studies/vacation offer 1.2%; modality: forced labour 73.4%, sexual 21.9%, begging 1.6%; means: violence 45.7%, vulnerability 37.1%)', async () => {
    const q = `agencyKind=hotline&vulnerableGroup=migrant_in_transit&${PERIOD}`;
    const attraction = await stat('victims', `groupBy=recruitmentMethod&${q}`);
    const base = attraction.total.value!;
    expect(base).toBe(256);
    const a = byKey(attraction.rows, 'recruitmentMethod');
    expect([pct(a.promise_of_help, base), pct1(a.education_or_leisure_offer, base)]).toEqual([63, 1.2]);
    const m = byKey((await stat('victims', `groupBy=exploitationForm&${q}`)).rows, 'exploitationForm');
    expect([pct1(m.forced_labour, base), pct1(m.sexual, base), pct1(m.begging, base)]).toEqual([73.4, 21.9, 1.6]);
    const means = byKey((await stat('victims', `groupBy=meansOfControl&${q}`)).rows, 'meansOfControl');
    expect([pct1(means.violence, base), pct1(means.exploitation_of_vulnerability, base)]).toEqual([45.7, 37.1]);
    expect(means.debt_bondage ?? 0).toBe(0);
  });

  it('T14: groups of victims named in witness reports of 2019-2020, by nationality (119 = 56 Mexican + 37 unknown + 8 Venezuelan + 5 Colombian + 3 Honduran + 3 Cuban + 7 countries with one)', async () => {
    const r = await stat('reports', `groupBy=victimGroupNationality&callerRole=third_party_witness&${Y1920}`);
    const groups = r.rows.filter((x) => x.value! > 0 && x.key.victimGroupNationality !== 'NA');
    expect(byKey(groups, 'victimGroupNationality')).toEqual(Object.fromEntries(GROUPS_1920));
    expect(groups.reduce((s, x) => s + x.value!, 0)).toBe(119);
  });

  it('T17: means and methods of recruitment in the 2019-2020 hotline cases (person to person 72%, social networks 22%; job offer 47%, sentimental manipulation 29%)', async () => {
    const ch = await stat('victims', `groupBy=recruitmentChannel&agencyKind=hotline&${Y1920}`);
    const base = ch.total.value!;
    expect(base).toBe(232);
    const c = byKey(ch.rows, 'recruitmentChannel');
    expect([pct(c.person_to_person, base), pct(c.social_network, base)]).toEqual([72, 22]);
    const me = byKey((await stat('victims', `groupBy=recruitmentMethod&agencyKind=hotline&${Y1920}`)).rows, 'recruitmentMethod');
    expect([pct(me.job_offer, base), pct(me.emotional_manipulation, base)]).toEqual([47, 29]);
  });

  it('T18: hotline reports during the COVID-19 contingency, 2020-03 to 2020-12 (1,744 reports = 39% of 2019-2020; 58 with sexual exploitation, 20 with forced or labour exploitation)', async () => {
    const covid = 'from=2020-03-01&to=2020-12-31';
    const all = await stat('reports', `groupBy=classification&${covid}`);
    expect(all.total.value).toBe(1744);
    const two = await stat('reports', `groupBy=classification&${Y1920}`);
    expect(pct(1744, two.total.value!)).toBe(39);
    const sexual = await stat('reports', `groupBy=exploitationForm&exploitationForm=sexual&${covid}`);
    expect(sexual.total.value).toBe(58);
    const labour = await stat('reports', `groupBy=exploitationForm&exploitationForm=forced_labour,labour&${covid}`);
    expect(labour.total.value).toBe(20);
    // One report can reflect more than one modality.
    expect(cellOf(labour, { exploitationForm: 'forced_labour' }) + cellOf(labour, { exploitationForm: 'labour' })).toBe(21);
  });

  it('T19: hotline cases 2019-2020 (232 victims aged 7 to 38, 36 adults, 60% aged 13-31, 3 of 4 Mexican from 25 states; 9 transit states, 28 national destination states, 8 countries abroad, 15 states where foreign victims were exploited; 45 cases of minors; 7 sexual-exploitation cases reported by clients)', async () => {
    const q = `agencyKind=hotline&${Y1920}`;
    const legal = await stat('victims', `groupBy=ageGroup&${q}`);
    expect(legal.total.value).toBe(232);
    expect(byKey(legal.rows, 'ageGroup').adult_18_plus).toBe(36);
    const edges = byKey((await stat('victims', `groupBy=ageGroup&customAgeBands=0-6,7-7,8-37,38-38,39%2B&${q}`)).rows, 'ageGroup');
    expect([edges['0-6'], edges['7-7'] > 0, edges['38-38'] > 0, edges['39+']]).toEqual([0, true, true, 0]);
    const young = byKey((await stat('victims', `groupBy=ageGroup&customAgeBands=0-12,13-31,32%2B&${q}`)).rows, 'ageGroup');
    expect(pct(young['13-31'], 232)).toBe(60);
    const mex = await stat('victims', `groupBy=stateOfOrigin&nationality=MEX&${q}`);
    expect(pct(mex.total.value!, 232)).toBe(75);
    expect(mex.rows.filter((x) => x.value! > 0 && !['SI', 'NA', 'NR'].includes(x.key.stateOfOrigin))).toHaveLength(25);
    const clients = await stat('reports', `groupBy=callerRole&callerRole=client_receptor&classification=trafficking_related_crime&exploitationForm=sexual&${Y1920}`);
    expect(clients.total.value).toBe(7);
    // Routes (current data).
    const states = (r: Result, dim: string) => r.rows.filter((x) => x.value! > 0 && !['NR', 'SI', 'NA'].includes(x.key[dim])).map((x) => x.key[dim]);
    expect(states(await stat('victims', `groupBy=transitState&${q}`), 'transitState').sort()).toEqual(TRANSIT_9);
    expect(states(await stat('victims', `groupBy=destinationState&${q}`), 'destinationState')).toHaveLength(28);
    const abroad = states(await stat('victims', `groupBy=destinationCountry&${q}`), 'destinationCountry').filter((c) => c !== 'MEX');
    expect(abroad.sort()).toEqual([...ABROAD_8].sort());
    const exploited = await stat('victims', `groupBy=exploitationState&nationality=${FOREIGN.join(',')}&${q}`);
    expect(states(exploited, 'exploitationState')).toHaveLength(15);
    const minors = await stat('reports', `groupBy=involvesMinor&classification=trafficking_related_crime&${Y1920}`);
    expect(byKey(minors.rows, 'involvesMinor')).toEqual({ yes: 45, no: 139 });
  });

  it('T20: hotline victims of 2022 first recruited through websites or social media (more than 60%)', async () => {
    const all = await stat('victims', 'groupBy=sex&agencyKind=hotline&from=2022-01-01&to=2022-12-31');
    const online = await stat('victims', 'groupBy=recruitmentChannel&agencyKind=hotline&recruitmentChannel=website,social_network&from=2022-01-01&to=2022-12-31');
    expect(all.total.value).toBe(50);
    expect(online.total.value).toBe(31);
    expect(cellOf(online, { recruitmentChannel: 'social_network' }) + cellOf(online, { recruitmentChannel: 'website' })).toBe(34);
    expect((100 * online.total.value!) / all.total.value!).toBeGreaterThan(60);
  });

  it('T21: investigations 2012-06 to 2017-07 as quoted from CNDH (2,701 files nationwide; 932 local: 92% by complaint, 6% ex officio, 2% origin not found)', async () => {
    const r = await stat('cases', 'groupBy=jurisdiction,origin&from=2012-06-15&to=2017-07-31');
    expect(r.total.value).toBe(2701);
    const local = byKey(r.margins.jurisdiction, 'jurisdiction').fuero_comun;
    expect(local).toBe(932);
    const o = (origin: string) => pct(cellOf(r, { jurisdiction: 'fuero_comun', origin }), local);
    expect([o('complaint'), o('ex_officio'), o('SI')]).toEqual([92, 6, 2]);
  });
});

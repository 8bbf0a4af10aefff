import request from 'supertest';
import { createPrincipal, startTestApp, type TestApp, type TestPrincipal, type FigureResult, pct } from '@app/testing';

/**
 * Reproduces the published tables of brief §4.5–4.6 on investigations, accused persons and courts
 * (figures.json T37, T38, T39, T40, T42, T43, T44, T45, T46) from synthetic record-level data loaded
 * through the HTTP API: investigation files and detailed reports (`/v1/cases/batch`) by a federal
 * prosecutor (FGR) and state prosecutors, persons sentenced (`/v1/accused/batch`), judgments
 * (`/v1/judicial-outcomes/batch`) and the victims they name (`/v1/victims/batch`) by 28 state courts and
 * one federal court. Statistics through `GET /v1/statistics/{cases,accused,judicial-outcomes,victims}`.
 * Percentages are computed on the source's base and rounded half up to whole numbers, as published.
 */
type Result = FigureResult;

const STATES = Array.from({ length: 32 }, (_, i) => String(i + 1).padStart(2, '0'));
const ALL_STATES = [...STATES, 'FED'].join(',');
/** Day `n` after `start` (YYYY-MM-DD). */
const day = (start: string, n: number) => new Date(Date.parse(`${start}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
/** `counts` as a list of `n` values, in order (e.g. { a: 2, b: 1 } → [a, a, b]). */
const expand = <T extends string>(counts: Array<[T, number]>): T[] => counts.flatMap(([v, n]) => Array<T>(n).fill(v));
/** A fixed permutation of 0..n-1 (stride coprime with n), to spread attributes across states. */
const spread = <T>(values: T[], stride: number): T[] => values.map((_, i) => values[(i * stride) % values.length]);
const count = (values: string[]) => values.reduce<Record<string, number>>((m, v) => ({ ...m, [v]: (m[v] ?? 0) + 1 }), {});

// ---- Investigation files (T38-T40): 2,701 files 2012-06-15..2017-07-31, 1,945 local + 756 federal. ----
/** Local files by state: 70% (1,362) in Baja California, Chiapas, Mexico City, State of Mexico, Oaxaca; none in Durango (10) or Yucatán (31). */
const CONCENTRATED: Array<[string, number]> = [
  ['02', 300],
  ['07', 250],
  ['09', 400],
  ['15', 262],
  ['20', 150],
];
/** T46 note: Colima 1, Nayarit 2, Nuevo León 1, San Luis Potosí 4 files. */
const FEW: Array<[string, number]> = [
  ['06', 1],
  ['18', 2],
  ['19', 1],
  ['24', 4],
];
const OTHER_STATES = STATES.filter((s) => ![...CONCENTRATED, ...FEW].some(([c]) => c === s) && s !== '10' && s !== '31');
const LOCAL_BY_STATE: Array<[string, number]> = [
  ...CONCENTRATED,
  ...FEW,
  ...OTHER_STATES.map((s, i): [string, number] => [s, i < 8 ? 28 : 27]),
];
const LOCAL_STATUS = expand([
  ['criminal_action_exercised', 545],
  ['non_exercise_criminal_action', 681],
  ['pending', 622],
  ['transferred_incompetence', 39],
  ['SI', 20],
  ['accumulated', 20],
  ['mixed_resolution', 18],
]);
const FEDERAL_STATUS = expand([
  ['criminal_action_exercised', 76],
  ['non_exercise_criminal_action', 136],
  ['pending', 242],
  ['transferred_incompetence', 234],
  ['accumulated', 68],
]);
const ORIGIN = spread(
  expand([
    ['ex_officio', 162],
    ['witness_complaint', 378],
    ['complaint', 1800],
    ['SI', 361],
  ]),
  7,
);
const LEGAL_BASIS = spread(
  expand([
    ['prior_state_law', 4],
    ['prior_federal_law_2007', 2],
    ['other_criminal_law', 2],
    ['general_law_2012', 2693],
  ]),
  11,
);
/** T40: no information 1,242; none 1,100; kinship 224 (2 also public servant, 1 also organised crime, 172 sexual field); organised crime only 127; public servant only 8. */
type Involvement = { kinship: string; organisedCrime: string; publicServant: string; sexual?: boolean };
const inv = (kinship: string, organisedCrime: string, publicServant: string, sexual?: boolean): Involvement => ({
  kinship,
  organisedCrime,
  publicServant,
  sexual,
});
const INVOLVEMENT: Involvement[] = spread(
  [
    ...Array.from({ length: 1242 }, () => inv('SI', 'SI', 'SI')),
    ...Array.from({ length: 1100 }, () => inv('no', 'no', 'no')),
    ...Array.from({ length: 224 }, (_, i) => inv('yes', i === 0 ? 'yes' : 'no', i === 1 || i === 2 ? 'yes' : 'no', i < 172)),
    ...Array.from({ length: 127 }, () => inv('no', 'yes', 'no')),
    ...Array.from({ length: 8 }, () => inv('no', 'no', 'yes')),
  ],
  13,
);
const OTHER_OFFENSES = ['LGT-10', 'LGT-13', 'LGT-10-III', 'LGT-14', 'LGT-16', 'LGT-12', 'LGT-30', 'LGT-21', 'LGT-22', 'LGT-19'];

interface FileSpec {
  agencyState: string;
  localId: string;
  doc: Record<string, unknown>;
  offenses: string[];
}
function buildFiles(): FileSpec[] {
  const slots: Array<{ jurisdiction: string; state: string; status: string }> = [];
  let local = 0;
  for (const [state, n] of LOCAL_BY_STATE)
    for (let i = 0; i < n; i++) slots.push({ jurisdiction: 'fuero_comun', state, status: LOCAL_STATUS[local++] });
  FEDERAL_STATUS.forEach((status) => slots.push({ jurisdiction: 'fuero_federal', state: 'FED', status }));
  const perState: Record<string, number> = {};
  let other = 0;
  return slots.map((s, i) => {
    const k = (perState[s.state] = (perState[s.state] ?? -1) + 1);
    const v = INVOLVEMENT[i];
    let offenses: string[];
    if (v.kinship === 'yes') offenses = [v.sexual ? 'LGT-13' : 'LGT-21'];
    else {
      offenses = other % 9 === 8 ? ['LGT-10', 'LGT-13'] : [OTHER_OFFENSES[other % OTHER_OFFENSES.length]];
      other++;
    }
    const localId = `F-${s.state}-${k}`;
    return {
      agencyState: s.state,
      localId,
      offenses,
      doc: {
        localId,
        fileNumber: localId,
        fileType: i % 4 === 0 ? 'averiguacion_previa' : 'carpeta_investigacion',
        jurisdiction: s.jurisdiction,
        state: s.state,
        openedOn: day('2012-06-15', i % 1800),
        status: s.status,
        origin: ORIGIN[i],
        legalBasis: LEGAL_BASIS[i],
        probableInvolvement: { kinship: v.kinship, organisedCrime: v.organisedCrime, publicServant: v.publicServant },
        charges: offenses.map((offense) => ({ offense, attempted: false, stage: 'investigated' })),
      },
    };
  });
}
/** 25 files opened after the period (2018), for art. 15: the period filter must keep them out. */
const lateFiles = (state: string) =>
  Array.from({ length: 25 }, (_, i) => ({
    localId: `LATE-${state}-${i}`,
    fileNumber: `LATE-${i}`,
    fileType: 'carpeta_investigacion',
    jurisdiction: state === 'FED' ? 'fuero_federal' : 'fuero_comun',
    state,
    openedOn: day('2018-01-10', i),
    status: 'pending',
    charges: [{ offense: 'LGT-15', attempted: false }],
  }));

/** Victims identified by prosecutors (T38): 55% by the prosecutors of Baja California, Chiapas, Mexico City, State of Mexico and Oaxaca. */
const PROSECUTOR_VICTIMS: Array<[string, number]> = [
  ['02', 100],
  ['07', 100],
  ['09', 150],
  ['15', 120],
  ['20', 80],
  ...['01', '03', '04', '05', '08', '11', '12', '13', '14', '16'].map((s): [string, number] => [s, 30]),
  ['FED', 150],
];

// ---- Detailed reports (T37): 765 actas circunstanciadas, 421 federal; state ones in 11 offices, 275 of 344 in Baja California and Tlaxcala. ----
const ACTAS_BY_STATE: Array<[string, number]> = [
  ['FED', 421],
  ['02', 150],
  ['29', 125],
  ...['09', '15', '07', '20', '14', '21', '30', '26'].map((s): [string, number] => [s, 8]),
  ['05', 5],
];
const acta = (state: string, i: number) => ({
  localId: `AC-${state}-${i}`,
  fileNumber: `AC-${state}-${i}`,
  fileType: 'acta_circunstanciada',
  jurisdiction: state === 'FED' ? 'fuero_federal' : 'fuero_comun',
  state,
  openedOn: day('2013-02-01', i),
  // Art. 34: no investigation file has it (T38); a detailed report is not a file and must not count there.
  charges: [{ offense: 'LGT-34', attempted: false }],
});

// ---- Persons sentenced (T45): 492 (343 men, 147 women, 2 no information). ----
const SENTENCED_BY_STATE = spread(
  expand([['09', 285], ['15', 39], ['21', 40], ...['02', '07', '20', '14', '26', '30', '29', '08'].map((s): [string, number] => [s, 16])]),
  5,
);
const BIRTH_OTHER = STATES.filter((s) => !['09', '15', '29', '08', '21', '30', '31', '10', '24', '18', '06'].includes(s));
const BIRTH_MEX = expand([
  ['09', 181],
  ['15', 45],
  ['29', 21],
  ['08', 16],
  ['21', 16],
  ['30', 16],
  ['SI', 8],
  ...BIRTH_OTHER.map((s, i): [string, number] => [s, i < 3 ? 6 : 5]),
]);
function buildSentenced() {
  const sexes = expand([
    ['male', 343],
    ['female', 147],
    ['SI', 2],
  ]);
  const foreignMen = ['GTM', 'USA', 'COL', 'HND'];
  const foreignWomen = ['GTM', 'VEN', 'COL', 'CUB'];
  let mex = 0;
  return sexes.map((sex, i) => {
    const j = sex === 'male' ? i : sex === 'female' ? i - 343 : i - 490;
    const nat =
      sex === 'male'
        ? j < 4
          ? foreignMen[j]
          : j < 304
            ? 'MEX'
            : 'SI'
        : sex === 'female'
          ? j < 4
            ? foreignWomen[j]
            : j < 113
              ? 'MEX'
              : 'SI'
          : 'MEX';
    const state = SENTENCED_BY_STATE[i];
    return {
      state,
      doc: {
        localId: `S-${i}`,
        sex,
        ...(i < 430 ? { age: 35 } : i < 432 ? { age: 17 } : {}),
        nationality: [nat],
        stateOfOrigin: nat === 'MEX' ? BIRTH_MEX[mex++] : nat === 'SI' ? 'SI' : 'NA',
        roles: ['SI'],
        proceedings: [{ caseLocalId: `F-${state}-0`, offense: 'LGT-13', status: 'sentenced', on: '2016-05-01' }],
      },
    };
  });
}

// ---- Courts (T42-T44, T46). ----
/** 19 state courts that reported victims from final judgments, with their victims (790). */
const VICTIM_COURTS: Array<[string, number]> = [
  ['09', 529],
  ['21', 87],
  ['15', 40],
  ...['02', '04', '08', '05', '10', '11', '13', '14', '16', '17', '20', '22', '23', '26', '29', '30'].map((s, i): [string, number] => [
    s,
    i < 6 ? 9 : 8,
  ]),
];
/** Courts where every victim was female (T43 note). */
const ALL_FEMALE = ['04', '08', '05', '10', '11', '13', '16', '17', '20', '26', '29'];
/** Men and boys (37) and sex unknown (5) by court; the rest are women and girls (748). */
const MEN: Record<string, number> = { '09': 22, '21': 5, '15': 3, '02': 2, '14': 2, '22': 1, '23': 1, '30': 1 };
const SEX_UNKNOWN: Record<string, number> = { '09': 5 };
/** Reported zero victims (7 with judgments; Colima, Nayarit, Nuevo León reported no sentences at all), S.I. (Chiapas, Tabasco). */
const ZERO_VICTIM_COURTS = ['01', '03', '12', '25', '28', '31', '32'];
const SI_COURTS = ['07', '27'];
const NO_SENTENCES = ['06', '18', '19', '24'];
const COURT_STATES = [...VICTIM_COURTS.map(([s]) => s), ...ZERO_VICTIM_COURTS, ...SI_COURTS];
/** Judgments per state court (828 in all) and 30 federal ones. */
const JUDGMENTS: Record<string, number> = Object.fromEntries([
  ['09', 300],
  ['21', 80],
  ['15', 70],
  ...COURT_STATES.filter((s) => !['09', '21', '15'].includes(s)).map((s, i) => [s, i < 3 ? 16 : 15]),
  ['FED', 30],
]);

function buildVictims() {
  // Within sex: women 486 age known (407 adult, 79 girls), men 30 (11 adult, 19 boys); nationality 112 Mexican, 1 Cuban, 1 other.
  const counters = { female: 0, male: 0, SI: 0 };
  const byCourt: Record<string, Array<Record<string, unknown>>> = {};
  const mexOrigin = expand([
    ['15', 19],
    ['11', 10],
    ['26', 10],
    ['29', 10],
    ['SI', 4],
    ...['01', '02', '04', '05', '07', '08', '09', '12', '13', '14', '16'].map((s): [string, number] => [s, 4]),
    ...['17', '20', '21', '22', '30'].map((s): [string, number] => [s, 3]),
  ]);
  let mex = 0;
  for (const [state, n] of VICTIM_COURTS) {
    const sexes = expand([
      ['male', MEN[state] ?? 0],
      ['SI', SEX_UNKNOWN[state] ?? 0],
      ['female', n - (MEN[state] ?? 0) - (SEX_UNKNOWN[state] ?? 0)],
    ]);
    byCourt[state] = sexes.map((sex, k) => {
      const j = counters[sex as keyof typeof counters]++;
      const age =
        sex === 'female' ? (j < 407 ? 25 : j < 486 ? 15 : undefined) : sex === 'male' ? (j < 11 ? 30 : j < 30 ? 14 : undefined) : undefined;
      const nat =
        sex === 'female' ? (j < 98 ? 'MEX' : j === 98 ? 'CUB' : j === 99 ? 'GTM' : 'SI') : sex === 'male' ? (j < 9 ? 'MEX' : 'SI') : 'MEX';
      return {
        localId: `V-${state}-${k}`,
        sex,
        ...(age === undefined ? {} : { ageAtEvent: age }),
        identifiedOn: '2015-06-01',
        nationality: [nat],
        stateOfOrigin: nat === 'MEX' ? mexOrigin[mex++] : nat === 'SI' ? 'SI' : 'NA',
        vulnerableGroups: ['SI'],
        victimType: 'direct',
        offenses: ['LGT-13'],
      };
    });
  }
  return byCourt;
}

describe('statistics reproduce published figures on investigations, accused persons and courts (T37-T40, T42-T46)', () => {
  let t: TestApp;
  let exact: TestPrincipal;
  let catalogOffenses: string[];
  const files = buildFiles();
  const victims = buildVictims();
  /** Instant after the judgments were loaded as first reported and before 4 convictions were revoked on appeal. */
  let firstReported: Date;

  const stat = async (path: string): Promise<Result> => {
    const res = await request(t.baseUrl).get(path).auth(exact.token, { type: 'bearer' });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body).slice(0, 600)}`);
    return res.body as Result;
  };
  /** Value of the row with this key; 0 when the dimension lists only observed values and this one is absent. */
  const cell = (r: Result, key: Record<string, string>) =>
    r.rows.find((x) => Object.entries(key).every(([k, v]) => x.key[k] === v))?.value ?? 0;
  const byKey = (r: Result, d: string) => Object.fromEntries(r.rows.map((x) => [x.key[d], x.value]));
  const load = async (who: TestPrincipal, kind: string, entries: object[]) => {
    for (let i = 0; i < entries.length; i += 1000) {
      const res = await request(t.baseUrl)
        .post(`/v1/${kind}/batch`)
        .auth(who.token, { type: 'bearer' })
        .send({ entries: entries.slice(i, i + 1000), atomic: true });
      if (res.status !== 200 || res.body.summary?.rejected !== 0)
        throw new Error(`${kind} batch failed: ${res.status} ${JSON.stringify(res.body).slice(0, 600)}`);
    }
  };
  /** Every catalog offense is listed (R2) and equals the fixture's count, zero for offenses without units. */
  const expectOffenseRows = (r: Result, expected: Record<string, number>) => {
    expect(r.rows.map((x) => x.key.offense).sort()).toEqual([...catalogOffenses].sort());
    expect(byKey(r, 'offense')).toEqual(Object.fromEntries(catalogOffenses.map((c) => [c, expected[c] ?? 0])));
  };

  beforeAll(async () => {
    t = await startTestApp();
    exact = await createPrincipal(t, { kind: 'oversight', scopes: ['statistics:read', 'statistics:exact'] });
    const cat = await request(t.baseUrl).get('/v1/catalogs/offense').auth(exact.token, { type: 'bearer' });
    catalogOffenses = (cat.body.entries as Array<{ code: string; nullCode: boolean; retiredOn: string | null }>)
      .filter((e) => !e.retiredOn && !e.nullCode)
      .map((e) => e.code);
    if (cat.status !== 200 || catalogOffenses.length < 26)
      throw new Error(`offense catalog: ${cat.status}, ${catalogOffenses.length} codes`);

    // Prosecutors: FGR and one per state with files or detailed reports.
    const prosecutors: Record<string, TestPrincipal> = {};
    const prosecutor = async (state: string) =>
      (prosecutors[state] ??= await createPrincipal(t, {
        kind: 'prosecutor',
        jurisdiction: state,
        scopes: ['cases:write', 'victims:write'],
      }));
    for (const state of [...new Set([...files.map((f) => f.agencyState), ...ACTAS_BY_STATE.map(([s]) => s)])]) {
      const docs: object[] = files.filter((f) => f.agencyState === state).map((f) => f.doc);
      const actas = ACTAS_BY_STATE.find(([s]) => s === state);
      if (actas) docs.push(...Array.from({ length: actas[1] }, (_, i) => acta(state, i)));
      if (state === 'FED' || state === '09') docs.push(...lateFiles(state));
      await load(await prosecutor(state), 'cases', docs);
    }
    // Victims identified by the prosecutors (1,000): 550 by the five authorities of T38, 300 by 10 other states, 150 by the FGR.
    for (const [state, n] of PROSECUTOR_VICTIMS) {
      await load(
        prosecutors[state],
        'victims',
        Array.from({ length: n }, (_, k) => ({ ...victims['09'][100], localId: `PV-${state}-${k}`, identifiedOn: day('2013-03-01', k) })),
      );
    }
    // Persons sentenced, each charged in a file of the prosecutor that reports them; plus 40 persons only indicted.
    const sentenced = buildSentenced();
    for (const state of [...new Set(sentenced.map((s) => s.state))]) {
      const docs: object[] = sentenced.filter((s) => s.state === state).map((s) => s.doc);
      if (state === '09') {
        for (let i = 0; i < 40; i++) {
          docs.push({
            localId: `IND-${i}`,
            sex: 'male',
            age: 30,
            nationality: ['MEX'],
            stateOfOrigin: '09',
            roles: ['SI'],
            proceedings: [{ caseLocalId: 'F-09-1', offense: 'LGT-10', status: 'indicted_charged', on: '2016-05-01' }],
          });
        }
      }
      await load(prosecutors[state], 'accused', docs);
    }

    // Courts: 28 state courts and the federal judiciary (CJF); their victims, then their judgments as first reported.
    const courts: Record<string, TestPrincipal> = {};
    for (const state of [...COURT_STATES, 'FED'])
      courts[state] = await createPrincipal(t, { kind: 'court', jurisdiction: state, scopes: ['cases:write', 'victims:write'] });
    for (const [state, list] of Object.entries(victims)) await load(courts[state], 'victims', list);
    // 10 more victims of the Mexico City court named only in non-final judgments: not "derived from final judgments".
    await load(
      courts['09'],
      'victims',
      Array.from({ length: 10 }, (_, k) => ({ ...victims['09'][0], localId: `VNF-${k}`, sex: 'male' })),
    );
    const offenses = ['LGT-10', 'LGT-13', 'LGT-14', 'LGT-16', 'LGT-21', 'LGT-22'];
    const judgments: Record<string, Array<Record<string, unknown>>> = {};
    let stateIndex = 0;
    let fedIndex = 0;
    for (const state of [...COURT_STATES, 'FED']) {
      const federal = state === 'FED';
      judgments[state] = Array.from({ length: JUDGMENTS[state] }, (_, i) => {
        // State courts: 547 convictions as first reported (543 after 4 revocations on appeal), 281 acquittals; federal: 19 and 11.
        const conviction = federal ? fedIndex++ < 19 : (stateIndex++ * 7919) % 828 < 547;
        return {
          localId: `J-${state}-${i}`,
          caseLocalId: `C-${state}-${i}`,
          accusedLocalId: `A-${state}-${i}`,
          offense: offenses[i % offenses.length],
          court: federal ? 'Juzgado de Distrito' : `Tribunal ${state}`,
          courtJurisdiction: federal ? 'fuero_federal' : 'fuero_comun',
          courtState: state,
          decisionDate: day('2013-01-15', (i * 13) % 1600),
          outcome: conviction ? 'conviction' : 'acquittal',
          final: true,
          ...(conviction ? { prisonTerm: { years: 15, months: 0 } } : {}),
        };
      });
    }
    // Mexico City: 10 acquittals not final, naming the 10 extra victims; the court's victims go to its final judgments.
    const cdmxAcquittals = judgments['09'].filter((j) => j.outcome === 'acquittal').slice(0, 10);
    cdmxAcquittals.forEach((j, k) => Object.assign(j, { final: false, victims: [`VNF-${k}`] }));
    for (const [state, list] of Object.entries(victims)) {
      const finals = judgments[state].filter((j) => j.final);
      list.forEach((v, k) => {
        const j = finals[k % finals.length];
        j.victims = [...((j.victims as string[]) ?? []), v.localId as string];
      });
    }
    // 12 Mexico City judgments of 2018, outside the period.
    const late = Array.from({ length: 12 }, (_, i) => ({
      ...judgments['09'][0],
      localId: `JL-${i}`,
      decisionDate: day('2018-02-01', i),
      victims: undefined,
    }));
    for (const state of [...COURT_STATES, 'FED'])
      await load(courts[state], 'judicial-outcomes', state === '09' ? [...judgments[state], ...late] : judgments[state]);

    await new Promise((r) => setTimeout(r, 50));
    firstReported = new Date();
    await new Promise((r) => setTimeout(r, 50));
    // Later: 4 state convictions revoked on appeal (004 fn 24) — now counted as acquittals.
    const revoked = judgments['21'].filter((j) => j.outcome === 'conviction').slice(0, 4);
    if (revoked.length !== 4) throw new Error('fixture: fewer than 4 convictions in Puebla');
    await load(
      courts['21'],
      'judicial-outcomes',
      revoked.map((j) => ({ ...j, appealResult: 'conviction_revoked', appealDecidedOn: '2017-06-30' })),
    );
  }, 600_000);
  afterAll(() => t.close());

  const FILES = 'fileType=averiguacion_previa,carpeta_investigacion&from=2012-06-15&to=2017-07-31';

  /*
   * T37 not reproduced: "24% led to a preliminary inquiry or investigation file" — a detailed report records
   * no link to the file it led to (no such field on the case record, no such dimension). The flagged
   * contradiction is kept as published: 55% of the reports are federal although the text says they were
   * initiated in 11 state offices (the 344 state reports come from 11 state prosecutors, 421 from the FGR).
   */
  it('T37: detailed reports initiated (765; 55% federal; ~80% of state reports in Baja California and Tlaxcala; 11 state offices)', async () => {
    const all = await stat('/v1/statistics/cases?fileType=acta_circunstanciada&groupBy=jurisdiction&from=2012-01-01&to=2017-12-31');
    expect(all.total.value).toBe(765);
    expect(pct(cell(all, { jurisdiction: 'fuero_federal' }), 765)).toBe(55);
    const state = await stat(
      '/v1/statistics/cases?fileType=acta_circunstanciada&jurisdiction=fuero_comun&groupBy=state&from=2012-01-01&to=2017-12-31',
    );
    expect(state.contributingAgencies).toBe(11);
    expect(pct(cell(state, { state: '02' }) + cell(state, { state: '29' }), state.total.value!)).toBe(80);
    // As flagged: the federal 55% come from the FGR, besides the 11 state offices.
    expect(all.contributingAgencies).toBe(12);
  });

  /*
   * T38 not reproduced: "55 distinct combinations of General Law offences found in files" (statistics count
   * files per offense, not per combination of offenses). "55% of the national victims identified by those same
   * five authorities" is reproduced with the victims measure by the identifying agency's state (`agencyState`),
   * victims registered by prosecutors.
   */
  it('T38: investigation files (2,701; 72% local / 28% federal; transferred 2% / 31%; 8 under prior law; 70% in five states, which identified 55% of victims; 6% ex officio, 14% witness; zero rows for arts. 15, 31, 34)', async () => {
    const byJurisdiction = await stat(`/v1/statistics/cases?${FILES}&groupBy=jurisdiction,status`);
    const local = cell({ ...byJurisdiction, rows: byJurisdiction.margins.jurisdiction }, { jurisdiction: 'fuero_comun' });
    const federal = cell({ ...byJurisdiction, rows: byJurisdiction.margins.jurisdiction }, { jurisdiction: 'fuero_federal' });
    expect([byJurisdiction.total.value, local, federal]).toEqual([2701, 1945, 756]);
    expect([pct(local, 2701), pct(federal, 2701)]).toEqual([72, 28]);
    const transferred = (j: string) => cell(byJurisdiction, { jurisdiction: j, status: 'transferred_incompetence' });
    expect([pct(transferred('fuero_comun'), local), pct(transferred('fuero_federal'), federal)]).toEqual([2, 31]);

    const basis = await stat(`/v1/statistics/cases?${FILES}&legalBasis=prior_federal_law_2007,prior_state_law,other_criminal_law`);
    expect(basis.total.value).toBe(8);

    const byState = await stat(`/v1/statistics/cases?${FILES}&jurisdiction=fuero_comun&groupBy=state`);
    const five = ['02', '07', '09', '15', '20'].reduce((s, c) => s + cell(byState, { state: c }), 0);
    expect(pct(five, byState.total.value!)).toBe(70);
    expect([cell(byState, { state: '10' }), cell(byState, { state: '31' })]).toEqual([0, 0]); // no files in Durango and Yucatán
    const identified = await stat('/v1/statistics/victims?agencyKind=prosecutor&groupBy=agencyState&from=2012-06-15&to=2017-07-31');
    const byFive = ['02', '07', '09', '15', '20'].reduce((s, c) => s + cell(identified, { agencyState: c }), 0);
    expect(pct(byFive, identified.total.value!)).toBe(55);

    const origin = await stat(`/v1/statistics/cases?${FILES}&groupBy=origin`);
    expect([pct(cell(origin, { origin: 'ex_officio' }), 2701), pct(cell(origin, { origin: 'witness_complaint' }), 2701)]).toEqual([6, 14]);

    // By offense: every catalog offense, zero rows included — arts. 15, 31 and 34 have no files; servitude
    // (debt bondage, art. 12) and organ trafficking (art. 30) have files.
    const byOffense = await stat(`/v1/statistics/cases?${FILES}&groupBy=offense`);
    expectOffenseRows(byOffense, count(files.flatMap((f) => f.offenses)));
    expect([
      cell(byOffense, { offense: 'LGT-15' }),
      cell(byOffense, { offense: 'LGT-31' }),
      cell(byOffense, { offense: 'LGT-34' }),
    ]).toEqual([0, 0, 0]);
    expect(cell(byOffense, { offense: 'LGT-12' })).toBeGreaterThan(0);
    expect(cell(byOffense, { offense: 'LGT-30' })).toBeGreaterThan(0);
    expect(byOffense.total.value).toBe(2701);
  });

  /*
   * T39 reproduced with the current status of each file (the files' `status`); "as of 31 July 2017" would
   * use `asOf` on the record history, which only reaches back to when the records were loaded.
   */
  it('T39: status of investigations by jurisdiction (local 28 / 35 / 32 / 2 / rest 3; federal 10 / 18 / 32 / 31 / 9)', async () => {
    const r = await stat(`/v1/statistics/cases?${FILES}&groupBy=jurisdiction,status`);
    const base = (j: string) => cell({ ...r, rows: r.margins.jurisdiction }, { jurisdiction: j });
    const share = (j: string, status: string) => pct(cell(r, { jurisdiction: j, status }), base(j));
    const local = ['criminal_action_exercised', 'non_exercise_criminal_action', 'pending', 'transferred_incompetence'].map((s) =>
      share('fuero_comun', s),
    );
    const rest = ['SI', 'accumulated', 'mixed_resolution'].reduce((s, c) => s + cell(r, { jurisdiction: 'fuero_comun', status: c }), 0);
    expect([...local, pct(rest, base('fuero_comun'))]).toEqual([28, 35, 32, 2, 3]);
    const federal = ['criminal_action_exercised', 'non_exercise_criminal_action', 'pending', 'transferred_incompetence', 'accumulated'].map(
      (s) => share('fuero_federal', s),
    );
    expect(federal).toEqual([10, 18, 32, 31, 9]);
    // Re-run on the record history (asOf, R36): the files have not changed since, so the table is the same.
    const then = await stat(
      `/v1/statistics/cases?${FILES}&groupBy=jurisdiction,status&asOf=${encodeURIComponent(firstReported.toISOString())}`,
    );
    expect(then.rows.map((x) => [x.key, x.value])).toEqual(r.rows.map((x) => [x.key, x.value]));
  });

  /*
   * T40 reproduced as published, including its overlap convention: the published 127 (organised crime) and
   * 8 (public servants) exclude the files also counted under kinship (224 + 127 + 8 = 359), so they are the
   * cells with kinship ≠ yes; the model's own organisedCrime=yes and publicServant=yes margins are 128 and 10.
   */
  it('T40: probable involvement (46% no information, 41% none, 13% at least one = 359; kinship 224 of which 2 public servant and 1 organised crime; organised crime 127; public servants 8; 77% of kinship files sexual)', async () => {
    const r = await stat(`/v1/statistics/cases?${FILES}&groupBy=kinship,organisedCrime,publicServant`);
    const c = (kinship: string, organisedCrime: string, publicServant: string) => cell(r, { kinship, organisedCrime, publicServant });
    const margin = (d: string, v: string) => r.margins[d].find((x) => x.key[d] === v)?.value ?? 0;
    const noInfo = c('SI', 'SI', 'SI');
    const none = c('no', 'no', 'no');
    const atLeastOne = r.rows.filter((x) => Object.values(x.key).includes('yes')).reduce((s, x) => s + x.value!, 0);
    expect([r.total.value, atLeastOne]).toEqual([2701, 359]);
    expect([pct(noInfo, 2701), pct(none, 2701), pct(atLeastOne, 2701)]).toEqual([46, 41, 13]);
    const kinship = margin('kinship', 'yes');
    const kinshipAnd = (d: 'organisedCrime' | 'publicServant') =>
      r.rows.filter((x) => x.key.kinship === 'yes' && x.key[d] === 'yes').reduce((s, x) => s + x.value!, 0);
    expect([kinship, kinshipAnd('publicServant'), kinshipAnd('organisedCrime')]).toEqual([224, 2, 1]);
    const without = (d: 'organisedCrime' | 'publicServant') =>
      r.rows.filter((x) => x.key.kinship !== 'yes' && x.key[d] === 'yes').reduce((s, x) => s + x.value!, 0);
    expect([without('organisedCrime'), without('publicServant')]).toEqual([127, 8]);
    expect([kinship + without('organisedCrime') + without('publicServant')]).toEqual([359]);
    expect([margin('organisedCrime', 'yes'), margin('publicServant', 'yes')]).toEqual([128, 10]);
    const sexual = await stat(`/v1/statistics/cases?${FILES}&kinship=yes&groupBy=tipBucket`);
    expect(pct(cell(sexual, { tipBucket: 'sex' }), sexual.total.value!)).toBe(77);
  });

  /*
   * T42 partly reproduced: the 19 state courts with victims derived from final judgments (victims whose
   * record is named in a final judicial outcome of the same court, dimension `finalJudgmentState`) and zero
   * for the other 13 states. Not reproduced: telling "reported zero victims" (10) from "S.I." (Chiapas,
   * Tabasco) and "N.A." (San Luis Potosí) — these are a court's answer to a questionnaire, not record-level
   * data; in the model all 13 are zero (7 with final judgments naming no victim, 2 S.I. courts likewise,
   * Colima, Nayarit, Nuevo León and San Luis Potosí without judgments).
   */
  it('T42: state courts reporting victims from final judgments (19 with victims; the other 13 states zero)', async () => {
    const r = await stat(`/v1/statistics/victims?groupBy=finalJudgmentState&finalJudgmentState=${ALL_STATES}`);
    const withVictims = r.rows.filter((x) => x.value! > 0).map((x) => x.key.finalJudgmentState);
    expect(withVictims.sort()).toEqual(VICTIM_COURTS.map(([s]) => s).sort());
    for (const s of [...ZERO_VICTIM_COURTS, ...SI_COURTS, ...NO_SENTENCES]) expect(cell(r, { finalJudgmentState: s })).toBe(0);
    expect(withVictims.length + ZERO_VICTIM_COURTS.length + ['06', '18', '19'].length + SI_COURTS.length + ['24'].length).toBe(32);
    // The 7 zero-victim courts and the 2 S.I. courts did report final judgments; the 4 others reported none.
    const judged = await stat('/v1/statistics/judicial-outcomes?groupBy=state&final=yes&from=2012-06-15&to=2017-07-31');
    for (const s of [...ZERO_VICTIM_COURTS, ...SI_COURTS]) expect(cell(judged, { state: s })).toBeGreaterThan(0);
    for (const s of NO_SENTENCES) expect(cell(judged, { state: s })).toBe(0);
  });

  /*
   * T43 partly reproduced. Not reproduced: "105 victims with nationality and sex recorded" — inconsistent
   * with the table itself (114 with nationality − 105 = 9 with unknown sex, but only 5 victims have unknown
   * sex); the model gives 109 (the 5 of unknown sex are Mexican) and the published 98% / 2% shares hold on
   * that base. "1 country unspecified": the model has no "foreign, country unknown" code, so that victim
   * carries a (synthetic) country code.
   */
  it('T43: victims derived from final judgments (790 = 748 + 37 + 5; 95% / 5%; Mexico City 67%, Puebla 11%, State of Mexico 5%; age 65% = 516, 81% adults; nationality 114 = 112 + 2)', async () => {
    const q = `/v1/statistics/victims?finalJudgmentState=${ALL_STATES}`;
    const bySex = await stat(`${q}&groupBy=sex`);
    expect(bySex.total.value).toBe(790);
    const [f, m, si] = [cell(bySex, { sex: 'female' }), cell(bySex, { sex: 'male' }), cell(bySex, { sex: 'SI' })];
    expect([f, m, si]).toEqual([748, 37, 5]);
    expect([pct(f, f + m), pct(m, f + m)]).toEqual([95, 5]);

    const byCourt = await stat(`${q}&groupBy=finalJudgmentState,sex`);
    const court = (s: string) => byCourt.margins.finalJudgmentState.find((x) => x.key.finalJudgmentState === s)?.value ?? 0;
    expect([pct(court('09'), 790), pct(court('21'), 790), pct(court('15'), 790)]).toEqual([67, 11, 5]);
    // The 11 courts where every victim was female.
    const allFemale = VICTIM_COURTS.map(([s]) => s).filter(
      (s) => court(s) > 0 && court(s) === cell(byCourt, { finalJudgmentState: s, sex: 'female' }),
    );
    expect(allFemale.sort()).toEqual([...ALL_FEMALE].sort());

    const byAge = await stat(`${q}&groupBy=sex,ageGroup`);
    const age = (sex: string, g: string) => cell(byAge, { sex, ageGroup: g });
    const ageMargin = (g: string) => byAge.margins.ageGroup.find((x) => x.key.ageGroup === g)?.value ?? 0;
    const known = ageMargin('adult_18_plus') + ageMargin('under_18');
    expect([known, pct(known, 790)]).toEqual([516, 65]);
    expect([pct(ageMargin('adult_18_plus'), known), pct(ageMargin('under_18'), known)]).toEqual([81, 19]);
    const women = age('female', 'adult_18_plus') + age('female', 'under_18');
    const men = age('male', 'adult_18_plus') + age('male', 'under_18');
    expect([pct(age('female', 'adult_18_plus'), women), pct(age('male', 'under_18'), men)]).toEqual([84, 63]);

    const byNat = await stat(`${q}&groupBy=nationality,sex`);
    const nat = (c: string) => byNat.margins.nationality.find((x) => x.key.nationality === c)?.value ?? 0;
    const recorded = byNat.margins.nationality.filter((x) => x.key.nationality !== 'SI').reduce((s, x) => s + x.value!, 0);
    expect([recorded, pct(recorded, 790), nat('MEX'), recorded - nat('MEX'), nat('CUB')]).toEqual([114, 14, 112, 2, 1]);
    const known105 = byNat.rows.filter((x) => x.key.nationality !== 'SI' && x.key.sex !== 'SI').reduce((s, x) => s + x.value!, 0);
    const mexKnownSex = cell(byNat, { nationality: 'MEX', sex: 'female' }) + cell(byNat, { nationality: 'MEX', sex: 'male' });
    expect([known105, pct(mexKnownSex, known105), pct(known105 - mexKnownSex, known105)]).toEqual([109, 98, 2]);
    const menWithNat = byNat.rows.filter((x) => x.key.sex === 'male' && x.key.nationality !== 'SI' && x.value! > 0);
    expect(menWithNat.map((x) => [x.key.nationality, x.value])).toEqual([['MEX', 9]]);
    // Victims named only in non-final judgments are not "derived from final judgments".
    const nonFinal = await stat('/v1/statistics/victims?finalJudgmentState=NR&agencyKind=court');
    expect(nonFinal.total.value).toBe(10);
  });

  /* T44 reproduced fully for the listed rows; the "16 other states" are checked as 16 further states with Mexican victims. */
  it('T44: Mexican victims in final judgments by state of origin (State of Mexico 17%, Guanajuato 9%, Sonora 9%, Tlaxcala 9%, unknown 4%)', async () => {
    const r = await stat(`/v1/statistics/victims?finalJudgmentState=${ALL_STATES}&nationality=MEX&groupBy=stateOfOrigin`);
    expect(r.total.value).toBe(112);
    const share = (s: string) => pct(cell(r, { stateOfOrigin: s }), 112);
    expect(['15', '11', '26', '29', 'SI'].map(share)).toEqual([17, 9, 9, 9, 4]);
    expect(r.rows.filter((x) => !['15', '11', '26', '29', 'SI', 'NA'].includes(x.key.stateOfOrigin) && x.value! > 0)).toHaveLength(16);
  });

  /*
   * T45 reproduced with the `accused` measure (unit accused_person) filtered on the procedural status
   * `sentenced`. "Reported by" a state is the state of the investigation file the person was charged in
   * (the accused measure has no dimension for the reporting court).
   */
  it('T45: persons sentenced (492 = 343 + 147 + 2; 70% / 30%; Mexico City 58%, State of Mexico 8%, Puebla 8%; age 88% = 432: 430 adults, 2 minors; nationality 85% = 419: 411 Mexican, 8 foreign (4 men, 4 women); born in Mexico City 44%, State of Mexico 11%, Tlaxcala 5%, Chihuahua, Puebla, Veracruz 4%, not reported 2%)', async () => {
    const q = '/v1/statistics/accused?proceduralStatus=sentenced&from=2012-06-15&to=2017-07-31';
    const bySex = await stat(`${q}&groupBy=sex`);
    const [men, women, si] = [cell(bySex, { sex: 'male' }), cell(bySex, { sex: 'female' }), cell(bySex, { sex: 'SI' })];
    expect([bySex.total.value, men, women, si]).toEqual([492, 343, 147, 2]);
    expect([pct(men, 490), pct(women, 490)]).toEqual([70, 30]);

    const byState = await stat(`${q}&groupBy=state`);
    const reported = ['09', '15', '21'].map((s) => cell(byState, { state: s }));
    expect(reported.map((n) => pct(n, 492))).toEqual([58, 8, 8]);
    expect(pct(reported[0] + reported[1] + reported[2], 492)).toBe(74);

    const byAge = await stat(`${q}&groupBy=ageGroup`);
    const [adults, minors] = [cell(byAge, { ageGroup: 'adult_18_plus' }), cell(byAge, { ageGroup: 'under_18' })];
    expect([adults + minors, pct(adults + minors, 492), adults, minors]).toEqual([432, 88, 430, 2]);

    const byNat = await stat(`${q}&groupBy=nationality,sex`);
    const natMargin = byNat.margins.nationality;
    const recorded = natMargin.filter((x) => x.key.nationality !== 'SI').reduce((s, x) => s + x.value!, 0);
    const mex = natMargin.find((x) => x.key.nationality === 'MEX')!.value!;
    const foreign = (sex: string) =>
      byNat.rows.filter((x) => !['SI', 'MEX'].includes(x.key.nationality) && x.key.sex === sex).reduce((s, x) => s + x.value!, 0);
    expect([recorded, pct(recorded, 492), mex, recorded - mex, foreign('male'), foreign('female')]).toEqual([419, 85, 411, 8, 4, 4]);

    const birth = await stat(`${q}&nationality=MEX&groupBy=stateOfOrigin`);
    expect(birth.total.value).toBe(411);
    expect(['09', '15', '29', '08', '21', '30', 'SI'].map((s) => pct(cell(birth, { stateOfOrigin: s }), 411))).toEqual([
      44, 11, 5, 4, 4, 4, 2,
    ]);
    expect(
      birth.rows.filter((x) => !['09', '15', '29', '08', '21', '30', 'SI'].includes(x.key.stateOfOrigin) && x.value! > 0),
    ).toHaveLength(21);
  });

  /*
   * T46 partly reproduced. Not reproduced: "27 sentences under other criminal rules (counted in total only)"
   * — the published total 858 already equals 296 acquittals + 562 convictions, so the 27 cannot be a
   * further part of it (inconsistent source totals). "As originally reported" (292 acquittals) is the
   * statistic re-run `asOf` the instant before 4 convictions were revoked on appeal (R36, 004 fn 24-25).
   */
  it('T46: sentences by outcome and jurisdiction (858 = 296 acquittals + 562 convictions; 543 state, 19 federal; 292 acquittals as originally reported; 29 bodies; zero rows by offense)', async () => {
    const period = 'from=2012-06-15&to=2017-07-31';
    const r = await stat(`/v1/statistics/judicial-outcomes?groupBy=outcome,jurisdiction&${period}`);
    const outcome = (o: string) => r.margins.outcome.find((x) => x.key.outcome === o)?.value ?? 0;
    expect([r.total.value, outcome('acquittal'), outcome('conviction')]).toEqual([858, 296, 562]);
    expect([
      cell(r, { outcome: 'conviction', jurisdiction: 'fuero_comun' }),
      cell(r, { outcome: 'conviction', jurisdiction: 'fuero_federal' }),
    ]).toEqual([543, 19]);
    expect(r.contributingAgencies).toBe(29);

    const then = await stat(
      `/v1/statistics/judicial-outcomes?groupBy=outcome&${period}&asOf=${encodeURIComponent(firstReported.toISOString())}`,
    );
    expect([then.total.value, cell(then, { outcome: 'acquittal' }), cell(then, { outcome: 'conviction' })]).toEqual([858, 292, 566]);

    // Colima, Nayarit, Nuevo León and San Luis Potosí reported no sentences although their prosecutors reported files.
    const byState = await stat(`/v1/statistics/judicial-outcomes?groupBy=state&${period}`);
    expect(NO_SENTENCES.map((s) => cell(byState, { state: s }))).toEqual([0, 0, 0, 0]);
    expect(byState.rows.filter((x) => x.value! > 0)).toHaveLength(29);
    const filesThere = await stat(`/v1/statistics/cases?${FILES}&state=${NO_SENTENCES.join(',')}&groupBy=state`);
    expect(NO_SENTENCES.map((s) => cell(filesThere, { state: s }))).toEqual([1, 2, 1, 4]);

    // By offense: every catalog offense listed, zeros included.
    const byOffense = await stat(`/v1/statistics/judicial-outcomes?groupBy=offense&${period}`);
    const offenses = ['LGT-10', 'LGT-13', 'LGT-14', 'LGT-16', 'LGT-21', 'LGT-22'];
    const expected = count(
      [...COURT_STATES, 'FED'].flatMap((s) => Array.from({ length: JUDGMENTS[s] }, (_, i) => offenses[i % offenses.length])),
    );
    expectOffenseRows(byOffense, expected);
    expect(byOffense.total.value).toBe(858);
  });
});

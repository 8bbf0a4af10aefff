import request from 'supertest';
import { JobsService } from '@app/jobs';
import { createPrincipal, startTestApp, type TestApp, type TestPrincipal } from '@app/testing';
import { PER_OFFENSE, ROLLUP_KEY_SQL, ROLLUPS, StatisticsService, rollupSource, subsetTable, summaryTable, type StatisticsResultDto } from '@app/statistics';

/**
 * The pre-aggregated summaries answer exactly what the record-level path answers, after records are added,
 * changed, withdrawn and linked into persons (the summaries are maintained incrementally by triggers).
 */
const QUERIES = [
  'victims?groupBy=offense',
  'victims?groupBy=sex,ageGroup',
  'victims?groupBy=offense,year&from=2024-01-01&to=2024-12-31',
  'victims?groupBy=tipBucket,sex&sex=female,SI',
  'victim-records?groupBy=sex,offense',
  'victims?groupBy=ageGroup&customAgeBands=0-10,11-17,18%2B',
  'cases?groupBy=state,jurisdiction',
  'cases?groupBy=offense&from=2024-03-01&to=2024-03-31',
  // No roll-up holds both: these read the yearly or the monthly cubes.
  'victims?groupBy=offense,ageGroup',
  'cases?groupBy=offense,state&jurisdiction=fuero_comun',
  'victims?groupBy=offense,ageGroup&from=2024-01-01&to=2024-06-30',
  'cases?groupBy=offense,state&from=2024-03-01&to=2024-03-31',
  // Monthly roll-ups: a period or a time dimension finer than the year.
  'victims?groupBy=offense,sex&from=2024-03-01&to=2024-03-31',
  'victims?groupBy=sex,ageGroup,quarter',
  'cases?groupBy=state,month',
  // A filter on an offense dimension: grouping by offense reads the offense sets, not the per-offense rows.
  'victims?groupBy=offense,sex&offense=LGT-21,LGT-13',
  // Files filtered on an offense dimension and grouped by one: charge by charge, so the record-level path answers.
  'cases?groupBy=offense&tipBucket=sex',
];
const RECORD_LEVEL = ['victims?groupBy=ageGroup&customAgeBands=0-10,11-17,18%2B', 'cases?groupBy=offense&tipBucket=sex'];

const victim = (localId: string, over: Record<string, unknown> = {}) => ({
  localId,
  sex: 'female',
  ageAtEvent: 30,
  identifiedOn: '2024-03-01',
  nationality: ['MEX'],
  stateOfOrigin: '15',
  vulnerableGroups: ['SI'],
  victimType: 'direct',
  offenses: ['LGT-21'],
  ...over,
});

describe('statistics: pre-aggregated summaries equal the record-level path as records change', () => {
  let t: TestApp;
  let a: TestPrincipal;
  let b: TestPrincipal;
  let exact: TestPrincipal;
  const batch = async (who: TestPrincipal, entries: object[]) => {
    const res = await request(t.baseUrl).post('/v1/victims/batch').auth(who.token, { type: 'bearer' }).send({ entries, atomic: true });
    if (res.status >= 300 || res.body.summary?.rejected !== 0) throw new Error(`batch failed: ${res.status} ${JSON.stringify(res.body.summary)}`);
  };
  const putCase = async (localId: string, state: string, openedOn: string, offenses: string[]) => {
    const res = await request(t.baseUrl)
      .put(`/v1/cases/${localId}`)
      .auth(a.token, { type: 'bearer' })
      .send({ fileNumber: localId, fileType: 'carpeta_investigacion', jurisdiction: 'fuero_comun', state, openedOn, charges: offenses.map((offense) => ({ offense, attempted: false, stage: 'investigated' })) });
    if (res.status >= 300) throw new Error(`case ${localId}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  /** Every query on both paths; the counts (rows, margins, total, completeness, agencies) must be equal. */
  const compare = async (label: string) => {
    for (const q of QUERIES) {
      const res = await request(t.baseUrl).get(`/v1/statistics/${q}`).auth(exact.token, { type: 'bearer' });
      expect(res.status).toBe(200);
      const viaSummary = res.body as StatisticsResultDto;
      const [measure, qs] = q.split('?');
      const query = Object.fromEntries(new URLSearchParams(qs));
      const viaRecords = await t.app.get(StatisticsService).compute(measure as never, query, 'exact', { path: 'records' });
      const counts = (r: StatisticsResultDto) => ({ total: r.total.value, rows: r.rows.map((c) => [c.key, c.value]), margins: r.margins, completeness: r.completeness, agencies: r.contributingAgencies });
      expect({ label, q, pre: viaSummary.preAggregated }).toEqual({ label, q, pre: !RECORD_LEVEL.includes(q) });
      expect({ label, q, ...counts(viaSummary) }).toEqual({ label, q, ...counts(viaRecords as StatisticsResultDto) });
    }
    // The linked persons' unit rows are exactly the linked unit rows.
    const { rows: linkedDiff } = await t.db.pool.query(
      `(SELECT record_id, person_id, month, sex, age, offenses FROM stat_victim_linked EXCEPT SELECT record_id, person_id, month, sex, age, offenses FROM stat_victim_units WHERE linked)
       UNION ALL (SELECT record_id, person_id, month, sex, age, offenses FROM stat_victim_units WHERE linked EXCEPT SELECT record_id, person_id, month, sex, age, offenses FROM stat_victim_linked)`,
    );
    expect({ label, linkedDiff }).toEqual({ label, linkedDiff: [] });
    // Every roll-up holds the same counts as its cube summed over the dimensions it drops.
    for (const [kind, { cube, rollups }] of Object.entries(ROLLUPS)) {
      for (const r of [...rollups, ...PER_OFFENSE[kind as 'victims' | 'cases']]) {
        const k = r.keys.join(', ');
        const fromCube = `SELECT ${r.keys.map((c) => ROLLUP_KEY_SQL[c] ?? c).join(', ')}, sum(n)::int FROM ${rollupSource(cube, r.keys)} GROUP BY ${r.keys.map((_, i) => i + 1).join(', ')} HAVING sum(n) <> 0`;
        const { rows: diff } = await t.db.pool.query(`(SELECT ${k}, n FROM ${r.table} EXCEPT ${fromCube}) UNION ALL (${fromCube} EXCEPT SELECT ${k}, n FROM ${r.table})`);
        expect({ label, table: r.table, diff }).toEqual({ label, table: r.table, diff: [] });
      }
    }
  };

  it('chooses the smallest summary that holds every dimension a query uses over its period', () => {
    const half = { from: '2024-01-01', to: '2024-06-30' };
    const year = { from: '2024-01-01', to: '2024-12-31' };
    expect(summaryTable('victims', ['offense', 'year']).table).toBe('stat_victim_by_offense_y');
    expect(summaryTable('victims', ['offense'], year).table).toBe('stat_victim_by_offense_y');
    expect(summaryTable('victims', ['offense'], half).table).toBe('stat_victim_by_offense');
    expect(summaryTable('victims', ['offense', 'month']).table).toBe('stat_victim_by_offense');
    expect(summaryTable('victims', ['tipBucket', 'sex']).table).toBe('stat_victim_by_offense_y');
    expect(summaryTable('victims', ['sex', 'ageGroup', 'quarter']).table).toBe('stat_victim_by_age');
    expect(summaryTable('victims', ['sex', 'ageGroup'], { from: '2023-01-01', to: null }).table).toBe('stat_victim_by_age_y');
    expect(summaryTable('victims', ['offense', 'ageGroup']).table).toBe('stat_victim_cube_y');
    expect(summaryTable('victims', ['offense', 'ageGroup'], half).table).toBe('stat_victim_cube');
    expect(summaryTable('cases', ['state', 'jurisdiction']).table).toBe('stat_case_by_place_y');
    expect(summaryTable('cases', ['offense', 'jurisdiction', 'quarter']).table).toBe('stat_case_by_offense');
    expect(summaryTable('cases', ['offense', 'state']).table).toBe('stat_case_cube_y');
    expect(summaryTable('cases', ['offense', 'state'], { from: '2024-03-01', to: '2024-03-31' }).table).toBe('stat_case_cube');
    // Per grouping set: by offense from the per-offense roll-ups unless a filter is on an offense dimension.
    expect(subsetTable('victims', ['offense'], []).table).toBe('stat_victim_per_offense_y');
    expect(subsetTable('victims', ['offense', 'month'], ['sex']).table).toBe('stat_victim_per_offense');
    expect(subsetTable('victims', ['offense'], ['tipBucket']).table).toBe('stat_victim_by_offense_y');
    expect(subsetTable('victims', ['tipBucket'], []).table).toBe('stat_victim_by_offense_y');
    expect(subsetTable('victims', [], ['sex']).table).toBe('stat_victim_by_age_y');
    expect(subsetTable('victims', ['offense', 'ageGroup'], []).table).toBe('stat_victim_cube_y');
    expect(subsetTable('cases', ['offense', 'state'], [], half).table).toBe('stat_case_per_offense');
  });
  const settle = async () => {
    for (const q of ['matching.victim-changed', 'matching.recluster', 'matching.cluster-op']) await t.app.get(JobsService).drain(q).catch(() => undefined);
  };

  beforeAll(async () => {
    t = await startTestApp();
    a = await createPrincipal(t, { kind: 'prosecutor', scopes: ['victims:write', 'cases:write'] });
    b = await createPrincipal(t, { kind: 'shelter', scopes: ['victims:write'] });
    exact = await createPrincipal(t, { kind: 'statistics', scopes: ['statistics:read', 'statistics:exact'] });
  });
  afterAll(() => t.close());

  it('after adding, changing, withdrawing and linking records, every query answers the same on both paths', async () => {
    await batch(a, [
      ...Array.from({ length: 12 }, (_, i) => victim(`F-${i}`, { ageAtEvent: 10 + i * 3, identifiedOn: `2024-0${1 + (i % 9)}-15` })),
      ...Array.from({ length: 5 }, (_, i) => victim(`M-${i}`, { sex: 'male', offenses: ['LGT-13', 'LGT-22'], identifiedOn: '2023-11-02' })),
      victim('U-1', { sex: 'SI', ageAtEvent: undefined, offenses: ['SI'] }),
    ]);
    await batch(b, [victim('B-1', { ageAtEvent: 16, offenses: ['LGT-13'] }), victim('B-2', { sex: 'male', ageAtEvent: 40 })]);
    await putCase('CI-1', '09', '2024-03-02', ['LGT-13', 'LGT-10']);
    await putCase('CI-2', '14', '2024-05-10', ['LGT-21']);
    await settle();
    await compare('added');

    // Changed: sex, age, offenses, date; a case moves state; a victim and a case are withdrawn.
    await batch(a, [victim('F-0', { sex: 'male', ageAtEvent: 70, offenses: ['LGT-10', 'LGT-13'], identifiedOn: '2022-01-01' })]);
    await putCase('CI-2', '09', '2024-03-20', ['LGT-21', 'LGT-22']);
    expect((await request(t.baseUrl).delete('/v1/victims/F-1?reason=entered_in_error').auth(a.token, { type: 'bearer' })).status).toBe(200);
    expect((await request(t.baseUrl).delete('/v1/cases/CI-1?reason=entered_in_error').auth(a.token, { type: 'bearer' })).status).toBe(200);
    await settle();
    await compare('changed and withdrawn');

    // Linked: B-1 and F-2 are the same person (counted once by victims), then unlinked again.
    const { rows } = await t.db.pool.query(`SELECT id, agency_id FROM records WHERE kind = 'victims' AND local_id IN ('B-1', 'F-2')`);
    const person = '7d0c3c1e-0000-4000-8000-0000000000aa';
    await t.db.pool.query(`INSERT INTO persons (person_id) VALUES ($1) ON CONFLICT DO NOTHING`, [person]);
    for (const r of rows) {
      await t.db.pool.query(`INSERT INTO person_links (record_id, agency_id, person_id) VALUES ($1, $2, $3) ON CONFLICT (record_id) DO UPDATE SET person_id = EXCLUDED.person_id`, [r.id, r.agency_id, person]);
    }
    await compare('linked');
    const linked = await request(t.baseUrl).get('/v1/statistics/victims?groupBy=sex').auth(exact.token, { type: 'bearer' });
    const records = await request(t.baseUrl).get('/v1/statistics/victim-records?groupBy=sex').auth(exact.token, { type: 'bearer' });
    expect(linked.body.total.value).toBe(records.body.total.value - 1);
    await t.db.pool.query(`DELETE FROM person_links WHERE record_id = $1`, [rows[0].id]);
    await compare('unlinked');
  });
});

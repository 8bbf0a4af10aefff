import request from 'supertest';
import { catalogRegistry } from '@app/catalogs';
import { JobsService } from '@app/jobs';
import { createPrincipal, startTestApp, type TestApp, type TestPrincipal } from '@app/testing';

interface Cell {
  key: Record<string, string>;
  labels: Record<string, { es: string; en: string }>;
  value: number | null;
  suppressed: boolean;
}
interface Result {
  measure: string;
  unit: string;
  asOf: string;
  period: { from: string | null; to: string | null };
  filters: Record<string, string[]>;
  groupBy: string[];
  catalogVersions: Record<string, string>;
  contributingAgencies: number;
  completeness: Record<string, { base: number | null; unknownPct: number | null; notRecordedPct: number | null; noInformationPct: number | null }>;
  personLinkage: boolean;
  suppression: { applied: boolean; threshold: number; suppressedCells: number };
  total: Cell;
  rows: Cell[];
  margins: Record<string, Cell[]>;
  note: string;
}

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

const OFFENSES = catalogRegistry().get('offense')!.entries.filter((e) => !e.retiredOn).map((e) => e.code);

describe('statistics: counting rules, suppression, open data', () => {
  let t: TestApp;
  let a: TestPrincipal; // prosecutor: writes victims and cases
  let b: TestPrincipal; // victim commission
  let c: TestPrincipal; // shelter
  let reader: TestPrincipal; // statistics:read (suppressed)
  let exact: TestPrincipal; // statistics:read + statistics:exact
  let none: TestPrincipal;
  const rowOf = (r: Result, key: Record<string, string>) => r.rows.find((x) => Object.entries(key).every(([k, v]) => x.key[k] === v))!;
  const get = async (who: TestPrincipal | null, path: string): Promise<Result> => {
    const req = request(t.baseUrl).get(path);
    const res = who ? await req.auth(who.token, { type: 'bearer' }) : await req;
    if (res.status !== 200) throw new Error(`${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Result;
  };
  const batch = async (who: TestPrincipal, entries: object[]) => {
    const res = await request(t.baseUrl).post('/v1/victims/batch').auth(who.token, { type: 'bearer' }).send({ entries, atomic: true });
    if (res.status >= 300 || res.body.summary?.rejected !== 0) throw new Error(`batch failed: ${res.status} ${JSON.stringify(res.body.summary)}`);
  };

  beforeAll(async () => {
    t = await startTestApp();
    a = await createPrincipal(t, { kind: 'prosecutor', scopes: ['victims:write', 'cases:write'] });
    b = await createPrincipal(t, { kind: 'victim_commission', scopes: ['victims:write'] });
    c = await createPrincipal(t, { kind: 'shelter', scopes: ['victims:write'] });
    reader = await createPrincipal(t, { kind: 'oversight', scopes: ['statistics:read'] });
    exact = await createPrincipal(t, { kind: 'statistics', scopes: ['statistics:read', 'statistics:exact'] });
    none = await createPrincipal(t, { code: reader.agencyCode, scopes: ['victims:read'] });

    // The same person (17, female) registered by three agencies; agency A records two offenses.
    await batch(a, [victim('P-A', { ageAtEvent: 17, stateOfOrigin: '09', offenses: ['LGT-10', 'LGT-13'], vulnerableGroups: ['indigenous'] })]);
    await batch(b, [victim('P-B', { ageAtEvent: 17, stateOfOrigin: '09', offenses: ['LGT-13'] })]);
    await batch(c, [victim('P-C', { ageAtEvent: 17, stateOfOrigin: '09', offenses: ['LGT-13'] })]);
    // 20 women (30 years, LGT-21), 3 men (25, LGT-22), 8 with sex and age unknown (LGT-21).
    await batch(a, [
      ...Array.from({ length: 20 }, (_, i) => victim(`F-${i}`)),
      ...Array.from({ length: 3 }, (_, i) => victim(`M-${i}`, { sex: 'male', ageAtEvent: 25, offenses: ['LGT-22'] })),
      ...Array.from({ length: 8 }, (_, i) => victim(`U-${i}`, { sex: 'SI', ageAtEvent: undefined })),
    ]);
    const kase = await request(t.baseUrl)
      .put('/v1/cases/CI-1')
      .auth(a.token, { type: 'bearer' })
      .send({
        fileNumber: 'CI-1',
        fileType: 'carpeta_investigacion',
        jurisdiction: 'fuero_comun',
        state: '09',
        openedOn: '2024-03-02',
        charges: [
          { offense: 'LGT-13', attempted: false, victims: ['P-A'], stage: 'charged' },
          { offense: 'LGT-10', attempted: false, victims: ['P-A'], stage: 'investigated' },
        ],
      });
    if (kase.status !== 201) throw new Error(`case not stored: ${kase.status}`);
  });
  afterAll(() => t.close());

  /** Lets the matching worker (libs/matching, when present) finish, so it does not relink after the test does. */
  const settle = async () => {
    for (const q of ['matching.victim-changed', 'matching.recluster', 'matching.cluster-op']) await t.app.get(JobsService).drain(q);
  };
  const linkPerson = async () => {
    await settle();
    const { rows } = await t.db.pool.query(`SELECT id, agency_id FROM records WHERE kind = 'victims' AND local_id IN ('P-A', 'P-B', 'P-C')`);
    if (rows.length !== 3) throw new Error(`expected the three registrations of the person, got ${rows.length}`);
    const person = '7d0c3c1e-0000-4000-8000-000000000001';
    const exists = (await t.db.pool.query(`SELECT to_regclass('public.person_links') AS t`)).rows[0].t;
    if (!exists) {
      // libs/matching not there yet: the minimal table it provides.
      await t.db.pool.query(`CREATE TABLE person_links (record_id uuid PRIMARY KEY, agency_id uuid NOT NULL, person_id uuid NOT NULL)`);
    } else if ((await t.db.pool.query(`SELECT to_regclass('public.persons') AS t`)).rows[0].t) {
      await t.db.pool.query(`INSERT INTO persons (person_id) VALUES ($1) ON CONFLICT DO NOTHING`, [person]);
    }
    for (const r of rows) {
      await t.db.pool.query(
        `INSERT INTO person_links (record_id, agency_id, person_id) VALUES ($1, $2, $3) ON CONFLICT (record_id) DO UPDATE SET person_id = EXCLUDED.person_id`,
        [r.id, r.agency_id, person],
      );
    }
  };

  it('before person linkage every registration counts; after it, the person registered by three agencies counts once (victims) and three times (victim-records)', async () => {
    await settle();
    const hadLinks = (await t.db.pool.query(`SELECT to_regclass('public.person_links') AS t`)).rows[0].t !== null;
    // Nothing links these registrations yet (no shared identifiers): each one is a person.
    const before = await get(exact, '/v1/statistics/victims?groupBy=sex');
    expect([before.total.value, before.personLinkage]).toEqual([34, hadLinks]);
    await linkPerson();
    const victims = await get(exact, '/v1/statistics/victims?groupBy=sex');
    expect(victims).toMatchObject({ unit: 'victim', personLinkage: true, contributingAgencies: 3 });
    expect(victims.total.value).toBe(32);
    expect(rowOf(victims, { sex: 'female' }).value).toBe(21);
    const records = await get(exact, '/v1/statistics/victim-records?groupBy=sex');
    expect(records.unit).toBe('victim_registration');
    expect([records.total.value, rowOf(records, { sex: 'female' }).value]).toEqual([34, 23]);
  });

  it('a victim of two offenses counts once in the total and once in each offense row; every catalog offense is listed, zeros included (R2)', async () => {
    const r = await get(exact, '/v1/statistics/victims');
    expect(r.groupBy).toEqual(['offense']);
    expect(r.rows.map((x) => x.key.offense)).toEqual(OFFENSES);
    expect(Object.fromEntries(r.rows.filter((x) => x.value).map((x) => [x.key.offense, x.value]))).toEqual({ 'LGT-10': 1, 'LGT-13': 1, 'LGT-21': 28, 'LGT-22': 3 });
    expect(r.rows.filter((x) => x.value === 0)).toHaveLength(OFFENSES.length - 4);
    expect(r.total.value).toBe(32);
    expect(r.rows.reduce((s, x) => s + (x.value ?? 0), 0)).toBe(33); // rows need not add up to the total
    expect(r.note).toMatch(/once in the total and once in every row/);
    expect(r.total.labels.total.en).toMatch(/All General Law offenses/);
    expect(r.catalogVersions).toMatchObject({ offense: catalogRegistry().version('offense'), 'counting-unit': expect.any(String) });
    expect(new Date(r.asOf).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('cases count files, charged-offenses count file × offense; victims by the state of their case', async () => {
    const cases = await get(exact, '/v1/statistics/cases?groupBy=offense,jurisdiction');
    expect([cases.unit, cases.total.value]).toEqual(['investigation_file', 1]);
    expect(rowOf(cases, { offense: 'LGT-13', jurisdiction: 'fuero_comun' }).value).toBe(1);
    expect(rowOf(cases, { offense: 'LGT-13', jurisdiction: 'fuero_federal' }).value).toBe(0);
    expect(cases.margins.offense.find((x) => x.key.offense === 'LGT-10')!.value).toBe(1);
    const charges = await get(exact, '/v1/statistics/charged-offenses?groupBy=stage');
    expect([charges.unit, charges.total.value, rowOf(charges, { stage: 'charged' }).value]).toEqual(['offence_charge', 2, 1]);
    const byState = await get(exact, '/v1/statistics/victims?groupBy=state&state=09');
    expect([byState.total.value, rowOf(byState, { state: '09' }).value]).toEqual([1, 1]);
  });

  it('age groups: official bins of catalog age-group and custom bands; filters, period and completeness', async () => {
    const official = await get(exact, '/v1/statistics/victims?groupBy=ageGroup');
    expect(official.rows.map((x) => [x.key.ageGroup, x.value])).toEqual([
      ['under_18', 1],
      ['adult_18_plus', 23],
      ['SI', 8],
    ]);
    const custom = await get(exact, '/v1/statistics/victims?groupBy=ageGroup&customAgeBands=0-12,13-17,18-29,30%2B');
    expect(custom.rows.map((x) => [x.key.ageGroup, x.value])).toEqual([
      ['0-12', 0],
      ['13-17', 1],
      ['18-29', 3],
      ['30+', 20],
      ['SI', 8],
    ]);
    const filtered = await get(exact, '/v1/statistics/victims?groupBy=sex&offense=LGT-21,LGT-22&from=2024-01-01&to=2024-12-31');
    expect(filtered.filters).toEqual({ offense: ['LGT-21', 'LGT-22'] });
    expect(filtered.period).toMatchObject({ from: '2024-01-01', to: '2024-12-31' });
    expect(filtered.total.value).toBe(31);
    expect(filtered.completeness.sex).toMatchObject({ base: 31, unknownPct: 25.8, noInformationPct: 25.8 });
    expect(filtered.completeness.offense).toMatchObject({ unknownPct: 0 });
    const empty = await get(exact, '/v1/statistics/victims?groupBy=sex&from=2025-01-01');
    expect(empty.total.value).toBe(0);
  });

  it('statistics:read gets small cells suppressed with complementary suppression: a withheld cell cannot be recovered from the total', async () => {
    const r = await get(reader, '/v1/statistics/victims?groupBy=sex');
    expect(r.suppression).toMatchObject({ applied: true, threshold: 5 });
    expect(rowOf(r, { sex: 'male' })).toMatchObject({ value: null, suppressed: true }); // 3 < 5
    expect(rowOf(r, { sex: 'SI' })).toMatchObject({ value: null, suppressed: true }); // 8: complementary
    expect(rowOf(r, { sex: 'female' })).toMatchObject({ value: 21, suppressed: false });
    expect(r.total.value).toBe(32);
    // The attack: total minus the published cells gives only the sum of two withheld cells, not either one.
    const published = r.rows.filter((x) => !x.suppressed).reduce((s, x) => s + x.value!, 0);
    expect(32 - published).toBe(11);
    // Completeness would give the withheld SI cell away (8/32): withheld too.
    expect(r.completeness.sex.unknownPct).toBeNull();

    // Two-way table: no line (row, column, with its margin) has exactly one withheld entry.
    const two = await get(reader, '/v1/statistics/victims?groupBy=sex,ageGroup');
    const all = [...two.rows, ...Object.values(two.margins).flat(), { ...two.total, key: {} }];
    const val = (key: Record<string, string>) => all.find((x) => JSON.stringify(x.key) === JSON.stringify(key))!;
    for (const dim of ['sex', 'ageGroup']) {
      const other = dim === 'sex' ? 'ageGroup' : 'sex';
      const lines = new Map<string, Cell[]>();
      for (const cell of all.filter((x) => x.key[dim] !== undefined)) {
        const parent = { ...cell.key };
        delete parent[dim];
        const id = JSON.stringify(parent);
        lines.set(id, [...(lines.get(id) ?? []), cell]);
      }
      for (const [id, members] of lines) {
        const parent = val(JSON.parse(id));
        const hidden = members.filter((m) => m.suppressed).length + (parent.suppressed ? 1 : 0);
        expect({ dim, other, line: id, hidden: hidden === 1 }).toEqual({ dim, other, line: id, hidden: false });
      }
    }
    const exactTwo = await get(exact, '/v1/statistics/victims?groupBy=sex,ageGroup');
    expect(exactTwo.suppression).toMatchObject({ applied: false, suppressedCells: 0 });
    expect(rowOf(exactTwo, { sex: 'male', ageGroup: 'adult_18_plus' }).value).toBe(3);
  });

  it('an attacker combining the two-way table with the one-way tables of separate requests and the total cannot recover a withheld cell; the same attack breaks primary-only suppression', async () => {
    type Key = string; // "sex|ageGroup" with * for "all"
    const cellsOf = async (who: TestPrincipal) => {
      const two = await get(who, '/v1/statistics/victims?groupBy=sex,ageGroup');
      const bySex = await get(who, '/v1/statistics/victims?groupBy=sex');
      const byAge = await get(who, '/v1/statistics/victims?groupBy=ageGroup');
      const out = new Map<Key, Cell>();
      const conflicts: Key[] = [];
      // A cell counts as published when any of the three responses publishes it (the attacker has them all).
      const set = (k: Key, c: Cell) => {
        const before = out.get(k);
        if (before && !before.suppressed && !c.suppressed && before.value !== c.value) conflicts.push(k);
        if (!before || before.suppressed) out.set(k, c);
      };
      for (const c of two.rows) set(`${c.key.sex}|${c.key.ageGroup}`, c);
      for (const c of [...two.margins.sex, ...bySex.rows]) set(`${c.key.sex}|*`, c);
      for (const c of [...two.margins.ageGroup, ...byAge.rows]) set(`*|${c.key.ageGroup}`, c);
      set('*|*', two.total);
      set('*|*', bySex.total);
      return out;
    };
    /** Repeated subtraction along every row and column line (with its margin) until nothing new is learned. */
    const attack = (cells: Map<Key, Cell>, hidden: Set<Key>) => {
      const known = new Map<Key, number>([...cells].filter(([k]) => !hidden.has(k)).map(([k, c]) => [k, c.value!]));
      const sexes = [...new Set([...cells.keys()].map((k) => k.split('|')[0]).filter((x) => x !== '*'))];
      const ages = [...new Set([...cells.keys()].map((k) => k.split('|')[1]).filter((x) => x !== '*'))];
      const lines: Array<{ total: Key; members: Key[] }> = [
        ...sexes.map((s) => ({ total: `${s}|*`, members: ages.map((a) => `${s}|${a}`) })),
        ...[...ages, '*'].map((a) => ({ total: `*|${a}`, members: sexes.map((s) => `${s}|${a}`) })),
        { total: '*|*', members: ages.map((a) => `*|${a}`) },
      ];
      for (let progress = true; progress; ) {
        progress = false;
        for (const line of lines) {
          const unknown = [line.total, ...line.members].filter((k) => !known.has(k));
          if (unknown.length !== 1) continue;
          const [k] = unknown;
          const sum = line.members.filter((m) => m !== k).reduce((x, m) => x + known.get(m)!, 0);
          known.set(k, k === line.total ? sum : known.get(line.total)! - sum);
          progress = true;
        }
      }
      return [...hidden].filter((k) => known.has(k)).map((k) => [k, known.get(k)]);
    };
    const published = await cellsOf(reader);
    const withheld = new Set([...published].filter(([, c]) => c.suppressed).map(([k]) => k));
    expect(withheld.size).toBeGreaterThan(0);
    expect(attack(published, withheld)).toEqual([]);
    // Control: on the exact figures, hiding only the cells below 5 (no complementary cells) lets the same attack through.
    const exactCells = await cellsOf(exact);
    const primaryOnly = new Set([...exactCells].filter(([, c]) => c.value! > 0 && c.value! < 5).map(([k]) => k));
    const recovered = attack(exactCells, primaryOnly);
    expect(recovered.length).toBeGreaterThan(0);
    for (const [k, v] of recovered) expect(v).toBe(exactCells.get(k as Key)!.value);
  });

  it('CSV with Accept: text/csv or format=csv, provenance in headers', async () => {
    const res = await request(t.baseUrl).get('/v1/statistics/victims?groupBy=sex').auth(exact.token, { type: 'bearer' }).set('accept', 'text/csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['x-statistics-unit']).toBe('victim');
    expect(res.headers['x-statistics-catalog-versions']).toMatch(/sex=/);
    const lines = res.text.trim().split('\r\n');
    expect(lines[0]).toBe('sex,sex_label,value,suppressed,unit');
    expect(lines).toContain('female,Mujer,21,false,victim');
    expect(lines[lines.length - 1]).toMatch(/^TOTAL,.*,32,false,victim$/);
    const suppressed = await request(t.baseUrl).get('/v1/statistics/victims?groupBy=sex&format=csv').auth(reader.token, { type: 'bearer' });
    expect(suppressed.text).toContain('male,Hombre,,true,victim');
  });

  it('as of a past instant the statistic is re-run on the record versions (R36)', async () => {
    const before = (await t.db.pool.query(`SELECT now() AS now`)).rows[0].now as Date;
    await new Promise((r) => setTimeout(r, 50));
    await batch(a, [victim('M-0', { sex: 'female', ageAtEvent: 25, offenses: ['LGT-22'] })]);
    const now = await get(exact, '/v1/statistics/victim-records?groupBy=sex');
    expect(rowOf(now, { sex: 'male' }).value).toBe(2);
    const then = await get(exact, `/v1/statistics/victim-records?groupBy=sex&asOf=${encodeURIComponent(before.toISOString())}`);
    expect(rowOf(then, { sex: 'male' }).value).toBe(3);
    expect(then.asOf).toBe(before.toISOString());
    const casesThen = await get(exact, `/v1/statistics/charged-offenses?groupBy=offense&asOf=${encodeURIComponent(before.toISOString())}`);
    expect(casesThen.total.value).toBe(2);
    await batch(a, [victim('M-0', { sex: 'male', ageAtEvent: 25, offenses: ['LGT-22'] })]);
    await settle();
  });

  it('open data: no token, suppressed figures, Cache-Control public and an ETag (304 when unchanged)', async () => {
    const res = await request(t.baseUrl).get('/v1/open-data/victims?groupBy=sex&from=2024-03-15&to=2024-03-20');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=3600');
    expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const body = res.body as Result;
    expect(body.suppression.applied).toBe(true);
    expect(body.period).toMatchObject({ from: '2024-03-01', to: '2024-03-31' }); // widened to whole months
    expect(rowOf(body, { sex: 'male' }).value).toBeNull();
    const again = await request(t.baseUrl).get('/v1/open-data/victims?groupBy=sex&from=2024-03-15&to=2024-03-20').set('if-none-match', res.headers.etag);
    expect(again.status).toBe(304);
    const csv = await request(t.baseUrl).get('/v1/open-data/victims?groupBy=sex&format=csv');
    expect([csv.status, csv.headers['content-type']]).toEqual([200, 'text/csv; charset=utf-8']);
    expect(csv.headers.etag).not.toBe(res.headers.etag);
  });

  it('the dashboard is a public static page that reads the open-data endpoint', async () => {
    for (const path of ['/dashboard', '/v1/dashboard']) {
      const res = await request(t.baseUrl).get(path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain("'/v1/open-data/victims'");
    }
    for (const q of ['victims?groupBy=offense', 'victims?groupBy=sex,ageGroup', 'cases?groupBy=state', 'victims?groupBy=offense&from=2024-01-01&to=2024-12-31']) {
      const r = await get(null, `/v1/open-data/${q}`);
      expect(r.rows.length).toBeGreaterThan(0);
    }
  });

  it('401 without a token, 403 without statistics:read, 422 with pointers for bad parameters', async () => {
    expect((await request(t.baseUrl).get('/v1/statistics/victims')).status).toBe(401);
    expect((await request(t.baseUrl).get('/v1/statistics/victims').auth(none.token, { type: 'bearer' })).status).toBe(403);
    const bad = async (path: string) => {
      const res = await request(t.baseUrl).get(path).auth(exact.token, { type: 'bearer' });
      expect([res.status, res.headers['content-type']]).toEqual([422, expect.stringMatching(/problem\+json/)]);
      return res.body.errors.map((e: { pointer: string }) => e.pointer);
    };
    expect(await bad('/v1/statistics/people')).toEqual(['#/measure']);
    expect(await bad('/v1/statistics/victims?groupBy=offense,shoeSize')).toEqual(['#/groupBy']);
    expect(await bad('/v1/statistics/cases?groupBy=sex')).toEqual(['#/groupBy']);
    expect(await bad('/v1/statistics/victims?sex=female,robot')).toEqual(['#/sex']);
    expect(await bad('/v1/statistics/victims?groupBy=sex,offense,nationality,state')).toEqual(['#/groupBy']);
    expect(await bad('/v1/statistics/victims?from=2024-02-30')).toEqual(['#/from']);
    expect(await bad('/v1/statistics/victims?customAgeBands=0-12,15-17')).toEqual(['#/customAgeBands']);
    expect(await bad('/v1/statistics/victims?asOf=2999-01-01')).toEqual(['#/asOf']);
    expect((await request(t.baseUrl).get('/v1/open-data/victims?sex=robot')).status).toBe(422);
  });
});

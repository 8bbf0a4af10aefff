import request from 'supertest';
import { createPrincipal, startTestApp, type TestApp, type TestPrincipal, expectScopeGuard, type GuardedRoute, changesUntil, type FeedItem } from '@app/testing';
import { catalogRegistry } from '@app/catalogs';
import type { components } from '@app/client';

type OperationDto = components['schemas']['OperationDto'];

const NOTES = 'Se rescató a Citlali Ramírez en la habitación 12';

const operation = (over: Partial<OperationDto> = {}): OperationDto => ({
  operationDate: '2025-03-14',
  state: '23',
  municipality: '005',
  placeTypes: ['bar', 'hotel'],
  offensesTargeted: ['LGT-13', 'LGT-22'],
  agenciesInvolved: [{ agencyKind: 'police' }, { agencyKind: 'migration', agencyCode: 'inm-qroo' }],
  humanRightsBodyNotified: 'yes',
  rescuedPersons: [
    { victimLocalId: 'V-1', sex: 'female', age: 16, nationality: ['HND'] },
    { victimLocalId: 'V-2', sex: 'female', age: 24, nationality: ['MEX', 'GTM'] },
    { sex: 'male', nationality: ['MEX'] },
  ],
  rescuedCounts: [{ sex: 'female', ageGroup: 'adult_18_plus', nationality: 'MEX', count: 4 }],
  caseLocalIds: ['CI-9'],
  notes: NOTES,
  ...over,
});

/** R33: operations and rescues, persons rescued (unit rescued_person) linked to victim records. */
describe('operations records (R33)', () => {
  let t: TestApp;
  let a: TestPrincipal; // agency A: cases read + write + pii
  let aRead: TestPrincipal; // agency A: cases:read only
  let none: TestPrincipal; // agency A without cases scopes
  let b: TestPrincipal; // agency B
  const put = (p: TestPrincipal, localId: string, body: OperationDto) => p.api.PUT('/v1/operations/{localId}', { params: { path: { localId } }, body });
  const versions = async (localId: string) =>
    Number((await t.db.pool.query(`SELECT count(*) FROM record_versions WHERE agency_id = $1 AND kind = 'operations' AND local_id = $2`, [a.agencyId, localId])).rows[0].count);

  beforeAll(async () => {
    t = await startTestApp();
    a = await createPrincipal(t, { kind: 'police', jurisdiction: 'FED', scopes: ['cases:read', 'cases:write', 'victims:read', 'victims:write', 'pii:read'] });
    aRead = await createPrincipal(t, { code: a.agencyCode, scopes: ['cases:read'] });
    none = await createPrincipal(t, { code: a.agencyCode, scopes: ['victims:read', 'victims:write'] });
    b = await createPrincipal(t, { scopes: ['cases:read', 'cases:write'] });
  });
  afterAll(() => t.close());

  it('round-trips an operation through the typed client; rescued persons link to victim records, notes are encrypted', async () => {
    const first = await put(a, 'OP-1', operation());
    expect(first.response.status).toBe(201);
    expect(first.data).toMatchObject({ localId: 'OP-1', version: 1, status: 'created', warnings: [], piiMasked: false });
    const { notes: _n, ...data } = operation();
    expect(first.data!.data).toEqual(data);
    expect(first.data!.pii).toEqual({ notes: NOTES });
    expect(first.data!.completeness).toEqual({ placeType: 'filled', offensesTargeted: 'filled', humanRightsBodyNotified: 'filled', rescuedPersons: 'filled' });
    expect(first.data!.references).toEqual([
      { kind: 'cases', localId: 'CI-9', resolved: false },
      { kind: 'victims', localId: 'V-1', resolved: false },
      { kind: 'victims', localId: 'V-2', resolved: false },
    ]);
    await a.api.PUT('/v1/victims/{localId}', {
      params: { path: { localId: 'V-1' } },
      body: { sex: 'female', ageAtEvent: 16, nationality: ['HND'], stateOfOrigin: 'NA', vulnerableGroups: ['migrant_in_transit'], victimType: 'direct', offenses: ['LGT-13'], identificationRoute: 'operation', identifiedOn: '2025-03-14' },
    });
    const got = await a.api.GET('/v1/operations/{localId}', { params: { path: { localId: 'OP-1' } } });
    expect(got.data!.references.find((r) => r.localId === 'V-1')!.resolved).toBe(true);
    const raw = await t.db.pool.query(`SELECT pii_enc, data::text AS data FROM records WHERE agency_id = $1 AND kind = 'operations' AND local_id = 'OP-1'`, [a.agencyId]);
    expect(raw.rows[0].pii_enc).not.toContain('Citlali');
    expect(raw.rows[0].data).not.toContain('Citlali');
    const masked = await aRead.api.GET('/v1/operations/{localId}', { params: { path: { localId: 'OP-1' } } });
    expect([masked.data!.piiMasked, masked.data!.pii]).toEqual([true, null]);
    const list = await a.api.GET('/v1/operations', { params: { query: { offense: 'LGT-22', state: '23', from: '2025-01-01' } } });
    expect(list.data!.items.map((i) => i.localId)).toEqual(['OP-1']);
    const none_ = await a.api.GET('/v1/operations', { params: { query: { offense: 'LGT-10' } } });
    expect(none_.data!.items).toEqual([]);
  });

  it('a retry is unchanged (no new version), a batch sent twice adds no versions, a change is a new version', async () => {
    const again = await put(a, 'OP-1', operation({ placeTypes: ['bar', 'hotel', 'bar'] }));
    expect([again.response.status, again.data!.status, again.data!.version]).toEqual([200, 'unchanged', 1]);
    const batch = { entries: [{ localId: 'OP-2', ...operation({ rescuedPersons: [], rescuedCounts: [] }) }, { localId: 'OP-3', ...operation({ rescuedPersons: [], rescuedCounts: [] }) }] };
    const one = await a.api.POST('/v1/operations/batch', { body: batch });
    const two = await a.api.POST('/v1/operations/batch', { body: batch });
    expect(one.data!.summary).toMatchObject({ created: 2, rejected: 0 });
    expect(two.data!.summary).toMatchObject({ created: 0, unchanged: 2 });
    expect(await versions('OP-2')).toBe(1);
    const changed = await put(a, 'OP-2', operation({ rescuedPersons: [], rescuedCounts: [], humanRightsBodyNotified: 'no' }));
    expect([changed.data!.status, changed.data!.version]).toEqual(['updated', 2]);
    const withdrawn = await a.api.DELETE('/v1/operations/{localId}', { params: { path: { localId: 'OP-3' }, query: { reason: 'duplicate' } } });
    expect([withdrawn.data!.withdrawn, withdrawn.data!.version]).toEqual([true, 2]);
    const history = await a.api.GET('/v1/operations/{localId}/versions', { params: { path: { localId: 'OP-2' } } });
    expect(history.data!.items.map((v) => v.op)).toEqual(['create', 'update']);
    const wanted = ['OP-1:1', 'OP-2:1', 'OP-3:1', 'OP-2:2', 'OP-3:2'];
    const ops = (items: FeedItem[]) => items.filter((c) => c.kind === 'operations').map((c) => `${c.localId}:${c.version}`);
    const feed = await changesUntil(a.api, (items) => wanted.every((w) => ops(items).includes(w)));
    expect(ops(feed)).toEqual(expect.arrayContaining(wanted));
  });

  it('counts rescued persons (listed and counted) by sex, age group, nationality and link to a victim record', async () => {
    const sum = async (query: Record<string, string>) => {
      const res = await a.api.GET('/v1/operations/summary', { params: { query } });
      expect(res.response.status).toBe(200);
      return res.data!;
    };
    const bySex = await sum({ groupBy: 'sex' });
    // OP-1: 3 listed + 4 counted; OP-2 has none; OP-3 is withdrawn.
    expect(bySex).toMatchObject({ unit: 'rescued_person', operations: 2, rescuedPersons: 7, linkedToVictimRecords: 2, groupBy: 'sex' });
    expect(bySex.rows).toEqual([
      { value: 'female', count: 6 },
      { value: 'male', count: 1 },
    ]);
    expect((await sum({ groupBy: 'ageGroup' })).rows).toEqual([
      { value: 'adult_18_plus', count: 5 },
      { value: 'SI', count: 1 },
      { value: 'under_18', count: 1 },
    ]);
    expect((await sum({ groupBy: 'nationality' })).rows).toEqual([
      { value: 'MEX', count: 6 },
      { value: 'GTM', count: 1 },
      { value: 'HND', count: 1 },
    ]);
    expect((await sum({ groupBy: 'linkedToVictim' })).rows).toEqual([
      { value: 'false', count: 5 },
      { value: 'true', count: 2 },
    ]);
    expect(await sum({ groupBy: 'sex', from: '2025-04-01' })).toMatchObject({ operations: 0, rescuedPersons: 0, rows: [], filters: { from: '2025-04-01' } });
  });

  it('T49: CNS joint operations, 68 operations, 674 persons rescued of whom 647 women (brief §4.7)', async () => {
    const cns = await createPrincipal(t, { kind: 'police', jurisdiction: 'FED', scopes: ['cases:read', 'cases:write'] });
    // 68 operations at bars, hotels and dating houses, sexual exploitation targeted: 674 rescued, 647 women, 27 men.
    const entries = Array.from({ length: 68 }, (_, i) => {
      const women = i < 35 ? 10 : 9; // 35 × 10 + 33 × 9 = 647
      const men = i < 27 ? 1 : 0; // 27
      return {
        localId: `CNS-${i}`,
        operationDate: `2016-${String((i % 12) + 1).padStart(2, '0')}-15`,
        state: '09',
        placeTypes: [['bar', 'hotel', 'dating_house'][i % 3]],
        offensesTargeted: ['LGT-13'],
        humanRightsBodyNotified: 'SI',
        rescuedCounts: [
          { sex: 'female', ageGroup: 'SI', nationality: 'SI', count: women },
          ...(men ? [{ sex: 'male', ageGroup: 'SI', nationality: 'SI', count: men }] : []),
        ],
      };
    });
    const res = await cns.api.POST('/v1/operations/batch', { body: { entries, atomic: true } });
    expect(res.data!.summary).toMatchObject({ created: 68, rejected: 0 });
    const summary = await cns.api.GET('/v1/operations/summary', { params: { query: { groupBy: 'sex', from: '2012-06-15', to: '2017-07-31' } } });
    expect(summary.data).toMatchObject({ operations: 68, rescuedPersons: 674 });
    expect(summary.data!.rows.find((r) => r.value === 'female')!.count).toBe(647);
    // CNDH's point (004 ¶177, ¶272): none of them targeted labour exploitation.
    const labour = await cns.api.GET('/v1/operations/summary', { params: { query: { offense: 'LGT-22' } } });
    expect(labour.data).toMatchObject({ operations: 0, rescuedPersons: 0 });
  });

  it('rejects unknown catalog codes with 422, the pointer and the allowed values', async () => {
    const cases: Array<[string, string, Partial<OperationDto>]> = [
      ['place-of-exploitation', '#/placeTypes', { placeTypes: ['casino'] }],
      ['offense', '#/offensesTargeted', { offensesTargeted: ['LGT-99'] }],
      ['yes-no', '#/humanRightsBodyNotified', { humanRightsBodyNotified: 'maybe' }],
      ['sex', '#/rescuedPersons/0/sex', { rescuedPersons: [{ sex: 'x', nationality: ['MEX'] }] }],
      ['agency-kind', '#/agenciesInvolved/0/agencyKind', { agenciesInvolved: [{ agencyKind: 'army' }] }],
    ];
    for (const [catalog, pointer, over] of cases) {
      const res = await put(a, 'OP-BAD', operation(over));
      expect(res.response.status).toBe(422);
      const err = res.error!.errors!.find((e) => e.pointer === pointer)!;
      expect(err).toMatchObject({ pointer, catalog: `/v1/catalogs/${catalog}` });
      expect([...err.allowed!].sort()).toEqual(catalogRegistry().allowed(catalog).sort());
    }
    const rules = await put(a, 'OP-BAD', operation({ endDate: '2025-03-01', placeTypes: ['bar', 'SI'], rescuedCounts: [{ sex: 'female', ageGroup: 'child_0_11', nationality: 'MEX', count: 2 }] }));
    expect(rules.response.status).toBe(422);
    expect(rules.error!.errors!.map((e) => [e.pointer, e.rule])).toEqual(
      expect.arrayContaining([
        ['#/endDate', 'end-after-start'],
        ['#/placeTypes', 'null-code-alone'],
        ['#/rescuedCounts/0/ageGroup', 'age-group-scheme'],
      ]),
    );
    const badSummary = await request(t.baseUrl).get('/v1/operations/summary?groupBy=colour').auth(a.token, { type: 'bearer' });
    expect(badSummary.status).toBe(422);
  });

  it("hides agency A's operations from agency B: 404 on every route, nothing in B's list or summary", async () => {
    const path = { localId: 'OP-1' };
    expect((await b.api.GET('/v1/operations/{localId}', { params: { path } })).response.status).toBe(404);
    expect((await b.api.GET('/v1/operations/{localId}/versions', { params: { path } })).response.status).toBe(404);
    expect((await b.api.DELETE('/v1/operations/{localId}', { params: { path, query: { reason: 'other' } } })).response.status).toBe(404);
    expect((await b.api.PUT('/v1/operations/{localId}', { params: { path, header: { 'If-Match': '"v1-00000000"' } }, body: operation() })).response.status).toBe(404);
    expect((await b.api.GET('/v1/operations', { params: { query: {} } })).data!.items).toEqual([]);
    expect((await b.api.GET('/v1/operations/summary', { params: { query: {} } })).data).toMatchObject({ operations: 0, rescuedPersons: 0 });
  });

  const routes: GuardedRoute[] = [
    ['put', '/v1/operations/OP-1', operation],
    ['post', '/v1/operations/batch', { entries: [] }],
    ['get', '/v1/operations'],
    ['get', '/v1/operations/summary'],
    ['get', '/v1/operations/OP-1'],
    ['get', '/v1/operations/OP-1/versions'],
    ['delete', '/v1/operations/OP-1?reason=other'],
  ];
  it.each(routes.map((r) => [r[0], r[1], r] as const))('%s %s answers 401 without a token and 403 without the cases scope', async (_method, _url, route) => {
    const forbidden = await expectScopeGuard(t, route, { none: none.token });
    expect(forbidden.body.required).toEqual(expect.arrayContaining([route[0] === 'get' ? 'cases:read' : 'cases:write']));
  });
});

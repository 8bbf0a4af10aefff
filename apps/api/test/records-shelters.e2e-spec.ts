import request from 'supertest';
import { createPrincipal, startTestApp, type TestApp, type TestPrincipal, expectScopeGuard, type GuardedRoute } from '@app/testing';
import { catalogRegistry } from '@app/catalogs';
import type { components } from '@app/client';

type ShelterDto = components['schemas']['ShelterDto'];
type ShelterStayDto = components['schemas']['ShelterStayDto'];

const shelter = (over: Partial<ShelterDto> = {}): ShelterDto => ({
  name: 'Refugio Esperanza',
  address: 'Calle Falsa 123, Coyoacán',
  shelterType: 'refuge',
  operator: 'ngo',
  specialisation: 'trafficking',
  state: '09',
  populations: { adultWomen: 'yes', adultMen: 'no', girls: 'yes', boys: 'yes', boysMaxAge: 13, childrenOfVictims: 'yes', personsWithDisabilities: 'SI' },
  capacity: 3,
  maxStayDays: 90,
  onOfficialRoster: 'yes',
  openedOn: '2015-01-10',
  supervisoryVisits: [
    { visitedOn: '2016-05-10', visitingAgencyKind: 'coordination' },
    { visitedOn: '2015-09-02', visitingAgencyKind: 'coordination', visitingAgencyCode: 'segob' },
  ],
  ...over,
});
const stay = (over: Partial<ShelterStayDto> = {}): ShelterStayDto => ({
  shelterLocalId: 'SH-1',
  victimLocalId: 'V-1',
  admittedOn: '2025-03-15',
  accompanyingChildren: 2,
  movementRestricted: 'no',
  ...over,
});
const victim = { sex: 'female', ageAtEvent: 24, nationality: ['MEX'], stateOfOrigin: '29', vulnerableGroups: ['SI'], victimType: 'direct', offenses: ['LGT-13'] };

/** R25: shelter registry and stays linked to victim records. */
describe('shelters and shelter stays (R25)', () => {
  let t: TestApp;
  let a: TestPrincipal; // shelter-running agency: victims read + write + pii
  let aRead: TestPrincipal;
  let none: TestPrincipal; // agency A without victims scopes
  let b: TestPrincipal;

  beforeAll(async () => {
    t = await startTestApp();
    a = await createPrincipal(t, { kind: 'shelter', scopes: ['victims:read', 'victims:write', 'pii:read'] });
    aRead = await createPrincipal(t, { code: a.agencyCode, scopes: ['victims:read'] });
    none = await createPrincipal(t, { code: a.agencyCode, scopes: ['cases:read', 'cases:write'] });
    b = await createPrincipal(t, { kind: 'shelter', scopes: ['victims:read', 'victims:write'] });
  });
  afterAll(() => t.close());

  it('round-trips a shelter (name and address encrypted) and stays linked to the shelter and the victim', async () => {
    const sh = await a.api.PUT('/v1/shelters/{localId}', { params: { path: { localId: 'SH-1' } }, body: shelter() });
    expect(sh.response.status).toBe(201);
    expect(sh.data!.pii).toEqual({ name: 'Refugio Esperanza', address: 'Calle Falsa 123, Coyoacán' });
    const { name: _n, address: _a, ...data } = shelter();
    // Visits are kept in date order.
    expect(sh.data!.data).toEqual({ ...data, supervisoryVisits: [data.supervisoryVisits![1], data.supervisoryVisits![0]] });
    expect(sh.data!.completeness).toMatchObject({ shelterType: 'filled', onOfficialRoster: 'filled', capacity: 'filled' });
    const raw = await t.db.pool.query(`SELECT pii_enc, data::text AS data FROM records WHERE agency_id = $1 AND kind = 'shelters'`, [a.agencyId]);
    expect(raw.rows[0].pii_enc).not.toContain('Esperanza');
    expect(raw.rows[0].data).not.toContain('Esperanza');
    expect((await aRead.api.GET('/v1/shelters/{localId}', { params: { path: { localId: 'SH-1' } } })).data).toMatchObject({ piiMasked: true, pii: null });

    const st = await a.api.PUT('/v1/shelter-stays/{localId}', { params: { path: { localId: 'ST-1' } }, body: stay() });
    expect(st.response.status).toBe(201);
    expect(st.data!.data).toEqual(stay());
    expect(st.data!.references).toEqual([
      { kind: 'shelters', localId: 'SH-1', resolved: true },
      { kind: 'victims', localId: 'V-1', resolved: false },
    ]);
    await a.api.PUT('/v1/victims/{localId}', { params: { path: { localId: 'V-1' } }, body: victim });
    const got = await a.api.GET('/v1/shelter-stays/{localId}', { params: { path: { localId: 'ST-1' } } });
    expect(got.data!.references.every((r) => r.resolved)).toBe(true);
    const restricted = await a.api.PUT('/v1/shelter-stays/{localId}', { params: { path: { localId: 'ST-2' } }, body: stay({ victimLocalId: 'V-2', admittedOn: '2025-01-02', exitedOn: '2025-02-01', accompanyingChildren: 0, movementRestricted: 'yes' }) });
    expect(restricted.data!.warnings).toEqual([expect.objectContaining({ pointer: '#/movementRestricted', rule: 'movement-restricted' })]);
    const active = await a.api.GET('/v1/shelter-stays', { params: { query: { activeOn: '2025-04-01' } } });
    expect(active.data!.items.map((i) => i.localId)).toEqual(['ST-1']);
    const byVictim = await a.api.GET('/v1/shelter-stays', { params: { query: { victimLocalId: 'V-2' } } });
    expect(byVictim.data!.items.map((i) => i.localId)).toEqual(['ST-2']);
  });

  it('occupancy: places taken and free on a day, and which shelters accept a 15-year-old boy or a mother with children', async () => {
    await a.api.PUT('/v1/shelters/{localId}', {
      params: { path: { localId: 'SH-2' } },
      body: shelter({ shelterType: 'halfway_house', specialisation: 'children_adolescents', populations: { adultWomen: 'no', adultMen: 'no', girls: 'yes', boys: 'yes', boysMaxAge: 17, childrenOfVictims: 'no' }, capacity: 10 }),
    });
    await a.api.PUT('/v1/shelters/{localId}', { params: { path: { localId: 'SH-3' } }, body: shelter({ closedOn: '2024-11-30' }) });
    const occ = await a.api.GET('/v1/shelters/occupancy', { params: { query: { on: '2025-04-01' } } });
    expect(occ.data).toEqual({
      on: '2025-04-01',
      items: [
        { localId: 'SH-1', shelterType: 'refuge', specialisation: 'trafficking', state: '09', capacity: 3, occupied: 1, accompanyingChildren: 2, freePlaces: 2 },
        { localId: 'SH-2', shelterType: 'halfway_house', specialisation: 'children_adolescents', state: '09', capacity: 10, occupied: 0, accompanyingChildren: 0, freePlaces: 10 },
      ],
    });
    const boy = await a.api.GET('/v1/shelters/occupancy', { params: { query: { on: '2025-04-01', sex: 'male', age: 15 } } });
    expect(boy.data!.items.map((i) => i.localId)).toEqual(['SH-2']);
    const mother = await a.api.GET('/v1/shelters/occupancy', { params: { query: { on: '2025-04-01', sex: 'female', age: 30, withChildren: 'true' } } });
    expect(mother.data!.items.map((i) => i.localId)).toEqual(['SH-1']);
    const list = await a.api.GET('/v1/shelters', { params: { query: { specialisation: 'trafficking' } } });
    expect(list.data!.items.map((i) => i.localId)).toEqual(['SH-1', 'SH-3']);
  });

  it('a retry is unchanged, a batch sent twice adds no versions; withdrawal ends the stay in the occupancy', async () => {
    const again = await a.api.PUT('/v1/shelter-stays/{localId}', { params: { path: { localId: 'ST-1' } }, body: stay() });
    expect([again.data!.status, again.data!.version]).toEqual(['unchanged', 1]);
    const body = { entries: [{ localId: 'ST-3', ...stay({ victimLocalId: 'V-3' }) }, { localId: 'ST-4', ...stay({ victimLocalId: 'V-4', accompanyingChildren: 0 }) }] };
    expect((await a.api.POST('/v1/shelter-stays/batch', { body })).data!.summary).toMatchObject({ created: 2 });
    expect((await a.api.POST('/v1/shelter-stays/batch', { body })).data!.summary).toMatchObject({ created: 0, unchanged: 2 });
    const count = await t.db.pool.query(`SELECT count(*)::int AS n FROM record_versions WHERE agency_id = $1 AND kind = 'shelter-stays'`, [a.agencyId]);
    expect(count.rows[0].n).toBe(4);
    const full = await a.api.GET('/v1/shelters/occupancy', { params: { query: { on: '2025-04-01' } } });
    expect(full.data!.items[0]).toMatchObject({ localId: 'SH-1', occupied: 3, freePlaces: 0, accompanyingChildren: 4 });
    await a.api.DELETE('/v1/shelter-stays/{localId}', { params: { path: { localId: 'ST-4' }, query: { reason: 'entered_in_error' } } });
    const after = await a.api.GET('/v1/shelters/occupancy', { params: { query: { on: '2025-04-01' } } });
    expect(after.data!.items[0]).toMatchObject({ occupied: 2, freePlaces: 1 });
  });

  it('rejects unknown catalog codes with 422 and the allowed values, and impossible dates with rules', async () => {
    const bad: Array<[string, string, Partial<ShelterDto>]> = [
      ['shelter-type', '#/shelterType', { shelterType: 'hostel' }],
      ['shelter-operator', '#/operator', { operator: 'church' }],
      ['shelter-specialisation', '#/specialisation', { specialisation: 'elderly' }],
      ['yes-no', '#/populations/adultMen', { populations: { adultWomen: 'yes', adultMen: 'perhaps', girls: 'yes', boys: 'no', childrenOfVictims: 'yes' } }],
    ];
    for (const [catalog, pointer, over] of bad) {
      const res = await a.api.PUT('/v1/shelters/{localId}', { params: { path: { localId: 'SH-BAD' } }, body: shelter(over) });
      expect(res.response.status).toBe(422);
      const err = res.error!.errors!.find((e) => e.pointer === pointer)!;
      expect([...err.allowed!].sort()).toEqual(catalogRegistry().allowed(catalog).sort());
    }
    const badStay = await a.api.PUT('/v1/shelter-stays/{localId}', { params: { path: { localId: 'ST-BAD' } }, body: stay({ movementRestricted: 'sometimes' }) });
    expect([...badStay.error!.errors!.find((e) => e.pointer === '#/movementRestricted')!.allowed!].sort()).toEqual(catalogRegistry().allowed('yes-no').sort());
    const dates = await a.api.PUT('/v1/shelter-stays/{localId}', { params: { path: { localId: 'ST-BAD' } }, body: stay({ exitedOn: '2025-03-01' }) });
    expect(dates.error!.errors!.map((e) => [e.pointer, e.rule])).toEqual([['#/exitedOn', 'exit-after-admission']]);
    const boys = await a.api.PUT('/v1/shelters/{localId}', {
      params: { path: { localId: 'SH-BAD' } },
      body: shelter({ populations: { adultWomen: 'yes', adultMen: 'no', girls: 'yes', boys: 'no', boysMaxAge: 12, childrenOfVictims: 'yes' } }),
    });
    expect(boys.error!.errors!.map((e) => [e.pointer, e.rule])).toEqual([['#/populations/boysMaxAge', 'boys-max-age']]);
  });

  it("hides agency A's shelters and stays from agency B: 404, and B's occupancy is empty", async () => {
    for (const [kind, localId] of [
      ['shelters', 'SH-1'],
      ['shelter-stays', 'ST-1'],
    ] as const) {
      expect((await request(t.baseUrl).get(`/v1/${kind}/${localId}`).auth(b.token, { type: 'bearer' })).status).toBe(404);
      expect((await request(t.baseUrl).get(`/v1/${kind}/${localId}/versions`).auth(b.token, { type: 'bearer' })).status).toBe(404);
      expect((await request(t.baseUrl).delete(`/v1/${kind}/${localId}?reason=other`).auth(b.token, { type: 'bearer' })).status).toBe(404);
    }
    expect((await b.api.GET('/v1/shelters/occupancy', { params: { query: { on: '2025-04-01' } } })).data!.items).toEqual([]);
    expect((await b.api.GET('/v1/shelter-stays', { params: { query: {} } })).data!.items).toEqual([]);
  });

  const routes: GuardedRoute[] = [
    ['put', '/v1/shelters/SH-1', shelter],
    ['get', '/v1/shelters'],
    ['get', '/v1/shelters/occupancy'],
    ['post', '/v1/shelter-stays/batch', { entries: [] }],
    ['get', '/v1/shelter-stays/ST-1'],
    ['delete', '/v1/shelter-stays/ST-1?reason=other'],
  ];
  it.each(routes.map((r) => [r[0], r[1], r] as const))('%s %s answers 401 without a token and 403 without the victims scope', async (_method, _url, route) => {
    await expectScopeGuard(t, route, { none: none.token });
  });
});

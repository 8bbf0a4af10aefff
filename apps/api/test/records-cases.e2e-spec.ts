import request from 'supertest';
import { catalogRegistry } from '@app/catalogs';
import type { components } from '@app/client';
import { createPrincipal, startTestApp, type TestApp, type TestPrincipal, expectScopeGuard, type GuardedRoute } from '@app/testing';

type CaseDto = components['schemas']['CaseDto'];
type ChargeDto = components['schemas']['ChargeDto'];

const NARRATIVE = 'La víctima Tonantzin fue captada en la terminal de autobuses';

const theCase = (over: Partial<CaseDto> = {}): CaseDto => ({
  fileNumber: 'CI-FIDAMPT/T3/00123/2025-04',
  fileType: 'carpeta_investigacion',
  jurisdiction: 'fuero_comun',
  state: '09',
  openedOn: '2025-04-02',
  status: 'pending',
  placeOfOccurrence: { state: '09', municipality: '015' },
  charges: [
    { offense: 'LGT-13', attempted: false, exploitationForms: ['sexual'], victims: ['V-1', 'V-2'], accused: ['A-1'], stage: 'charged' },
    { offense: 'LGT-10', attempted: true, victims: ['V-3'], stage: 'investigated' },
    { offense: 'LGT-22', attempted: false, victims: ['V-1'], aggravating: ['AGG-42-I'] },
    { offense: 'LGT-24', attempted: false, victims: ['V-2', 'V-3'] },
  ],
  victims: [
    { localId: 'V-1', offenses: ['LGT-13', 'LGT-22'] },
    { localId: 'V-2', offenses: ['LGT-13', 'LGT-24'] },
    { localId: 'V-3', offenses: ['LGT-10', 'LGT-24'] },
  ],
  accused: ['A-1'],
  recruitmentMeans: ['job_offer'],
  platforms: ['facebook'],
  probableInvolvement: { kinship: 'no', organisedCrime: 'yes', publicServant: 'SI' },
  narrative: NARRATIVE,
  ...over,
});

describe('cases records', () => {
  let t: TestApp;
  let a: TestPrincipal;
  let aRead: TestPrincipal;
  let b: TestPrincipal;
  let none: TestPrincipal;

  beforeAll(async () => {
    t = await startTestApp();
    a = await createPrincipal(t, { scopes: ['cases:read', 'cases:write', 'victims:write', 'pii:read'] });
    aRead = await createPrincipal(t, { code: a.agencyCode, scopes: ['cases:read'] });
    none = await createPrincipal(t, { code: a.agencyCode, scopes: ['victims:read'] });
    b = await createPrincipal(t, { scopes: ['cases:read', 'cases:write'] });
  });
  afterAll(() => t.close());

  it('a case with three victims and four offenses round-trips and keeps each offense separately', async () => {
    const put = await a.api.PUT('/v1/cases/{localId}', { params: { path: { localId: 'CI-1' } }, body: theCase() });
    expect(put.response.status).toBe(201);
    const got = await a.api.GET('/v1/cases/{localId}', { params: { path: { localId: 'CI-1' } } });
    expect(got.data!.data.charges.map((c: ChargeDto) => [c.offense, c.attempted])).toEqual([
      ['LGT-13', false],
      ['LGT-10', true],
      ['LGT-22', false],
      ['LGT-24', false],
    ]);
    expect(got.data!.data.victims).toEqual(theCase().victims);
    expect(got.data!.pii).toEqual({ narrative: NARRATIVE });
    const { rows } = await t.db.pool.query(
      `SELECT offense_code, attempted, victim_local_ids, stage FROM case_charges WHERE agency_id = $1 AND case_local_id = 'CI-1' ORDER BY charge_index`,
      [a.agencyId],
    );
    expect(rows).toEqual([
      { offense_code: 'LGT-13', attempted: false, victim_local_ids: ['V-1', 'V-2'], stage: 'charged' },
      { offense_code: 'LGT-10', attempted: true, victim_local_ids: ['V-3'], stage: 'investigated' },
      { offense_code: 'LGT-22', attempted: false, victim_local_ids: ['V-1'], stage: 'NR' },
      { offense_code: 'LGT-24', attempted: false, victim_local_ids: ['V-2', 'V-3'], stage: 'NR' },
    ]);
    // a case may arrive before its victims: references are visible and resolve when the victims arrive
    expect(got.data!.references.filter((r) => r.kind === 'victims')).toEqual([
      { kind: 'victims', localId: 'V-1', resolved: false },
      { kind: 'victims', localId: 'V-2', resolved: false },
      { kind: 'victims', localId: 'V-3', resolved: false },
    ]);
    await a.api.PUT('/v1/victims/{localId}', {
      params: { path: { localId: 'V-2' } },
      body: { sex: 'female', nationality: ['MEX'], stateOfOrigin: '09', vulnerableGroups: ['SI'], victimType: 'direct', offenses: ['LGT-13'] },
    });
    const later = await a.api.GET('/v1/cases/{localId}', { params: { path: { localId: 'CI-1' } } });
    expect(later.data!.references.find((r) => r.localId === 'V-2')!.resolved).toBe(true);
    expect(JSON.stringify(await t.db.pool.query(`SELECT r::text FROM records r WHERE agency_id = $1`, [a.agencyId]))).not.toContain('Tonantzin');
  });

  it('accepts every code of the offense catalog', async () => {
    const codes = catalogRegistry()
      .get('offense')!
      .entries.filter((e) => !e.retiredOn)
      .map((e) => e.code);
    expect(codes.length).toBeGreaterThan(30);
    const entries = codes.map((code, i) => ({ localId: `ALL-${i}`, ...theCase({ charges: [{ offense: code, attempted: false }], victims: undefined }) }));
    const res = await a.api.POST('/v1/cases/batch', { body: { entries } });
    expect(res.data!.results.filter((r) => r.status !== 'created')).toEqual([]);
    const oneCase = await a.api.PUT('/v1/cases/{localId}', {
      params: { path: { localId: 'ALL-IN-ONE' } },
      body: theCase({ victims: undefined, charges: codes.map((offense) => ({ offense, attempted: false })) }),
    });
    expect(oneCase.response.status).toBe(201);
    const n = await t.db.pool.query(`SELECT count(*)::int AS n FROM case_charges WHERE agency_id = $1 AND case_local_id = 'ALL-IN-ONE'`, [a.agencyId]);
    expect(n.rows[0].n).toBe(codes.length);
  });

  it('rejects an unknown offense code with the allowed values and the catalog URL', async () => {
    const res = await a.api.PUT('/v1/cases/{localId}', {
      params: { path: { localId: 'CI-BAD' } },
      body: theCase({ charges: [{ offense: 'LGT-999', attempted: false }], victims: undefined }),
    });
    expect(res.response.status).toBe(422);
    const err = res.error!.errors![0];
    expect(err).toMatchObject({ pointer: '#/charges/0/offense', catalog: '/v1/catalogs/offense' });
    expect(err.allowed).toEqual(expect.arrayContaining(['LGT-10', 'LGT-13', 'LGT-36']));
    const batch = await a.api.POST('/v1/cases/batch', {
      body: { entries: [{ localId: 'OK-1', ...theCase() }, { localId: 'BAD-1', ...theCase({ charges: [{ offense: 'X', attempted: false }], victims: undefined }) }] },
    });
    expect(batch.data!.results.map((r) => r.status)).toEqual(['created', 'rejected']);
    expect(batch.data!.results[1].errors![0].pointer).toBe('#/entries/1/charges/0/offense');
  });

  it("accepts the agency's own offense codes through its crosswalk, storing both codes", async () => {
    const cw = await createPrincipal(t, { code: a.agencyCode, scopes: ['crosswalks:write'] });
    const put = await request(t.baseUrl)
      .put('/v1/crosswalks/offense')
      .auth(cw.token, { type: 'bearer' })
      .send({ entries: [{ localCode: 'CPCDMX-188bis', standardCode: 'LGT-13' }] });
    expect(put.status).toBeLessThan(300);
    const res = await a.api.PUT('/v1/cases/{localId}', {
      params: { path: { localId: 'CI-CW' } },
      body: theCase({ victims: undefined, charges: [{ offense: 'CPCDMX-188bis', attempted: false, submittedOffense: 'forged' }] }),
    });
    expect(res.response.status).toBe(201);
    expect(res.data!.data.charges[0]).toMatchObject({ offense: 'LGT-13', submittedOffense: 'CPCDMX-188bis' });
    const { rows } = await t.db.pool.query(`SELECT offense_code, submitted_code FROM case_charges WHERE agency_id = $1 AND case_local_id = 'CI-CW'`, [a.agencyId]);
    expect(rows).toEqual([{ offense_code: 'LGT-13', submitted_code: 'CPCDMX-188bis' }]);
    // another agency has no such mapping
    const other = await b.api.PUT('/v1/cases/{localId}', {
      params: { path: { localId: 'CI-CW' } },
      body: theCase({ victims: undefined, charges: [{ offense: 'CPCDMX-188bis', attempted: false }] }),
    });
    expect(other.response.status).toBe(422);
    // a standard code keeps no submittedOffense, even if the client sends one
    const std = await a.api.PUT('/v1/cases/{localId}', {
      params: { path: { localId: 'CI-STD' } },
      body: theCase({ victims: undefined, charges: [{ offense: 'LGT-13', attempted: false, submittedOffense: 'forged' }] }),
    });
    expect(std.data!.data.charges[0].submittedOffense).toBeUndefined();
  });

  it('one entry per offense: the same offense charged twice is rejected; other impossible data too', async () => {
    const put = (body: CaseDto) => a.api.PUT('/v1/cases/{localId}', { params: { path: { localId: 'CI-X' } }, body });
    const twice = await put(theCase({ victims: undefined, charges: [{ offense: 'LGT-13', attempted: false }, { offense: 'LGT-13', attempted: false }] }));
    expect(twice.error!.errors![0]).toMatchObject({ pointer: '#/charges/1/offense', rule: 'one-charge-per-offense' });
    const future = await put(theCase({ openedOn: '2999-01-01' }));
    expect(future.error!.errors![0].pointer).toBe('#/openedOn');
    const strayVictim = await put(theCase({ charges: [{ offense: 'LGT-13', attempted: false, victims: ['V-9'] }] }));
    expect(strayVictim.error!.errors![0].pointer).toBe('#/charges/0/victims/0');
    const noCharges = await put(theCase({ charges: [] }));
    expect(noCharges.error!.errors![0].pointer).toBe('#/charges');
    const badStage = await put(theCase({ charges: [{ offense: 'LGT-13', attempted: false, stage: 'done' }], victims: undefined }));
    expect(badStage.error!.errors![0]).toMatchObject({ pointer: '#/charges/0/stage', catalog: '/v1/catalogs/charge-stage' });
  });

  it('lists with offense, stage, jurisdiction and date filters; masks the narrative without pii:read', async () => {
    const byOffense = await aRead.api.GET('/v1/cases', { params: { query: { offense: 'LGT-22' } } });
    const ids = byOffense.data!.items.map((i) => i.localId);
    expect(ids).toEqual(expect.arrayContaining(['ALL-IN-ONE', 'CI-1', 'OK-1']));
    expect(ids).not.toContain('ALL-0'); // LGT-10 only
    expect(ids).toHaveLength(4); // plus the one-offense case of LGT-22
    expect(byOffense.data!.items.find((i) => i.localId === 'CI-1')).toMatchObject({ pii: null, piiMasked: true });
    const byStage = await aRead.api.GET('/v1/cases', { params: { query: { stage: 'charged', jurisdiction: 'fuero_comun', openedFrom: '2025-01-01', openedTo: '2025-12-31' } } });
    expect(byStage.data!.items.map((i) => i.localId)).toEqual(['CI-1', 'OK-1']);
    const none2 = await aRead.api.GET('/v1/cases', { params: { query: { openedTo: '2024-01-01' } } });
    expect(none2.data!.items).toEqual([]);
  });

  it('versions, withdrawal and If-Match for cases', async () => {
    const v1 = await a.api.GET('/v1/cases/{localId}', { params: { path: { localId: 'OK-1' } } });
    const stale = await a.api.DELETE('/v1/cases/{localId}', { params: { path: { localId: 'OK-1' }, query: { reason: 'duplicate' }, header: { 'If-Match': '"v9-00000000"' } } });
    expect(stale.response.status).toBe(412);
    const del = await a.api.DELETE('/v1/cases/{localId}', { params: { path: { localId: 'OK-1' }, query: { reason: 'duplicate' }, header: { 'If-Match': v1.data!.etag } } });
    expect(del.data).toMatchObject({ withdrawn: true, version: 2 });
    const versions = await a.api.GET('/v1/cases/{localId}/versions', { params: { path: { localId: 'OK-1' } } });
    expect(versions.data!.items.map((v) => v.op)).toEqual(['create', 'withdraw']);
    const back = await a.api.PUT('/v1/cases/{localId}', { params: { path: { localId: 'OK-1' } }, body: theCase() });
    expect(back.data).toMatchObject({ status: 'updated', version: 3, withdrawn: false });
  });

  it("hides agency A's cases from agency B (404) and keeps B's namespace separate", async () => {
    const path = { localId: 'CI-1' };
    expect((await b.api.GET('/v1/cases/{localId}', { params: { path } })).response.status).toBe(404);
    expect((await b.api.PUT('/v1/cases/{localId}', { params: { path, header: { 'If-Match': '"v1-00000000"' } }, body: theCase() })).response.status).toBe(404);
    expect((await b.api.DELETE('/v1/cases/{localId}', { params: { path, query: { reason: 'other' } } })).response.status).toBe(404);
    expect((await b.api.GET('/v1/cases/{localId}/versions', { params: { path } })).response.status).toBe(404);
    expect((await b.api.GET('/v1/cases', {})).data!.items).toEqual([]);
    const batch = await b.api.POST('/v1/cases/batch', { body: { entries: [{ localId: 'CI-1', ...theCase() }] } });
    expect(batch.data!.results[0].status).toBe('created');
    const mine = await a.api.GET('/v1/cases/{localId}/versions', { params: { path } });
    expect(mine.data!.items).toHaveLength(1);
  });

  const routes: GuardedRoute[] = [
    ['put', '/v1/cases/CI-1', theCase()],
    ['post', '/v1/cases/batch', { entries: [{ localId: 'Z', ...theCase() }] }],
    ['get', '/v1/cases', undefined],
    ['get', '/v1/cases/CI-1', undefined],
    ['get', '/v1/cases/CI-1/versions', undefined],
    ['delete', '/v1/cases/CI-1?reason=other', undefined],
  ];
  it.each(routes.map((r) => [r[0], r[1], r] as const))('%s %s answers 401 without a token and 403 without the scope', async (_method, _url, route) => {
    await expectScopeGuard(t, route, { none: none.token, readOnly: aRead.token });
  });
});

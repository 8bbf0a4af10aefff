import request from 'supertest';
import { catalogRegistry } from '@app/catalogs';
import type { components, paths } from '@app/client';
import { createPrincipal, startTestApp, type TestApp, type TestPrincipal, expectScopeGuard, type GuardedRoute, changesUntil, type FeedItem } from '@app/testing';

type AssistanceDto = components['schemas']['AssistanceDto'];
type AssistanceBatchEntryDto = components['schemas']['AssistanceBatchEntryDto'];
type AssistanceQuery = NonNullable<paths['/v1/assistance']['get']['parameters']['query']>;

const NOTES = 'La víctima Citlalli Tonatiuh pidió acompañamiento a la audiencia';
const REFERRAL = '3f0c9a52-6a1d-4b7e-9c1e-2d5f8b7a4c10';

const service = (over: Partial<AssistanceDto> = {}): AssistanceDto => ({
  victimLocalId: 'V-1',
  serviceType: 'psychological_care',
  providerKind: 'victim_commission',
  providerName: 'Comisión Ejecutiva Estatal de Atención a Víctimas de Jalisco',
  startDate: '2025-03-15',
  endDate: '2025-06-12',
  status: 'completed',
  referralId: REFERRAL,
  notes: NOTES,
  ...over,
});
const entry = (localId: string, over: Partial<AssistanceDto> = {}): AssistanceBatchEntryDto => ({ localId, ...service(over) });

describe('assistance records (R22, services ledger)', () => {
  let t: TestApp;
  let a: TestPrincipal; // agency A: victims read + write, pii
  let a2: TestPrincipal; // second client of agency A
  let aRead: TestPrincipal; // agency A, read only, no pii
  let b: TestPrincipal; // agency B
  let none: TestPrincipal; // agency A, no victims scope
  const put = (localId: string, body: AssistanceDto) => a.api.PUT('/v1/assistance/{localId}', { params: { path: { localId } }, body });
  const countVersions = async (agencyId: string, like = '%') =>
    Number((await t.db.pool.query(`SELECT count(*) FROM record_versions WHERE agency_id = $1 AND kind = 'assistance' AND local_id LIKE $2`, [agencyId, like])).rows[0].count);

  beforeAll(async () => {
    t = await startTestApp();
    a = await createPrincipal(t, { scopes: ['victims:read', 'victims:write', 'pii:read'] });
    a2 = await createPrincipal(t, { code: a.agencyCode, scopes: ['victims:read', 'victims:write'] });
    aRead = await createPrincipal(t, { code: a.agencyCode, scopes: ['victims:read'] });
    none = await createPrincipal(t, { code: a.agencyCode, scopes: ['cases:read', 'cases:write'] });
    b = await createPrincipal(t, { scopes: ['victims:read', 'victims:write'] });
  });
  afterAll(() => t.close());

  it('round-trips through the typed client, resolves the victim reference, and projects stage, emergency and duration', async () => {
    const first = await put('AS-1', service());
    expect(first.response.status).toBe(201);
    expect(first.data).toMatchObject({ localId: 'AS-1', version: 1, status: 'created', piiMasked: false, warnings: [] });
    expect(first.data!.pii).toEqual({ notes: NOTES });
    const { notes: _notes, ...data } = service();
    expect(first.data!.data).toEqual(data);
    expect(first.data!.references).toEqual([{ kind: 'victims', localId: 'V-1', resolved: false }]);
    expect(first.data!.completeness).toEqual({ serviceType: 'filled', providerKind: 'filled', ceavModelStage: 'filled', duration: 'filled' });

    await a.api.PUT('/v1/victims/{localId}', {
      params: { path: { localId: 'V-1' } },
      body: { sex: 'female', nationality: ['MEX'], stateOfOrigin: '14', vulnerableGroups: ['NR'], victimType: 'direct', offenses: ['LGT-13'] },
    });
    const got = await a.api.GET('/v1/assistance/{localId}', { params: { path: { localId: 'AS-1' } } });
    expect(got.data!.references).toEqual([{ kind: 'victims', localId: 'V-1', resolved: true }]);
    expect(got.response.headers.get('etag')).toBe(first.response.headers.get('etag'));
    const notModified = await request(t.baseUrl).get('/v1/assistance/AS-1').auth(a.token, { type: 'bearer' }).set('if-none-match', got.data!.etag);
    expect(notModified.status).toBe(304);

    // Emergency care with no stage given: the catalog's stage and emergency flag; ongoing, so no duration.
    const emergency = await put('AS-2', service({ serviceType: 'medical_care', providerKind: 'health', startDate: '2025-03-14', endDate: undefined, status: 'ongoing', referralId: undefined }));
    expect(emergency.data!.completeness).toMatchObject({ ceavModelStage: 'filled', duration: 'NA' });
    const facts = await t.db.pool.query(
      `SELECT local_id, victim_local_id, service_type, ceav_model_stage, emergency, provider_kind, start_date::text, end_date::text, duration_days, status, referral_id
         FROM assistance_facts WHERE agency_id = $1 AND local_id IN ('AS-1', 'AS-2') ORDER BY local_id`,
      [a.agencyId],
    );
    const stage = (code: string) => catalogRegistry().entry('service-type', code)!.ceavModelStage;
    expect(facts.rows).toEqual([
      {
        local_id: 'AS-1',
        victim_local_id: 'V-1',
        service_type: 'psychological_care',
        ceav_model_stage: stage('psychological_care'),
        emergency: false,
        provider_kind: 'victim_commission',
        start_date: '2025-03-15',
        end_date: '2025-06-12',
        duration_days: 90,
        status: 'completed',
        referral_id: REFERRAL,
      },
      {
        local_id: 'AS-2',
        victim_local_id: 'V-1',
        service_type: 'medical_care',
        ceav_model_stage: stage('medical_care'),
        emergency: true,
        provider_kind: 'health',
        start_date: '2025-03-14',
        end_date: null,
        duration_days: null,
        status: 'ongoing',
        referral_id: null,
      },
    ]);
  });

  it('a retry is unchanged without a new version; a change is a new version with provenance; withdrawal is a version', async () => {
    const same = await put('AS-1', service({ notes: `  ${NOTES} `, providerName: 'Comisión Ejecutiva Estatal de  Atención a Víctimas de Jalisco' }));
    expect([same.response.status, same.data?.status, same.data?.version]).toEqual([200, 'unchanged', 1]);
    expect(await countVersions(a.agencyId, 'AS-1')).toBe(1);
    const changed = await a.api.PUT('/v1/assistance/{localId}', {
      params: { path: { localId: 'AS-1' }, header: { 'If-Match': same.data!.etag, 'X-Source-System': 'SIAV', 'X-Submission-Id': 'cierre-1' } },
      body: service({ endDate: '2025-05-31', status: 'interrupted' }),
    });
    expect([changed.response.status, changed.data?.status, changed.data?.version]).toEqual([200, 'updated', 2]);
    const stale = await a.api.PUT('/v1/assistance/{localId}', { params: { path: { localId: 'AS-1' }, header: { 'If-Match': same.data!.etag } }, body: service() });
    expect(stale.response.status).toBe(412);
    const fact = await t.db.pool.query(`SELECT status, duration_days FROM assistance_facts WHERE agency_id = $1 AND local_id = 'AS-1'`, [a.agencyId]);
    expect(fact.rows).toEqual([{ status: 'interrupted', duration_days: 78 }]);
    const versions = await a.api.GET('/v1/assistance/{localId}/versions', { params: { path: { localId: 'AS-1' } } });
    expect(versions.data!.items.map((v) => [v.version, v.op, v.clientId, v.sourceSystem, v.submissionId])).toEqual([
      [1, 'create', a.clientId, null, null],
      [2, 'update', a.clientId, 'SIAV', 'cierre-1'],
    ]);
    await put('AS-W', service());
    const withdrawn = await a.api.DELETE('/v1/assistance/{localId}', { params: { path: { localId: 'AS-W' }, query: { reason: 'entered_in_error' } } });
    expect(withdrawn.data).toMatchObject({ withdrawn: true, withdrawnReason: 'entered_in_error', version: 2 });
    expect((await a.api.GET('/v1/assistance', {})).data!.items.map((i) => i.localId)).not.toContain('AS-W');
    const ofAsW = (items: FeedItem[]) => items.filter((c) => c.kind === 'assistance' && c.localId === 'AS-W').map((c) => [c.version, c.op]);
    const changes = await changesUntil(a.api, (items) => ofAsW(items).length >= 2);
    expect(ofAsW(changes)).toEqual([
      [1, 'create'],
      [2, 'withdraw'],
    ]);
  });

  const badCodes: Array<[string, string, Partial<AssistanceDto>]> = [
    ['service-type', '#/serviceType', { serviceType: 'massage' }],
    ['ceav-model-stage', '#/ceavModelStage', { ceavModelStage: 'aftercare' }],
    ['agency-kind', '#/providerKind', { providerKind: 'church' }],
  ];
  it.each(badCodes)('an unknown code of catalog %s is rejected at %s with the allowed codes', async (catalog, pointer, over) => {
    const res = await put('E-CODE', service(over));
    expect(res.response.status).toBe(422);
    const err = res.error!.errors!.find((e) => e.pointer === pointer)!;
    expect(err).toMatchObject({ rule: 'isCode', catalog: `/v1/catalogs/${catalog}` });
    expect([...err.allowed!].sort()).toEqual(catalogRegistry().allowed(catalog).sort());
  });

  it('an unknown status is rejected with the allowed statuses; every code of every catalog of the kind is accepted', async () => {
    const res = await put('E-STATUS', service({ status: 'finished' as AssistanceDto['status'] }));
    expect(res.response.status).toBe(422);
    expect(res.error!.errors!.find((e) => e.pointer === '#/status')).toMatchObject({ allowed: ['ongoing', 'completed', 'interrupted', 'declined'] });

    const reg = catalogRegistry();
    const entries: AssistanceBatchEntryDto[] = [];
    const add = (over: Partial<AssistanceDto>) => entries.push(entry(`ALL-${String(entries.length).padStart(3, '0')}`, over));
    for (const c of reg.allowed('service-type')) add({ serviceType: c });
    for (const c of reg.allowed('ceav-model-stage')) add({ ceavModelStage: c });
    for (const c of reg.allowed('agency-kind')) add({ providerKind: c });
    const batch = await a.api.POST('/v1/assistance/batch', { body: { entries } });
    expect(batch.data!.results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(batch.data!.summary.created).toBe(entries.length);
  });

  it('rejects impossible dates and statuses with pointers and rules; warns when the stage differs from the service type', async () => {
    const rules = async (body: AssistanceDto) => {
      const res = await put('E-1', body);
      expect(res.response.status).toBe(422);
      return res.error!.errors!.map((e) => [e.pointer, e.rule]);
    };
    expect(await rules(service({ endDate: '2025-03-01' }))).toEqual([['#/endDate', 'end-after-start']]);
    expect(await rules(service({ status: 'ongoing' }))).toEqual([['#/endDate', 'ongoing-without-end']]);
    expect(await rules(service({ endDate: undefined }))).toEqual([['#/endDate', 'requires-end-date']]);
    expect(await rules(service({ startDate: '2999-01-01', endDate: undefined, status: 'ongoing' }))).toEqual([['#/startDate', 'not-future']]);
    expect(await rules(service({ startDate: '2025-02-30' }))).toContainEqual(['#/startDate', 'date']);
    expect(await rules(service({ referralId: 'not-a-uuid' }))).toContainEqual(['#/referralId', expect.any(String)]);
    const unknownField = await request(t.baseUrl).put('/v1/assistance/E-2').auth(a.token, { type: 'bearer' }).send({ ...service(), durationDays: 90 });
    expect([unknownField.status, unknownField.body.errors[0].pointer]).toEqual([422, '#/durationDays']);

    const mismatch = await put('W-1', service({ serviceType: 'medical_care', ceavModelStage: 'care' }));
    expect([mismatch.response.status, mismatch.data!.warnings]).toEqual([201, [expect.objectContaining({ pointer: '#/ceavModelStage', rule: 'ceav-stage-mismatch' })]]);
    const declined = await put('W-2', service({ endDate: undefined, status: 'declined' }));
    expect([declined.response.status, declined.data!.completeness.duration]).toEqual([201, 'NA']);
  });

  it('lists with filters over the projection, including emergency care without follow-up', async () => {
    await a.api.POST('/v1/assistance/batch', {
      body: {
        entries: [
          // V-F1: emergency care followed up 10 days later; V-F2: emergency care, nothing after; V-F3: a follow-up that was withdrawn.
          entry('F-1', { victimLocalId: 'V-F1', serviceType: 'housing', startDate: '2025-01-10', endDate: '2025-01-12' }),
          entry('F-2', { victimLocalId: 'V-F1', serviceType: 'legal_assistance', startDate: '2025-01-20', endDate: undefined, status: 'ongoing', followUpOf: 'F-1' }),
          entry('F-3', { victimLocalId: 'V-F2', serviceType: 'food', startDate: '2025-01-10', endDate: '2025-01-10', referralId: undefined }),
          entry('F-4', { victimLocalId: 'V-F3', serviceType: 'medical_care', emergency: true, startDate: '2025-01-10', endDate: '2025-01-11' }),
          entry('F-5', { victimLocalId: 'V-F3', serviceType: 'psychological_care', startDate: '2025-01-15', endDate: '2025-02-15' }),
        ],
      },
    });
    await a.api.DELETE('/v1/assistance/{localId}', { params: { path: { localId: 'F-5' }, query: { reason: 'entered_in_error' } } });
    const q = async (query: AssistanceQuery) => (await a.api.GET('/v1/assistance', { params: { query } })).data!.items.map((i) => i.localId);
    expect(await q({ victimLocalId: 'V-F1' })).toEqual(['F-1', 'F-2']);
    expect(await q({ victimLocalId: 'V-F1', emergency: 'true' })).toEqual(['F-1']);
    expect(await q({ serviceType: 'legal_assistance', status: 'ongoing', victimLocalId: 'V-F1' })).toEqual(['F-2']);
    expect(await q({ ceavModelStage: 'immediate_help', startedFrom: '2025-01-10', startedTo: '2025-01-10' })).toEqual(['F-1', 'F-3', 'F-4']);
    expect(await q({ referralId: REFERRAL, victimLocalId: 'V-F2' })).toEqual([]);
    expect(await q({ noFollowUpWithinDays: 30, startedFrom: '2025-01-01', startedTo: '2025-01-31' })).toEqual(['F-3', 'F-4']);
    expect(await q({ noFollowUpWithinDays: 5, startedFrom: '2025-01-01', startedTo: '2025-01-31' })).toEqual(['F-1', 'F-3', 'F-4']);
    const followUp = await a.api.GET('/v1/assistance/{localId}', { params: { path: { localId: 'F-2' } } });
    expect(followUp.data!.references).toEqual([
      { kind: 'assistance', localId: 'F-1', resolved: true },
      { kind: 'victims', localId: 'V-F1', resolved: false },
    ]);
    const badDate = await request(t.baseUrl).get('/v1/assistance?startedFrom=2025-02-30').auth(a.token, { type: 'bearer' });
    expect([badDate.status, badDate.body.errors?.[0]?.pointer]).toEqual([422, '#/startedFrom']);
    const badCode = await request(t.baseUrl).get('/v1/assistance?serviceType=massage').auth(a.token, { type: 'bearer' });
    expect(badCode.body.errors[0]).toMatchObject({ pointer: '#/serviceType', catalog: '/v1/catalogs/service-type' });
  });

  it('a batch keeps the good entries; the same batch twice or concurrently adds no versions; atomic writes nothing', async () => {
    const entries = Array.from({ length: 60 }, (_, i) => entry(`B-${String(i).padStart(3, '0')}`, { victimLocalId: `V-B${i % 7}`, startDate: `2024-0${(i % 9) + 1}-01`, endDate: undefined, status: 'ongoing' }));
    const withBad = [...entries.slice(0, 5), entry('B-BAD', { status: 'ongoing' }), ...entries.slice(5)];
    const first = await a.api.POST('/v1/assistance/batch', { body: { entries: withBad } });
    expect(first.data!.summary).toEqual({ created: 60, updated: 0, unchanged: 0, rejected: 1, notWritten: 0 });
    expect(first.data!.results[5].errors!.map((e) => [e.pointer, e.rule])).toEqual([['#/entries/5/endDate', 'ongoing-without-end']]);
    const again = await Promise.all([
      a.api.POST('/v1/assistance/batch', { body: { entries } }),
      a2.api.POST('/v1/assistance/batch', { body: { entries: [...entries].reverse() } }),
      a.api.POST('/v1/assistance/batch', { body: { entries } }),
    ]);
    for (const r of again) expect(r.data!.summary).toEqual({ created: 0, updated: 0, unchanged: 60, rejected: 0, notWritten: 0 });
    expect(await countVersions(a.agencyId, 'B-%')).toBe(60);
    const facts = await t.db.pool.query(`SELECT count(*)::int AS n FROM assistance_facts WHERE agency_id = $1 AND local_id LIKE 'B-%'`, [a.agencyId]);
    expect(facts.rows[0].n).toBe(60);
    const atomic = await a.api.POST('/v1/assistance/batch', { body: { atomic: true, entries: [entry('AT-1'), entry('AT-2', { startDate: '2999-01-01' })] } });
    expect(atomic.data!.results.map((r) => r.status)).toEqual(['not_written', 'rejected']);
    const written = await t.db.pool.query(`SELECT count(*)::int AS n FROM records WHERE agency_id = $1 AND local_id LIKE 'AT-%'`, [a.agencyId]);
    expect(written.rows[0].n).toBe(0);
  });

  it('notes are not readable in the database and are masked without pii:read', async () => {
    for (const table of ['records', 'record_versions', 'assistance_facts']) {
      const { rows } = await t.db.pool.query(`SELECT t::text AS row FROM ${table} t WHERE agency_id = $1`, [a.agencyId]);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.map((r: { row: string }) => r.row).join('\n')).not.toContain('Citlalli');
    }
    const masked = await aRead.api.GET('/v1/assistance/{localId}', { params: { path: { localId: 'AS-1' } } });
    expect(masked.data).toMatchObject({ pii: null, piiMasked: true });
    expect(JSON.stringify(masked.data)).not.toContain('Citlalli');
  });

  it("hides agency A's records from agency B: 404 on every route", async () => {
    const path = { localId: 'AS-1' };
    const get = await b.api.GET('/v1/assistance/{localId}', { params: { path } });
    expect(get.response.status).toBe(404);
    expect(JSON.stringify(get.error)).not.toContain(a.agencyCode);
    expect((await b.api.GET('/v1/assistance/{localId}/versions', { params: { path } })).response.status).toBe(404);
    expect((await b.api.DELETE('/v1/assistance/{localId}', { params: { path, query: { reason: 'other' } } })).response.status).toBe(404);
    expect((await b.api.PUT('/v1/assistance/{localId}', { params: { path, header: { 'If-Match': '"v2-00000000"' } }, body: service() })).response.status).toBe(404);
    expect((await b.api.GET('/v1/assistance', { params: { query: { victimLocalId: 'V-1' } } })).data!.items).toEqual([]);
    const batch = await b.api.POST('/v1/assistance/batch', { body: { entries: [entry('AS-1', { serviceType: 'food' })] } });
    expect(batch.data!.results[0]).toMatchObject({ status: 'created', version: 1 });
    expect((await a.api.GET('/v1/assistance/{localId}', { params: { path } })).data!.data.serviceType).toBe('psychological_care');
    const client = await t.db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL ROLE puente_app');
      await client.query(`SELECT set_config('app.agency_id', $1, true)`, [b.agencyId]);
      const { rows } = await client.query(`SELECT DISTINCT agency_id FROM assistance_facts`);
      expect(rows.map((r: { agency_id: string }) => r.agency_id)).toEqual([b.agencyId]);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  const routes: GuardedRoute[] = [
    ['put', '/v1/assistance/AS-1', service()],
    ['post', '/v1/assistance/batch', { entries: [entry('Z-1')] }],
    ['get', '/v1/assistance', undefined],
    ['get', '/v1/assistance/AS-1', undefined],
    ['get', '/v1/assistance/AS-1/versions', undefined],
    ['delete', '/v1/assistance/AS-1?reason=other', undefined],
  ];
  it.each(routes.map((r) => [r[0], r[1], r] as const))('%s %s answers 401 without a token and 403 without the scope', async (_method, _url, route) => {
    await expectScopeGuard(t, route, { none: none.token, readOnly: aRead.token });
  });
});

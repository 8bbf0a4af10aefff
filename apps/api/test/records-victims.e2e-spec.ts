import request from 'supertest';
import type { components } from '@app/client';
import { createPrincipal, startTestApp, validatedClient, type TestApp, type TestPrincipal, registerSensitive, expectScopeGuard, type GuardedRoute } from '@app/testing';

type VictimDto = components['schemas']['VictimDto'];
type VictimBatchEntryDto = components['schemas']['VictimBatchEntryDto'];

const NAME = 'Xochiquetzal';
const SURNAME = 'Huitzilopochtli';
const CURP = 'HUXX900101MDFTCH09';
registerSensitive(NAME, SURNAME, CURP);

const victim = (over: Partial<VictimDto> = {}): VictimDto => ({
  names: { firstName: NAME, paternalSurname: SURNAME },
  curp: CURP,
  phone: '+52 55 1234 5678',
  sex: 'female',
  birthDate: '2007-05-14',
  eventDate: '2024-03-01',
  nationality: ['MEX'],
  stateOfOrigin: '09',
  vulnerableGroups: ['indigenous'],
  victimType: 'direct',
  offenses: ['LGT-13'],
  exploitationForms: ['sexual'],
  ...over,
});
const entry = (localId: string, over: Partial<VictimDto> = {}): VictimBatchEntryDto => ({ localId, ...victim(over) });

describe('victims records', () => {
  let t: TestApp;
  let a: TestPrincipal; // agency A, read + write + pii
  let a2: TestPrincipal; // second client of agency A
  let aNoPii: TestPrincipal;
  let b: TestPrincipal; // agency B
  let none: TestPrincipal; // agency A, no scope
  const countVersions = async (agencyId: string, localId?: string) =>
    Number(
      (
        await t.db.pool.query(`SELECT count(*) FROM record_versions WHERE agency_id = $1 AND kind = 'victims' AND ($2::text IS NULL OR local_id = $2)`, [
          agencyId,
          localId ?? null,
        ])
      ).rows[0].count,
    );

  beforeAll(async () => {
    t = await startTestApp();
    a = await createPrincipal(t, { scopes: ['victims:read', 'victims:write', 'pii:read'] });
    a2 = await createPrincipal(t, { code: a.agencyCode, scopes: ['victims:read', 'victims:write', 'pii:read'] });
    aNoPii = await createPrincipal(t, { code: a.agencyCode, scopes: ['victims:read'] });
    none = await createPrincipal(t, { code: a.agencyCode, scopes: ['cases:read'] });
    b = await createPrincipal(t, { scopes: ['victims:read', 'victims:write', 'pii:read'] });
  });
  afterAll(() => t.close());

  it('PUT creates (201 + ETag), an identical PUT is unchanged without a new version, a change is a new version', async () => {
    const first = await a.api.PUT('/v1/victims/{localId}', { params: { path: { localId: 'V-1' } }, body: victim() });
    expect(first.response.status).toBe(201);
    expect(first.data).toMatchObject({ localId: 'V-1', version: 1, status: 'created', piiMasked: false, withdrawn: false });
    expect(first.response.headers.get('etag')).toMatch(/^"v1-[0-9a-f]{8}"$/);
    expect(first.data!.pii).toMatchObject({ names: { firstName: NAME }, curp: CURP });
    expect(first.data!.data).toMatchObject({ sex: 'female', nationality: ['MEX'], offenses: ['LGT-13'] });
    expect(first.data!.quality).toBe(1);

    const same = await a.api.PUT('/v1/victims/{localId}', { params: { path: { localId: 'V-1' } }, body: victim() });
    expect([same.response.status, same.data?.status, same.data?.version]).toEqual([200, 'unchanged', 1]);
    expect(await countVersions(a.agencyId, 'V-1')).toBe(1);

    const changed = await a.api.PUT('/v1/victims/{localId}', { params: { path: { localId: 'V-1' } }, body: victim({ vulnerableGroups: ['SI'] }) });
    expect([changed.response.status, changed.data?.status, changed.data?.version]).toEqual([200, 'updated', 2]);
    expect(changed.data!.completeness.vulnerableGroup).toBe('SI');
    expect(changed.data!.quality).toBeCloseTo(5 / 6, 2);
    expect(await countVersions(a.agencyId, 'V-1')).toBe(2);
  });

  it('GET answers with the ETag and 304 for If-None-Match; If-Match mismatch is 412; If-None-Match: * on an existing record is 412', async () => {
    const got = await a.api.GET('/v1/victims/{localId}', { params: { path: { localId: 'V-1' } } });
    const etag = got.response.headers.get('etag')!;
    expect(got.data?.etag).toBe(etag);
    const notModified = await request(t.baseUrl).get('/v1/victims/V-1').auth(a.token, { type: 'bearer' }).set('if-none-match', etag);
    expect(notModified.status).toBe(304);

    const stale = await a.api.PUT('/v1/victims/{localId}', {
      params: { path: { localId: 'V-1' }, header: { 'If-Match': '"v1-00000000"' } },
      body: victim({ sex: 'SI' }),
    });
    expect(stale.response.status).toBe(412);
    expect(stale.error).toMatchObject({ status: 412 });
    const fresh = await a.api.PUT('/v1/victims/{localId}', { params: { path: { localId: 'V-1' }, header: { 'If-Match': etag } }, body: victim({ sex: 'SI' }) });
    expect([fresh.response.status, fresh.data?.version]).toEqual([200, 3]);
    const exists = await a.api.PUT('/v1/victims/{localId}', { params: { path: { localId: 'V-1' }, header: { 'If-None-Match': '*' } }, body: victim() });
    expect(exists.response.status).toBe(412);
  });

  it('versions show every change with provenance, and DELETE is a withdrawal kept in the history', async () => {
    await a.api.PUT('/v1/victims/{localId}', {
      params: { path: { localId: 'V-2' }, header: { 'X-Source-System': 'SIGI', 'X-Submission-Id': 'sub-1' } },
      body: victim(),
    });
    const withdrawn = await a.api.DELETE('/v1/victims/{localId}', { params: { path: { localId: 'V-2' }, query: { reason: 'duplicate' } } });
    expect(withdrawn.response.status).toBe(200);
    expect(withdrawn.data).toMatchObject({ withdrawn: true, withdrawnReason: 'duplicate', version: 2 });
    const again = await a.api.GET('/v1/victims/{localId}', { params: { path: { localId: 'V-2' } } });
    expect(again.data).toMatchObject({ withdrawn: true, version: 2 });

    const versions = await a.api.GET('/v1/victims/{localId}/versions', { params: { path: { localId: 'V-2' } } });
    expect(versions.data!.items.map((v) => [v.version, v.op, v.clientId, v.sourceSystem, v.submissionId, v.withdrawnReason])).toEqual([
      [1, 'create', a.clientId, 'SIGI', 'sub-1', null],
      [2, 'withdraw', a.clientId, null, null, 'duplicate'],
    ]);
    expect(Date.parse(versions.data!.items[0].changedAt)).not.toBeNaN();

    const list = await a.api.GET('/v1/victims', {});
    expect(list.data!.items.map((i) => i.localId)).not.toContain('V-2');
    const withWithdrawn = await a.api.GET('/v1/victims', { params: { query: { includeWithdrawn: 'true' } } });
    expect(withWithdrawn.data!.items.map((i) => i.localId)).toContain('V-2');

    const bad = await request(t.baseUrl).delete('/v1/victims/V-1?reason=because').auth(a.token, { type: 'bearer' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].pointer).toBe('#/reason');
  });

  it('lists with filters and a keyset cursor', async () => {
    await a.api.POST('/v1/victims/batch', {
      body: { entries: [entry('L-1', { sex: 'male' }), entry('L-2', { nationality: ['GTM'], stateOfOrigin: 'NA' }), entry('L-3')] },
    });
    const males = await a.api.GET('/v1/victims', { params: { query: { sex: 'male' } } });
    expect(males.data!.items.map((i) => i.localId)).toEqual(['L-1']);
    const gtm = await a.api.GET('/v1/victims', { params: { query: { nationality: 'GTM' } } });
    expect(gtm.data!.items.map((i) => i.localId)).toEqual(['L-2']);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await a.api.GET('/v1/victims', { params: { query: { limit: 2, cursor } } });
      seen.push(...page.data!.items.map((i) => i.localId));
      cursor = page.data!.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining(['L-1', 'L-2', 'L-3', 'V-1']));
    const badFilter = await request(t.baseUrl).get('/v1/victims?sex=robot').auth(a.token, { type: 'bearer' });
    expect(badFilter.status).toBe(422);
    expect(badFilter.body.errors[0]).toMatchObject({ pointer: '#/sex', catalog: '/v1/catalogs/sex' });
  });

  it('rejects impossible data with pointers and allowed codes, accepts questionable data with warnings', async () => {
    const put = (localId: string, body: VictimDto) => a.api.PUT('/v1/victims/{localId}', { params: { path: { localId } }, body });
    const unknownSex = await put('E-1', victim({ sex: 'robot' }));
    expect(unknownSex.response.status).toBe(422);
    expect(unknownSex.error!.errors![0]).toMatchObject({ pointer: '#/sex', rule: 'isCode', catalog: '/v1/catalogs/sex' });
    expect(unknownSex.error!.errors![0].allowed).toEqual(expect.arrayContaining(['female', 'male', 'SI', 'NA', 'NR', 'RESERVED']));
    const birthAfterEvent = await put('E-2', victim({ birthDate: '2024-06-01', eventDate: '2024-03-01' }));
    expect(birthAfterEvent.error!.errors!.map((e) => e.pointer)).toContain('#/birthDate');
    const future = await put('E-3', victim({ birthDate: '2999-01-01', eventDate: undefined }));
    expect(future.response.status).toBe(422);
    const tooOld = await put('E-4', victim({ birthDate: undefined, ageAtEvent: 121 }));
    expect(tooOld.error!.errors!.map((e) => e.pointer)).toContain('#/ageAtEvent');
    const indirect = await put('E-5', victim({ victimType: 'indirect' }));
    expect(indirect.error!.errors!).toEqual([expect.objectContaining({ pointer: '#/relationshipToDirectVictim', rule: 'required-for-indirect' })]);
    const badCurp = await put('E-6', victim({ curp: 'nope' }));
    expect(badCurp.error!.errors![0].pointer).toBe('#/curp');
    const unknownField = await request(t.baseUrl).put('/v1/victims/E-7').auth(a.token, { type: 'bearer' }).send({ ...victim(), shoeSize: 40 });
    expect(unknownField.status).toBe(422);
    const badLocalId = await request(t.baseUrl).put('/v1/victims/bad%20id').auth(a.token, { type: 'bearer' }).send(victim());
    expect(badLocalId.status).toBe(422);

    const questionable = await put('W-1', victim({ ageAtEvent: 19 })); // 16 by birthDate at eventDate
    expect(questionable.response.status).toBe(201);
    expect(questionable.data!.warnings).toEqual([expect.objectContaining({ pointer: '#/ageAtEvent', rule: 'age-consistency' })]);
    const unusual = await put('W-2', victim({ sex: 'male', exploitationForms: ['sexual'], offenses: ['LGT-13'] }));
    expect(unusual.response.status).toBe(201); // R31: never reject unexpected combinations
    const indirectOk = await put('W-3', victim({ victimType: 'indirect', relationshipToDirectVictim: 'mother', directVictimLocalId: 'V-1' }));
    expect(indirectOk.data!.references).toEqual([{ kind: 'victims', localId: 'V-1', resolved: true }]);
  });

  it('a batch writes the good entries and rejects the bad one with its pointer; atomic mode writes nothing', async () => {
    const entries = [entry('B-1'), entry('B-2'), entry('B-3'), entry('B-4', { sex: 'robot' }), entry('B-5')];
    const res = await a.api.POST('/v1/victims/batch', { body: { entries, sourceSystem: 'SIGI', submissionId: 'batch-1' } });
    expect(res.response.status).toBe(200);
    expect(res.data!.results.map((r) => r.status)).toEqual(['created', 'created', 'created', 'rejected', 'created']);
    expect(res.data!.results[3].errors![0]).toMatchObject({ pointer: '#/entries/3/sex', rule: 'isCode' });
    expect(res.data!.summary).toEqual({ created: 4, updated: 0, unchanged: 0, rejected: 1, notWritten: 0 });

    const atomic = await a.api.POST('/v1/victims/batch', {
      body: { atomic: true, entries: [entry('AT-1'), entry('AT-2'), entry('AT-3'), entry('AT-4', { birthDate: '2030-01-01' })] },
    });
    expect(atomic.data!.results.map((r) => r.status)).toEqual(['not_written', 'not_written', 'not_written', 'rejected']);
    expect(atomic.data!.results[3].errors![0].pointer).toBe('#/entries/3/birthDate');
    const rows = await t.db.pool.query(`SELECT count(*) FROM records WHERE agency_id = $1 AND local_id LIKE 'AT-%'`, [a.agencyId]);
    expect(Number(rows.rows[0].count)).toBe(0);

    const dup = await a.api.POST('/v1/victims/batch', { body: { entries: [entry('D-1'), entry('D-1')] } });
    expect(dup.data!.results.map((r) => r.status)).toEqual(['created', 'rejected']);
    const empty = await request(t.baseUrl).post('/v1/victims/batch').auth(a.token, { type: 'bearer' }).send({ entries: [] });
    expect(empty.status).toBe(422);
    expect(empty.body.errors[0].pointer).toBe('#/entries');
    const tooMany = await request(t.baseUrl)
      .post('/v1/victims/batch')
      .auth(a.token, { type: 'bearer' })
      .send({ entries: Array.from({ length: 1001 }, (_, i) => ({ localId: `X-${i}` })) });
    expect(tooMany.status).toBe(422);
  });

  it('the same batch twice: the second is all unchanged and adds no versions', async () => {
    const entries = Array.from({ length: 50 }, (_, i) => entry(`R-${String(i).padStart(3, '0')}`, { ageAtEvent: 20 + (i % 10), birthDate: undefined }));
    const first = await a.api.POST('/v1/victims/batch', { body: { entries } });
    expect(first.data!.summary.created).toBe(50);
    const before = await countVersions(a.agencyId);
    const second = await a.api.POST('/v1/victims/batch', { body: { entries } });
    expect(second.data!.summary).toEqual({ created: 0, updated: 0, unchanged: 50, rejected: 0, notWritten: 0 });
    expect(second.data!.results.every((r) => r.version === 1)).toBe(true);
    expect(await countVersions(a.agencyId)).toBe(before);
  });

  it('the same batch concurrently from two clients of one agency yields the same records and no duplicate versions', async () => {
    const entries = Array.from({ length: 200 }, (_, i) => entry(`C-${String(i).padStart(4, '0')}`, { ageAtEvent: 30, birthDate: undefined }));
    const reversed = [...entries].reverse();
    const results = await Promise.all([
      a.api.POST('/v1/victims/batch', { body: { entries } }),
      a2.api.POST('/v1/victims/batch', { body: { entries: reversed } }),
      a.api.POST('/v1/victims/batch', { body: { entries } }),
      a2.api.POST('/v1/victims/batch', { body: { entries: reversed } }),
    ]);
    expect(results.map((r) => r.response.status)).toEqual([200, 200, 200, 200]);
    const created = results.reduce((n, r) => n + r.data!.summary.created, 0);
    const unchanged = results.reduce((n, r) => n + r.data!.summary.unchanged, 0);
    expect([created, unchanged]).toEqual([200, 600]);
    const versions = await t.db.pool.query(
      `SELECT local_id, count(*)::int AS n FROM record_versions WHERE agency_id = $1 AND local_id LIKE 'C-%' GROUP BY local_id`,
      [a.agencyId],
    );
    expect(versions.rows).toHaveLength(200);
    expect(versions.rows.every((r: { n: number }) => r.n === 1)).toBe(true);
    const changes = await t.db.pool.query(`SELECT count(*)::int AS n FROM record_changes WHERE agency_id = $1 AND local_id LIKE 'C-%'`, [a.agencyId]);
    expect(changes.rows[0].n).toBe(200);
  });

  it('names and CURP are not readable in the database; CURP has a blind index', async () => {
    const tables = ['records', 'record_versions', 'victim_facts', 'record_changes', 'record_references'];
    for (const table of tables) {
      const { rows } = await t.db.pool.query(`SELECT t::text AS row FROM ${table} t WHERE agency_id = $1`, [a.agencyId]);
      expect(rows.length).toBeGreaterThan(0);
      const dump = rows.map((r: { row: string }) => r.row).join('\n');
      for (const secret of [NAME, SURNAME, CURP, '1234 5678']) expect(dump).not.toContain(secret);
    }
    const facts = await t.db.pool.query(`SELECT curp_hash FROM victim_facts WHERE agency_id = $1 AND local_id = 'V-2'`, [a.agencyId]);
    expect(facts.rows[0].curp_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(t.logs.join('\n')).not.toContain(NAME);
    expect(t.logs.join('\n')).not.toContain(CURP);
  });

  it('personal data is masked without pii:read', async () => {
    const masked = await aNoPii.api.GET('/v1/victims/{localId}', { params: { path: { localId: 'V-1' } } });
    expect(masked.data).toMatchObject({ pii: null, piiMasked: true });
    expect(JSON.stringify(masked.data)).not.toContain(NAME);
    const list = await aNoPii.api.GET('/v1/victims', {});
    expect(list.data!.items.every((i) => i.pii === null && i.piiMasked)).toBe(true);
    const full = await a.api.GET('/v1/victims/{localId}', { params: { path: { localId: 'V-1' } } });
    expect(full.data!.pii).toMatchObject({ names: { firstName: NAME }, curp: CURP });
  });

  it('personal data needs a declared purpose; every read of it is audited with the purpose and field names only', async () => {
    const path = { localId: 'V-1' };
    const noPurpose = validatedClient(t.baseUrl, a.token);
    const masked = await noPurpose.GET('/v1/victims/{localId}', { params: { path } });
    expect(masked.data).toMatchObject({ pii: null, piiMasked: true, piiMaskedReason: 'missing-purpose' });
    const bad = await validatedClient(t.baseUrl, a.token, { 'x-purpose': 'curiosity' }).GET('/v1/victims/{localId}', { params: { path } });
    expect(bad.response.status).toBe(422);
    expect(bad.error).toMatchObject({ errors: [expect.objectContaining({ pointer: 'header:X-Purpose', allowed: expect.arrayContaining(['investigation', 'assistance']) })] });
    const before = await t.db.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'victims.read-pii'`);
    const assist = validatedClient(t.baseUrl, a.token, { 'x-purpose': 'assistance', 'x-request-id': 'read-pii-1' });
    const full = await assist.GET('/v1/victims/{localId}', { params: { path } });
    expect(full.data!.pii).toMatchObject({ curp: CURP });
    const { rows } = await t.db.pool.query(`SELECT * FROM audit_log WHERE action = 'victims.read-pii' ORDER BY seq DESC LIMIT 1`);
    expect(Number((await t.db.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'victims.read-pii'`)).rows[0].n)).toBe(before.rows[0].n + 1);
    expect(rows[0]).toMatchObject({ actor: a.clientId, purpose: 'assistance', request_id: 'read-pii-1', resource_ids: ['V-1'], agency_id: a.agencyId });
    expect(rows[0].fields).toEqual(expect.arrayContaining(['curp', 'names']));
    expect(JSON.stringify(rows[0])).not.toContain(CURP);
    expect(JSON.stringify(rows[0])).not.toContain(NAME);
    const writes = await t.db.pool.query(`SELECT resource_ids FROM audit_log WHERE action = 'victims.write' AND agency_id = $1`, [a.agencyId]);
    expect(writes.rows.flatMap((r) => r.resource_ids)).toContain('V-1');
  });

  it("hides agency A's records from agency B: 404 on every route, lists and batches in B's own namespace", async () => {
    const path = { localId: 'V-1' };
    const get = await b.api.GET('/v1/victims/{localId}', { params: { path } });
    expect(get.response.status).toBe(404);
    expect(JSON.stringify(get.error)).not.toContain(a.agencyCode);
    const put = await b.api.PUT('/v1/victims/{localId}', { params: { path, header: { 'If-Match': '"v1-00000000"' } }, body: victim() });
    expect(put.response.status).toBe(404);
    expect((await b.api.DELETE('/v1/victims/{localId}', { params: { path, query: { reason: 'other' } } })).response.status).toBe(404);
    expect((await b.api.GET('/v1/victims/{localId}/versions', { params: { path } })).response.status).toBe(404);
    const list = await b.api.GET('/v1/victims', {});
    expect(list.data!.items).toEqual([]);
    const batch = await b.api.POST('/v1/victims/batch', { body: { entries: [entry('V-1', { sex: 'male' })] } });
    expect(batch.data!.results[0]).toMatchObject({ status: 'created', version: 1 });
    const mine = await a.api.GET('/v1/victims/{localId}', { params: { path } });
    expect(mine.data!.data.sex).toBe('SI'); // A's record untouched
    const bList = await b.api.GET('/v1/victims', {});
    expect(bList.data!.items.map((i) => i.localId)).toEqual(['V-1']);
  });

  it('row-level security: as puente_app with app.agency_id = B, a raw SELECT sees none of A\'s rows', async () => {
    const client = await t.db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL ROLE puente_app');
      await client.query(`SELECT set_config('app.agency_id', $1, true)`, [b.agencyId]);
      for (const table of ['records', 'record_versions', 'record_changes', 'victim_facts']) {
        const { rows } = await client.query(`SELECT DISTINCT agency_id FROM ${table}`);
        expect(rows.map((r: { agency_id: string }) => r.agency_id)).toEqual([b.agencyId]);
      }
      await expect(client.query(`UPDATE record_versions SET op = 'x'`)).rejects.toThrow(/permission denied/);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('quality summarises completeness per minimum variable', async () => {
    const q = await a.api.GET('/v1/agencies/me/quality', {});
    expect(q.response.status).toBe(200);
    const victims = q.data!.kinds.find((k) => k.kind === 'victims')!;
    expect(victims.records).toBeGreaterThan(200);
    expect(victims.meanCompleteness).toBeGreaterThan(0.5);
    const vg = victims.variables.find((v) => v.variable === 'vulnerableGroup')!;
    expect(vg.filled + vg.SI + vg.NR + vg.NA + vg.RESERVED + vg.missing).toBeCloseTo(1, 2);
    expect(victims.variables.map((v) => v.variable).sort()).toEqual(['age', 'nationality', 'offense', 'sex', 'stateOfOrigin', 'vulnerableGroup']);
    // Only the kinds the token may read (none holds cases:read, which covers cases, accused, judicial outcomes and operations).
    expect((await none.api.GET('/v1/agencies/me/quality', {})).data!.kinds.map((k) => k.kind).sort()).toEqual(['accused', 'cases', 'judicial-outcomes', 'operations']);
  });

  const routes: GuardedRoute[] = [
    ['put', '/v1/victims/V-1', victim()],
    ['post', '/v1/victims/batch', { entries: [entry('Z-1')] }],
    ['get', '/v1/victims', undefined],
    ['get', '/v1/victims/V-1', undefined],
    ['get', '/v1/victims/V-1/versions', undefined],
    ['delete', '/v1/victims/V-1?reason=other', undefined],
  ];
  it.each(routes.map((r) => [r[0], r[1], r] as const))('%s %s answers 401 without a token and 403 without the scope', async (_method, _url, route) => {
    await expectScopeGuard(t, route, { none: none.token, readOnly: aNoPii.token });
  });
});

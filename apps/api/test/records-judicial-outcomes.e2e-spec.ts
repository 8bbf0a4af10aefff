import request from 'supertest';
import { catalogRegistry } from '@app/catalogs';
import type { components, paths } from '@app/client';
import { createPrincipal, startTestApp, type TestApp, type TestPrincipal, expectScopeGuard, type GuardedRoute } from '@app/testing';

type JudicialOutcomeDto = components['schemas']['JudicialOutcomeDto'];
type JudicialOutcomeBatchEntryDto = components['schemas']['JudicialOutcomeBatchEntryDto'];
type OutcomeQuery = NonNullable<paths['/v1/judicial-outcomes']['get']['parameters']['query']>;

const NOTES = 'La sentenciada Itzpapalotl Xiuhcoatl confesó en audiencia';

const outcome = (over: Partial<JudicialOutcomeDto> = {}): JudicialOutcomeDto => ({
  caseLocalId: 'CI-1',
  accusedLocalId: 'A-1',
  offense: 'LGT-13',
  chargedOffense: 'LGT-10',
  court: 'Tribunal de Enjuiciamiento de la Ciudad de México, Sala 4',
  courtCaseNumber: 'CP-123/2025',
  courtJurisdiction: 'fuero_comun',
  courtState: '09',
  decisionDate: '2025-11-20',
  outcome: 'conviction',
  procedure: 'abbreviated',
  final: true,
  appealResult: 'upheld',
  appealDecidedOn: '2026-02-03',
  prisonTerm: { years: 15, months: 6 },
  fine: 120000,
  reparation: { ordered: 250000, paidByConvicted: 50000, paidByFund: 25000, status: 'partially_paid', lastPaymentOn: '2026-03-01' },
  victims: ['V-1', 'V-2'],
  notes: NOTES,
  ...over,
});
const entry = (localId: string, over: Partial<JudicialOutcomeDto> = {}): JudicialOutcomeBatchEntryDto => ({ localId, ...outcome(over) });

describe('judicial-outcomes records', () => {
  let t: TestApp;
  let a: TestPrincipal; // agency A: cases read + write, pii
  let a2: TestPrincipal; // second client of agency A
  let aRead: TestPrincipal; // agency A, read only, no pii
  let b: TestPrincipal; // agency B
  let none: TestPrincipal; // agency A, no cases scope
  const put = (localId: string, body: JudicialOutcomeDto) => a.api.PUT('/v1/judicial-outcomes/{localId}', { params: { path: { localId } }, body });
  const countVersions = async (agencyId: string, like = '%') =>
    Number(
      (await t.db.pool.query(`SELECT count(*) FROM record_versions WHERE agency_id = $1 AND kind = 'judicial-outcomes' AND local_id LIKE $2`, [agencyId, like]))
        .rows[0].count,
    );

  beforeAll(async () => {
    t = await startTestApp();
    a = await createPrincipal(t, { scopes: ['cases:read', 'cases:write', 'pii:read'] });
    a2 = await createPrincipal(t, { code: a.agencyCode, scopes: ['cases:read', 'cases:write'] });
    aRead = await createPrincipal(t, { code: a.agencyCode, scopes: ['cases:read'] });
    none = await createPrincipal(t, { code: a.agencyCode, scopes: ['victims:read'] });
    b = await createPrincipal(t, { scopes: ['cases:read', 'cases:write'] });
  });
  afterAll(() => t.close());

  it('round-trips through the typed client, keeps the offense of conviction apart from the one charged, and resolves references', async () => {
    const first = await put('J-1', outcome());
    expect(first.response.status).toBe(201);
    expect(first.data).toMatchObject({ localId: 'J-1', version: 1, status: 'created', piiMasked: false, warnings: [] });
    expect(first.data!.pii).toEqual({ notes: NOTES });
    const { notes: _notes, ...data } = outcome();
    expect(first.data!.data).toEqual(data);
    expect(first.data!.references).toEqual([
      { kind: 'accused', localId: 'A-1', resolved: false },
      { kind: 'cases', localId: 'CI-1', resolved: false },
      { kind: 'victims', localId: 'V-1', resolved: false },
      { kind: 'victims', localId: 'V-2', resolved: false },
    ]);
    await a.api.PUT('/v1/accused/{localId}', {
      params: { path: { localId: 'A-1' } },
      body: { sex: 'female', nationality: ['MEX'], stateOfOrigin: '09', roles: ['exploiter'], proceedings: [{ caseLocalId: 'CI-1', offense: 'LGT-10', status: 'sentenced' }] },
    });
    const got = await a.api.GET('/v1/judicial-outcomes/{localId}', { params: { path: { localId: 'J-1' } } });
    expect(got.data!.references.find((r) => r.kind === 'accused')!.resolved).toBe(true);
    expect(got.response.headers.get('etag')).toBe(first.response.headers.get('etag'));
    const notModified = await request(t.baseUrl).get('/v1/judicial-outcomes/J-1').auth(a.token, { type: 'bearer' }).set('if-none-match', got.data!.etag);
    expect(notModified.status).toBe(304);

    const fact = await t.db.pool.query(
      `SELECT offense_code, charged_offense_code, reclassified, outcome, effective_outcome, procedure, final, prison_months, fine::text,
              reparation_ordered::text, reparation_paid_by_convicted::text, reparation_paid_by_fund::text, victim_local_ids, decision_year
         FROM judicial_outcome_facts WHERE agency_id = $1 AND local_id = 'J-1'`,
      [a.agencyId],
    );
    expect(fact.rows).toEqual([
      {
        offense_code: 'LGT-13',
        charged_offense_code: 'LGT-10',
        reclassified: true,
        outcome: 'conviction',
        effective_outcome: 'conviction',
        procedure: 'abbreviated',
        final: true,
        prison_months: 186,
        fine: '120000.00',
        reparation_ordered: '250000.00',
        reparation_paid_by_convicted: '50000.00',
        reparation_paid_by_fund: '25000.00',
        victim_local_ids: ['V-1', 'V-2'],
        decision_year: 2025,
      },
    ]);
  });

  it('an identical PUT is unchanged; a change (appeal revokes the conviction) is a new version with provenance, counted as an acquittal', async () => {
    const same = await put('J-1', outcome({ chargedOffense: 'LGT-10', victims: ['V-1', 'V-2', 'V-1'] }));
    expect([same.response.status, same.data?.status, same.data?.version]).toEqual([200, 'unchanged', 1]);
    expect(await countVersions(a.agencyId, 'J-1')).toBe(1);
    const revoked = await a.api.PUT('/v1/judicial-outcomes/{localId}', {
      params: { path: { localId: 'J-1' }, header: { 'If-Match': same.data!.etag, 'X-Source-System': 'SIJ', 'X-Submission-Id': 'appeal-1' } },
      body: outcome({ appealResult: 'conviction_revoked' }),
    });
    expect([revoked.response.status, revoked.data?.status, revoked.data?.version]).toEqual([200, 'updated', 2]);
    const stale = await a.api.PUT('/v1/judicial-outcomes/{localId}', { params: { path: { localId: 'J-1' }, header: { 'If-Match': same.data!.etag } }, body: outcome() });
    expect(stale.response.status).toBe(412);
    const fact = await t.db.pool.query(`SELECT outcome, effective_outcome, appeal_result FROM judicial_outcome_facts WHERE agency_id = $1 AND local_id = 'J-1'`, [a.agencyId]);
    expect(fact.rows).toEqual([{ outcome: 'conviction', effective_outcome: 'acquittal', appeal_result: 'conviction_revoked' }]);

    const versions = await a.api.GET('/v1/judicial-outcomes/{localId}/versions', { params: { path: { localId: 'J-1' } } });
    expect(versions.data!.items.map((v) => [v.version, v.op, v.clientId, v.sourceSystem, v.submissionId])).toEqual([
      [1, 'create', a.clientId, null, null],
      [2, 'update', a.clientId, 'SIJ', 'appeal-1'],
    ]);
    await put('J-W', outcome());
    const withdrawn = await a.api.DELETE('/v1/judicial-outcomes/{localId}', { params: { path: { localId: 'J-W' }, query: { reason: 'duplicate' } } });
    expect(withdrawn.data).toMatchObject({ withdrawn: true, withdrawnReason: 'duplicate', version: 2 });
    expect((await a.api.GET('/v1/judicial-outcomes', {})).data!.items.map((i) => i.localId)).not.toContain('J-W');
  });

  const badCodes: Array<[string, string, Partial<JudicialOutcomeDto>]> = [
    ['offense', '#/offense', { offense: 'LGT-23' }],
    ['offense', '#/chargedOffense', { chargedOffense: 'lenocinio' }],
    ['jurisdiction-type', '#/courtJurisdiction', { courtJurisdiction: 'military' }],
    ['state', '#/courtState', { courtState: '33' }],
    ['judicial-outcome', '#/outcome', { outcome: 'guilty' }],
    ['procedure-type', '#/procedure', { procedure: 'summary' }],
    ['appeal-result', '#/appealResult', { appealResult: 'won' }],
    ['redress-status', '#/reparation/status', { reparation: { ordered: 1, status: 'owed' } }],
  ];
  it.each(badCodes)('an unknown code of catalog %s is rejected at %s with the allowed codes', async (catalog, pointer, over) => {
    const res = await put('E-CODE', outcome(over));
    expect(res.response.status).toBe(422);
    const err = res.error!.errors!.find((e) => e.pointer === pointer)!;
    expect(err).toMatchObject({ rule: 'isCode', catalog: `/v1/catalogs/${catalog}` });
    expect([...err.allowed!].sort()).toEqual(catalogRegistry().allowed(catalog).sort());
  });

  it('every code of every catalog of the kind is accepted (one batch entry per code)', async () => {
    const reg = catalogRegistry();
    const entries: JudicialOutcomeBatchEntryDto[] = [];
    const add = (over: Partial<JudicialOutcomeDto>) => entries.push(entry(`ALL-${String(entries.length).padStart(3, '0')}`, over));
    // A decision without sentence, so every outcome code is possible.
    const bare: Partial<JudicialOutcomeDto> = { prisonTerm: undefined, fine: undefined, reparation: undefined, appealResult: undefined, appealDecidedOn: undefined };
    for (const c of reg.allowed('offense')) add({ ...bare, offense: c, chargedOffense: c === 'LGT-10' ? undefined : 'LGT-10' });
    for (const c of reg.allowed('jurisdiction-type')) add({ ...bare, courtJurisdiction: c });
    for (const c of reg.allowed('state')) add({ ...bare, courtState: c });
    for (const c of reg.allowed('judicial-outcome')) add({ ...bare, outcome: c });
    for (const c of reg.allowed('procedure-type')) add({ ...bare, procedure: c });
    for (const c of reg.allowed('appeal-result')) add({ ...bare, appealResult: c, final: c !== 'pending' });
    for (const c of reg.allowed('redress-status')) add({ reparation: { ordered: 1000, status: c } });
    const res = await a.api.POST('/v1/judicial-outcomes/batch', { body: { entries } });
    expect(res.data!.results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(res.data!.summary.created).toBe(entries.length);
  });

  it('rejects impossible data with pointers and rules; accepts questionable data with warnings', async () => {
    const rules = async (body: JudicialOutcomeDto) => {
      const res = await put('E-1', body);
      expect(res.response.status).toBe(422);
      return res.error!.errors!.map((e) => [e.pointer, e.rule]);
    };
    expect(await rules(outcome({ outcome: 'acquittal', appealResult: undefined, appealDecidedOn: undefined }))).toEqual([
      ['#/prisonTerm', 'conviction-only'],
      ['#/fine', 'conviction-only'],
      ['#/reparation/ordered', 'conviction-only'],
    ]);
    expect(await rules(outcome({ outcome: 'dismissal', appealResult: undefined, appealDecidedOn: undefined, prisonTerm: undefined, fine: undefined, reparation: undefined, fineDays: 30 }))).toEqual([
      ['#/fineDays', 'conviction-only'],
    ]);
    expect(await rules(outcome({ decisionDate: '2999-01-01', appealDecidedOn: undefined, reparation: undefined }))).toEqual([['#/decisionDate', 'not-future']]);
    expect(await rules(outcome({ decisionDate: '2025-02-30' }))).toContainEqual(['#/decisionDate', 'date']);
    expect(await rules(outcome({ prisonTerm: { years: 196, months: 7 } }))).toEqual([['#/prisonTerm', 'max-prison-term']]);
    expect(await rules(outcome({ prisonTerm: { years: 197, months: 0 } }))).toContainEqual(['#/prisonTerm/years', expect.any(String)]);
    expect(await rules(outcome({ prisonTerm: { years: 1, months: 12 } }))).toContainEqual(['#/prisonTerm/months', expect.any(String)]);
    expect(await rules(outcome({ outcome: 'acquittal', appealResult: 'conviction_revoked', prisonTerm: undefined, fine: undefined, reparation: undefined }))).toEqual([
      ['#/appealResult', 'revoked-needs-conviction'],
    ]);
    expect(await rules(outcome({ appealResult: 'pending', final: true }))).toEqual([['#/final', 'pending-appeal-not-final']]);
    expect(await rules(outcome({ appealDecidedOn: '2025-01-01' }))).toEqual([['#/appealDecidedOn', 'appeal-after-decision']]);
    expect(await rules(outcome({ appealResult: undefined }))).toEqual([['#/appealResult', 'requires-appeal-result']]);
    expect(await rules(outcome({ reparation: { ordered: 10, lastPaymentOn: '2024-01-01' } }))).toEqual([['#/reparation/lastPaymentOn', 'payment-after-decision']]);
    expect(await rules(outcome({ fine: -1 }))).toContainEqual(['#/fine', expect.any(String)]);
    expect(await rules(outcome({ fine: 10.123 }))).toContainEqual(['#/fine', expect.any(String)]);
    expect(await rules(outcome({ final: undefined as unknown as boolean }))).toContainEqual(['#/final', expect.any(String)]);
    const unknownField = await request(t.baseUrl).put('/v1/judicial-outcomes/E-2').auth(a.token, { type: 'bearer' }).send({ ...outcome(), sentence: 'guilty' });
    expect(unknownField.status).toBe(422);
    expect(unknownField.body.errors[0].pointer).toBe('#/sentence');

    const longest = await put('W-1', outcome({ prisonTerm: { years: 196, months: 6 } }));
    expect([longest.response.status, longest.data!.warnings]).toEqual([201, []]);
    const overpaid = await put('W-2', outcome({ reparation: { ordered: 100, paidByConvicted: 80, paidByFund: 40 } }));
    expect(overpaid.data!.warnings).toEqual([expect.objectContaining({ pointer: '#/reparation', rule: 'paid-exceeds-ordered' })]);
    const unknownOutcome = await put('W-3', outcome({ outcome: 'SI', appealResult: undefined, appealDecidedOn: undefined, fine: undefined, reparation: undefined }));
    expect(unknownOutcome.data!.warnings).toEqual([expect.objectContaining({ pointer: '#/prisonTerm', rule: 'conviction-only' })]);
    const acquittal = await put('W-4', outcome({ outcome: 'acquittal', appealResult: undefined, appealDecidedOn: undefined, prisonTerm: undefined, fine: undefined, reparation: undefined }));
    expect(acquittal.data!.completeness).toEqual({ offense: 'filled', outcome: 'filled', jurisdiction: 'filled', procedure: 'filled', sentence: 'NA', reparation: 'NA' });
  });

  it('lists with filters over the projection and a keyset cursor', async () => {
    await a.api.POST('/v1/judicial-outcomes/batch', {
      body: {
        entries: [
          entry('L-1', { caseLocalId: 'CI-L', accusedLocalId: 'A-L1', offense: 'LGT-22', decisionDate: '2024-05-01', appealResult: undefined, appealDecidedOn: undefined, reparation: undefined }),
          entry('L-2', { caseLocalId: 'CI-L', accusedLocalId: 'A-L2', offense: 'LGT-22', final: false, outcome: 'acquittal', appealResult: undefined, appealDecidedOn: undefined, prisonTerm: undefined, fine: undefined, reparation: undefined }),
        ],
      },
    });
    const q = async (query: OutcomeQuery) => (await a.api.GET('/v1/judicial-outcomes', { params: { query } })).data!.items.map((i) => i.localId);
    expect(await q({ caseLocalId: 'CI-L' })).toEqual(['L-1', 'L-2']);
    expect(await q({ caseLocalId: 'CI-L', outcome: 'acquittal' })).toEqual(['L-2']);
    expect(await q({ caseLocalId: 'CI-L', final: 'true' })).toEqual(['L-1']);
    expect(await q({ accusedLocalId: 'A-L2' })).toEqual(['L-2']);
    expect(await q({ offense: 'LGT-22', decidedTo: '2024-12-31' })).toEqual(['L-1']);
    expect(await q({ caseLocalId: 'CI-L', decidedFrom: '2025-01-01' })).toEqual(['L-2']);
    const badDate = await request(t.baseUrl).get('/v1/judicial-outcomes?decidedFrom=2025-02-30').auth(a.token, { type: 'bearer' });
    expect([badDate.status, badDate.body.errors?.[0]?.pointer]).toEqual([422, '#/decidedFrom']);
    const badCode = await request(t.baseUrl).get('/v1/judicial-outcomes?outcome=guilty').auth(a.token, { type: 'bearer' });
    expect(badCode.body.errors[0]).toMatchObject({ pointer: '#/outcome', catalog: '/v1/catalogs/judicial-outcome' });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await a.api.GET('/v1/judicial-outcomes', { params: { query: { limit: 9, cursor } } });
      seen.push(...page.data!.items.map((i) => i.localId));
      cursor = page.data!.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...new Set(seen)].sort());
    expect(seen).toEqual(expect.arrayContaining(['J-1', 'L-1', 'L-2', 'W-1']));
  });

  it('a batch keeps the good entries; the same batch twice or concurrently adds no versions; atomic writes nothing', async () => {
    const entries = Array.from({ length: 100 }, (_, i) => entry(`B-${String(i).padStart(3, '0')}`, { accusedLocalId: `A-${i}`, prisonTerm: { years: i % 40, months: i % 12 } }));
    const withBad = [...entries.slice(0, 5), entry('B-BAD', { outcome: 'acquittal' }), ...entries.slice(5)];
    const first = await a.api.POST('/v1/judicial-outcomes/batch', { body: { entries: withBad } });
    expect(first.data!.summary).toEqual({ created: 100, updated: 0, unchanged: 0, rejected: 1, notWritten: 0 });
    expect(first.data!.results[5].errors!.map((e) => e.pointer)).toEqual(['#/entries/5/prisonTerm', '#/entries/5/fine', '#/entries/5/reparation/ordered']);
    const before = await countVersions(a.agencyId, 'B-%');
    const again = await Promise.all([
      a.api.POST('/v1/judicial-outcomes/batch', { body: { entries } }),
      a2.api.POST('/v1/judicial-outcomes/batch', { body: { entries: [...entries].reverse() } }),
      a.api.POST('/v1/judicial-outcomes/batch', { body: { entries } }),
    ]);
    for (const r of again) expect(r.data!.summary).toEqual({ created: 0, updated: 0, unchanged: 100, rejected: 0, notWritten: 0 });
    expect([before, await countVersions(a.agencyId, 'B-%')]).toEqual([100, 100]);
    const facts = await t.db.pool.query(`SELECT count(*)::int AS n FROM judicial_outcome_facts WHERE agency_id = $1 AND local_id LIKE 'B-%'`, [a.agencyId]);
    expect(facts.rows[0].n).toBe(100);
    const atomic = await a.api.POST('/v1/judicial-outcomes/batch', { body: { atomic: true, entries: [entry('AT-1'), entry('AT-2', { decisionDate: '2999-01-01' })] } });
    expect(atomic.data!.results.map((r) => r.status)).toEqual(['not_written', 'rejected']);
    const written = await t.db.pool.query(`SELECT count(*)::int AS n FROM records WHERE agency_id = $1 AND local_id LIKE 'AT-%'`, [a.agencyId]);
    expect(written.rows[0].n).toBe(0);
  });

  it('notes are not readable in the database and are masked without pii:read', async () => {
    for (const table of ['records', 'record_versions', 'judicial_outcome_facts']) {
      const { rows } = await t.db.pool.query(`SELECT t::text AS row FROM ${table} t WHERE agency_id = $1`, [a.agencyId]);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.map((r: { row: string }) => r.row).join('\n')).not.toContain('Itzpapalotl');
    }
    const masked = await aRead.api.GET('/v1/judicial-outcomes/{localId}', { params: { path: { localId: 'J-1' } } });
    expect(masked.data).toMatchObject({ pii: null, piiMasked: true });
    expect(JSON.stringify(masked.data)).not.toContain('Itzpapalotl');
  });

  it("hides agency A's records from agency B: 404 on every route", async () => {
    const path = { localId: 'J-1' };
    const get = await b.api.GET('/v1/judicial-outcomes/{localId}', { params: { path } });
    expect(get.response.status).toBe(404);
    expect(JSON.stringify(get.error)).not.toContain(a.agencyCode);
    expect((await b.api.GET('/v1/judicial-outcomes/{localId}/versions', { params: { path } })).response.status).toBe(404);
    expect((await b.api.DELETE('/v1/judicial-outcomes/{localId}', { params: { path, query: { reason: 'other' } } })).response.status).toBe(404);
    expect((await b.api.PUT('/v1/judicial-outcomes/{localId}', { params: { path, header: { 'If-Match': '"v2-00000000"' } }, body: outcome() })).response.status).toBe(404);
    expect((await b.api.GET('/v1/judicial-outcomes', {})).data!.items).toEqual([]);
    const batch = await b.api.POST('/v1/judicial-outcomes/batch', { body: { entries: [entry('J-1', { procedure: 'ordinary' })] } });
    expect(batch.data!.results[0]).toMatchObject({ status: 'created', version: 1 });
    expect((await a.api.GET('/v1/judicial-outcomes/{localId}', { params: { path } })).data!.data.procedure).toBe('abbreviated');
    const client = await t.db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL ROLE puente_app');
      await client.query(`SELECT set_config('app.agency_id', $1, true)`, [b.agencyId]);
      const { rows } = await client.query(`SELECT DISTINCT agency_id FROM judicial_outcome_facts`);
      expect(rows.map((r: { agency_id: string }) => r.agency_id)).toEqual([b.agencyId]);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  const routes: GuardedRoute[] = [
    ['put', '/v1/judicial-outcomes/J-1', outcome()],
    ['post', '/v1/judicial-outcomes/batch', { entries: [entry('Z-1')] }],
    ['get', '/v1/judicial-outcomes', undefined],
    ['get', '/v1/judicial-outcomes/J-1', undefined],
    ['get', '/v1/judicial-outcomes/J-1/versions', undefined],
    ['delete', '/v1/judicial-outcomes/J-1?reason=other', undefined],
  ];
  it.each(routes.map((r) => [r[0], r[1], r] as const))('%s %s answers 401 without a token and 403 without the scope', async (_method, _url, route) => {
    await expectScopeGuard(t, route, { none: none.token, readOnly: aRead.token });
  });
});

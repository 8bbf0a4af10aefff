import request from 'supertest';
import { catalogRegistry } from '@app/catalogs';
import type { components, paths } from '@app/client';
import { createPrincipal, startTestApp, type TestApp, type TestPrincipal, registerSensitive, expectScopeGuard, type GuardedRoute, changesUntil, type FeedItem } from '@app/testing';

type AccusedPersonDto = components['schemas']['AccusedPersonDto'];
type AccusedPersonBatchEntryDto = components['schemas']['AccusedPersonBatchEntryDto'];
type AccusedQuery = NonNullable<paths['/v1/accused']['get']['parameters']['query']>;

const NAME = 'Cuauhtemoctzin';
const SURNAME = 'Ixtlilxochitl';
const ALIAS = 'El Tlacuache';
const CURP = 'IXCU850312HPLXRH04';
registerSensitive(NAME, SURNAME, CURP);
const NOTES = 'Detenido en la central camionera de Puebla';

const accused = (over: Partial<AccusedPersonDto> = {}): AccusedPersonDto => ({
  names: { firstName: NAME, paternalSurname: SURNAME },
  aliases: [ALIAS],
  curp: CURP,
  notes: NOTES,
  sex: 'male',
  birthDate: '1985-03-12',
  nationality: ['MEX'],
  stateOfOrigin: '21',
  roles: ['recruiter', 'transporter'],
  organisedCrime: 'yes',
  publicServant: 'no',
  victims: [
    { victimLocalId: 'V-1', relationship: 'romantic_partner' },
    { victimLocalId: 'V-2', relationship: 'family_affinity' },
  ],
  proceedings: [
    { caseLocalId: 'CI-1', offense: 'LGT-13', status: 'suspect', on: '2025-04-02' },
    { caseLocalId: 'CI-1', offense: 'LGT-13', status: 'indicted_charged', on: '2025-05-10' },
    { caseLocalId: 'CI-1', offense: 'LGT-22', status: 'suspect', on: '2025-04-02' },
  ],
  detentions: [{ from: '2025-05-08', caseLocalId: 'CI-1', pretrial: true }],
  ...over,
});
const entry = (localId: string, over: Partial<AccusedPersonDto> = {}): AccusedPersonBatchEntryDto => ({ localId, ...accused(over) });

describe('accused records', () => {
  let t: TestApp;
  let a: TestPrincipal; // agency A: cases read + write, victims write, pii
  let a2: TestPrincipal; // second client of agency A
  let aRead: TestPrincipal; // agency A, read only, no pii
  let b: TestPrincipal; // agency B
  let none: TestPrincipal; // agency A, no cases scope
  const countVersions = async (agencyId: string, localId?: string) =>
    Number(
      (
        await t.db.pool.query(`SELECT count(*) FROM record_versions WHERE agency_id = $1 AND kind = 'accused' AND ($2::text IS NULL OR local_id = $2)`, [
          agencyId,
          localId ?? null,
        ])
      ).rows[0].count,
    );
  const put = (localId: string, body: AccusedPersonDto) => a.api.PUT('/v1/accused/{localId}', { params: { path: { localId } }, body });

  beforeAll(async () => {
    t = await startTestApp();
    a = await createPrincipal(t, { scopes: ['cases:read', 'cases:write', 'victims:write', 'pii:read'] });
    a2 = await createPrincipal(t, { code: a.agencyCode, scopes: ['cases:read', 'cases:write'] });
    aRead = await createPrincipal(t, { code: a.agencyCode, scopes: ['cases:read'] });
    none = await createPrincipal(t, { code: a.agencyCode, scopes: ['victims:read'] });
    b = await createPrincipal(t, { scopes: ['cases:read', 'cases:write', 'pii:read'] });
  });
  afterAll(() => t.close());

  it('round-trips through the typed client: personal data apart, dangling references resolved when the records arrive', async () => {
    const first = await put('A-1', accused());
    expect(first.response.status).toBe(201);
    expect(first.response.headers.get('etag')).toMatch(/^"v1-[0-9a-f]{8}"$/);
    expect(first.data).toMatchObject({ localId: 'A-1', version: 1, status: 'created', piiMasked: false, quality: 1 });
    expect(first.data!.pii).toEqual({ names: { firstName: NAME, paternalSurname: SURNAME }, aliases: [ALIAS], curp: CURP, notes: NOTES });
    expect(first.data!.data).not.toHaveProperty('names');
    expect(first.data!.data).not.toHaveProperty('curp');
    expect(first.data!.data).toMatchObject({
      sex: 'male',
      roles: ['recruiter', 'transporter'],
      organisedCrime: 'yes',
      publicServant: 'no',
      victims: [
        { victimLocalId: 'V-1', relationship: 'romantic_partner' },
        { victimLocalId: 'V-2', relationship: 'family_affinity' },
      ],
      detentions: [{ from: '2025-05-08', caseLocalId: 'CI-1', pretrial: true }],
    });
    expect(first.data!.data.proceedings).toHaveLength(3);
    expect(first.data!.references).toEqual([
      { kind: 'cases', localId: 'CI-1', resolved: false },
      { kind: 'victims', localId: 'V-1', resolved: false },
      { kind: 'victims', localId: 'V-2', resolved: false },
    ]);
    expect(first.data!.catalogVersions).toMatchObject({ 'accused-role': expect.any(String), 'accused-procedural-status': expect.any(String) });

    await a.api.PUT('/v1/victims/{localId}', {
      params: { path: { localId: 'V-1' } },
      body: { sex: 'female', nationality: ['MEX'], stateOfOrigin: '21', vulnerableGroups: ['SI'], victimType: 'direct', offenses: ['LGT-13'] },
    });
    const later = await a.api.GET('/v1/accused/{localId}', { params: { path: { localId: 'A-1' } } });
    expect(later.data!.references.find((r) => r.localId === 'V-1')!.resolved).toBe(true);
    expect(later.data!.references.find((r) => r.localId === 'V-2')!.resolved).toBe(false);
  });

  it('an identical PUT is unchanged without a new version; a change is a version; If-Match is checked; DELETE is a withdrawal in the history', async () => {
    const same = await put('A-1', accused());
    expect([same.response.status, same.data?.status, same.data?.version]).toEqual([200, 'unchanged', 1]);
    // Same meaning, different spelling: normalised to the same content.
    const spaced = await put('A-1', accused({ names: { firstName: `  ${NAME} `, paternalSurname: SURNAME }, curp: CURP.toLowerCase(), roles: ['recruiter', 'transporter', 'recruiter'] }));
    expect(spaced.data?.status).toBe('unchanged');
    expect(await countVersions(a.agencyId, 'A-1')).toBe(1);

    const etag = same.response.headers.get('etag')!;
    const stale = await a.api.PUT('/v1/accused/{localId}', { params: { path: { localId: 'A-1' }, header: { 'If-Match': '"v1-00000000"' } }, body: accused({ sex: 'SI' }) });
    expect(stale.response.status).toBe(412);
    const changed = await a.api.PUT('/v1/accused/{localId}', {
      params: { path: { localId: 'A-1' }, header: { 'If-Match': etag, 'X-Source-System': 'SIGI', 'X-Submission-Id': 'sub-7' } },
      body: accused({ publicServant: 'SI' }),
    });
    expect([changed.response.status, changed.data?.status, changed.data?.version]).toEqual([200, 'updated', 2]);

    await put('A-W', accused());
    const withdrawn = await a.api.DELETE('/v1/accused/{localId}', { params: { path: { localId: 'A-W' }, query: { reason: 'entered_in_error' } } });
    expect(withdrawn.data).toMatchObject({ withdrawn: true, withdrawnReason: 'entered_in_error', version: 2 });
    const versions = await a.api.GET('/v1/accused/{localId}/versions', { params: { path: { localId: 'A-1' } } });
    expect(versions.data!.items.map((v) => [v.version, v.op, v.clientId, v.sourceSystem, v.submissionId])).toEqual([
      [1, 'create', a.clientId, null, null],
      [2, 'update', a.clientId, 'SIGI', 'sub-7'],
    ]);
    expect(versions.data!.items[1].data).toMatchObject({ publicServant: 'SI' });
    expect(JSON.stringify(versions.data)).not.toContain(NAME);
    const wVersions = await a.api.GET('/v1/accused/{localId}/versions', { params: { path: { localId: 'A-W' } } });
    expect(wVersions.data!.items.map((v) => [v.op, v.withdrawnReason])).toEqual([
      ['create', null],
      ['withdraw', 'entered_in_error'],
    ]);
    const list = await a.api.GET('/v1/accused', {});
    expect(list.data!.items.map((i) => i.localId)).not.toContain('A-W');
  });

  const badCodes: Array<[string, string, Partial<AccusedPersonDto>]> = [
    ['sex', '#/sex', { sex: 'robot' }],
    ['country', '#/nationality', { nationality: ['XXX'] }],
    ['state', '#/stateOfOrigin', { stateOfOrigin: '99' }],
    ['accused-role', '#/roles', { roles: ['recruiter', 'trafficker'] }],
    ['yes-no', '#/organisedCrime', { organisedCrime: 'maybe' }],
    ['yes-no', '#/publicServant', { publicServant: 'maybe' }],
    ['relationship-to-perpetrator', '#/victims/0/relationship', { victims: [{ victimLocalId: 'V-1', relationship: 'neighbour' }] }],
    ['offense', '#/proceedings/0/offense', { proceedings: [{ caseLocalId: 'CI-1', offense: 'LGT-23', status: 'suspect' }] }],
    ['accused-procedural-status', '#/proceedings/0/status', { proceedings: [{ caseLocalId: 'CI-1', offense: 'LGT-13', status: 'guilty' }] }],
  ];
  it.each(badCodes)('an unknown code of catalog %s is rejected at %s with the allowed codes', async (catalog, pointer, over) => {
    const res = await put('E-CODE', accused(over));
    expect(res.response.status).toBe(422);
    const err = res.error!.errors!.find((e) => e.pointer === pointer)!;
    expect(err).toMatchObject({ rule: 'isCode', catalog: `/v1/catalogs/${catalog}` });
    expect([...err.allowed!].sort()).toEqual(catalogRegistry().allowed(catalog).sort());
  });

  it('every code of every catalog of the kind is accepted (one batch entry per code)', async () => {
    const reg = catalogRegistry();
    const entries: AccusedPersonBatchEntryDto[] = [];
    const add = (over: Partial<AccusedPersonDto>) => entries.push(entry(`ALL-${String(entries.length).padStart(3, '0')}`, over));
    for (const c of reg.allowed('sex')) add({ sex: c });
    for (const c of reg.allowed('accused-role')) add({ roles: [c] });
    for (const c of reg.allowed('yes-no')) add({ organisedCrime: c, publicServant: c });
    for (const c of reg.allowed('relationship-to-perpetrator')) add({ victims: [{ victimLocalId: 'V-9', relationship: c }] });
    for (const c of reg.allowed('offense')) add({ proceedings: [{ caseLocalId: 'CI-9', offense: c, status: 'suspect' }] });
    for (const c of reg.allowed('accused-procedural-status')) add({ proceedings: [{ caseLocalId: 'CI-9', offense: 'LGT-10', status: c }] });
    for (const c of reg.allowed('state').filter((s) => s !== 'FED')) add({ stateOfOrigin: c });
    for (const c of reg.allowed('country').slice(0, 300)) add({ nationality: [c], stateOfOrigin: c === 'MEX' ? '09' : 'NA' });
    expect(entries.length).toBeLessThanOrEqual(1000);
    const res = await a.api.POST('/v1/accused/batch', { body: { entries } });
    expect(res.response.status).toBe(200);
    expect(res.data!.results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(res.data!.summary.created).toBe(entries.length);
  });

  it('rejects impossible data with pointers; accepts questionable data with warnings', async () => {
    const pointers = async (body: AccusedPersonDto) => {
      const res = await put('E-1', body);
      expect(res.response.status).toBe(422);
      return res.error!.errors!.map((e) => [e.pointer, e.rule]);
    };
    expect(await pointers(accused({ birthDate: '2025-06-01' }))).toContainEqual(['#/birthDate', 'birth-before-proceeding']);
    expect(await pointers(accused({ birthDate: '2999-01-01' }))).toContainEqual(['#/birthDate', 'not-future']);
    expect(await pointers(accused({ birthDate: '1985-02-30' }))).toContainEqual(['#/birthDate', 'date']);
    expect(await pointers(accused({ birthDate: '1890-01-01' }))).toContainEqual(['#/birthDate', 'max-age']);
    expect(await pointers(accused({ detentions: [{ from: '2025-05-08', to: '2025-05-01' }] }))).toContainEqual(['#/detentions/0/to', 'from-before-to']);
    expect(await pointers(accused({ detentions: [{ from: '2999-05-08' }] }))).toContainEqual(['#/detentions/0/from', 'not-future']);
    expect(
      await pointers(
        accused({
          proceedings: [
            { caseLocalId: 'CI-1', offense: 'LGT-13', status: 'suspect', on: '2025-04-02' },
            { caseLocalId: 'CI-1', offense: 'LGT-13', status: 'suspect', on: '2025-04-03' },
          ],
        }),
      ),
    ).toContainEqual(['#/proceedings/1', 'unique']);
    expect(await pointers(accused({ nationality: ['MEX', 'SI'] }))).toContainEqual(['#/nationality', 'null-code-alone']);
    expect(await pointers(accused({ roles: ['NR', 'recruiter'] }))).toContainEqual(['#/roles', 'null-code-alone']);
    expect(await pointers(accused({ alsoRegisteredAsVictim: false, victimRecordLocalId: 'V-1' }))).toContainEqual(['#/victimRecordLocalId', 'also-victim-consistency']);
    expect(
      await pointers(
        accused({
          victims: [
            { victimLocalId: 'V-1', relationship: 'work' },
            { victimLocalId: 'V-1', relationship: 'other' },
          ],
        }),
      ),
    ).toContainEqual(['#/victims/1/victimLocalId', 'unique']);
    expect(await pointers(accused({ stateOfOrigin: 'FED' }))).toContainEqual(['#/stateOfOrigin', 'not-a-state']);
    expect(await pointers(accused({ proceedings: [] }))).toContainEqual(['#/proceedings', expect.any(String)]);
    expect(await pointers(accused({ age: 121, birthDate: undefined }))).toContainEqual(['#/age', expect.any(String)]);
    const unknownField = await request(t.baseUrl).put('/v1/accused/E-2').auth(a.token, { type: 'bearer' }).send({ ...accused(), trafficker: true });
    expect(unknownField.status).toBe(422);
    expect(unknownField.body.errors[0].pointer).toBe('#/trafficker');

    const flagged = await put('W-1', accused({ alsoRegisteredAsVictim: true, victimRecordLocalId: 'V-1' }));
    expect(flagged.response.status).toBe(201);
    expect(flagged.data!.warnings).toEqual([expect.objectContaining({ pointer: '#/alsoRegisteredAsVictim', rule: 'art-37-review' })]);
    const foreign = await put('W-2', accused({ nationality: ['GTM'], stateOfOrigin: '07' }));
    expect(foreign.data!.warnings).toEqual([expect.objectContaining({ pointer: '#/stateOfOrigin', rule: 'foreign-state' })]);
    const ageMismatch = await put('W-3', accused({ age: 20, ageOn: '2025-01-01' }));
    expect(ageMismatch.data!.warnings).toEqual([expect.objectContaining({ pointer: '#/age', rule: 'age-consistency' })]);
    const unknownAge = await put('W-4', accused({ birthDate: undefined, nationality: ['SI'], stateOfOrigin: 'SI' }));
    expect(unknownAge.data!.completeness).toEqual({ sex: 'filled', age: 'SI', nationality: 'SI', stateOfOrigin: 'SI', role: 'filled', offense: 'filled' });
    expect(unknownAge.data!.quality).toBeCloseTo(0.5, 3);
  });

  it('accused_facts holds one row per accused × file × offense with the current procedural status, rewritten on update', async () => {
    const facts = async (localId: string) =>
      (
        await t.db.pool.query(
          `SELECT case_local_id, offense_code, procedural_status, to_char(status_on, 'YYYY-MM-DD') AS status_on, age, roles, kinship,
                  organised_crime, public_servant, victim_local_ids, detained, also_registered_as_victim
             FROM accused_facts WHERE agency_id = $1 AND local_id = $2 ORDER BY case_local_id, offense_code`,
          [a.agencyId, localId],
        )
      ).rows;
    await put('P-1', accused());
    expect(await facts('P-1')).toEqual([
      expect.objectContaining({ case_local_id: 'CI-1', offense_code: 'LGT-13', procedural_status: 'indicted_charged', status_on: '2025-05-10', age: 40, kinship: 'yes', detained: true }),
      expect.objectContaining({ case_local_id: 'CI-1', offense_code: 'LGT-22', procedural_status: 'suspect', status_on: '2025-04-02', roles: ['recruiter', 'transporter'] }),
    ]);
    await put('P-1', accused({ victims: [{ victimLocalId: 'V-1', relationship: 'work' }], organisedCrime: undefined, detentions: undefined, proceedings: [{ caseLocalId: 'CI-2', offense: 'LGT-10', status: 'prosecuted' }] }));
    expect(await facts('P-1')).toEqual([
      expect.objectContaining({ case_local_id: 'CI-2', offense_code: 'LGT-10', procedural_status: 'prosecuted', status_on: null, kinship: 'no', organised_crime: 'NR', detained: false }),
    ]);

    await put('P-2', accused({ sex: 'female', alsoRegisteredAsVictim: true, proceedings: [{ caseLocalId: 'CI-3', offense: 'LGT-24', status: 'sentenced' }] }));
    const q = async (query: AccusedQuery) => (await a.api.GET('/v1/accused', { params: { query } })).data!.items.map((i) => i.localId);
    expect(await q({ offense: 'LGT-24', caseLocalId: 'CI-3' })).toEqual(['P-2']);
    expect(await q({ offense: 'LGT-24' })).toEqual(expect.arrayContaining(['P-2']));
    expect(await q({ offense: 'LGT-24' })).not.toContain('P-1');
    expect(await q({ status: 'prosecuted', caseLocalId: 'CI-2' })).toEqual(['P-1']);
    expect(await q({ alsoRegisteredAsVictim: 'true' })).toEqual(expect.arrayContaining(['P-2', 'W-1']));
    expect(await q({ alsoRegisteredAsVictim: 'true' })).not.toContain('P-1');
    const females = await q({ sex: 'female', caseLocalId: 'CI-3' });
    expect(females).toEqual(['P-2']);
    const badFilter = await request(t.baseUrl).get('/v1/accused?status=guilty').auth(a.token, { type: 'bearer' });
    expect(badFilter.status).toBe(422);
    expect(badFilter.body.errors[0]).toMatchObject({ pointer: '#/status', catalog: '/v1/catalogs/accused-procedural-status' });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await a.api.GET('/v1/accused', { params: { query: { limit: 7, cursor } } });
      seen.push(...page.data!.items.map((i) => i.localId));
      cursor = page.data!.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...new Set(seen)].sort());
    expect(seen).toEqual(expect.arrayContaining(['A-1', 'P-1', 'P-2']));
  });

  it('a batch writes the good entries and rejects the bad one; the same batch twice and concurrently adds no versions; atomic writes nothing', async () => {
    const entries = Array.from({ length: 60 }, (_, i) => entry(`B-${String(i).padStart(3, '0')}`, { birthDate: undefined, age: 20 + (i % 30) }));
    const withBad = [...entries.slice(0, 3), entry('B-BAD', { sex: 'robot' }), ...entries.slice(3)];
    const first = await a.api.POST('/v1/accused/batch', { body: { entries: withBad, sourceSystem: 'SIGI', submissionId: 'batch-1' } });
    expect(first.data!.summary).toEqual({ created: 60, updated: 0, unchanged: 0, rejected: 1, notWritten: 0 });
    expect(first.data!.results[3]).toMatchObject({ status: 'rejected', localId: 'B-BAD' });
    expect(first.data!.results[3].errors![0]).toMatchObject({ pointer: '#/entries/3/sex', rule: 'isCode' });
    const before = await countVersions(a.agencyId);
    const again = await Promise.all([
      a.api.POST('/v1/accused/batch', { body: { entries } }),
      a2.api.POST('/v1/accused/batch', { body: { entries: [...entries].reverse() } }),
    ]);
    for (const r of again) expect(r.data!.summary).toEqual({ created: 0, updated: 0, unchanged: 60, rejected: 0, notWritten: 0 });
    expect(await countVersions(a.agencyId)).toBe(before);

    const fresh = Array.from({ length: 80 }, (_, i) => entry(`C-${String(i).padStart(3, '0')}`));
    const concurrent = await Promise.all([
      a.api.POST('/v1/accused/batch', { body: { entries: fresh } }),
      a2.api.POST('/v1/accused/batch', { body: { entries: [...fresh].reverse() } }),
      a.api.POST('/v1/accused/batch', { body: { entries: fresh } }),
    ]);
    expect(concurrent.reduce((n, r) => n + r.data!.summary.created, 0)).toBe(80);
    expect(concurrent.reduce((n, r) => n + r.data!.summary.unchanged, 0)).toBe(160);
    const versions = await t.db.pool.query(
      `SELECT count(*)::int AS n, count(DISTINCT local_id)::int AS d FROM record_versions WHERE agency_id = $1 AND kind = 'accused' AND local_id LIKE 'C-%'`,
      [a.agencyId],
    );
    expect(versions.rows[0]).toEqual({ n: 80, d: 80 });
    const factRows = await t.db.pool.query(`SELECT count(*)::int AS n FROM accused_facts WHERE agency_id = $1 AND local_id LIKE 'C-%'`, [a.agencyId]);
    expect(factRows.rows[0].n).toBe(160); // 2 (file, offense) pairs each

    const atomic = await a.api.POST('/v1/accused/batch', { body: { atomic: true, entries: [entry('AT-1'), entry('AT-2', { birthDate: '2999-01-01' })] } });
    expect(atomic.data!.results.map((r) => r.status)).toEqual(['not_written', 'rejected']);
    const written = await t.db.pool.query(`SELECT count(*)::int AS n FROM records WHERE agency_id = $1 AND local_id LIKE 'AT-%'`, [a.agencyId]);
    expect(written.rows[0].n).toBe(0);
  });

  it('names, aliases, CURP and notes are not readable in the database; the CURP blind index matches the victims one (art. 37 review)', async () => {
    for (const table of ['records', 'record_versions', 'record_changes', 'record_references', 'accused_facts']) {
      const { rows } = await t.db.pool.query(`SELECT t::text AS row FROM ${table} t WHERE agency_id = $1`, [a.agencyId]);
      expect(rows.length).toBeGreaterThan(0);
      const dump = rows.map((r: { row: string }) => r.row).join('\n');
      for (const secret of [NAME, SURNAME, ALIAS, CURP, 'central camionera']) expect(dump).not.toContain(secret);
    }
    await a.api.PUT('/v1/victims/{localId}', {
      params: { path: { localId: 'V-SAME' } },
      body: { curp: CURP, sex: 'male', nationality: ['MEX'], stateOfOrigin: '21', vulnerableGroups: ['SI'], victimType: 'direct', offenses: ['LGT-13'] },
    });
    const joined = await t.db.pool.query(
      `SELECT DISTINCT f.local_id FROM accused_facts f JOIN victim_facts v ON v.agency_id = f.agency_id AND v.curp_hash = f.curp_hash
        WHERE f.agency_id = $1 AND f.local_id = 'A-1' AND v.local_id = 'V-SAME'`,
      [a.agencyId],
    );
    expect(joined.rows).toEqual([{ local_id: 'A-1' }]);
    expect(t.logs.join('\n')).not.toContain(NAME);
    expect(t.logs.join('\n')).not.toContain(CURP);
  });

  it('personal data is masked without pii:read', async () => {
    const masked = await aRead.api.GET('/v1/accused/{localId}', { params: { path: { localId: 'A-1' } } });
    expect(masked.data).toMatchObject({ pii: null, piiMasked: true });
    expect(JSON.stringify(masked.data)).not.toContain(NAME);
    const list = await aRead.api.GET('/v1/accused', {});
    expect(list.data!.items.every((i) => i.pii === null && i.piiMasked)).toBe(true);
  });

  it("hides agency A's records from agency B: 404 on every route, and B's own namespace is separate", async () => {
    const path = { localId: 'A-1' };
    const get = await b.api.GET('/v1/accused/{localId}', { params: { path } });
    expect(get.response.status).toBe(404);
    expect(JSON.stringify(get.error)).not.toContain(a.agencyCode);
    expect((await b.api.GET('/v1/accused/{localId}/versions', { params: { path } })).response.status).toBe(404);
    expect((await b.api.DELETE('/v1/accused/{localId}', { params: { path, query: { reason: 'other' } } })).response.status).toBe(404);
    const put = await b.api.PUT('/v1/accused/{localId}', { params: { path, header: { 'If-Match': '"v2-00000000"' } }, body: accused() });
    expect(put.response.status).toBe(404);
    expect((await b.api.GET('/v1/accused', {})).data!.items).toEqual([]);
    const batch = await b.api.POST('/v1/accused/batch', { body: { entries: [entry('A-1', { sex: 'female' })] } });
    expect(batch.data!.results[0]).toMatchObject({ status: 'created', version: 1 });
    const mine = await a.api.GET('/v1/accused/{localId}', { params: { path } });
    expect(mine.data!.data.sex).toBe('male');
    const client = await t.db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL ROLE puente_app');
      await client.query(`SELECT set_config('app.agency_id', $1, true)`, [b.agencyId]);
      const { rows } = await client.query(`SELECT DISTINCT agency_id FROM accused_facts`);
      expect(rows.map((r: { agency_id: string }) => r.agency_id)).toEqual([b.agencyId]);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('quality and the change feed include the accused kind', async () => {
    const q = await a.api.GET('/v1/agencies/me/quality', {});
    const kind = q.data!.kinds.find((k) => k.kind === 'accused')!;
    expect(kind.variables.map((v) => v.variable).sort()).toEqual(['age', 'nationality', 'offense', 'role', 'sex', 'stateOfOrigin']);
    const versionsOf = (items: FeedItem[]) => items.filter((c) => c.kind === 'accused' && c.localId === 'A-1').map((c) => c.version);
    const changes = await changesUntil(a.api, (items) => versionsOf(items).length >= 2);
    expect(versionsOf(changes)).toEqual([1, 2]);
  });

  const routes: GuardedRoute[] = [
    ['put', '/v1/accused/A-1', accused()],
    ['post', '/v1/accused/batch', { entries: [entry('Z-1')] }],
    ['get', '/v1/accused', undefined],
    ['get', '/v1/accused/A-1', undefined],
    ['get', '/v1/accused/A-1/versions', undefined],
    ['delete', '/v1/accused/A-1?reason=other', undefined],
  ];
  it.each(routes.map((r) => [r[0], r[1], r] as const))('%s %s answers 401 without a token and 403 without the scope', async (_method, _url, route) => {
    await expectScopeGuard(t, route, { none: none.token, readOnly: aRead.token });
  });
});

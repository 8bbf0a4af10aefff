import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { CATALOG_DATA_DIR, CrosswalkService, loadCatalogVersions } from '@app/catalogs';
import { DbContext, asAgencyId } from '@app/db';
import { createPrincipal, startTestApp, type TestApp, type TestPrincipal } from '@app/testing';

const REPO_ROOT = join(__dirname, '..', '..', '..');
const SHARED_OFFENSES = join(REPO_ROOT, '..', 'shared', 'domain', 'offenses.json');

/** Every offence code of the domain source (shared/domain/offenses.json), else of the repo's catalog file. */
function expectedOffenseCodes(): { codes: string[]; source: string } {
  if (existsSync(SHARED_OFFENSES)) {
    const src = JSON.parse(readFileSync(SHARED_OFFENSES, 'utf8')) as { offenses: { code: string }[]; exploitation_forms: { code: string }[] };
    // `offenses` lists all 37 codes (26 offences + 11 art. 10 forms); `exploitation_forms` repeats the 11 forms.
    return { codes: [...new Set([...src.offenses, ...src.exploitation_forms].map((o) => o.code))], source: SHARED_OFFENSES };
  }
  process.stdout.write(`[catalogs.e2e] ${SHARED_OFFENSES} not found: checking against libs/catalogs/data/offense.json instead\n`);
  const own = JSON.parse(readFileSync(join(CATALOG_DATA_DIR, 'offense.json'), 'utf8')) as { entries: { code: string }[] };
  return { codes: own.entries.map((e) => e.code), source: 'libs/catalogs/data/offense.json' };
}

describe('catalogs and crosswalks', () => {
  let t: TestApp;
  let a: TestPrincipal; // crosswalks:read + crosswalks:write
  let b: TestPrincipal; // another agency, same scopes
  let readOnly: TestPrincipal; // agency A's read-only client
  let noScopes: TestPrincipal;
  beforeAll(async () => {
    t = await startTestApp();
    a = await createPrincipal(t, { scopes: ['crosswalks:read', 'crosswalks:write'] });
    b = await createPrincipal(t, { scopes: ['crosswalks:read', 'crosswalks:write'] });
    readOnly = await createPrincipal(t, { code: a.agencyCode, scopes: ['crosswalks:read'] });
    noScopes = await createPrincipal(t, { scopes: [] });
  });
  afterAll(() => t.close());

  describe('GET /v1/catalogs', () => {
    it('lists every catalog with its current version, entry count and URL, to any authenticated caller', async () => {
      const { data, response } = await noScopes.api.GET('/v1/catalogs');
      expect(response.status).toBe(200);
      expect(data!.items).toHaveLength(62);
      expect(data!.items.find((c) => c.name === 'offense')).toEqual({
        name: 'offense',
        labelEs: expect.stringContaining('trata'),
        labelEn: expect.any(String),
        version: '2026.1',
        validFrom: '2026-01-01',
        entryCount: 41, // 37 offence codes + SI, NA, NR, RESERVED
        multiValued: true,
        nullCodes: true,
        url: '/v1/catalogs/offense',
      });
      expect(data!.items.find((c) => c.name === 'null-code')).toMatchObject({ entryCount: 4, nullCodes: false });
      expect(response.headers.get('cache-control')).toBe('private, max-age=300');
      expect(response.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    });

    it('answers 401 without a token', async () => {
      const res = await request(t.baseUrl).get('/v1/catalogs');
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    });
  });

  describe('GET /v1/catalogs/{name}', () => {
    it('serves the offence catalog: all 37 codes of the domain source, with both labels, attributes and the null codes', async () => {
      const { codes: expected, source } = expectedOffenseCodes();
      expect(expected).toHaveLength(37);
      const { data, response } = await noScopes.api.GET('/v1/catalogs/{name}', { params: { path: { name: 'offense' } } });
      expect(response.status).toBe(200);
      const codes = data!.entries.filter((e) => !e.nullCode).map((e) => e.code);
      expect({ source, codes: codes.sort() }).toEqual({ source, codes: [...expected].sort() });
      expect(data!.entries.filter((e) => e.nullCode).map((e) => e.code)).toEqual(['SI', 'NA', 'NR', 'RESERVED']);
      expect(data).toMatchObject({ name: 'offense', version: '2026.1', current: true, validTo: null, versions: [{ version: '2026.1', validFrom: '2026-01-01', validTo: null }] });
      expect(data!.attributes).toMatchObject({ lawVersion: expect.any(String) });
      expect(data!.entries.find((e) => e.code === 'LGT-10-III')).toMatchObject({
        labelEs: expect.stringMatching(/\S/),
        labelEn: expect.stringMatching(/\S/),
        parent: 'LGT-10',
        retired: false,
        retiredOn: null,
        attributes: { article: 10, fraction: 'III', kind: 'exploitation_form' },
      });
      expect(data!.entries.find((e) => e.code === 'SI')).toMatchObject({ labelEs: 'Sin información', nullCode: true, attributes: { countsAsMissing: true } });
      for (const e of data!.entries) expect([e.code, typeof e.labelEs, typeof e.labelEn]).toEqual([e.code, 'string', 'string']);
    });

    it('answers 304 to If-None-Match with the current ETag, and 200 with a stale one', async () => {
      const first = await request(t.baseUrl).get('/v1/catalogs/sex').auth(noScopes.token, { type: 'bearer' });
      expect(first.status).toBe(200);
      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
      expect(first.headers['cache-control']).toBe('private, max-age=300');
      const again = await request(t.baseUrl).get('/v1/catalogs/sex').auth(noScopes.token, { type: 'bearer' });
      expect(again.headers.etag).toBe(etag); // stable

      const cached = await request(t.baseUrl).get('/v1/catalogs/sex').auth(noScopes.token, { type: 'bearer' }).set('if-none-match', `"stale", ${etag}`);
      expect(cached.status).toBe(304);
      expect(cached.text ?? '').toBe('');
      expect(cached.headers.etag).toBe(etag);
      expect(cached.headers['cache-control']).toBe('private, max-age=300');

      const stale = await request(t.baseUrl).get('/v1/catalogs/sex').auth(noScopes.token, { type: 'bearer' }).set('if-none-match', '"stale"');
      expect(stale.status).toBe(200);
      expect(stale.body.name).toBe('sex');

      const otherCatalog = await request(t.baseUrl).get('/v1/catalogs/yes-no').auth(noScopes.token, { type: 'bearer' }).set('if-none-match', etag);
      expect(otherCatalog.status).toBe(200);

      const list = await request(t.baseUrl).get('/v1/catalogs').auth(noScopes.token, { type: 'bearer' });
      const listCached = await request(t.baseUrl).get('/v1/catalogs').auth(noScopes.token, { type: 'bearer' }).set('if-none-match', list.headers.etag as string);
      expect(listCached.status).toBe(304);
    });

    it('answers 404 (problem) for an unknown catalog', async () => {
      const res = await request(t.baseUrl).get('/v1/catalogs/no-such-catalog').auth(noScopes.token, { type: 'bearer' });
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 404, detail: expect.stringContaining('no-such-catalog') });
    });

    it('rejects malformed query parameters with 422 and a pointer', async () => {
      const res = await request(t.baseUrl).get('/v1/catalogs/sex?includeRetired=maybe').auth(noScopes.token, { type: 'bearer' });
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '#/includeRetired' })]);
      const bad = await request(t.baseUrl).get('/v1/catalogs/sex?version=%20x').auth(noScopes.token, { type: 'bearer' });
      expect(bad.status).toBe(422);
      expect(bad.body.errors).toEqual([expect.objectContaining({ pointer: '#/version' })]);
    });

    it('answers 401 without a token', async () => {
      expect((await request(t.baseUrl).get('/v1/catalogs/offense')).status).toBe(401);
    });
  });

  describe('a new catalog version (loader)', () => {
    let dir: string;
    beforeAll(() => {
      // yes-no 2026.2: "yes" relabelled, "unsure" added, "no" dropped from the file (the loader keeps it, retired).
      dir = mkdtempSync(join(tmpdir(), 'puente-catalogs-'));
      const yesNo = JSON.parse(readFileSync(join(CATALOG_DATA_DIR, 'yes-no.json'), 'utf8')) as { entries: { code: string; labelEs: string }[] };
      const next = {
        ...yesNo,
        version: '2026.2',
        validFrom: '2027-01-01',
        entries: [{ ...yesNo.entries.find((e) => e.code === 'yes')!, labelEs: 'Sí (confirmado)' }, { code: 'unsure', labelEs: 'No está seguro', labelEn: 'Unsure', parent: null, source: 'test' }],
      };
      writeFileSync(join(dir, 'index.json'), JSON.stringify({ catalogs: ['yes-no', 'null-code'] }));
      writeFileSync(join(dir, 'yes-no.json'), JSON.stringify(next));
      writeFileSync(join(dir, 'null-code.json'), readFileSync(join(CATALOG_DATA_DIR, 'null-code.json')));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const query = (sql: string, params?: unknown[]) => t.db.pool.query(sql, params).then((r) => r.rows);

    it('loads only versions not yet in the database, and keeps dropped codes as retired', async () => {
      const before = await request(t.baseUrl).get('/v1/catalogs/yes-no').auth(noScopes.token, { type: 'bearer' });
      expect(await loadCatalogVersions(query, CATALOG_DATA_DIR)).toEqual({ loaded: [], skipped: 62 });
      expect(await loadCatalogVersions(query, dir)).toEqual({ loaded: ['yes-no@2026.2'], skipped: 1 });
      expect(await loadCatalogVersions(query, dir)).toEqual({ loaded: [], skipped: 2 });

      const { data } = await noScopes.api.GET('/v1/catalogs/{name}', { params: { path: { name: 'yes-no' } } });
      expect(data).toMatchObject({ version: '2026.2', validFrom: '2027-01-01', validTo: null, current: true });
      expect(data!.versions).toEqual([
        { version: '2026.1', validFrom: '2026-01-01', validTo: '2027-01-01' },
        { version: '2026.2', validFrom: '2027-01-01', validTo: null },
      ]);
      expect(data!.entries.map((e) => e.code)).toEqual(['yes', 'unsure', 'SI', 'NA', 'NR', 'RESERVED']);
      expect(data!.entries[0].labelEs).toBe('Sí (confirmado)');

      const withRetired = await noScopes.api.GET('/v1/catalogs/{name}', { params: { path: { name: 'yes-no' }, query: { includeRetired: true } } });
      expect(withRetired.data!.entries.find((e) => e.code === 'no')).toMatchObject({ retired: true, retiredOn: '2027-01-01', labelEn: 'No' });

      const after = await request(t.baseUrl).get('/v1/catalogs/yes-no').auth(noScopes.token, { type: 'bearer' }).set('if-none-match', before.headers.etag as string);
      expect(after.status).toBe(200); // the old ETag no longer matches

      const { data: list } = await noScopes.api.GET('/v1/catalogs');
      expect(list!.items.find((c) => c.name === 'yes-no')).toMatchObject({ version: '2026.2', validFrom: '2027-01-01', entryCount: 6 });
    });

    it('serves an older version with ?version=, and 404 listing the known versions for an unknown one', async () => {
      const { data, response } = await noScopes.api.GET('/v1/catalogs/{name}', { params: { path: { name: 'yes-no' }, query: { version: '2026.1' } } });
      expect(response.status).toBe(200);
      expect(data).toMatchObject({ version: '2026.1', validFrom: '2026-01-01', validTo: '2027-01-01', current: false });
      expect(data!.entries.map((e) => [e.code, e.labelEs])).toEqual([
        ['yes', 'Sí'],
        ['no', 'No'],
        ['SI', 'Sin información'],
        ['NA', 'No aplica'],
        ['NR', 'No registrado'],
        ['RESERVED', 'Reservado'],
      ]);

      const res = await request(t.baseUrl).get('/v1/catalogs/yes-no?version=1999.1').auth(noScopes.token, { type: 'bearer' });
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.detail).toContain('known versions: 2026.1, 2026.2');
    });
  });

  describe('crosswalks', () => {
    it('PUT merges mappings, GET lists them with the standard labels; replace removes unlisted codes', async () => {
      const put = await a.api.PUT('/v1/crosswalks/{name}', {
        params: { path: { name: 'offense' } },
        body: {
          entries: [
            { localCode: 'CPCDMX-188BIS', standardCode: 'LGT-10-III', note: 'Código Penal CDMX art. 188 Bis' },
            { localCode: 'CPCDMX-DESCONOCIDO', standardCode: 'SI' },
            { localCode: 'CPCDMX-189', standardCode: 'LGT-13' },
          ],
        },
      });
      expect(put.response.status).toBe(200);
      expect(put.data).toEqual({ catalog: 'offense', catalogVersion: '2026.1', inserted: 3, updated: 0, removed: 0, total: 3 });

      const again = await a.api.PUT('/v1/crosswalks/{name}', {
        params: { path: { name: 'offense' } },
        body: { entries: [{ localCode: 'CPCDMX-189', standardCode: 'LGT-14' }, { localCode: 'CPCDMX-DESCONOCIDO', standardCode: 'SI' }] },
      });
      expect(again.data).toEqual({ catalog: 'offense', catalogVersion: '2026.1', inserted: 0, updated: 1, removed: 0, total: 3 });

      const { data, response } = await readOnly.api.GET('/v1/crosswalks/{name}', { params: { path: { name: 'offense' } } });
      expect(response.status).toBe(200);
      expect(data!.catalog).toBe('offense');
      expect(data!.nextCursor).toBeNull();
      expect(data!.items.map((i) => [i.localCode, i.standardCode, i.standardCodeCurrent])).toEqual([
        ['CPCDMX-188BIS', 'LGT-10-III', true],
        ['CPCDMX-189', 'LGT-14', true],
        ['CPCDMX-DESCONOCIDO', 'SI', true],
      ]);
      expect(data!.items[0]).toMatchObject({ note: 'Código Penal CDMX art. 188 Bis', standardLabelEs: expect.stringMatching(/\S/), standardLabelEn: expect.stringMatching(/\S/) });
      expect(data!.items[2]).toMatchObject({ standardLabelEs: 'Sin información', note: null });

      const page1 = await a.api.GET('/v1/crosswalks/{name}', { params: { path: { name: 'offense' }, query: { limit: 2 } } });
      expect(page1.data!.items.map((i) => i.localCode)).toEqual(['CPCDMX-188BIS', 'CPCDMX-189']);
      const page2 = await a.api.GET('/v1/crosswalks/{name}', { params: { path: { name: 'offense' }, query: { limit: 2, cursor: page1.data!.nextCursor! } } });
      expect([page2.data!.items.map((i) => i.localCode), page2.data!.nextCursor]).toEqual([['CPCDMX-DESCONOCIDO'], null]);

      await a.api.PUT('/v1/crosswalks/{name}', { params: { path: { name: 'sex' } }, body: { entries: [{ localCode: 'F', standardCode: 'female' }] } });
      const summary = await a.api.GET('/v1/crosswalks');
      expect(summary.data!.items.map((s) => [s.catalog, s.entryCount, s.url])).toEqual([
        ['offense', 3, '/v1/crosswalks/offense'],
        ['sex', 1, '/v1/crosswalks/sex'],
      ]);

      const replaced = await a.api.PUT('/v1/crosswalks/{name}', { params: { path: { name: 'sex' } }, body: { entries: [{ localCode: 'M', standardCode: 'male' }], replace: true } });
      expect(replaced.data).toEqual({ catalog: 'sex', catalogVersion: expect.any(String), inserted: 1, updated: 0, removed: 1, total: 1 });
    });

    it('rejects a standard code outside the catalog with 422, the allowed codes and the catalog URL', async () => {
      const res = await request(t.baseUrl)
        .put('/v1/crosswalks/offense')
        .auth(a.token, { type: 'bearer' })
        .send({ entries: [{ localCode: 'X-1', standardCode: 'LGT-10' }, { localCode: 'X-2', standardCode: 'LGT-99' }] });
      expect(res.status).toBe(422);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.errors).toEqual([
        expect.objectContaining({ pointer: '#/entries/1/standardCode', rule: 'catalog', catalog: '/v1/catalogs/offense', allowed: expect.arrayContaining(['LGT-10', 'LGT-10-III', 'SI']) }),
      ]);
      const { data } = await a.api.GET('/v1/crosswalks/{name}', { params: { path: { name: 'offense' } } });
      expect(data!.items.map((i) => i.localCode)).not.toContain('X-1'); // nothing written
    });

    it('rejects invalid bodies with 422 and pointers (missing field, duplicate local code, unknown property)', async () => {
      const missing = await request(t.baseUrl).put('/v1/crosswalks/offense').auth(a.token, { type: 'bearer' }).send({ entries: [{ standardCode: 'LGT-10' }] });
      expect(missing.status).toBe(422);
      expect(missing.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: '#/entries/0/localCode' })]));
      const dup = await request(t.baseUrl)
        .put('/v1/crosswalks/offense')
        .auth(a.token, { type: 'bearer' })
        .send({ entries: [{ localCode: 'D', standardCode: 'LGT-10' }, { localCode: 'D', standardCode: 'LGT-11' }] });
      expect(dup.status).toBe(422);
      expect(dup.body.errors).toEqual([expect.objectContaining({ pointer: '#/entries/1/localCode', rule: 'unique' })]);
      const extra = await request(t.baseUrl).put('/v1/crosswalks/offense').auth(a.token, { type: 'bearer' }).send({ entries: [], agencyId: b.agencyId });
      expect(extra.status).toBe(422);
      expect(extra.body.errors).toEqual([expect.objectContaining({ pointer: '#/agencyId' })]);
    });

    it('answers 404 for an unknown catalog', async () => {
      const put = await request(t.baseUrl).put('/v1/crosswalks/no-such-catalog').auth(a.token, { type: 'bearer' }).send({ entries: [] });
      expect(put.status).toBe(404);
      const get = await request(t.baseUrl).get('/v1/crosswalks/no-such-catalog').auth(a.token, { type: 'bearer' });
      expect(get.status).toBe(404);
    });

    it("hides other agencies' crosswalks: each agency reads and resolves only its own", async () => {
      await b.api.PUT('/v1/crosswalks/{name}', { params: { path: { name: 'offense' } }, body: { entries: [{ localCode: 'CPCDMX-189', standardCode: 'LGT-20' }, { localCode: 'B-ONLY', standardCode: 'LGT-21' }] } });

      const forB = await b.api.GET('/v1/crosswalks/{name}', { params: { path: { name: 'offense' } } });
      expect(forB.data!.items.map((i) => [i.localCode, i.standardCode])).toEqual([
        ['B-ONLY', 'LGT-21'],
        ['CPCDMX-189', 'LGT-20'],
      ]);
      const forA = await a.api.GET('/v1/crosswalks/{name}', { params: { path: { name: 'offense' } } });
      expect(forA.data!.items.map((i) => i.localCode)).not.toContain('B-ONLY');
      expect(forA.data!.items.find((i) => i.localCode === 'CPCDMX-189')!.standardCode).toBe('LGT-14');
      expect((await b.api.GET('/v1/crosswalks')).data!.items.map((s) => s.catalog)).toEqual(['offense']);

      const db = t.app.get(DbContext);
      const crosswalks = t.app.get(CrosswalkService);
      const agencyA = asAgencyId(a.agencyId);
      const [own, other, map] = await db.withAgency(agencyA, async ({ em }) => [
        await crosswalks.resolve(em, agencyA, 'offense', 'CPCDMX-189'),
        await crosswalks.resolve(em, agencyA, 'offense', 'B-ONLY'),
        await crosswalks.loadMap(em, agencyA, ['offense', 'sex']),
      ] as const);
      expect([own, other]).toEqual(['LGT-14', undefined]);
      expect(Object.fromEntries(map)).toEqual({ 'offense:CPCDMX-188BIS': 'LGT-10-III', 'offense:CPCDMX-189': 'LGT-14', 'offense:CPCDMX-DESCONOCIDO': 'SI', 'sex:M': 'male' });
    });

    it('answers 401 without a token on every crosswalk route', async () => {
      expect((await request(t.baseUrl).get('/v1/crosswalks')).status).toBe(401);
      expect((await request(t.baseUrl).get('/v1/crosswalks/offense')).status).toBe(401);
      expect((await request(t.baseUrl).put('/v1/crosswalks/offense').send({ entries: [] })).status).toBe(401);
    });

    it('answers 403 without the scope (crosswalks:write to PUT, crosswalks:read to GET), even with an invalid body', async () => {
      const put = await readOnly.api.PUT('/v1/crosswalks/{name}', { params: { path: { name: 'offense' } }, body: { entries: [{ localCode: 'R', standardCode: 'LGT-10' }] } });
      expect(put.response.status).toBe(403);
      expect((await request(t.baseUrl).put('/v1/crosswalks/offense').auth(readOnly.token, { type: 'bearer' }).send({ bogus: 1 })).status).toBe(403);
      expect((await noScopes.api.GET('/v1/crosswalks')).response.status).toBe(403);
      expect((await noScopes.api.GET('/v1/crosswalks/{name}', { params: { path: { name: 'offense' } } })).response.status).toBe(403);
    });
  });

  describe('database', () => {
    it('protects crosswalk rows with row-level security: the request role sees only the agency in app.agency_id', async () => {
      const client = await t.db.pool.connect();
      const asAgency = async <T>(agencyId: string, fn: () => Promise<T>): Promise<T> => {
        await client.query('BEGIN');
        await client.query('SET LOCAL ROLE puente_app');
        await client.query(`SELECT set_config('app.agency_id', $1, true)`, [agencyId]);
        try {
          return await fn();
        } finally {
          await client.query('ROLLBACK');
        }
      };
      try {
        // Superuser: both agencies' rows exist.
        const all = await client.query(`SELECT DISTINCT agency_id FROM crosswalks WHERE agency_id = ANY($1::uuid[])`, [[a.agencyId, b.agencyId]]);
        expect(all.rowCount).toBe(2);
        const seenByB = await asAgency(b.agencyId, () => client.query(`SELECT local_code FROM crosswalks WHERE agency_id = $1`, [a.agencyId]));
        expect(seenByB.rows).toEqual([]);
        const everythingForB = await asAgency(b.agencyId, () => client.query(`SELECT DISTINCT agency_id FROM crosswalks`));
        expect(everythingForB.rows).toEqual([{ agency_id: b.agencyId }]);
        const seenByA = await asAgency(a.agencyId, () => client.query(`SELECT count(*)::int AS n FROM crosswalks WHERE agency_id = $1`, [a.agencyId]));
        expect(seenByA.rows[0].n).toBeGreaterThan(0);
        const noAgency = await asAgency('00000000-0000-4000-8000-000000000000', () => client.query(`SELECT count(*)::int AS n FROM crosswalks`));
        expect(noAgency.rows[0].n).toBe(0);
        await expect(
          asAgency(b.agencyId, () => client.query(`INSERT INTO crosswalks (agency_id, catalog, local_code, standard_code) VALUES ($1, 'offense', 'SMUGGLED', 'LGT-10')`, [a.agencyId])),
        ).rejects.toThrow(/row-level security/);
        const updated = await asAgency(b.agencyId, () => client.query(`UPDATE crosswalks SET standard_code = 'LGT-11' WHERE agency_id = $1`, [a.agencyId]));
        expect(updated.rowCount).toBe(0);
      } finally {
        client.release();
      }
    });

    it('lets the request role read the catalog tables but not change them', async () => {
      const client = await t.db.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL ROLE puente_app');
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM catalog_entries WHERE catalog = 'offense' AND version = '2026.1'`);
        expect(rows[0].n).toBe(41);
        await expect(client.query(`UPDATE catalogs SET label_en = 'x' WHERE name = 'offense'`)).rejects.toThrow(/permission denied/);
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    });
  });
});

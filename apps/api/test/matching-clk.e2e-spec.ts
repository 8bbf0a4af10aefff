import { randomBytes } from 'node:crypto';
import type { components } from '@app/client';
import { JobsService } from '@app/jobs';
import { createPrincipal, startTestApp, type TestApp, type TestPrincipal } from '@app/testing';
import { ClkEncoder, DEFAULT_LSH, encodeCsv } from '@app/clk';
import { MATCHING_OPS_QUEUE, MATCHING_QUEUE, MATCHING_RECLUSTER_QUEUE, MatchingEngineService, MatchingRebuildService } from '@app/matching';

type VictimDto = components['schemas']['VictimDto'];
type ClkDto = components['schemas']['ClkDto'];

/**
 * Privacy-preserving matching end to end: an NGO encodes its victims' names with the project's own
 * encoder (the CSV path of `clk:encode`) and submits only the CLKs; a prosecutor submits plaintext
 * records of the same persons with diminutives and typos. The engine links them into one person with
 * strength only, does not link a different person with a similar name, and shows no values across
 * agencies.
 */
describe('CLK (Bloom-filter) matching of records without names', () => {
  const secret = randomBytes(32).toString('base64');
  let t: TestApp;
  let ngo: TestPrincipal;
  let ngoPii: TestPrincipal;
  let fge: TestPrincipal;
  let other: TestPrincipal;
  let noReview: TestPrincipal;
  let readOnly: TestPrincipal;
  let jobs: JobsService;
  const drain = async () => {
    for (let i = 0; i < 2; i++) {
      await jobs.drain(MATCHING_QUEUE);
      await jobs.drain(MATCHING_OPS_QUEUE);
      await jobs.drain(MATCHING_RECLUSTER_QUEUE);
    }
  };
  const base = (over: Partial<VictimDto>): VictimDto => ({
    sex: 'female',
    nationality: ['MEX'],
    stateOfOrigin: '09',
    vulnerableGroups: ['SI'],
    victimType: 'direct',
    offenses: ['LGT-13'],
    ...over,
  });
  const put = async (p: TestPrincipal, localId: string, body: VictimDto) => {
    const res = await p.api.PUT('/v1/victims/{localId}', { params: { path: { localId } }, body });
    expect([200, 201]).toContain(res.response.status);
  };
  const person = async (p: TestPrincipal, localId: string) => {
    const res = await p.api.GET('/v1/victims/{localId}/person', { params: { path: { localId } } });
    expect(res.response.status).toBe(200);
    return res.data!;
  };
  const scopes = ['victims:read', 'victims:write', 'matches:review'] as const;
  // The NGO's own file: names stay on its machine; only the CLKs are sent.
  const ngoCsv = [
    'localId,firstName,middleName,paternalSurname,maternalSurname',
    'N-1,María Guadalupe,,Hernández,López',
    'N-2,José,Francisco,Vázquez,Jiménez',
    'N-3,Rosa Isela,,Morales,Cruz',
    'N-4,Itzel,,Tlapaltotoli,Cuauhtemotzin',
  ].join('\n');
  const clks = new Map<string, ClkDto & { keyCheck: string }>();

  beforeAll(async () => {
    t = await startTestApp({ CLK_SECRET: secret });
    jobs = t.app.get(JobsService);
    ngo = await createPrincipal(t, { scopes: [...scopes], kind: 'ngo' });
    ngoPii = await createPrincipal(t, { code: ngo.agencyCode, scopes: [...scopes, 'pii:read'] });
    fge = await createPrincipal(t, { scopes: [...scopes], kind: 'prosecutor' });
    other = await createPrincipal(t, { scopes: [...scopes], kind: 'victim_commission' });
    noReview = await createPrincipal(t, { code: ngo.agencyCode, scopes: ['victims:read', 'victims:write'] });
    readOnly = await createPrincipal(t, { code: ngo.agencyCode, scopes: ['victims:read', 'matches:review'] });
    for (const r of encodeCsv(ngoCsv, secret)) clks.set(r.localId, r.clk! as ClkDto & { keyCheck: string });
  });
  afterAll(() => t.close());

  it('links an NGO’s CLK-only records to a prosecutor’s plaintext records of the same persons (diminutive, typo, sound-alike)', async () => {
    await put(ngo, 'N-1', base({ clk: clks.get('N-1'), birthDate: '1990-03-14' }));
    await put(ngo, 'N-2', base({ clk: clks.get('N-2'), sex: 'male', birthDate: '1985-11-02' }));
    await put(ngo, 'N-3', base({ clk: clks.get('N-3'), birthDate: '1999-02-02' }));
    await put(fge, 'F-1', base({ names: { firstName: 'Lupita', paternalSurname: 'Hernandez', maternalSurname: 'Lopez' }, birthDate: '1990-03-14' }));
    await put(fge, 'F-2', base({ names: { firstName: 'José Francisco', paternalSurname: 'Basques', maternalSurname: 'Jimenes' }, sex: 'male', birthDate: '1985-02-11' }));
    // A different person with a similar name: other first name, other birth date.
    await put(fge, 'F-3', base({ names: { firstName: 'Rosa Elena', paternalSurname: 'Morales', maternalSurname: 'Cruz' }, birthDate: '2001-09-20' }));
    await drain();
    const n1 = await person(ngo, 'N-1');
    const f1 = await person(fge, 'F-1');
    expect(n1.personId).toBeTruthy();
    expect(f1.personId).toBe(n1.personId);
    expect(n1).toMatchObject({ records: 2, agencies: 2 });
    expect((await person(fge, 'F-2')).personId).toBe((await person(ngo, 'N-2')).personId);
    const n3 = await person(ngo, 'N-3');
    expect(n3.personId).not.toBe((await person(fge, 'F-3')).personId);
    expect(n3).toMatchObject({ records: 1, agencies: 1 });
  });

  it('stores the CLKs only encrypted and their LSH bands only as keyed hashes; the record keeps no name', async () => {
    const rows = await t.db.pool.query(`SELECT c.source, c.clk_enc, r.data::text AS data FROM match_clks c JOIN records r ON r.id = c.record_id`);
    expect(rows.rows.map((r) => r.source).sort()).toEqual(['server', 'server', 'server', 'submitted', 'submitted', 'submitted']);
    for (const r of rows.rows) {
      expect(r.clk_enc).toMatch(/^v1\./);
      for (const c of clks.values()) expect(r.clk_enc).not.toContain(c.encoding.slice(0, 20));
    }
    const keys = await t.db.pool.query(`SELECT key_hash FROM match_clk_keys`);
    expect(keys.rows.length).toBe(6 * DEFAULT_LSH.bands);
    for (const k of keys.rows) expect(String(k.key_hash)).toMatch(/^-?\d{1,19}$/);
    expect(new Set(keys.rows.map((k) => String(k.key_hash))).size).toBeGreaterThan(keys.rows.length / 2);
    const pairs = await t.db.pool.query(`SELECT levels, outcome, model_version FROM match_pairs WHERE model_version LIKE 'clk-%'`);
    expect(pairs.rows.filter((p) => p.outcome === 'link')).toHaveLength(2);
    for (const p of pairs.rows) expect(p.levels).toMatchObject({ firstName: 'missing', surnames: 'missing', curp: 'missing' });
  });

  it('returns the submitted CLK only with pii:read', async () => {
    const masked = await ngo.api.GET('/v1/victims/{localId}', { params: { path: { localId: 'N-1' } } });
    expect(masked.response.status).toBe(200);
    expect(masked.data!.pii).toBeNull();
    const full = await ngoPii.api.GET('/v1/victims/{localId}', { params: { path: { localId: 'N-1' } } });
    expect(full.data!.pii).toEqual({ clk: clks.get('N-1') });
  });

  it('a name-only agreement (no birth data on one side) becomes a review task showing strength and agreeing fields, never values', async () => {
    await put(ngo, 'N-4', base({ clk: clks.get('N-4') }));
    await put(fge, 'F-4', base({ names: { firstName: 'Itzel', paternalSurname: 'Tlapaltotoli', maternalSurname: 'Cuauhtemotzin' }, birthDate: '2004-06-01' }));
    await drain();
    const list = await fge.api.GET('/v1/matches/reviews', { params: { query: {} } });
    expect(list.response.status).toBe(200);
    const item = list.data!.items.find((i) => i.records.some((r) => r.localId === 'F-4'))!;
    expect(item).toBeDefined();
    expect(item.levels).toEqual({ clk: 'exact', firstName: 'missing', surnames: 'missing', curp: 'missing', birthDate: 'missing', sex: 'exact' });
    expect(item.score).toBeGreaterThanOrEqual(6);
    expect(item.score).toBeLessThan(14);
    expect(item.records).toEqual(
      expect.arrayContaining([
        { agencyCode: ngo.agencyCode, own: false, localId: null },
        { agencyCode: fge.agencyCode, own: true, localId: 'F-4' },
      ]),
    );
    const raw = JSON.stringify(list.data).toLowerCase();
    for (const v of ['itzel', 'tlapaltotoli', 'n-4', '2004-06-01', clks.get('N-4')!.encoding.slice(0, 16).toLowerCase()]) expect(raw).not.toContain(v);
    // The NGO sees the same task from its side; a third agency does not.
    const ngoList = await ngo.api.GET('/v1/matches/reviews', { params: { query: {} } });
    expect(ngoList.data!.items.find((i) => i.id === item.id)!.records).toEqual(expect.arrayContaining([{ agencyCode: ngo.agencyCode, own: true, localId: 'N-4' }]));
    const otherList = await other.api.GET('/v1/matches/reviews', { params: { query: {} } });
    expect(otherList.data!.items.map((i) => i.id)).not.toContain(item.id);
    // A reviewer decision links them, and survives a full rebuild.
    const dec = await ngo.api.POST('/v1/matches/reviews/{id}/decision', { params: { path: { id: item.id } }, body: { decision: 'same_person', reason: 'confirmed with the shelter' } });
    expect(dec.response.status).toBe(200);
    await drain();
    const engine = t.app.get(MatchingEngineService);
    await engine.processRecords(await engine.allProfiledRecordIds());
    expect((await person(ngo, 'N-4')).personId).toBe((await person(fge, 'F-4')).personId);
    expect((await person(ngo, 'N-1')).personId).toBe((await person(fge, 'F-1')).personId);
  });

  it('the bulk rebuild (matching:rebuild) keeps CLK-only records in their clusters, with their pairs, review tasks and decisions', async () => {
    const personKey = async (p: TestPrincipal, localId: string) => {
      const res = await p.api.GET('/v1/victims/{localId}', { params: { path: { localId } } });
      expect(res.response.status).toBe(200);
      return res.data!.personKey;
    };
    const linkedPairs = [
      [ngo, 'N-1', fge, 'F-1'],
      [ngo, 'N-2', fge, 'F-2'],
      [ngo, 'N-4', fge, 'F-4'],
    ] as const;
    const keysBefore: string[] = [];
    for (const [p, x, q, y] of linkedPairs) {
      const k = await personKey(p, x);
      expect(k).toMatch(/^[0-9a-f-]{36}$/);
      expect(await personKey(q, y)).toBe(k);
      keysBefore.push(k!);
    }
    const clkPairs = `SELECT record_a, record_b, outcome, score::float8 AS score, levels FROM match_pairs WHERE model_version LIKE 'clk-%' ORDER BY record_a, record_b`;
    const pairsBefore = (await t.db.pool.query(clkPairs)).rows;
    expect(pairsBefore.filter((p) => p.outcome === 'link').length).toBeGreaterThanOrEqual(2);
    const linksBefore = (await t.db.pool.query(`SELECT record_id, person_id FROM person_links ORDER BY record_id`)).rows;
    const clkCount = (await t.db.pool.query(`SELECT count(*)::int AS n FROM match_clks`)).rows[0].n;
    const reviewsBefore = await fge.api.GET('/v1/matches/reviews', { params: { query: { status: 'decided' } } });
    const decided = reviewsBefore.data!.items.find((i) => i.records.some((r) => r.localId === 'F-4'))!;
    expect(decided).toBeDefined();

    const result = await t.app.get(MatchingRebuildService).rebuild();

    // Same person keys, same clusters, same CLK pairs (scores and levels), the decided task still listed as decided.
    for (const [i, [p, x, q, y]] of linkedPairs.entries()) {
      expect(await personKey(p, x)).toBe(keysBefore[i]);
      expect(await personKey(q, y)).toBe(keysBefore[i]);
    }
    expect(await person(ngo, 'N-1')).toMatchObject({ personId: keysBefore[0], records: 2, agencies: 2 });
    expect((await t.db.pool.query(`SELECT record_id, person_id FROM person_links ORDER BY record_id`)).rows).toEqual(linksBefore);
    expect((await t.db.pool.query(clkPairs)).rows).toEqual(pairsBefore);
    const reviewsAfter = await fge.api.GET('/v1/matches/reviews', { params: { query: { status: 'decided' } } });
    expect(reviewsAfter.data!.items.find((i) => i.id === decided.id)).toMatchObject({ status: 'decided', score: decided.score, levels: decided.levels });
    const pending = await fge.api.GET('/v1/matches/reviews', { params: { query: {} } });
    expect(pending.data!.items.map((i) => i.id)).not.toContain(decided.id);
    expect(result.clk.records).toBe(clkCount);
    expect(result.clk.links).toBe(pairsBefore.filter((p) => p.outcome === 'link').length);
    expect(result.clk.reviews).toBe(pairsBefore.filter((p) => p.outcome === 'review').length);
  });

  it('another agency cannot read the NGO’s records or their cluster (404), and missing scopes are refused (403)', async () => {
    expect((await fge.api.GET('/v1/victims/{localId}/person', { params: { path: { localId: 'N-1' } } })).response.status).toBe(404);
    expect((await other.api.GET('/v1/victims/{localId}', { params: { path: { localId: 'N-1' } } })).response.status).toBe(404);
    expect((await noReview.api.GET('/v1/matches/reviews', { params: { query: {} } })).response.status).toBe(403);
    const ro = await readOnly.api.PUT('/v1/victims/{localId}', { params: { path: { localId: 'N-9' } }, body: base({ clk: clks.get('N-1') }) });
    expect(ro.response.status).toBe(403);
  });

  it('rejects a CLK of the wrong length, an unknown schema version or another secret with problem+json naming the field', async () => {
    const short = await ngo.api.PUT('/v1/victims/{localId}', {
      params: { path: { localId: 'N-X' } },
      body: base({ clk: { schema: 'puente-clk-v1', encoding: Buffer.alloc(64, 7).toString('base64') } }),
    });
    expect(short.response.status).toBe(422);
    expect(short.response.headers.get('content-type')).toContain('application/problem+json');
    expect(short.error!.errors).toEqual([expect.objectContaining({ pointer: '#/clk/encoding', rule: 'clkEncoding', detail: expect.stringContaining('128 bytes') })]);
    const schema = await ngo.api.PUT('/v1/victims/{localId}', { params: { path: { localId: 'N-X' } }, body: base({ clk: { ...clks.get('N-1')!, schema: 'puente-clk-v9' as ClkDto['schema'] } }) });
    expect(schema.response.status).toBe(422);
    expect(schema.error!.errors).toEqual([expect.objectContaining({ pointer: '#/clk/schema', allowed: ['puente-clk-v1'] })]);
    const foreign = new ClkEncoder('some-other-secret-that-is-long-enough-0123');
    const wrongKey = await ngo.api.PUT('/v1/victims/{localId}', {
      params: { path: { localId: 'N-X' } },
      body: base({ clk: { schema: 'puente-clk-v1', encoding: foreign.encodeBase64({ firstName: 'Ana', paternalSurname: 'Ruiz' })!, keyCheck: foreign.keyCheck } }),
    });
    expect(wrongKey.response.status).toBe(422);
    expect(wrongKey.error!.errors).toEqual([expect.objectContaining({ pointer: '#/clk/keyCheck', rule: 'clkKeyCheck' })]);
    const garbage = await ngo.api.PUT('/v1/victims/{localId}', { params: { path: { localId: 'N-X' } }, body: base({ clk: { schema: 'puente-clk-v1', encoding: 'not base64!' } }) });
    expect(garbage.response.status).toBe(422);
  });

  it('withdrawing the CLK-only record takes it out of its cluster', async () => {
    expect(await person(fge, 'F-2')).toMatchObject({ records: 2, agencies: 2 });
    const del = await ngo.api.DELETE('/v1/victims/{localId}', { params: { path: { localId: 'N-2' }, query: { reason: 'entered_in_error' } } });
    expect([200, 204]).toContain(del.response.status);
    await drain();
    expect(await person(fge, 'F-2')).toMatchObject({ records: 1, agencies: 1 });
    const rows = await t.db.pool.query(`SELECT count(*)::int AS n FROM match_clks c JOIN records r ON r.id = c.record_id WHERE r.local_id = 'N-2'`);
    expect(rows.rows[0].n).toBe(0);
  });
});

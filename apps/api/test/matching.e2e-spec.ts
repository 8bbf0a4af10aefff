import request from 'supertest';
import type { components } from '@app/client';
import { JobsService } from '@app/jobs';
import { MATCHING_OPS_QUEUE, MATCHING_QUEUE, MATCHING_RECLUSTER_QUEUE, MatchingEngineService, MatchingRebuildService } from '@app/matching';
import { createPrincipal, expectScopeGuard, startTestApp, type TestApp, type TestPrincipal } from '@app/testing';

type VictimDto = components['schemas']['VictimDto'];

const victim = (names: VictimDto['names'], over: Partial<VictimDto> = {}): VictimDto => ({
  names,
  sex: 'female',
  nationality: ['MEX'],
  stateOfOrigin: '09',
  vulnerableGroups: ['SI'],
  victimType: 'direct',
  offenses: ['LGT-13'],
  exploitationForms: ['sexual'],
  ...over,
});

describe('matching of victim records across agencies', () => {
  let t: TestApp;
  let a: TestPrincipal;
  let b: TestPrincipal;
  let c: TestPrincipal;
  let noScope: TestPrincipal;
  let jobs: JobsService;
  const drain = async () => {
    for (let i = 0; i < 2; i++) {
      await jobs.drain(MATCHING_QUEUE);
      await jobs.drain(MATCHING_OPS_QUEUE);
      await jobs.drain(MATCHING_RECLUSTER_QUEUE);
    }
  };
  const put = async (p: TestPrincipal, localId: string, body: VictimDto) => {
    const res = await p.api.PUT('/v1/victims/{localId}', { params: { path: { localId } }, body });
    expect([200, 201]).toContain(res.response.status);
  };
  const person = async (p: TestPrincipal, localId: string) => {
    const res = await p.api.GET('/v1/victims/{localId}/person', { params: { path: { localId } } });
    expect(res.response.status).toBe(200);
    return res.data!;
  };
  // Both ways of re-running everything: the incremental engine over all records, then the bulk rebuild
  // (`npm run cli -- matching:rebuild`). Reviewer decisions must survive both.
  const rebuild = async () => {
    const engine = t.app.get(MatchingEngineService);
    await engine.processRecords(await engine.allProfiledRecordIds());
    const result = await t.app.get(MatchingRebuildService).rebuild();
    expect(result.profiled).toBeGreaterThan(0);
  };
  const scopes = ['victims:read', 'victims:write', 'matches:review'] as const;

  beforeAll(async () => {
    t = await startTestApp();
    jobs = t.app.get(JobsService);
    a = await createPrincipal(t, { scopes: [...scopes], kind: 'prosecutor' });
    b = await createPrincipal(t, { scopes: [...scopes], kind: 'hotline' });
    c = await createPrincipal(t, { scopes: [...scopes], kind: 'victim_commission' });
    noScope = await createPrincipal(t, { code: a.agencyCode, scopes: ['victims:read', 'victims:write'] });
  });
  afterAll(() => t.close());

  it('the same person registered by three agencies with different spellings forms one cluster', async () => {
    await put(a, 'A-1', victim({ firstName: 'María Guadalupe', paternalSurname: 'Hernández', maternalSurname: 'López' }, { curp: 'HELG900314MDFRPD05', birthDate: '1990-03-14' }));
    await put(b, 'B-1', victim({ firstName: 'Lupita', paternalSurname: 'Hernandez' }, { birthDate: '1990-03-14' }));
    await put(c, 'C-1', victim({ firstName: 'Guadalupe', paternalSurname: 'Lopes', maternalSurname: 'Hernandez' }, { curp: 'HELG900314MDFRPD06', birthDate: '1990-03-14' }));
    await drain();
    const pa = await person(a, 'A-1');
    const pb = await person(b, 'B-1');
    const pc = await person(c, 'C-1');
    expect(pa.personId).toBeTruthy();
    expect([pb.personId, pc.personId]).toEqual([pa.personId, pa.personId]);
    expect(pa).toMatchObject({ localId: 'A-1', records: 3, agencies: 3 });
    expect(Object.keys(pa).sort()).toEqual(['agencies', 'localId', 'personId', 'records']);
  });

  it('stores blocking keys only as keyed hashes and profiles only encrypted', async () => {
    const keys = await t.db.pool.query(`SELECT key_type, key_hash FROM match_keys`);
    expect(keys.rows.length).toBeGreaterThan(0);
    for (const k of keys.rows) expect(k.key_hash).toMatch(/^[0-9a-f]{64}$/);
    const profiles = await t.db.pool.query(`SELECT profile_enc FROM match_profiles`);
    for (const p of profiles.rows) {
      expect(p.profile_enc).toMatch(/^v1\./);
      expect(p.profile_enc.toLowerCase()).not.toContain('hernandez');
    }
  });

  it('deleting a match profile deletes its keys (match_keys has no foreign key of its own; records themselves cannot be deleted)', async () => {
    const c = await t.db.pool.connect();
    try {
      await c.query('BEGIN');
      const [{ record_id: id }] = (await c.query(`SELECT record_id FROM match_keys LIMIT 1`)).rows as Array<{ record_id: string }>;
      const other = Number((await c.query(`SELECT count(*) FROM match_keys WHERE record_id <> $1`, [id])).rows[0].count);
      // Records are never deleted (record_versions restricts it; retention purges personal data instead).
      await c.query('SAVEPOINT s');
      await expect(c.query(`DELETE FROM records WHERE id = $1`, [id])).rejects.toThrow(/record_versions/);
      await c.query('ROLLBACK TO SAVEPOINT s');
      await c.query(`DELETE FROM match_profiles WHERE record_id = $1`, [id]);
      expect(Number((await c.query(`SELECT count(*) FROM match_keys WHERE record_id = $1`, [id])).rows[0].count)).toBe(0);
      expect(Number((await c.query(`SELECT count(*) FROM match_keys`)).rows[0].count)).toBe(other);
    } finally {
      await c.query('ROLLBACK');
      c.release();
    }
  });

  it('does not link the same common name with a different birth date and CURP, nor sisters', async () => {
    await put(a, 'A-2', victim({ firstName: 'María', paternalSurname: 'García', maternalSurname: 'Martínez' }, { curp: 'GAMM950101MDFRRR01', birthDate: '1995-01-01' }));
    await put(b, 'B-2', victim({ firstName: 'María', paternalSurname: 'García', maternalSurname: 'Martínez' }, { curp: 'GAMM880712MPLRRR02', birthDate: '1988-07-12' }));
    await put(a, 'A-3', victim({ firstName: 'Rosa Isela', paternalSurname: 'Morales', maternalSurname: 'Cruz' }, { birthDate: '1999-02-02' }));
    await put(b, 'B-3', victim({ firstName: 'Ana Karen', paternalSurname: 'Morales', maternalSurname: 'Cruz' }, { birthDate: '2001-09-20' }));
    await drain();
    expect((await person(a, 'A-2')).personId).not.toBe((await person(b, 'B-2')).personId);
    expect(await person(a, 'A-3')).toMatchObject({ records: 1, agencies: 1 });
    expect((await person(a, 'A-3')).personId).not.toBe((await person(b, 'B-3')).personId);
  });

  let reviewId: string;
  it('a pair between the thresholds becomes a review task listed to both agencies without the other agency’s names', async () => {
    // Twins: same surnames and birth date, different first names.
    await put(a, 'A-4', victim({ firstName: 'Itzayana', paternalSurname: 'Tlapaltotoli', maternalSurname: 'Cuauhtemotzin' }, { birthDate: '2005-06-01' }));
    await put(b, 'B-4', victim({ firstName: 'Xochiquetzal', paternalSurname: 'Tlapaltotoli', maternalSurname: 'Cuauhtemotzin' }, { birthDate: '2005-06-01' }));
    await drain();
    const listB = await b.api.GET('/v1/matches/reviews', { params: { query: {} } });
    expect(listB.response.status).toBe(200);
    const item = listB.data!.items.find((i) => i.records.some((r) => r.localId === 'B-4'))!;
    expect(item).toBeDefined();
    expect(item.status).toBe('pending');
    expect(item.levels).toEqual({ firstName: 'disagree', surnames: 'exact', birthDate: 'exact', curp: 'missing', sex: 'exact', nationality: 'exact', origin: 'exact', originMun: 'missing' });
    expect(item.records).toEqual(
      expect.arrayContaining([
        { agencyCode: a.agencyCode, own: false, localId: null },
        { agencyCode: b.agencyCode, own: true, localId: 'B-4' },
      ]),
    );
    const raw = JSON.stringify(listB.data).toLowerCase();
    for (const value of ['itzayana', 'xochiquetzal', 'tlapaltotoli', 'cuauhtemotzin', '"a-4"', '2005-06-01']) expect(raw).not.toContain(value);
    const listA = await a.api.GET('/v1/matches/reviews', { params: { query: {} } });
    expect(listA.data!.items.map((i) => i.id)).toContain(item.id);
    const listC = await c.api.GET('/v1/matches/reviews', { params: { query: {} } });
    expect(listC.data!.items.map((i) => i.id)).not.toContain(item.id);
    reviewId = item.id;
  });

  it('paginates review tasks with a keyset cursor', async () => {
    const all = await a.api.GET('/v1/matches/reviews', { params: { query: { limit: 500, status: 'pending' } } });
    expect(all.data!.items.length).toBeGreaterThan(0);
    const walked: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await a.api.GET('/v1/matches/reviews', { params: { query: { limit: 1, status: 'pending', ...(cursor ? { cursor } : {}) } } });
      expect(page.response.status).toBe(200);
      expect(page.data!.items.length).toBeLessThanOrEqual(1);
      walked.push(...page.data!.items.map((i) => i.id));
      cursor = page.data!.nextCursor ?? undefined;
    } while (cursor);
    expect(walked).toEqual(all.data!.items.map((i) => i.id));
    const bad = await a.api.GET('/v1/matches/reviews', { params: { query: { cursor: 'garbage' } } });
    expect(bad.response.status).toBe(422);
  });

  it('a different_persons decision is stored with who and why, and survives re-running the engine', async () => {
    const other = await c.api.POST('/v1/matches/reviews/{id}/decision', { params: { path: { id: reviewId } }, body: { decision: 'different_persons', reason: 'not mine' } });
    expect(other.response.status).toBe(404);
    const res = await b.api.POST('/v1/matches/reviews/{id}/decision', { params: { path: { id: reviewId } }, body: { decision: 'different_persons', reason: 'Twins, confirmed by the shelter' } });
    expect(res.response.status).toBe(200);
    expect(res.data).toMatchObject({ id: reviewId, status: 'decided', decision: 'different_persons' });
    const again = await a.api.POST('/v1/matches/reviews/{id}/decision', { params: { path: { id: reviewId } }, body: { decision: 'same_person', reason: 'second try' } });
    expect(again.response.status).toBe(409);
    const stored = await t.db.pool.query(`SELECT decision, client_id, reason, agency_id FROM match_decisions WHERE review_id = $1`, [reviewId]);
    expect(stored.rows[0]).toMatchObject({ decision: 'different_persons', client_id: b.clientId, reason: 'Twins, confirmed by the shelter', agency_id: b.agencyId });
    // A change of one record and a full rebuild both re-run the engine on the pair.
    await put(a, 'A-4', victim({ firstName: 'Itzayana', paternalSurname: 'Tlapaltotoli', maternalSurname: 'Cuauhtemotzin' }, { birthDate: '2005-06-01', vulnerableGroups: ['indigenous'] }));
    await drain();
    await rebuild();
    const review = await t.db.pool.query(`SELECT status, decision FROM match_reviews WHERE id = $1`, [reviewId]);
    expect(review.rows[0]).toEqual({ status: 'decided', decision: 'different_persons' });
    const pending = await t.db.pool.query(`SELECT count(*)::int AS n FROM match_reviews WHERE status = 'pending' AND id = $1`, [reviewId]);
    expect(pending.rows[0].n).toBe(0);
    expect((await person(a, 'A-4')).personId).not.toBe((await person(b, 'B-4')).personId);
    const audit = await t.db.pool.query(`SELECT fields FROM audit_log WHERE action = 'matches.decide' AND $1 = ANY(resource_ids)`, [reviewId]);
    expect(audit.rows).toHaveLength(1);
    expect(JSON.stringify(audit.rows)).not.toContain('Twins');
  });

  it('a same_person decision forces the link, and survives a rebuild', async () => {
    await put(a, 'A-5', victim({ firstName: 'Yoloxochitl', paternalSurname: 'Tepoztecatl', maternalSurname: 'Ixtlilxochitl' }, { birthDate: '2003-01-15' }));
    await put(c, 'C-5', victim({ firstName: 'Citlali', paternalSurname: 'Tepoztecatl', maternalSurname: 'Ixtlilxochitl' }, { birthDate: '2003-01-15' }));
    await drain();
    const list = await c.api.GET('/v1/matches/reviews', { params: { query: {} } });
    const item = list.data!.items.find((i) => i.records.some((r) => r.localId === 'C-5'))!;
    expect(item).toBeDefined();
    expect((await person(a, 'A-5')).records).toBe(1);
    const res = await c.api.POST('/v1/matches/reviews/{id}/decision', { params: { path: { id: item.id } }, body: { decision: 'same_person', reason: 'Citlali is a registered alias' } });
    expect(res.response.status).toBe(200);
    await drain();
    await rebuild();
    expect((await person(a, 'A-5')).personId).toBe((await person(c, 'C-5')).personId);
    expect(await person(a, 'A-5')).toMatchObject({ records: 2, agencies: 2 });
  });

  it('a reviewer splits own records off a cluster; the split survives a rebuild; clusters are merged back (audited)', async () => {
    const before = await person(a, 'A-1');
    const split = await a.api.POST('/v1/matches/clusters/{personId}/split', {
      params: { path: { personId: before.personId! } },
      body: { localIds: ['A-1'], reason: 'Different person per interview' },
    });
    expect(split.response.status).toBe(202);
    expect(split.data).toMatchObject({ op: 'split', status: 'queued' });
    await drain();
    await rebuild();
    const afterA = await person(a, 'A-1');
    const afterB = await person(b, 'B-1');
    expect(afterA.personId).not.toBe(afterB.personId);
    expect(afterB).toMatchObject({ records: 2, agencies: 2 });
    expect((await person(c, 'C-1')).personId).toBe(afterB.personId);
    // A cannot merge with a cluster that has none of its records (it cannot see it).
    const hidden = await a.api.POST('/v1/matches/clusters/{personId}/merge', {
      params: { path: { personId: afterA.personId! } },
      body: { otherPersonId: afterB.personId!, reason: 'Try to merge' },
    });
    expect(hidden.response.status).toBe(404);
    // B has records in both clusters? No: merge A-2 into A-1's cluster (both A's).
    const a2 = await person(a, 'A-2');
    const merge = await a.api.POST('/v1/matches/clusters/{personId}/merge', {
      params: { path: { personId: afterA.personId! } },
      body: { otherPersonId: a2.personId!, reason: 'Same person per documents' },
    });
    expect(merge.response.status).toBe(202);
    await drain();
    await rebuild();
    expect((await person(a, 'A-2')).personId).toBe((await person(a, 'A-1')).personId);
    const audit = await t.db.pool.query(`SELECT action FROM audit_log WHERE action IN ('matches.split', 'matches.merge') AND agency_id = $1 ORDER BY seq`, [a.agencyId]);
    expect(audit.rows.map((r) => r.action)).toEqual(['matches.split', 'matches.merge']);
  });

  it('every victim response carries personKey: the cluster id, shared across agencies, stable when unrelated records arrive and across a rebuild', async () => {
    const one = await a.api.GET('/v1/victims/{localId}', { params: { path: { localId: 'A-5' } } });
    expect(one.response.status).toBe(200);
    const key = one.data!.personKey;
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(key).toBe((await person(a, 'A-5')).personId);
    const theirs = await c.api.GET('/v1/victims/{localId}', { params: { path: { localId: 'C-5' } } });
    expect(theirs.data!.personKey).toBe(key);
    const list = await a.api.GET('/v1/victims', { params: { query: { limit: 100 } } });
    const listed = list.data!.items.find((i) => i.localId === 'A-5')!;
    expect(listed.personKey).toBe(key);
    for (const item of list.data!.items) expect(item).toHaveProperty('personKey');
    // a new record is null until matched; an unrelated record does not change the key
    const fresh = await a.api.PUT('/v1/victims/{localId}', { params: { path: { localId: 'A-7' } }, body: victim({ firstName: 'Nayeli', paternalSurname: 'Cuetlachtli', maternalSurname: 'Ocelotl' }, { birthDate: '1998-04-04' }) });
    expect(fresh.data!.personKey).toBeNull();
    await drain();
    expect((await a.api.GET('/v1/victims/{localId}', { params: { path: { localId: 'A-7' } } })).data!.personKey).toMatch(/^[0-9a-f-]{36}$/);
    expect((await a.api.GET('/v1/victims/{localId}', { params: { path: { localId: 'A-5' } } })).data!.personKey).toBe(key);
    const before = await t.db.pool.query(`SELECT record_id, person_id FROM person_links ORDER BY record_id`);
    await t.app.get(MatchingRebuildService).rebuild();
    const after = await t.db.pool.query(`SELECT record_id, person_id FROM person_links ORDER BY record_id`);
    expect(after.rows).toEqual(before.rows);
  });

  it('the bulk rebuild writes term counts and blocking keys only as keyed hashes', async () => {
    const terms = await t.db.pool.query(`SELECT term_hash, n FROM match_term_counts`);
    expect(terms.rows.length).toBeGreaterThan(0);
    for (const r of terms.rows) expect(r.term_hash).toMatch(/^[0-9a-f]{64}$/);
    const idx = await t.db.pool.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'match_keys' AND indexname = 'ix_match_keys_hash'`);
    expect(idx.rows).toHaveLength(1);
  });

  it('withdrawing a record takes it out of its cluster', async () => {
    await put(a, 'A-6', victim({ firstName: 'Perla', paternalSurname: 'Zacatenco', maternalSurname: 'Quiahuitl' }, { curp: 'ZAQP010101MDFCRR01', birthDate: '2001-01-01' }));
    await put(b, 'B-6', victim({ firstName: 'Perla', paternalSurname: 'Zacatenco', maternalSurname: 'Quiahuitl' }, { curp: 'ZAQP010101MDFCRR01', birthDate: '2001-01-01' }));
    await drain();
    expect((await person(a, 'A-6')).records).toBe(2);
    const del = await b.api.DELETE('/v1/victims/{localId}', { params: { path: { localId: 'B-6' }, query: { reason: 'entered_in_error' } } });
    expect(del.response.status).toBe(200);
    await drain();
    expect(await person(a, 'A-6')).toMatchObject({ records: 1, agencies: 1 });
  });

  it('stats count pairs, links and pending reviews', async () => {
    const res = await a.api.GET('/v1/matches/stats');
    expect(res.response.status).toBe(200);
    expect(res.data!.pairsCompared).toBeGreaterThan(0);
    expect(res.data!.links).toBeGreaterThan(0);
    expect(res.data!.recordsProfiled).toBeGreaterThan(0);
    expect(res.data!.thresholds.upper).toBeGreaterThan(res.data!.thresholds.lower);
  });

  it("another agency's record or cluster is 404", async () => {
    expect((await a.api.GET('/v1/victims/{localId}/person', { params: { path: { localId: 'B-1' } } })).response.status).toBe(404);
    const pb = await person(b, 'B-1');
    const split = await a.api.POST('/v1/matches/clusters/{personId}/split', { params: { path: { personId: pb.personId! } }, body: { localIds: ['A-1'], reason: 'not visible' } });
    expect(split.response.status).toBe(404);
    const bad = await a.api.POST('/v1/matches/reviews/{id}/decision', { params: { path: { id: 'not-a-uuid' } }, body: { decision: 'same_person', reason: 'xyz' } });
    expect(bad.response.status).toBe(404);
  });

  it('invalid bodies are 422 with pointers', async () => {
    const res = await request(t.baseUrl).post(`/v1/matches/reviews/${reviewId}/decision`).set('Authorization', `Bearer ${b.token}`).send({ decision: 'maybe', reason: 'x' });
    expect(res.status).toBe(422);
    const pointers = (res.body.errors as Array<{ pointer: string }>).map((e) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['#/decision', '#/reason']));
    const pa = await person(a, 'A-1');
    const split = await request(t.baseUrl).post(`/v1/matches/clusters/${pa.personId}/split`).set('Authorization', `Bearer ${a.token}`).send({ localIds: [], reason: 'ok reason' });
    expect(split.status).toBe(422);
    expect(split.body.errors[0].pointer).toBe('#/localIds');
    const notMember = await request(t.baseUrl).post(`/v1/matches/clusters/${pa.personId}/split`).set('Authorization', `Bearer ${a.token}`).send({ localIds: ['A-3'], reason: 'ok reason' });
    expect(notMember.status).toBe(422);
    expect(notMember.body.errors[0].pointer).toBe('#/localIds/0');
    const merge = await request(t.baseUrl).post(`/v1/matches/clusters/${pa.personId}/merge`).set('Authorization', `Bearer ${a.token}`).send({ otherPersonId: 'nope', reason: 'ok reason' });
    expect(merge.status).toBe(422);
    expect(merge.body.errors[0].pointer).toBe('#/otherPersonId');
    const list = await request(t.baseUrl).get('/v1/matches/reviews?status=open').set('Authorization', `Bearer ${a.token}`);
    expect(list.status).toBe(422);
  });

  it('nationality and the state and municipality of origin link a name-only pair; another state keeps it out', async () => {
    const names = { firstName: 'Xiadani', paternalSurname: 'Tepatl', maternalSurname: 'Coyotzin' };
    const origin = { nationality: ['MEX'], stateOfOrigin: '29', municipalityOfOrigin: '033' };
    await put(a, 'A-20', victim(names, origin));
    await put(b, 'B-20', victim({ ...names, firstName: 'XIADANI' }, origin));
    await put(c, 'C-20', victim(names, { nationality: ['MEX'], stateOfOrigin: '21' }));
    await drain();
    const pa = await person(a, 'A-20');
    expect(pa).toMatchObject({ records: 2, agencies: 2 });
    expect((await person(b, 'B-20')).personId).toBe(pa.personId);
    expect((await person(c, 'C-20')).personId).not.toBe(pa.personId);
    // the name alone (13.88 bits) is a review; here the state of origin disagrees on top
    const list = await c.api.GET('/v1/matches/reviews', { params: { query: { limit: 100 } } });
    const tasks = list.data!.items.filter((i) => i.records.some((r) => r.localId === 'C-20'));
    expect(tasks).toHaveLength(2);
    for (const task of tasks) {
      expect(task.levels).toMatchObject({ firstName: 'exact', surnames: 'exact', birthDate: 'missing', nationality: 'exact', origin: 'disagree', originMun: 'missing' });
      expect(task.score).toBeLessThan(13.88);
    }
    // the bulk rebuild reads the same fields
    await rebuild();
    expect((await person(b, 'B-20')).personId).toBe((await person(a, 'A-20')).personId);
    expect((await person(c, 'C-20')).personId).not.toBe((await person(a, 'A-20')).personId);
    const pairs = await t.db.pool.query(
      `SELECT p.levels FROM match_pairs p JOIN records r ON r.id IN (p.record_a, p.record_b) WHERE r.local_id = 'A-20' AND p.model_version NOT LIKE 'clk-%'`,
    );
    expect(pairs.rows.map((r) => r.levels.origin).sort()).toEqual(['disagree', 'exact']);
  });

  const matchesOf = async (p: TestPrincipal, localId: string, limit?: number) => {
    const res = await p.api.GET('/v1/victims/{localId}/matches', { params: { path: { localId }, query: limit ? { limit } : {} } });
    expect(res.response.status).toBe(200);
    return { data: res.data!, raw: JSON.stringify(res.data) };
  };

  it('GET /v1/victims/{localId}/matches lists the other agency’s record with agency, score, strength and field levels, never its values; both sides; own duplicates with localId', async () => {
    const bValues = { firstName: 'Lupita', paternalSurname: 'Tecuanhuey', maternalSurname: 'Xicotencatl' };
    await put(a, 'A-M1', victim({ firstName: 'Guadalupe', paternalSurname: 'Tecuanhuey', maternalSurname: 'Xicohtencatl' }, { birthDate: '1992-08-23' }));
    await put(b, 'B-M1', victim(bValues, { birthDate: '1992-08-23', curp: 'TEXG920823MTLCCD09', phone: '+52 246 555 0199', notes: 'Rescatada en Apizaco' }));
    await put(a, 'A-M1b', victim({ firstName: 'Guadalupe', paternalSurname: 'Tecuanhuey', maternalSurname: 'Xicohtencatl' }, { birthDate: '1992-08-23' }));
    await drain();

    const { data: ma, raw: rawA } = await matchesOf(a, 'A-M1');
    expect(ma.localId).toBe('A-M1');
    expect(ma.personKey).toBe((await person(a, 'A-M1')).personId);
    const fromB = ma.items.filter((i) => !i.own);
    expect(fromB).toHaveLength(1);
    expect(fromB[0]).toEqual({
      agencyCode: b.agencyCode,
      agencyKind: 'hotline',
      own: false,
      score: expect.any(Number),
      strength: 'link',
      fields: { firstName: 'close', surnames: 'close', birthDate: 'exact', curp: 'missing', sex: 'exact', nationality: 'exact', origin: 'exact', originMun: 'missing' },
      samePerson: true,
      decision: null,
    });
    expect(fromB[0].score).toBeGreaterThanOrEqual(14);
    expect(fromB[0]).not.toHaveProperty('localId');
    // the caller's own duplicate is shown with its localId
    expect(ma.items.find((i) => i.own)).toMatchObject({ agencyCode: a.agencyCode, own: true, localId: 'A-M1b', strength: 'link', samePerson: true });
    // highest score first
    expect(ma.items.map((i) => i.score)).toEqual([...ma.items.map((i) => i.score)].sort((x, y) => y - x));
    // none of B's submitted values anywhere in the body (nor B's localId)
    const lowerA = rawA.toLowerCase();
    for (const value of ['lupita', 'tecuanhuey', 'xicotencatl', 'xicohtencatl', 'guadalupe', '1992-08-23', '1992', 'texg920823mtlccd09', '246 555', 'apizaco', 'b-m1']) expect(lowerA).not.toContain(value);

    // B sees A's two records the same way: agency code, own=false, no localId
    const { data: mb, raw: rawB } = await matchesOf(b, 'B-M1');
    expect(mb.personKey).toBe(ma.personKey);
    expect(mb.items).toHaveLength(2);
    for (const item of mb.items) {
      expect(item).toMatchObject({ agencyCode: a.agencyCode, agencyKind: 'prosecutor', own: false, strength: 'link', samePerson: true, decision: null });
      expect(item).not.toHaveProperty('localId');
      expect(item.fields).toMatchObject({ firstName: 'close', birthDate: 'exact' });
    }
    for (const value of ['guadalupe', 'tecuanhuey', 'xicohtencatl', '1992-08-23', 'a-m1']) expect(rawB.toLowerCase()).not.toContain(value);

    // limit: the first candidate only; bounds validated
    expect((await matchesOf(b, 'B-M1', 1)).data.items).toEqual([mb.items[0]]);
    const tooMany = await request(t.baseUrl).get('/v1/victims/B-M1/matches?limit=101').set('Authorization', `Bearer ${b.token}`);
    expect(tooMany.status).toBe(422);
  });

  it('GET /v1/victims/{localId}/matches is 404 for another agency’s localId and for an unknown one', async () => {
    const theirs = await b.api.GET('/v1/victims/{localId}/matches', { params: { path: { localId: 'A-M1' } } });
    expect(theirs.response.status).toBe(404);
    const raw = await request(t.baseUrl).get('/v1/victims/A-M1/matches').set('Authorization', `Bearer ${b.token}`);
    expect(raw.status).toBe(404);
    expect(raw.text.toLowerCase()).not.toContain('tecuanhuey');
    expect((await a.api.GET('/v1/victims/{localId}/matches', { params: { path: { localId: 'A-nope' } } })).response.status).toBe(404);
  });

  it('GET /v1/victims/{localId}/matches shows a review pair as not the same person until a reviewer decides same_person', async () => {
    // Twins' pattern (different first names, same surnames and birth date): review band, never linked automatically.
    await put(a, 'A-M2', victim({ firstName: 'Anahí', paternalSurname: 'Cuatlapantzi', maternalSurname: 'Zempoalteca' }, { birthDate: '2004-11-30' }));
    await put(b, 'B-M2', victim({ firstName: 'Yaretzi', paternalSurname: 'Cuatlapantzi', maternalSurname: 'Zempoalteca' }, { birthDate: '2004-11-30' }));
    await drain();
    const [before] = (await matchesOf(a, 'A-M2')).data.items;
    expect(before).toMatchObject({ agencyCode: b.agencyCode, own: false, strength: 'review', samePerson: false, decision: null, fields: { firstName: 'disagree', surnames: 'exact', birthDate: 'exact' } });
    expect(before.score).toBeLessThan(14);
    const reviews = await b.api.GET('/v1/matches/reviews', { params: { query: { limit: 500 } } });
    const task = reviews.data!.items.find((i) => i.records.some((r) => r.localId === 'B-M2'))!;
    expect(task).toBeDefined();
    const decided = await b.api.POST('/v1/matches/reviews/{id}/decision', { params: { path: { id: task.id } }, body: { decision: 'same_person', reason: 'Alias confirmed by the hotline' } });
    expect(decided.response.status).toBe(200);
    await drain();
    const { data: after, raw } = await matchesOf(a, 'A-M2');
    expect(after.items).toEqual([{ ...before, samePerson: true, decision: 'same_person' }]);
    expect(raw.toLowerCase()).not.toContain('yaretzi');
    expect((await matchesOf(b, 'B-M2')).data.items[0]).toMatchObject({ agencyCode: a.agencyCode, own: false, samePerson: true, decision: 'same_person' });
    expect((await matchesOf(b, 'B-M2')).data.personKey).toBe(after.personKey);
  });

  it('GET /v1/victims/{localId}/matches is 401 without a token and 403 without matches:review', async () => {
    await expectScopeGuard(t, ['get', '/v1/victims/A-M1/matches'], { none: noScope.token });
  });

  // Three values per row: jest-each would otherwise pass `done` as the third argument.
  const routes: Array<[string, string, object | null]> = [
    ['get', '/v1/matches/reviews', null],
    ['post', '/v1/matches/reviews/3fa85f64-5717-4562-b3fc-2c963f66afa6/decision', { decision: 'same_person', reason: 'why not' }],
    ['post', '/v1/matches/clusters/3fa85f64-5717-4562-b3fc-2c963f66afa6/split', { localIds: ['A-1'], reason: 'why not' }],
    ['post', '/v1/matches/clusters/3fa85f64-5717-4562-b3fc-2c963f66afa6/merge', { otherPersonId: '3fa85f64-5717-4562-b3fc-2c963f66afa7', reason: 'why not' }],
    ['get', '/v1/matches/stats', null],
    ['get', '/v1/victims/A-1/person', null],
  ];
  it.each(routes)('%s %s is 401 without a token and 403 without matches:review', async (method, path, body) => {
    const call = (token?: string) => {
      const r = method === 'get' ? request(t.baseUrl).get(path) : request(t.baseUrl).post(path).send(body ?? {});
      return token ? r.set('Authorization', `Bearer ${token}`) : r;
    };
    expect((await call()).status).toBe(401);
    expect((await call(noScope.token)).status).toBe(403);
  });
});

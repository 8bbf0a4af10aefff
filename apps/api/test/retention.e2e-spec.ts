import { createPrincipal, registerSensitive, startTestApp, type TestApp, type TestPrincipal } from '@app/testing';
// After @app/testing, which loads the whole application first (the libs' module graph has cycles through the entity list).
import { RetentionService } from '@app/records';
import { JobsService } from '@app/jobs';

const CURP = 'MAXX880202MJCRRN07';
const NAME = 'Citlalmina';
registerSensitive(CURP, NAME);

describe('retention of personal data: withdrawal, legal hold, purge', () => {
  let t: TestApp;
  let a: TestPrincipal;
  let b: TestPrincipal;
  const victim = (localId: string) => ({
    localId,
    names: { firstName: NAME, paternalSurname: 'Ramírez' },
    curp: CURP,
    sex: 'female',
    birthDate: '1988-02-02',
    nationality: ['MEX'],
    stateOfOrigin: '14',
    vulnerableGroups: ['indigenous'],
    victimType: 'direct',
    offenses: ['LGT-13'],
  });
  beforeAll(async () => {
    t = await startTestApp({ RETENTION_WITHDRAWN_DAYS: '0' });
    a = await createPrincipal(t, { scopes: ['victims:read', 'victims:write', 'pii:read'] });
    b = await createPrincipal(t, { scopes: ['victims:read', 'victims:write'] });
    const res = await a.api.POST('/v1/victims/batch', { body: { entries: [victim('R-1'), victim('R-2'), victim('R-3')] } });
    if (res.data?.summary.created !== 3) throw new Error('setup: batch failed');
    for (const localId of ['R-1', 'R-2']) {
      const del = await a.api.DELETE('/v1/victims/{localId}', { params: { path: { localId }, query: { reason: 'withdrawn_by_victim' } } });
      if (del.response.status !== 200) throw new Error('setup: withdrawal failed');
    }
  });
  afterAll(() => t.close());

  it('places a legal hold on an own record; another agency gets 404, a token without the write scope 403', async () => {
    const hold = await a.api.PUT('/v1/legal-holds/{kind}/{localId}', { params: { path: { kind: 'victims', localId: 'R-2' } }, body: { reason: 'ongoing_proceedings' } });
    expect(hold.data).toEqual({ kind: 'victims', localId: 'R-2', legalHold: 'ongoing_proceedings' });
    const other = await b.api.PUT('/v1/legal-holds/{kind}/{localId}', { params: { path: { kind: 'victims', localId: 'R-2' } }, body: { reason: 'audit' } });
    expect([other.response.status, other.data]).toEqual([404, undefined]);
    const reader = await createPrincipal(t, { code: a.agencyCode, scopes: ['victims:read'] });
    const denied = await reader.api.PUT('/v1/legal-holds/{kind}/{localId}', { params: { path: { kind: 'victims', localId: 'R-2' } }, body: { reason: 'audit' } });
    expect(denied.response.status).toBe(403);
    const bad = await a.api.PUT('/v1/legal-holds/{kind}/{localId}', { params: { path: { kind: 'victims', localId: 'R-2' } }, body: { reason: 'because' as never } });
    expect(bad.response.status).toBe(422);
  });

  it('purges the personal data of withdrawn records past retention, keeps held and active ones, and leaves statistics intact', async () => {
    const retention = t.app.get(RetentionService);
    const jobs = t.app.get(JobsService);
    for (const q of jobs.registeredQueues().filter((n) => n.startsWith('matching'))) await jobs.drain(q);
    const profileCount = (localId: string) =>
      t.db.pool.query(`SELECT count(*)::int AS n FROM match_profiles p JOIN records r ON r.id = p.record_id WHERE r.local_id = $1 AND r.agency_id = $2`, [localId, a.agencyId]);
    expect((await profileCount('R-3')).rows[0].n).toBe(1);
    expect(await retention.purge(500, true)).toEqual({ purged: 0, due: 1 });
    const factsBefore = await t.db.pool.query(`SELECT local_id, sex, birth_year FROM victim_facts WHERE agency_id = $1 ORDER BY local_id`, [a.agencyId]);
    expect(await retention.purge()).toEqual({ purged: 1, due: 0 });
    const rows = await t.db.pool.query(`SELECT local_id, pii_enc, pii_purged_at FROM records WHERE agency_id = $1 ORDER BY local_id`, [a.agencyId]);
    expect(rows.rows.map((r) => [r.local_id, r.pii_enc === null, r.pii_purged_at !== null])).toEqual([
      ['R-1', true, true],
      ['R-2', false, false],
      ['R-3', false, false],
    ]);
    const versions = await t.db.pool.query(`SELECT count(*)::int AS n FROM record_versions v JOIN records r ON r.id = v.record_id WHERE r.local_id = 'R-1' AND r.agency_id = $1 AND v.pii_enc IS NOT NULL`, [a.agencyId]);
    expect(versions.rows[0].n).toBe(0);
    const facts = await t.db.pool.query(`SELECT local_id, sex, birth_year, curp_hash FROM victim_facts WHERE agency_id = $1 ORDER BY local_id`, [a.agencyId]);
    expect(facts.rows.map(({ local_id, sex, birth_year }) => ({ local_id, sex, birth_year }))).toEqual(factsBefore.rows);
    expect(facts.rows.find((r) => r.local_id === 'R-1')!.curp_hash).toBeNull();
    expect((await profileCount('R-3')).rows[0].n).toBe(1);
    const r1 = await a.api.GET('/v1/victims/{localId}', { params: { path: { localId: 'R-1' } } });
    expect(r1.data).toMatchObject({ pii: null, data: expect.objectContaining({ sex: 'female' }) });
    const audit = await t.db.pool.query(`SELECT resource_ids, resource_agency_id FROM audit_log WHERE action = 'retention.purge'`);
    expect(audit.rows).toEqual([{ resource_ids: ['victims/R-1'], resource_agency_id: a.agencyId }]);
  });

  it('a released hold makes the record purgeable', async () => {
    const released = await a.api.DELETE('/v1/legal-holds/{kind}/{localId}', { params: { path: { kind: 'victims', localId: 'R-2' } } });
    expect(released.data?.legalHold).toBeNull();
    expect(await t.app.get(RetentionService).purge()).toEqual({ purged: 1, due: 0 });
  });

  it('an active record past RETENTION_DAYS is purged too, with the matching data derived from it', async () => {
    const profiles = () =>
      t.db.pool.query(`SELECT count(*)::int AS n FROM match_profiles p JOIN records r ON r.id = p.record_id WHERE r.local_id = 'R-3' AND r.agency_id = $1`, [a.agencyId]);
    expect((await profiles()).rows[0].n).toBe(1);
    await t.db.pool.query(`UPDATE records SET updated_at = now() - interval '3651 days' WHERE local_id = 'R-3' AND agency_id = $1`, [a.agencyId]);
    expect(await t.app.get(RetentionService).purge()).toEqual({ purged: 1, due: 0 });
    expect((await profiles()).rows[0].n).toBe(0);
    const keys = await t.db.pool.query(`SELECT count(*)::int AS n FROM match_keys k JOIN records r ON r.id = k.record_id WHERE r.local_id = 'R-3'`);
    expect(keys.rows[0].n).toBe(0);
  });
});

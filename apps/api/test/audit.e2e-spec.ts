import request from 'supertest';
import { AuditService } from '@app/audit';
import { createPrincipal, startTestApp, type TestApp, type TestPrincipal } from '@app/testing';

describe('audit trail', () => {
  let t: TestApp;
  let auditor: TestPrincipal;
  let other: TestPrincipal;
  let oversight: TestPrincipal;
  beforeAll(async () => {
    t = await startTestApp();
    await createPrincipal(t, { code: 'ops', kind: 'oversight', jurisdiction: 'FED', scopes: ['admin'] });
    auditor = await createPrincipal(t, { code: 'fge-mor', scopes: ['audit:read', 'admin'], jurisdiction: '17' });
    other = await createPrincipal(t, { code: 'fge-pue', scopes: ['audit:read'], jurisdiction: '21' });
    oversight = await createPrincipal(t, { code: 'cndh', kind: 'oversight', jurisdiction: 'FED', scopes: ['audit:read'] });
  });
  afterAll(() => t.close());

  it('records authentication failures without the presented credentials', async () => {
    const bad = await request(t.baseUrl).get('/v1/agencies/me').set('authorization', 'Bearer not.a.token').set('x-request-id', 'audit-bad-token');
    expect(bad.status).toBe(401);
    await request(t.baseUrl).post('/oauth/token').type('form').send({ grant_type: 'client_credentials', client_id: other.clientId, client_secret: 'wrong-secret-value' });
    const { rows } = await t.db.pool.query(`SELECT * FROM audit_log WHERE action = 'auth.failure' ORDER BY seq`);
    expect(rows.map((r) => r.request_id)).toContain('audit-bad-token');
    expect(rows.some((r) => r.actor === other.clientId)).toBe(true);
    expect(JSON.stringify(rows)).not.toContain('wrong-secret-value');
    expect(JSON.stringify(rows)).not.toContain('not.a.token');
  });

  it('records admin actions with actor and resource, and an agency sees its own events only', async () => {
    const created = await auditor.api.POST('/v1/admin/clients', { body: { agency: 'fge-mor', name: 'second system', scopes: ['victims:read'] } });
    expect(created.response.status).toBe(201);
    const mine = await auditor.api.GET('/v1/audit', { params: { query: { action: 'admin.clients.create' } } });
    expect(mine.data?.items).toEqual([expect.objectContaining({ actor: auditor.clientId, resourceIds: [created.data!.clientId], agencyId: auditor.agencyId })]);
    expect(JSON.stringify(mine.data)).not.toContain(created.data!.clientSecret);
    const theirs = await other.api.GET('/v1/audit', { params: { query: { action: 'admin.clients.create' } } });
    expect(theirs.data?.items).toEqual([]);
    const all = await oversight.api.GET('/v1/audit', { params: { query: { action: 'admin.clients.create' } } });
    expect(all.data?.items.map((e) => e.actor)).toContain(auditor.clientId);
  });

  it('pages newest first with a cursor', async () => {
    const first = await oversight.api.GET('/v1/audit', { params: { query: { limit: 2 } } });
    expect(first.data?.items).toHaveLength(2);
    const second = await oversight.api.GET('/v1/audit', { params: { query: { limit: 2, cursor: first.data!.nextCursor! } } });
    expect(Number(second.data!.items[0].seq)).toBeLessThan(Number(first.data!.items[1].seq));
  });

  it('the request role can neither update nor delete entries; no role can through the triggers', async () => {
    const c = await t.db.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('SET LOCAL ROLE puente_app');
      await expect(c.query(`UPDATE audit_log SET outcome = 'ok'`)).rejects.toThrow(/permission denied/);
      await c.query('ROLLBACK');
      await expect(c.query(`DELETE FROM audit_log WHERE seq = 1`)).rejects.toThrow(/append-only/);
      // Not even the sealer's flag allows changing an entry's content.
      await c.query('BEGIN');
      await c.query(`SELECT set_config('puente.audit_sealing', 'on', true)`);
      await expect(c.query(`UPDATE audit_log SET outcome = 'ok'`)).rejects.toThrow(/append-only/);
      await c.query('ROLLBACK');
      await expect(c.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
    } finally {
      c.release();
    }
  });

  it('verification passes on an intact chain and finds an altered and a removed entry', async () => {
    const audit = t.app.get(AuditService);
    for (const id of ['v1', 'v2']) await request(t.baseUrl).get('/v1/agencies/me').set('authorization', `Bearer bad-${id}`);
    // Sealing only takes entries of transactions older than the oldest one running on the server (other
    // test files share it), so it may take a few rounds to seal everything: poll, bounded.
    let intact = await audit.verify();
    for (const deadline = Date.now() + 30_000; intact.unsealed > 0 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 100));
      intact = await audit.verify();
    }
    expect(intact).toMatchObject({ ok: true, firstBrokenSeq: null, unsealed: 0 });
    expect(intact.entries).toBeGreaterThan(3);
    const { rows: chained } = await t.db.pool.query(`SELECT chain_no::int AS n, outcome FROM audit_log ORDER BY chain_no`);
    expect(chained.map((r) => r.n)).toEqual(chained.map((_r, i) => i + 1));
    // A superuser who disables the protection triggers can still tamper; verification catches it.
    await t.db.pool.query(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`);
    const original = chained[1].outcome;
    await t.db.pool.query(`UPDATE audit_log SET outcome = 'tampered' WHERE chain_no = 2`);
    expect(await audit.verify()).toMatchObject({ ok: false, firstBrokenSeq: '2', reason: expect.stringMatching(/altered/) });
    await t.db.pool.query(`UPDATE audit_log SET outcome = $1 WHERE chain_no = 2`, [original]); // restore
    expect((await audit.verify()).ok).toBe(true);
    await t.db.pool.query(`DELETE FROM audit_log WHERE chain_no = 3`);
    await t.db.pool.query(`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update`);
    expect(await audit.verify()).toMatchObject({ ok: false, firstBrokenSeq: '4', reason: expect.stringMatching(/removed/) });
  });
});

import request from 'supertest';
import type { components } from '@app/client';
import { createPrincipal, startTestApp, type TestApp, type TestPrincipal } from '@app/testing';

type VictimBatchEntryDto = components['schemas']['VictimBatchEntryDto'];

const entry = (localId: string, sex = 'female'): VictimBatchEntryDto => ({
  localId,
  sex,
  nationality: ['MEX'],
  stateOfOrigin: '09',
  vulnerableGroups: ['SI'],
  victimType: 'direct',
  offenses: ['LGT-10'],
});

describe('change feed', () => {
  let t: TestApp;
  let a: TestPrincipal;
  let a2: TestPrincipal;
  let b: TestPrincipal;
  let noRead: TestPrincipal;

  beforeAll(async () => {
    t = await startTestApp();
    a = await createPrincipal(t, { scopes: ['victims:read', 'victims:write', 'cases:read'] });
    a2 = await createPrincipal(t, { code: a.agencyCode, scopes: ['victims:write'] });
    b = await createPrincipal(t, { scopes: ['victims:read', 'victims:write'] });
    noRead = await createPrincipal(t, { code: a.agencyCode, scopes: ['victims:write'] });
  });
  afterAll(() => t.close());

  it('a consumer paging while writes continue receives every change exactly once, in commit order', async () => {
    const expected = new Set<string>();
    const writers = Array.from({ length: 4 }, (_, w) =>
      (async () => {
        for (let round = 0; round < 12; round++) {
          const entries = Array.from({ length: 5 }, (_, i) => entry(`W${w}-${round}-${i}`));
          const client = w % 2 ? a2 : a;
          const res = await client.api.POST('/v1/victims/batch', { body: { entries } });
          for (const r of res.data!.results) expected.add(`${r.localId}@${r.version}`);
          if (round % 3 === 0) {
            // updates and withdrawals too
            const upd = await client.api.PUT('/v1/victims/{localId}', { params: { path: { localId: `W${w}-${round}-0` } }, body: { ...entry('x', 'male'), localId: undefined } as never });
            expected.add(`W${w}-${round}-0@${upd.data!.version}`);
            const del = await client.api.DELETE('/v1/victims/{localId}', { params: { path: { localId: `W${w}-${round}-1` }, query: { reason: 'duplicate' } } });
            expected.add(`W${w}-${round}-1@${del.data!.version}`);
          }
        }
      })(),
    );
    const received: string[] = [];
    let cursor: string | undefined;
    let writing = true;
    const all = Promise.all(writers).finally(() => (writing = false));
    const consume = async () => {
      const page = await a.api.GET('/v1/changes', { params: { query: { after: cursor, limit: 7 } } });
      expect(page.response.status).toBe(200);
      received.push(...page.data!.items.map((c) => `${c.localId}@${c.version}`));
      cursor = page.data!.nextCursor;
      return page.data!.hasMore;
    };
    while (writing) await consume();
    await all;
    // The feed only shows transactions older than the oldest one still running anywhere on the server
    // (other test files share it), so the tail may take a moment to appear: poll, bounded.
    const deadline = Date.now() + 30_000;
    while (received.length < expected.size && Date.now() < deadline) {
      if (!(await consume())) await new Promise((r) => setTimeout(r, 100));
    }
    await consume();
    expect(received.length).toBe(new Set(received).size); // no repeats
    expect(new Set(received)).toEqual(expected); // nothing missed
    const lastVersion = new Map<string, number>();
    for (const r of received) {
      const [id, v] = r.split('@');
      expect(Number(v)).toBeGreaterThan(lastVersion.get(id) ?? 0); // versions of a record arrive in order
      lastVersion.set(id, Number(v));
    }
    expect(expected.size).toBe(4 * 12 * 5 + 4 * 4 * 2);
  }, 60_000);

  it("never shows another agency's changes", async () => {
    await b.api.POST('/v1/victims/batch', { body: { entries: [entry('B-ONLY')] } });
    let bFeed = await b.api.GET('/v1/changes', {});
    for (const deadline = Date.now() + 30_000; !bFeed.data!.items.length && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 100)); // visible once older transactions on the server end
      bFeed = await b.api.GET('/v1/changes', {});
    }
    expect(bFeed.data!.items.map((c) => c.localId)).toEqual(['B-ONLY']);
    const aFeed: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await a.api.GET('/v1/changes', { params: { query: { after, limit: 1000 } } });
      aFeed.push(...page.data!.items.map((c) => c.localId));
      after = page.data!.nextCursor;
      if (!page.data!.hasMore) break;
    }
    expect(aFeed).not.toContain('B-ONLY');
    const raw = await t.db.pool.query(`SELECT count(*)::int AS n FROM record_changes WHERE agency_id = $1`, [a.agencyId]);
    expect(aFeed).toHaveLength(raw.rows[0].n); // everything of A was written (and visible) in the previous test
  });

  it('an empty page keeps the cursor; a forged cursor is 422', async () => {
    const first = await b.api.GET('/v1/changes', {});
    const next = await b.api.GET('/v1/changes', { params: { query: { after: first.data!.nextCursor } } });
    expect(next.data).toEqual({ items: [], nextCursor: first.data!.nextCursor, hasMore: false });
    const forged = await request(t.baseUrl).get('/v1/changes?after=abc').auth(b.token, { type: 'bearer' });
    expect(forged.status).toBe(422);
    expect(forged.body.errors[0].pointer).toMatch(/^#\/(after|cursor)$/);
    const tooBig = await request(t.baseUrl).get('/v1/changes?limit=5000').auth(b.token, { type: 'bearer' });
    expect(tooBig.status).toBe(422);
  });

  it('needs a token (401) and a read scope of a record kind (403)', async () => {
    expect((await request(t.baseUrl).get('/v1/changes')).status).toBe(401);
    const res = await request(t.baseUrl).get('/v1/changes').auth(noRead.token, { type: 'bearer' });
    expect(res.status).toBe(403);
    expect(res.body.type).toMatch(/missing-scope$/);
    expect((await request(t.baseUrl).get('/v1/agencies/me/quality')).status).toBe(401);
    expect((await request(t.baseUrl).get('/v1/agencies/me/quality').auth(noRead.token, { type: 'bearer' })).status).toBe(403);
  });
});

import request from 'supertest';
import { ENCRYPTED_COLUMNS } from '@app/crypto';
import { DbContext, asAgencyId } from '@app/db';
import { createPrincipal, startTestApp, type TestApp, type TestPrincipal } from '@app/testing';

/** Routes that are deliberately reachable without a token. Adding one is a reviewed change of this list. */
const PUBLIC_OPERATIONS = ['GET /.well-known/jwks.json', 'GET /health', 'GET /v1/open-data/referral-funnel', 'GET /v1/open-data/{measure}', 'POST /oauth/token'];

interface Operation {
  id: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  url: string;
  isPublic: boolean;
  scopes: string[];
}

function listOperations(document: { paths: Record<string, Record<string, { 'x-public'?: boolean; 'x-scopes'?: string[] }>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      ops.push({
        id: `${method.toUpperCase()} ${path}`,
        method: method as Operation['method'],
        url: path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000'),
        isPublic: op['x-public'] === true,
        scopes: op['x-scopes'] ?? [],
      });
    }
  }
  return ops;
}

describe('access control on every route (deny by default)', () => {
  let t: TestApp;
  let ops: Operation[];
  let noScopes: TestPrincipal;
  beforeAll(async () => {
    t = await startTestApp();
    ops = listOperations((await request(t.baseUrl).get('/openapi.json')).body);
    noScopes = await createPrincipal(t, { scopes: [] });
  });
  afterAll(() => t.close());

  it('the public operations are exactly the reviewed allow-list', () => {
    expect(ops.filter((o) => o.isPublic).map((o) => o.id).sort()).toEqual(PUBLIC_OPERATIONS);
  });

  it('every non-public operation declares its scopes in the contract (x-scopes) and a bearer requirement', async () => {
    const doc = (await request(t.baseUrl).get('/openapi.json')).body;
    for (const o of ops.filter((op) => !op.isPublic)) {
      const op = doc.paths[Object.keys(doc.paths).find((p) => `${o.method.toUpperCase()} ${p}` === o.id)!][o.method];
      expect({ id: o.id, scopes: Array.isArray(op['x-scopes']), security: op.security }).toEqual({ id: o.id, scopes: true, security: [{ bearer: [] }] });
    }
  });

  it('every non-public operation answers 401 (problem+json) without a token', async () => {
    const failures: string[] = [];
    for (const o of ops.filter((op) => !op.isPublic)) {
      const res = await request(t.baseUrl)[o.method](o.url).send({});
      if (res.status !== 401 || !/problem\+json/.test(res.headers['content-type'])) failures.push(`${o.id} → ${res.status}`);
    }
    expect(failures).toEqual([]);
  });

  it('every operation with scopes answers 403 to a token lacking them, before validating the body', async () => {
    const failures: string[] = [];
    const scoped = ops.filter((op) => !op.isPublic && op.scopes.length);
    expect(scoped.length).toBeGreaterThan(0);
    for (const o of scoped) {
      const res = await request(t.baseUrl)[o.method](o.url).set('authorization', `Bearer ${noScopes.token}`).send({ not: 'valid' });
      if (res.status !== 403) failures.push(`${o.id} → ${res.status}`);
    }
    expect(failures).toEqual([]);
  });

  it('every agency-owned table readable by the request role has row-level security enabled', async () => {
    const { rows } = await t.db.pool.query(`
      SELECT c.relname AS table, c.relrowsecurity AS rls
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r'
         AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'agency_id' AND NOT a.attisdropped)
         AND has_table_privilege('puente_app', c.oid, 'SELECT')`);
    expect(rows.filter((r) => !r.rls).map((r) => r.table)).toEqual([]);
  });

  it('the request role cannot read credentials or signing keys', async () => {
    const { rows } = await t.db.pool.query(
      `SELECT t FROM unnest(ARRAY['api_clients','signing_keys','agency_versions']) t WHERE has_table_privilege('puente_app', t, 'SELECT')`,
    );
    expect(rows).toEqual([]);
  });

  it('every encrypted column is registered for key rotation (ENCRYPTED_COLUMNS)', async () => {
    const { rows } = await t.db.pool.query(`
      SELECT table_name || '.' || column_name AS col FROM information_schema.columns
       WHERE table_schema = 'public' AND (column_name LIKE '%\\_enc' OR column_name LIKE '%encrypted%')`);
    const registered = ENCRYPTED_COLUMNS.map((c) => `${c.table}.${c.column}`);
    expect(rows.map((r) => r.col).filter((c) => !registered.includes(c)).sort()).toEqual([]);
  });

  it('the one-round-trip scoped read runs under row-level security and escapes its parameters', async () => {
    const other = await createPrincipal(t, { scopes: ['victims:write'] });
    const put = await other.api.PUT('/v1/victims/{localId}', {
      params: { path: { localId: 'RLS-1' } },
      body: { sex: 'female', nationality: ['MEX'], stateOfOrigin: '09', vulnerableGroups: ['SI'], victimType: 'direct', offenses: ['LGT-13'] },
    });
    expect(put.response.status).toBe(201);
    const db = t.app.get(DbContext);
    // No agency filter in the SQL: only row-level security stands between agencies here.
    const mine = await db.readScoped<{ local_id: string }>(asAgencyId(other.agencyId), `SELECT local_id FROM records WHERE kind = $1`, ['victims']);
    expect(mine.map((r) => r.local_id)).toEqual(['RLS-1']);
    const theirs = await db.readScoped<{ local_id: string }>(asAgencyId(noScopes.agencyId), `SELECT local_id FROM records WHERE kind = $1`, ['victims']);
    expect(theirs).toEqual([]);
    const injected = await db.readScoped<{ v: string }>(asAgencyId(other.agencyId), `SELECT $1::text AS v`, ["x'; DELETE FROM records; --"]);
    expect(injected).toEqual([{ v: "x'; DELETE FROM records; --" }]);
    expect((await t.db.pool.query(`SELECT count(*)::int AS n FROM records`)).rows[0].n).toBe(1);
  });
});

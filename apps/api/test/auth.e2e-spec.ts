import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import request from 'supertest';
import { SigningKeysService } from '@app/auth';

import { createPrincipal, startTestApp, tokenFor, validatedClient, type TestApp, type TestPrincipal } from '@app/testing';

describe('auth: tokens, clients and agencies', () => {
  let t: TestApp;
  let admin: TestPrincipal;
  let reader: TestPrincipal;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await createPrincipal(t, { code: 'puente-ops', kind: 'oversight', jurisdiction: 'FED', scopes: ['admin'] });
    reader = await createPrincipal(t, { code: 'fge-jal', scopes: ['victims:read', 'victims:write', 'pii:read'], jurisdiction: '14' });
  });
  afterAll(() => t.close());

  const call = (token?: string) => {
    const r = request(t.baseUrl).get('/v1/agencies/me');
    return token ? r.set('authorization', `Bearer ${token}`) : r;
  };
  const expect401 = async (token: string) => {
    const res = await call(token);
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.body.type).toMatch(/\/problems\/(invalid-token|unauthorized)$/);
  };

  describe('POST /oauth/token', () => {
    it('issues a short-lived JWT for form-encoded body credentials', async () => {
      const res = await request(t.baseUrl)
        .post('/oauth/token')
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: reader.clientId, client_secret: reader.clientSecret });
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'pii:read victims:read victims:write' });
      const [header, payload] = res.body.access_token.split('.').slice(0, 2).map((p: string) => JSON.parse(Buffer.from(p, 'base64url').toString()));
      expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
      expect(payload).toMatchObject({ sub: reader.clientId, agency: 'fge-jal', agency_id: reader.agencyId, aud: 'puente-api' });
      expect(payload.exp - payload.iat).toBe(900);
    });

    it('accepts JSON bodies and HTTP Basic credentials, and narrows scopes on request', async () => {
      const res = await request(t.baseUrl)
        .post('/oauth/token')
        .auth(reader.clientId, reader.clientSecret)
        .send({ grant_type: 'client_credentials', scope: 'victims:read' });
      expect(res.status).toBe(200);
      expect(res.body.scope).toBe('victims:read');
      const me = await validatedClient(t.baseUrl, res.body.access_token).GET('/v1/agencies/me');
      expect(me.data?.scopes).toEqual(['victims:read']);
    });

    it('refuses a scope the client does not hold (invalid_scope)', async () => {
      const res = await request(t.baseUrl)
        .post('/oauth/token')
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: reader.clientId, client_secret: reader.clientSecret, scope: 'admin' });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_scope', status: 400 });
    });

    it('refuses a wrong secret, an unknown client and another grant type, RFC 6749 style', async () => {
      const wrong = await request(t.baseUrl).post('/oauth/token').auth(reader.clientId, 'nope').send({ grant_type: 'client_credentials' });
      expect(wrong.status).toBe(401);
      expect(wrong.headers['www-authenticate']).toMatch(/^Basic/);
      expect(wrong.body).toMatchObject({ error: 'invalid_client', status: 401 });
      const unknown = await request(t.baseUrl).post('/oauth/token').type('form').send({ grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x' });
      expect(unknown.body.error).toBe('invalid_client');
      const grant = await request(t.baseUrl).post('/oauth/token').type('form').send({ grant_type: 'password', username: 'a', password: 'b' });
      expect([grant.status, grant.body.error]).toEqual([400, 'unsupported_grant_type']);
    });

    it('publishes the verification keys at /.well-known/jwks.json', async () => {
      const res = await request(t.baseUrl).get('/.well-known/jwks.json');
      expect(res.status).toBe(200);
      expect(res.body.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: expect.any(String) });
      expect(res.body.keys[0].d).toBeUndefined(); // never the private part
    });
  });

  describe('token validation', () => {
    const keys = () => t.app.get(SigningKeysService);
    const base = () => ({ scope: 'victims:read', agency_id: reader.agencyId, agency: 'fge-jal' });
    const opts = (o: Partial<{ issuer: string; audience: string; ttlSeconds: number }> = {}) => ({
      issuer: o.issuer ?? 'http://localhost:3000',
      audience: o.audience ?? 'puente-api',
      subject: reader.clientId,
      ttlSeconds: o.ttlSeconds ?? 300,
    });

    it('accepts a token signed by the service', async () => {
      expect((await call(await keys().sign(base(), opts()))).status).toBe(200);
    });
    it('rejects a missing token with 401 and WWW-Authenticate', async () => {
      const res = await call();
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    });
    it('rejects an expired token', async () => {
      await expect401(await keys().sign(base(), opts({ ttlSeconds: -120 })));
    });
    it('rejects a wrong signature', async () => {
      const token = await keys().sign(base(), opts());
      const [h, p, s] = token.split('.');
      await expect401(`${h}.${p}.${s.slice(0, -6)}${s.slice(-6) === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA'}`);
    });
    it('rejects alg none', async () => {
      const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const now = Math.floor(Date.now() / 1000);
      await expect401(`${enc({ alg: 'none', typ: 'JWT' })}.${enc({ ...base(), iss: 'http://localhost:3000', aud: 'puente-api', sub: reader.clientId, iat: now, exp: now + 300 })}.`);
    });
    it('rejects HS256 signed with the public key (algorithm confusion)', async () => {
      const jwk = (await request(t.baseUrl).get('/.well-known/jwks.json')).body.keys[0];
      const forged = await new SignJWT({ ...base() })
        .setProtectedHeader({ alg: 'HS256', kid: jwk.kid })
        .setIssuer('http://localhost:3000')
        .setAudience('puente-api')
        .setSubject(reader.clientId)
        .setExpirationTime('5m')
        .sign(Buffer.from(JSON.stringify(jwk)));
      await expect401(forged);
    });
    it('rejects a wrong issuer and a wrong audience', async () => {
      await expect401(await keys().sign(base(), opts({ issuer: 'https://evil.example' })));
      await expect401(await keys().sign(base(), opts({ audience: 'another-api' })));
    });
    it('rejects tokens of a revoked client at once', async () => {
      const victim = await createPrincipal(t, { scopes: ['victims:read'] });
      expect((await call(victim.token)).status).toBe(200);
      const res = await admin.api.POST('/v1/admin/clients/{clientId}/revoke', { params: { path: { clientId: victim.clientId } } });
      expect(res.response.status).toBe(200);
      await expect401(victim.token);
      const again = await request(t.baseUrl).post('/oauth/token').type('form').send({ grant_type: 'client_credentials', client_id: victim.clientId, client_secret: victim.clientSecret });
      expect(again.status).toBe(401);
    });
    it('keeps accepting tokens signed by a retired key after a key rotation, and signs new ones with the new key', async () => {
      const before = await keys().sign(base(), opts());
      const rotated = await keys().rotate(3600);
      expect(rotated.retired.length).toBeGreaterThan(0);
      expect((await call(before)).status).toBe(200);
      const after = await keys().sign(base(), opts());
      expect(JSON.parse(Buffer.from(after.split('.')[0], 'base64url').toString()).kid).toBe(rotated.kid);
      expect((await call(after)).status).toBe(200);
      const jwks = (await request(t.baseUrl).get('/.well-known/jwks.json')).body.keys.map((k: { kid: string }) => k.kid);
      expect(jwks).toEqual(expect.arrayContaining([rotated.kid, ...rotated.retired]));
    });
  });

  describe('client secrets', () => {
    it('rotation issues a new secret; the old one works during the grace period only if one is given', async () => {
      const p = await createPrincipal(t, { scopes: ['victims:read'] });
      const rotated = await admin.api.POST('/v1/admin/clients/{clientId}/rotate', { params: { path: { clientId: p.clientId } }, body: { graceSeconds: 0 } });
      expect(rotated.data?.clientSecret).toEqual(expect.any(String));
      expect(rotated.data?.clientSecret).not.toBe(p.clientSecret);
      await expect(tokenFor(t, p.clientId, p.clientSecret)).rejects.toThrow(/401/);
      await expect(tokenFor(t, p.clientId, rotated.data!.clientSecret)).resolves.toEqual(expect.any(String));
    });
    it('stores secrets hashed (scrypt), never in clear', async () => {
      const { rows } = await t.db.pool.query('SELECT secret_hash FROM api_clients WHERE client_id = $1', [reader.clientId]);
      expect(rows[0].secret_hash).toMatch(/^scrypt\$/);
      expect(rows[0].secret_hash).not.toContain(reader.clientSecret);
    });
    it('never writes secrets or tokens to the logs', () => {
      const logs = t.logs.join('\n');
      expect(logs.length).toBeGreaterThan(0);
      expect(logs).not.toContain(reader.clientSecret);
      expect(logs).not.toContain(reader.token);
      expect(logs).not.toContain(admin.clientSecret);
    });
  });

  describe('agencies', () => {
    it('GET /v1/agencies/me describes the calling agency and token', async () => {
      const { data } = await reader.api.GET('/v1/agencies/me');
      expect(data).toMatchObject({ code: 'fge-jal', id: reader.agencyId, jurisdiction: '14', clientId: reader.clientId });
    });
    it('GET /v1/agencies lists public directory fields only, with filters and cursor pagination', async () => {
      const first = await reader.api.GET('/v1/agencies', { params: { query: { limit: 1 } } });
      expect(first.data?.items).toHaveLength(1);
      expect(Object.keys(first.data!.items[0]).sort()).toEqual(['active', 'code', 'jurisdiction', 'kind', 'level', 'mergedInto', 'name', 'validFrom', 'validTo']);
      const second = await reader.api.GET('/v1/agencies', { params: { query: { limit: 1, cursor: first.data!.nextCursor! } } });
      expect(second.data?.items[0].code).not.toBe(first.data!.items[0].code);
      const oversight = await reader.api.GET('/v1/agencies', { params: { query: { kind: 'oversight' } } });
      expect(oversight.data?.items.map((a) => a.code)).toEqual(['puente-ops']);
      const bad = await reader.api.GET('/v1/agencies', { params: { query: { kind: 'spies' as never } } });
      expect(bad.response.status).toBe(422);
      expect(bad.error).toMatchObject({ errors: [expect.objectContaining({ pointer: '#/kind', allowed: expect.arrayContaining(['prosecutor']) })] });
    });
    it('admins rename and merge agencies keeping every version', async () => {
      await admin.api.POST('/v1/admin/agencies', { body: { code: 'ngo-old', name: 'Old NGO', kind: 'ngo' } });
      await admin.api.POST('/v1/admin/agencies', { body: { code: 'ngo-new', name: 'New NGO', kind: 'ngo' } });
      await admin.api.PATCH('/v1/admin/agencies/{code}', { params: { path: { code: 'ngo-old' } }, body: { name: 'Old NGO (renamed)' } });
      const merged = await admin.api.PATCH('/v1/admin/agencies/{code}', { params: { path: { code: 'ngo-old' } }, body: { mergedInto: 'ngo-new' } });
      expect(merged.data).toMatchObject({ active: false, mergedInto: 'ngo-new', version: 3 });
      const versions = await admin.api.GET('/v1/admin/agencies/{code}/versions', { params: { path: { code: 'ngo-old' } } });
      expect(versions.data?.map((v) => v.snapshot.name)).toEqual(['Old NGO', 'Old NGO (renamed)', 'Old NGO (renamed)']);
      const dup = await admin.api.POST('/v1/admin/agencies', { body: { code: 'ngo-new', name: 'Again', kind: 'ngo' } });
      expect(dup.response.status).toBe(409);
    });
    it('a client of an inactive agency gets no token', async () => {
      const p = await createPrincipal(t, { scopes: ['victims:read'] });
      await admin.api.PATCH('/v1/admin/agencies/{code}', { params: { path: { code: p.agencyCode } }, body: { active: false } });
      await expect401(p.token);
      await expect(tokenFor(t, p.clientId, p.clientSecret)).rejects.toThrow(/401/);
    });
    it('admin routes need the admin scope', async () => {
      const res = await reader.api.GET('/v1/admin/clients');
      expect(res.response.status).toBe(403);
      expect(res.error).toMatchObject({ type: expect.stringMatching(/missing-scope$/) });
    });
  });
});

describe('auth: rate limiting', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '5' });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After once a client exceeds its limit', async () => {
    const p = await createPrincipal(t, { scopes: ['victims:read'] });
    const statuses: number[] = [];
    let last: request.Response | undefined;
    for (let i = 0; i < 7; i++) {
      last = await request(t.baseUrl).get('/v1/agencies/me').set('authorization', `Bearer ${p.token}`);
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses[6]).toBe(429);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(last!.headers['content-type']).toMatch(/problem\+json/);
  });
});

describe('auth: external identity provider', () => {
  let t: TestApp;
  let idp: Server;
  let sign: (claims: Record<string, unknown>) => Promise<string>;
  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' };
    idp = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => idp.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
    t = await startTestApp({ OIDC_ISSUER: 'https://idp.test', OIDC_JWKS_URL: `${url}/jwks`, OIDC_AGENCY_CLAIM: 'puente_agency' });
    await createPrincipal(t, { code: 'ceeav-oax', kind: 'victim_commission', jurisdiction: '20', scopes: ['victims:read'] });
    sign = (claims) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'idp-1' }).setIssuer('https://idp.test').setAudience('puente-api').setSubject('ana@ceeav').setExpirationTime('5m').sign(privateKey);
  });
  afterAll(async () => {
    await t.close();
    idp.close();
  });

  it('accepts its tokens and maps them to the agency named by the configured claim', async () => {
    const res = await request(t.baseUrl).get('/v1/agencies/me').set('authorization', `Bearer ${await sign({ puente_agency: 'ceeav-oax', scope: 'victims:read' })}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: 'ceeav-oax', clientId: 'oidc:ana@ceeav', scopes: ['victims:read'] });
  });
  it('refuses a token naming an unknown agency', async () => {
    const res = await request(t.baseUrl).get('/v1/agencies/me').set('authorization', `Bearer ${await sign({ puente_agency: 'nobody', scope: 'victims:read' })}`);
    expect(res.status).toBe(401);
  });
});

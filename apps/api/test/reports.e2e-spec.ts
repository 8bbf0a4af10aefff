import request from 'supertest';
import type { components } from '@app/client';
import { createPrincipal, startTestApp, type TestApp, type TestPrincipal } from '@app/testing';

type ReportDto = components['schemas']['ReportDto'];

const REPORTER = 'Citlali Denunciante';
const report = (over: Partial<ReportDto> = {}): ReportDto => ({
  receivedAt: '2025-06-01T14:30:00-06:00',
  channel: 'whatsapp',
  callerRole: 'third_party_witness',
  anonymous: false,
  classification: 'trafficking_related_crime',
  environment: 'in_person',
  place: { state: '14', municipality: '039' },
  exploitationForms: ['labour'],
  platforms: ['facebook'],
  victims: [
    { count: 1, sex: 'female', ageGroup: 'adolescent_12_17', nationality: 'MEX', victimLocalId: 'V-9' },
    { unquantified: true, sex: 'male', ageGroup: 'adult_18_plus', nationality: 'GTM' },
  ],
  narrative: 'Lo que se reportó',
  reporter: { name: REPORTER, email: 'CITLALI@example.org' },
  consentToShareReporterIdentity: true,
  ...over,
});

describe('hotline reports (records kind `reports`)', () => {
  let t: TestApp;
  let a: TestPrincipal;
  let aNoPii: TestPrincipal;
  let b: TestPrincipal;
  let none: TestPrincipal;

  beforeAll(async () => {
    t = await startTestApp();
    a = await createPrincipal(t, { kind: 'hotline', scopes: ['reports:read', 'reports:write', 'pii:read'] });
    aNoPii = await createPrincipal(t, { code: a.agencyCode, scopes: ['reports:read'] });
    none = await createPrincipal(t, { code: a.agencyCode, scopes: ['victims:read'] });
    b = await createPrincipal(t, { scopes: ['reports:read', 'reports:write', 'pii:read'] });
  });
  afterAll(() => t.close());

  it('PUT creates a report; narrative and reporter identity are encrypted personal data; identical PUT is unchanged', async () => {
    const res = await a.api.PUT('/v1/reports/{localId}', { params: { path: { localId: 'R-1' } }, body: report() });
    expect(res.response.status).toBe(201);
    expect(res.data).toMatchObject({ localId: 'R-1', version: 1, status: 'created', piiMasked: false });
    expect(res.data!.data).toMatchObject({ channel: 'whatsapp', receivedAt: '2025-06-01T20:30:00.000Z', consentToShareReporterIdentity: true });
    expect(res.data!.data).not.toHaveProperty('narrative');
    expect(res.data!.data).not.toHaveProperty('reporter');
    expect(res.data!.pii).toMatchObject({ narrative: 'Lo que se reportó', reporter: { name: REPORTER, email: 'citlali@example.org' } });
    expect(res.data!.references).toEqual([{ kind: 'victims', localId: 'V-9', resolved: false }]);
    const raw = await t.db.pool.query(`SELECT data::text AS d, pii_enc FROM records WHERE agency_id = $1 AND kind = 'reports' AND local_id = 'R-1'`, [a.agencyId]);
    expect(raw.rows[0].d).not.toContain(REPORTER);
    expect(raw.rows[0].pii_enc).not.toContain(REPORTER);
    const again = await a.api.PUT('/v1/reports/{localId}', { params: { path: { localId: 'R-1' } }, body: report() });
    expect(again.data).toMatchObject({ status: 'unchanged', version: 1 });
  });

  it('masks personal data without pii:read and hides reports of other agencies (404)', async () => {
    const masked = await aNoPii.api.GET('/v1/reports/{localId}', { params: { path: { localId: 'R-1' } } });
    expect(masked.data).toMatchObject({ piiMasked: true, pii: null });
    const other = await b.api.GET('/v1/reports/{localId}', { params: { path: { localId: 'R-1' } } });
    expect(other.response.status).toBe(404);
    expect((await b.api.GET('/v1/reports', {})).data!.items).toEqual([]);
  });

  it('filters the list by classification and channel', async () => {
    await a.api.POST('/v1/reports/batch', {
      body: { entries: [{ localId: 'R-2', ...report({ classification: 'risk_situation', channel: 'phone', anonymous: true, reporter: undefined, consentToShareReporterIdentity: undefined }) }] },
    });
    const risk = await a.api.GET('/v1/reports', { params: { query: { classification: 'risk_situation' } } });
    expect(risk.data!.items.map((i) => i.localId)).toEqual(['R-2']);
    const ws = await a.api.GET('/v1/reports', { params: { query: { channel: 'whatsapp' } } });
    expect(ws.data!.items.map((i) => i.localId)).toEqual(['R-1']);
  });

  it('rejects invalid reports with pointers (422)', async () => {
    const anon = await a.api.PUT('/v1/reports/{localId}', { params: { path: { localId: 'R-3' } }, body: report({ anonymous: true }) });
    expect(anon.response.status).toBe(422);
    expect(anon.error).toMatchObject({ errors: [{ pointer: '#/reporter', rule: 'anonymous-no-identity' }] });
    const res = await request(t.baseUrl)
      .put('/v1/reports/R-4')
      .auth(a.token, { type: 'bearer' })
      .send({ ...report(), channel: 'pigeon', victims: [{ ageGroup: 'child_0_11', age: 15 }] });
    expect(res.status).toBe(422);
    expect((res.body as { errors: Array<{ pointer: string }> }).errors.map((e) => e.pointer)).toContain('#/channel');
    const age = await a.api.PUT('/v1/reports/{localId}', { params: { path: { localId: 'R-4' } }, body: report({ victims: [{ ageGroup: 'child_0_11', age: 15 }] }) });
    expect(age.error).toMatchObject({ errors: [{ pointer: '#/victims/0/age', rule: 'age-in-group' }] });
  });

  it.each([
    ['put', '/v1/reports/R-1'],
    ['get', '/v1/reports'],
    ['get', '/v1/reports/R-1'],
    ['post', '/v1/reports/batch'],
    ['delete', '/v1/reports/R-1?reason=duplicate'],
    ['get', '/v1/reports/R-1/versions'],
  ] as const)('%s %s answers 401 without a token and 403 without its scope', async (method, url) => {
    expect((await request(t.baseUrl)[method](url)).status).toBe(401);
    expect((await request(t.baseUrl)[method](url).auth(none.token, { type: 'bearer' }).send({})).status).toBe(403);
  });
});

import request from 'supertest';
import { createPrincipal, startTestApp, type TestApp, type TestPrincipal, expectScopeGuard, type GuardedRoute } from '@app/testing';
import { catalogRegistry } from '@app/catalogs';
import type { components } from '@app/client';

type AgreementDto = components['schemas']['AgreementDto'];

/** R21: the agreements register (convenios), cited by referrals. */
describe('agreements (R21)', () => {
  let t: TestApp;
  let a: TestPrincipal; // prosecutor: referrals + victims, pii
  let aRead: TestPrincipal;
  let none: TestPrincipal; // agency A without referrals scopes
  let shelter: TestPrincipal; // the partner shelter
  let other: TestPrincipal; // an agency that is not a party

  const agreement = (over: Partial<AgreementDto> = {}): AgreementDto => ({
    title: 'Convenio de colaboración con el Refugio Esperanza',
    purposes: ['referral', 'shelter_funding'],
    parties: [{ agencyKind: 'shelter', agencyCode: shelter.agencyCode, state: '09' }],
    signedOn: '2024-01-15',
    validFrom: '2024-02-01',
    validTo: '2099-12-31',
    ...over,
  });
  const refer = (to: TestPrincipal, agreementLocalId?: string) =>
    a.api.POST('/v1/referrals', {
      body: { toAgency: to.agencyCode, subject: { kind: 'victims', localId: 'V-1' }, reason: 'shelter', urgency: 'urgent', shared: ['victim.demographics'], ...(agreementLocalId ? { agreementLocalId } : {}) },
    });

  beforeAll(async () => {
    t = await startTestApp();
    a = await createPrincipal(t, { scopes: ['referrals:read', 'referrals:write', 'victims:read', 'victims:write', 'pii:read'] });
    aRead = await createPrincipal(t, { code: a.agencyCode, scopes: ['referrals:read'] });
    none = await createPrincipal(t, { code: a.agencyCode, scopes: ['victims:read', 'victims:write'] });
    shelter = await createPrincipal(t, { kind: 'shelter', scopes: ['referrals:read', 'referrals:write'] });
    other = await createPrincipal(t, { kind: 'ngo', scopes: ['referrals:read', 'referrals:write'] });
    await a.api.PUT('/v1/victims/{localId}', {
      params: { path: { localId: 'V-1' } },
      body: { sex: 'female', ageAtEvent: 24, nationality: ['MEX'], stateOfOrigin: '09', vulnerableGroups: ['SI'], victimType: 'direct', offenses: ['LGT-13'] },
    });
  });
  afterAll(() => t.close());

  it('round-trips an agreement (title encrypted); lists by purpose, party and validity', async () => {
    const res = await a.api.PUT('/v1/agreements/{localId}', { params: { path: { localId: 'CONV-1' } }, body: agreement() });
    expect(res.response.status).toBe(201);
    const { title: _t, ...data } = agreement();
    expect(res.data!.data).toEqual(data);
    expect(res.data!.pii).toEqual({ title: agreement().title });
    expect(res.data!.completeness).toEqual({ purposes: 'filled', validTo: 'filled' });
    const raw = await t.db.pool.query(`SELECT pii_enc FROM records WHERE agency_id = $1 AND kind = 'agreements'`, [a.agencyId]);
    expect(raw.rows[0].pii_enc).not.toContain('Esperanza');
    expect((await aRead.api.GET('/v1/agreements/{localId}', { params: { path: { localId: 'CONV-1' } } })).data).toMatchObject({ piiMasked: true, pii: null });
    await a.api.PUT('/v1/agreements/{localId}', {
      params: { path: { localId: 'CONV-OLD' } },
      body: agreement({ purposes: ['health'], parties: [{ agencyKind: 'health' }], signedOn: '2019-01-01', validFrom: '2019-01-01', validTo: '2020-12-31' }),
    });
    const ids = async (query: Record<string, string>) => (await a.api.GET('/v1/agreements', { params: { query } })).data!.items.map((i) => i.localId);
    expect(await ids({ purpose: 'referral' })).toEqual(['CONV-1']);
    expect(await ids({ purpose: 'health' })).toEqual(['CONV-OLD']);
    expect(await ids({ validOn: '2020-06-01' })).toEqual(['CONV-OLD']);
    expect(await ids({ party: shelter.agencyCode })).toEqual(['CONV-1']);
  });

  it('a retry is unchanged and a batch sent twice adds no versions; a change is a new version', async () => {
    const again = await a.api.PUT('/v1/agreements/{localId}', { params: { path: { localId: 'CONV-1' } }, body: agreement({ purposes: ['shelter_funding', 'referral', 'referral'] }) });
    expect([again.data!.status, again.data!.version]).toEqual(['unchanged', 1]);
    const body = { entries: [{ localId: 'CONV-2', ...agreement({ purposes: ['employment'] }) }] };
    expect((await a.api.POST('/v1/agreements/batch', { body })).data!.summary).toMatchObject({ created: 1 });
    expect((await a.api.POST('/v1/agreements/batch', { body })).data!.summary).toMatchObject({ unchanged: 1 });
    const changed = await a.api.PUT('/v1/agreements/{localId}', { params: { path: { localId: 'CONV-2' } }, body: agreement({ purposes: ['employment', 'health'] }) });
    expect([changed.data!.status, changed.data!.version]).toEqual(['updated', 2]);
    expect((await a.api.GET('/v1/agreements/{localId}/versions', { params: { path: { localId: 'CONV-2' } } })).data!.items.map((v) => v.version)).toEqual([1, 2]);
  });

  it('a referral cites an agreement in force that names the receiver; both parties see it; otherwise 422 with the rule', async () => {
    const sent = await refer(shelter, 'CONV-1');
    expect(sent.response.status).toBe(201);
    expect(sent.data!.agreementLocalId).toBe('CONV-1');
    const seen = await shelter.api.GET('/v1/referrals/{referralId}', { params: { path: { referralId: sent.data!.id } } });
    expect(seen.data!.agreementLocalId).toBe('CONV-1');
    const plain = await refer(other);
    expect([plain.response.status, plain.data!.agreementLocalId]).toEqual([201, null]);
    const rule = async (to: TestPrincipal, localId: string) => {
      const res = await refer(to, localId);
      expect(res.response.status).toBe(422);
      return res.error!.errors!.map((e) => [e.pointer, e.rule]);
    };
    expect(await rule(other, 'CONV-1')).toEqual([['#/agreementLocalId', 'agreement-party']]);
    expect(await rule(shelter, 'CONV-OLD')).toEqual([['#/agreementLocalId', 'agreement-in-force']]);
    expect(await rule(shelter, 'CONV-NONE')).toEqual([['#/agreementLocalId', 'agreement-exists']]);
    // Another agency's agreement cannot be cited.
    await shelter.api.PUT('/v1/agreements/{localId}', { params: { path: { localId: 'CONV-S' } }, body: agreement({ parties: [{ agencyKind: 'prosecutor', agencyCode: a.agencyCode }] }) });
    expect(await rule(shelter, 'CONV-S')).toEqual([['#/agreementLocalId', 'agreement-exists']]);
    await a.api.DELETE('/v1/agreements/{localId}', { params: { path: { localId: 'CONV-2' }, query: { reason: 'other' } } });
    expect(await rule(shelter, 'CONV-2')).toEqual([['#/agreementLocalId', 'agreement-exists']]);
  });

  it('rejects unknown catalog codes with 422 and the allowed values, and impossible validity', async () => {
    const bad: Array<[string, string, Partial<AgreementDto>]> = [
      ['agreement-purpose', '#/purposes', { purposes: ['referral', 'catering'] }],
      ['agency-kind', '#/parties/0/agencyKind', { parties: [{ agencyKind: 'church' }] }],
      ['state', '#/parties/0/state', { parties: [{ agencyKind: 'ngo', state: '99' }] }],
    ];
    for (const [catalog, pointer, over] of bad) {
      const res = await a.api.PUT('/v1/agreements/{localId}', { params: { path: { localId: 'CONV-BAD' } }, body: agreement(over) });
      expect(res.response.status).toBe(422);
      const err = res.error!.errors!.find((e) => e.pointer === pointer)!;
      expect([...err.allowed!].sort()).toEqual(catalogRegistry().allowed(catalog).sort());
    }
    const dates = await a.api.PUT('/v1/agreements/{localId}', { params: { path: { localId: 'CONV-BAD' } }, body: agreement({ validTo: '2024-01-01' }) });
    expect(dates.error!.errors!.map((e) => [e.pointer, e.rule])).toEqual([['#/validTo', 'valid-to-after-from']]);
    const badRef = await request(t.baseUrl)
      .post('/v1/referrals')
      .auth(a.token, { type: 'bearer' })
      .send({ toAgency: shelter.agencyCode, subject: { kind: 'victims', localId: 'V-1' }, reason: 'shelter', urgency: 'urgent', shared: ['victim.demographics'], agreementLocalId: 'bad id!' });
    expect([badRef.status, badRef.body.errors?.[0]?.pointer]).toEqual([422, '#/agreementLocalId']);
  });

  it("hides agency A's agreements from other agencies (404), even from a party", async () => {
    for (const url of ['/v1/agreements/CONV-1', '/v1/agreements/CONV-1/versions']) {
      expect((await request(t.baseUrl).get(url).auth(shelter.token, { type: 'bearer' })).status).toBe(404);
    }
    expect((await request(t.baseUrl).delete('/v1/agreements/CONV-1?reason=other').auth(other.token, { type: 'bearer' })).status).toBe(404);
    expect((await other.api.GET('/v1/agreements', { params: { query: {} } })).data!.items).toEqual([]);
  });

  const routes: GuardedRoute[] = [
    ['put', '/v1/agreements/CONV-1', agreement],
    ['post', '/v1/agreements/batch', { entries: [] }],
    ['get', '/v1/agreements'],
    ['get', '/v1/agreements/CONV-1'],
    ['delete', '/v1/agreements/CONV-1?reason=other'],
  ];
  it.each(routes.map((r) => [r[0], r[1], r] as const))('%s %s answers 401 without a token and 403 without the referrals scope', async (_method, _url, route) => {
    await expectScopeGuard(t, route, { none: none.token });
  });
});

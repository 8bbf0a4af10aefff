import request from 'supertest';
import { createPrincipal, startTestApp, type TestApp, type TestPrincipal } from '@app/testing';

// Gaps of issue 13 closed in the owning modules (see docs/requirements.md): R3 offense classifications as
// statistics dimensions, R4 SESNSP monthly export, R35 submission coverage, R10 protected identity in referrals,
// R12 identification by any agency, R31 no gender assumptions in validation.

interface Cell {
  key: Record<string, string>;
  value: number | null;
}
interface Result {
  total: Cell;
  rows: Cell[];
  catalogVersions: Record<string, string>;
}

const victim = (localId: string, over: Record<string, unknown> = {}) => ({
  localId,
  sex: 'female',
  ageAtEvent: 30,
  identifiedOn: '2024-03-05',
  nationality: ['MEX'],
  stateOfOrigin: '15',
  vulnerableGroups: ['SI'],
  victimType: 'direct',
  offenses: ['LGT-13'],
  ...over,
});

describe('requirements closed by issue 13 (R3, R4, R10, R12, R19, R31, R35)', () => {
  let t: TestApp;
  let jal: TestPrincipal; // prosecutor of Jalisco (14)
  let cdmx: TestPrincipal; // prosecutor of Mexico City (09)
  let fed: TestPrincipal; // federal agency
  let exact: TestPrincipal;
  let none: TestPrincipal;
  const get = async (who: TestPrincipal | null, path: string) => {
    const req = request(t.baseUrl).get(path);
    return who ? req.auth(who.token, { type: 'bearer' }) : req;
  };
  const stat = async (path: string): Promise<Result> => {
    const res = await get(exact, path);
    if (res.status !== 200) throw new Error(`${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Result;
  };
  const batch = async (who: TestPrincipal, entries: object[]) => {
    const res = await request(t.baseUrl).post('/v1/victims/batch').auth(who.token, { type: 'bearer' }).send({ entries, atomic: true });
    if (res.status >= 300 || res.body.summary?.rejected !== 0) throw new Error(`batch failed: ${res.status} ${JSON.stringify(res.body)}`);
  };
  const value = (r: Result, key: Record<string, string>) =>
    r.rows.find((x) => Object.entries(key).every(([k, v]) => x.key[k] === v))?.value;

  beforeAll(async () => {
    t = await startTestApp();
    jal = await createPrincipal(t, {
      kind: 'prosecutor',
      jurisdiction: '14',
      scopes: ['victims:write', 'victims:read', 'cases:write', 'referrals:write', 'referrals:read', 'pii:read'],
    });
    cdmx = await createPrincipal(t, {
      kind: 'prosecutor',
      jurisdiction: '09',
      scopes: ['victims:write', 'victims:read', 'referrals:read', 'pii:read'],
    });
    fed = await createPrincipal(t, { kind: 'migration', jurisdiction: 'FED', scopes: ['victims:write'] });
    exact = await createPrincipal(t, { kind: 'statistics', scopes: ['statistics:read', 'statistics:exact'] });
    none = await createPrincipal(t, { code: exact.agencyCode, scopes: ['victims:read'] });

    await batch(jal, [
      victim('S-1', { offenses: ['LGT-10-III', 'LGT-13'] }), // art. 10 + sexual exploitation: TIP sex
      victim('S-2', { offenses: ['LGT-16'] }), // child pornography only: not the international definition
      victim('L-1', { offenses: ['LGT-22'] }), // forced labour: TIP labour
      victim('A-1', { offenses: ['LGT-10-VIII'] }), // illegal adoption without exploitation purpose
    ]);
    const kase = await request(t.baseUrl)
      .put('/v1/cases/CI-R3')
      .auth(jal.token, { type: 'bearer' })
      .send({
        fileNumber: 'CI-R3',
        fileType: 'carpeta_investigacion',
        jurisdiction: 'fuero_comun',
        state: '14',
        openedOn: '2024-03-02',
        charges: [
          { offense: 'LGT-10-III', attempted: false, stage: 'charged' },
          { offense: 'LGT-22', attempted: false, stage: 'investigated' },
        ],
      });
    if (kase.status !== 201) throw new Error(`case not stored: ${kase.status}`);
    await batch(cdmx, [victim('C-1', { identifiedOn: '2024-03-20' }), victim('C-OLD', { identifiedOn: '2023-01-10' })]);
    await batch(fed, [victim('F-1', { identifiedOn: '2024-03-11', nationality: ['HND'], stateOfOrigin: 'NA' })]);
  });
  afterAll(() => t.close());

  describe('R3: offense classifications side by side in statistics', () => {
    it('groups victims by TIP bucket, art. 10 trafficking and the international definition, from the offense catalog, every value listed', async () => {
      const tip = await stat('/v1/statistics/victim-records?groupBy=tipBucket&stateOfOrigin=15&from=2024-03-01&to=2024-03-31');
      // S-1, S-2, C-1 (LGT-13) sex; L-1 labour; A-1 unspecified. C-1 is agency CDMX, same state of origin.
      expect(value(tip, { tipBucket: 'sex' })).toBe(3);
      expect(value(tip, { tipBucket: 'labour' })).toBe(1);
      expect(value(tip, { tipBucket: 'unspecified' })).toBe(1);
      expect(tip.total.value).toBe(5);
      expect(tip.catalogVersions['tip-bucket']).toBeTruthy();

      const art10 = await stat('/v1/statistics/victim-records?groupBy=isArt10Trafficking&stateOfOrigin=15&from=2024-03-01&to=2024-03-31');
      // S-1 has an art. 10 offense and a non-art. 10 one: it counts once in each row.
      expect(value(art10, { isArt10Trafficking: 'yes' })).toBe(2);
      expect(value(art10, { isArt10Trafficking: 'no' })).toBe(4);

      const intl = await stat(
        '/v1/statistics/victim-records?groupBy=meetsInternationalDefinition&stateOfOrigin=15&from=2024-03-01&to=2024-03-31',
      );
      expect(value(intl, { meetsInternationalDefinition: 'yes' })).toBe(3); // S-1, L-1, C-1
      expect(value(intl, { meetsInternationalDefinition: 'no' })).toBe(2); // S-2 (CSAM only), A-1 (illegal adoption)
    });

    it('charged offenses by art. 10 purpose and TIP bucket, and filters by a classification', async () => {
      const purpose = await stat('/v1/statistics/charged-offenses?groupBy=art10Purpose,tipBucket&state=14');
      expect(value(purpose, { art10Purpose: 'sexual', tipBucket: 'sex' })).toBe(1);
      expect(value(purpose, { art10Purpose: 'forced_labour', tipBucket: 'labour' })).toBe(1);
      const charged = await stat('/v1/statistics/charged-offenses?groupBy=tipBucket&state=14&stage=charged');
      expect(charged.rows.map((r) => [r.key.tipBucket, r.value])).toEqual([
        ['sex', 1],
        ['labour', 0],
        ['unspecified', 0],
      ]);
      const sexOnly = await stat('/v1/statistics/charged-offenses?groupBy=offense&tipBucket=sex&state=14');
      expect(sexOnly.total.value).toBe(1);
      expect(value(sexOnly, { offense: 'LGT-10-III' })).toBe(1);
      expect(value(sexOnly, { offense: 'LGT-22' })).toBe(0);
    });

    it('rejects an unknown classification code with 422, the pointer and the catalog', async () => {
      const res = await get(exact, '/v1/statistics/victims?tipBucket=organs');
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([
        expect.objectContaining({ pointer: '#/tipBucket', rule: 'isCode', catalog: '/v1/catalogs/tip-bucket' }),
      ]);
    });
  });

  describe('R35: submission coverage', () => {
    it('says which agencies and how many of the 32 states reported for a month ("2 of 32 states")', async () => {
      const res = await get(exact, '/v1/statistics/coverage?period=2024-03');
      expect(res.status).toBe(200);
      expect(res.body.period).toMatchObject({ code: '2024-03', from: '2024-03-01', to: '2024-03-31' });
      expect(res.body.states).toMatchObject({ reporting: 2, total: 32, summary: '2 of 32 states reported', reportingCodes: ['09', '14'] });
      expect(res.body.states.missingCodes).toHaveLength(30);
      expect(res.body.agencies).toMatchObject({ reporting: 3, federalReporting: 1 });
      const byCode = Object.fromEntries(res.body.items.map((i: { code: string }) => [i.code, i]));
      expect(byCode[jal.agencyCode]).toMatchObject({ reported: true, kinds: ['cases', 'victims'], jurisdiction: '14' });
      expect(byCode[exact.agencyCode]).toMatchObject({ reported: false, kinds: [], lastSubmissionAt: null });
      // no record counts are exposed
      expect(JSON.stringify(res.body.items[0])).not.toMatch(/count/i);
    });

    it('counts a record in the period of the date it refers to; withdrawn records and other kinds do not count', async () => {
      const y2023 = await get(exact, '/v1/statistics/coverage?period=2023');
      expect(y2023.body.states).toMatchObject({ reporting: 1, reportingCodes: ['09'] });
      const q2 = await get(exact, '/v1/statistics/coverage?period=2024-Q2');
      expect(q2.body.states.reporting).toBe(0);
      const casesOnly = await get(exact, '/v1/statistics/coverage?period=2024-Q1&kind=cases');
      expect(casesOnly.body).toMatchObject({
        kinds: ['cases'],
        states: { reporting: 1, reportingCodes: ['14'] },
        agencies: { reporting: 1 },
      });
      const del = await request(t.baseUrl).delete('/v1/victims/C-OLD?reason=entered_in_error').auth(cdmx.token, { type: 'bearer' });
      expect(del.status).toBeLessThan(300);
      const after = await get(exact, '/v1/statistics/coverage?period=2023');
      expect(after.body.states.reporting).toBe(0);
    });

    it('401 without a token, 403 without statistics:read, 422 with a pointer for a bad period or kind', async () => {
      expect((await get(null, '/v1/statistics/coverage?period=2024')).status).toBe(401);
      expect((await get(none, '/v1/statistics/coverage?period=2024')).status).toBe(403);
      const bad = await get(exact, '/v1/statistics/coverage?period=2024-13');
      expect(bad.status).toBe(422);
      expect(bad.body.errors[0]).toMatchObject({ pointer: '#/period' });
      const missing = await get(exact, '/v1/statistics/coverage');
      expect(missing.status).toBe(422);
      const kind = await get(exact, '/v1/statistics/coverage?period=2024&kind=shelters');
      expect(kind.status).toBe(422);
      expect(kind.body.errors[0]).toMatchObject({ pointer: '#/kind' });
    });
  });

  describe('R12, R31: identification by any first-contact agency; no gender assumptions', () => {
    it('labour inspection, health, school, consulate, child protection and shelter agencies register victims with their identification route, counted by agency kind', async () => {
      const routes: Array<[string, string]> = [
        ['labour', 'labour_inspection'],
        ['health', 'health_service'],
        ['education', 'school'],
        ['consulate', 'consular'],
        ['child_protection', 'child_protection'],
        ['shelter', 'shelter_or_ngo'],
        ['police', 'transport_hub_surveillance'],
      ];
      for (const [kind, route] of routes) {
        const p = await createPrincipal(t, { kind: kind as 'labour', jurisdiction: '20', scopes: ['victims:write', 'victims:read'] });
        const res = await request(t.baseUrl)
          .put('/v1/victims/ID-1')
          .auth(p.token, { type: 'bearer' })
          .send({ ...victim('ID-1', { stateOfOrigin: '20', identifiedOn: '2024-05-02', identificationRoute: route }), localId: undefined });
        expect(res.status).toBe(201);
        expect(res.body.data.identificationRoute).toBe(route);
      }
      const bad = await request(t.baseUrl)
        .put('/v1/victims/ID-2')
        .auth(jal.token, { type: 'bearer' })
        .send({ ...victim('ID-2', { identificationRoute: 'walk_in' }), localId: undefined });
      expect(bad.status).toBe(422);
      expect(bad.body.errors[0]).toMatchObject({ pointer: '#/identificationRoute', catalog: '/v1/catalogs/identification-route' });
      const byKind = await stat('/v1/statistics/victim-records?groupBy=agencyKind&stateOfOrigin=20');
      for (const [kind] of routes) expect(value(byKind, { agencyKind: kind })).toBe(1);
    });

    it('a male victim of sexual exploitation and a female victim of forced labour are accepted without warnings', async () => {
      for (const [id, sex, offense, form] of [
        ['G-1', 'male', 'LGT-13', 'sexual'],
        ['G-2', 'female', 'LGT-22', 'forced_labour'],
      ]) {
        const res = await request(t.baseUrl)
          .put(`/v1/victims/${id}`)
          .auth(jal.token, { type: 'bearer' })
          .send({ ...victim(id, { sex, offenses: [offense], exploitationForms: [form], stateOfOrigin: '21' }), localId: undefined });
        expect(res.status).toBe(201);
        expect(res.body.warnings).toEqual([]);
      }
    });
  });

  describe('R10: protected identity in referrals', () => {
    it('a protected victim who consented to sharing: identity and contact are still refused; demographics can be shared', async () => {
      const put = await request(t.baseUrl)
        .put('/v1/victims/PROT-1')
        .auth(jal.token, { type: 'bearer' })
        .send({
          ...victim('PROT-1'),
          localId: undefined,
          names: { firstName: 'Xochiquetzal' },
          phone: '+52 33 5555 0000',
          consentToShare: true,
          protectedIdentity: true,
        });
      expect(put.status).toBe(201);
      const refer = (shared: string[]) =>
        request(t.baseUrl)
          .post('/v1/referrals')
          .auth(jal.token, { type: 'bearer' })
          .send({
            toAgency: cdmx.agencyCode,
            subject: { kind: 'victims', localId: 'PROT-1' },
            reason: 'investigation',
            urgency: 'urgent',
            shared,
          });
      for (const group of ['victim.identity', 'victim.contact']) {
        const res = await refer([group]);
        expect(res.status).toBe(422);
        expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '#/shared/0', rule: 'victim-consent' })]);
        expect(JSON.stringify(res.body)).not.toContain('Xochiquetzal');
      }
      const ok = await refer(['victim.demographics']);
      expect(ok.status).toBe(201);
      const seen = await request(t.baseUrl).get(`/v1/referrals/${ok.body.id}`).auth(cdmx.token, { type: 'bearer' });
      expect(seen.status).toBe(200);
      expect(JSON.stringify(seen.body)).not.toContain('Xochiquetzal');
      expect(JSON.stringify(seen.body)).not.toContain('5555');

      // the same victim without protection (and with consent) can be shared: the flag is what blocks it
      const unprotected = await request(t.baseUrl)
        .put('/v1/victims/PROT-1')
        .auth(jal.token, { type: 'bearer' })
        .set('if-match', put.headers.etag)
        .send({
          ...victim('PROT-1'),
          localId: undefined,
          names: { firstName: 'Xochiquetzal' },
          phone: '+52 33 5555 0000',
          consentToShare: true,
          protectedIdentity: false,
        });
      expect(unprotected.status).toBe(200);
      expect((await refer(['victim.identity'])).status).toBe(201);
    });
  });
  describe('R4: monthly SESNSP-style export', () => {
    it('counts files per offense × state × jurisdiction × file type with victims by sex and age group, every offense listed; CSV and JSON', async () => {
      const fge = await createPrincipal(t, { kind: 'prosecutor', jurisdiction: 'FED', scopes: ['cases:write'] });
      const put = async (who: TestPrincipal, path: string, body: object) => {
        const res = await request(t.baseUrl).put(path).auth(who.token, { type: 'bearer' }).send(body);
        if (res.status !== 201) throw new Error(`${path} → ${res.status} ${JSON.stringify(res.body)}`);
      };
      await put(jal, '/v1/victims/S4-F', { ...victim('S4-F', { ageAtEvent: 15, identifiedOn: '2024-04-10' }), localId: undefined });
      await put(jal, '/v1/victims/S4-M', { ...victim('S4-M', { sex: 'male', identifiedOn: '2024-04-10' }), localId: undefined });
      const kase = (fileNumber: string, openedOn: string, charges: object[], over: object = {}) => ({
        fileNumber,
        fileType: 'carpeta_investigacion',
        jurisdiction: 'fuero_comun',
        state: '14',
        openedOn,
        charges,
        ...over,
      });
      await put(
        jal,
        '/v1/cases/CI-S4',
        kase('CI-S4', '2024-04-10', [
          { offense: 'LGT-13', attempted: false, victims: ['S4-F', 'S4-M', 'S4-X'] }, // S4-X not submitted: sex and age unknown
          { offense: 'LGT-10-III', attempted: false, victims: ['S4-F'] },
        ]),
      );
      await put(jal, '/v1/cases/CI-S4-MAY', kase('CI-S4-MAY', '2024-05-02', [{ offense: 'LGT-13', attempted: false }]));
      await put(jal, '/v1/cases/CI-S4-DEL', kase('CI-S4-DEL', '2024-04-11', [{ offense: 'LGT-13', attempted: false }]));
      const del = await request(t.baseUrl).delete('/v1/cases/CI-S4-DEL?reason=duplicate').auth(jal.token, { type: 'bearer' });
      expect(del.status).toBeLessThan(300);
      await put(
        fge,
        '/v1/cases/AP-1',
        kase('AP-1', '2024-04-20', [{ offense: 'LGT-21', attempted: false }], {
          fileType: 'averiguacion_previa',
          jurisdiction: 'fuero_federal',
          state: 'FED',
        }),
      );

      const json = await get(exact, '/v1/exports/sesnsp?month=2024-04&format=json');
      expect(json.status).toBe(200);
      expect(json.body).toMatchObject({ month: '2024-04', from: '2024-04-01', to: '2024-04-30', contributingAgencies: 2 });
      const rows = json.body.rows as Array<{
        state: string;
        fileType: string;
        offense: string;
        files: number;
        victims: number;
        victimsBySexAndAge: Record<string, number>;
      }>;
      const offenses = 37;
      expect(rows).toHaveLength(2 * offenses);
      const row = (state: string, offense: string) => rows.find((r) => r.state === state && r.offense === offense)!;
      expect(row('14', 'LGT-13')).toMatchObject({ jurisdiction: 'fuero_comun', fileType: 'carpeta_investigacion', files: 1, victims: 3 });
      expect(row('14', 'LGT-13').victimsBySexAndAge).toEqual({
        femaleUnder18: 1,
        female18Plus: 0,
        femaleAgeUnknown: 0,
        maleUnder18: 0,
        male18Plus: 1,
        maleAgeUnknown: 0,
        sexUnknownUnder18: 0,
        sexUnknown18Plus: 0,
        sexUnknownAgeUnknown: 1,
      });
      expect(row('14', 'LGT-10-III')).toMatchObject({
        files: 1,
        victims: 1,
        victimsBySexAndAge: expect.objectContaining({ femaleUnder18: 1 }),
      });
      expect(row('14', 'LGT-21')).toMatchObject({ files: 0, victims: 0 });
      expect(row('FED', 'LGT-21')).toMatchObject({ jurisdiction: 'fuero_federal', fileType: 'averiguacion_previa', files: 1, victims: 0 });

      const csv = await request(t.baseUrl).get('/v1/exports/sesnsp?month=2024-04').auth(exact.token, { type: 'bearer' });
      expect(csv.status).toBe(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const lines = csv.text.trim().split('\r\n');
      expect(lines[0]).toBe(
        'month,state,jurisdiction,file_type,offense,offense_label,files,victims,female_under_18,female_18_plus,female_age_unknown,male_under_18,male_18_plus,male_age_unknown,sex_unknown_under_18,sex_unknown_18_plus,sex_unknown_age_unknown',
      );
      expect(lines).toHaveLength(1 + 2 * offenses);
      expect(lines.find((l) => l.startsWith('2024-04,14,fuero_comun,carpeta_investigacion,LGT-13,'))).toMatch(/,1,3,1,0,0,0,1,0,0,0,1$/);
    });

    it('401 without a token, 403 without statistics:exact, 422 with a pointer for a bad month', async () => {
      const reader = await createPrincipal(t, { kind: 'oversight', scopes: ['statistics:read'] });
      expect((await get(null, '/v1/exports/sesnsp?month=2024-04')).status).toBe(401);
      expect((await get(reader, '/v1/exports/sesnsp?month=2024-04')).status).toBe(403);
      const bad = await get(exact, '/v1/exports/sesnsp?month=2024-4');
      expect(bad.status).toBe(422);
      expect(bad.body.errors[0]).toMatchObject({ pointer: '#/month' });
      const fmt = await get(exact, '/v1/exports/sesnsp?month=2024-04&format=xml');
      expect(fmt.status).toBe(422);
      expect(fmt.body.errors[0]).toMatchObject({ pointer: '#/format' });
    });
  });
  describe('R19: non-punishment review (art. 37)', () => {
    const X = 'GAPJ850312HPLRRN04';
    const Y = 'LOMM900101MDFPRR09';
    const Z = 'HUXX100101MJCTCH09';
    const accused = (curp: string, over: object = {}) => ({
      curp,
      sex: 'male',
      nationality: ['MEX'],
      stateOfOrigin: '21',
      roles: ['recruiter'],
      proceedings: [{ caseLocalId: 'CI-NP', offense: 'LGT-13', on: '2025-05-10', status: 'indicted_charged' }],
      ...over,
    });
    let pa: TestPrincipal;
    let pb: TestPrincipal;
    const put = async (who: TestPrincipal, path: string, body: object) => {
      const res = await request(t.baseUrl).put(path).auth(who.token, { type: 'bearer' }).send(body);
      if (res.status !== 201) throw new Error(`${path} → ${res.status} ${JSON.stringify(res.body)}`);
    };
    const review = (who: TestPrincipal | null, qs = '') => get(who, `/v1/accused/non-punishment-review${qs}`);

    beforeAll(async () => {
      pa = await createPrincipal(t, { kind: 'prosecutor', jurisdiction: '21', scopes: ['cases:write', 'cases:read', 'victims:write'] });
      pb = await createPrincipal(t, { kind: 'victim_commission', jurisdiction: '21', scopes: ['victims:write', 'cases:read'] });
      await put(pb, '/v1/victims/NPV-B', { ...victim('NPV-B', { sex: 'male' }), localId: undefined, curp: X });
      await put(pa, '/v1/victims/NPV-2', { ...victim('NPV-2'), localId: undefined, curp: Y });
      await put(pa, '/v1/accused/NP-1', accused(X)); // matches agency B's victim by CURP, not flagged
      await put(pa, '/v1/accused/NP-2', accused(Y, { sex: 'female', alsoRegisteredAsVictim: true, victimRecordLocalId: 'NPV-2' }));
      await put(pa, '/v1/accused/NP-3', accused(Z)); // no victim registration
      await put(pa, '/v1/accused/NP-4', accused(X));
      const del = await request(t.baseUrl).delete('/v1/accused/NP-4?reason=duplicate').auth(pa.token, { type: 'bearer' });
      if (del.status !== 200) throw new Error(`withdrawal failed: ${del.status}`);
    });

    it("lists the agency's accused persons also registered as victims: by the agency's flag or by a CURP match in any agency, without identifying the other agency's record", async () => {
      const res = await review(pa);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        items: [
          { localId: 'NP-1', flaggedByAgency: false, victimRegistrationsWithSameCurp: 1, ownVictimLocalIds: [] },
          { localId: 'NP-2', flaggedByAgency: true, victimRegistrationsWithSameCurp: 1, ownVictimLocalIds: ['NPV-2'] },
        ],
        nextCursor: null,
      });
      expect(JSON.stringify(res.body)).not.toContain('NPV-B');
      // keyset pages
      const first = await review(pa, '?limit=1');
      expect(first.body.items.map((i: { localId: string }) => i.localId)).toEqual(['NP-1']);
      const second = await review(pa, `?limit=1&cursor=${first.body.nextCursor}`);
      expect(second.body).toMatchObject({ items: [{ localId: 'NP-2' }], nextCursor: null });
      // agency B has no accused records: nothing, and nothing of agency A
      expect((await review(pb)).body).toEqual({ items: [], nextCursor: null });
    });

    it('401 without a token, 403 without cases:read, 422 with a pointer for a bad limit or cursor', async () => {
      expect((await review(null)).status).toBe(401);
      expect((await review(none)).status).toBe(403);
      const bad = await review(pa, '?limit=0');
      expect(bad.status).toBe(422);
      expect(bad.body.errors[0]).toMatchObject({ pointer: '#/limit' });
      const forged = await review(pa, '?cursor=forged');
      expect(forged.status).toBe(422);
      expect(forged.body.errors[0]).toMatchObject({ pointer: '#/cursor' });
    });
  });
});

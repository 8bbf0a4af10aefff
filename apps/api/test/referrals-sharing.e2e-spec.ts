import request from 'supertest';
import type { components } from '@app/client';
import { FIELD_CIPHER, type FieldCipher } from '@app/crypto';
import { JobsService } from '@app/jobs';
import { WEBHOOK_QUEUE } from '@app/webhooks';
import { createPrincipal, startTestApp, type TestApp, type TestPrincipal } from '@app/testing';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

type ShareGroup = components['schemas']['CreateReferralDto']['shared'][number];

/**
 * Issue 8: "data not shared in a referral is not visible to the receiver (tests per field group);
 * reporter identity never leaves the hotline without consent". Every group is shared alone, and the
 * receiver must see that group and nothing of any other group.
 */

// Values that belong to exactly one group each.
const REPORTER = 'Reportante Xochiquetzal Sentinela';
const REPORT_NARRATIVE = 'NARRATIVA-DEL-REPORTE-centinela';
const VICTIM_NAME = 'Citlalli-Centinela';
const VICTIM_CURP = 'CECI100101MJCNTT09';
const VICTIM_PHONE = '+52 33 9876 5432';
const VICTIM_ADDRESS = 'Calle Centinela 77, Tlaquepaque';
const CASE_NARRATIVE = 'NARRATIVA-DE-LA-CARPETA-centinela';

/** What identifies each group in what the receiver gets: keys (non-personal) or values (personal). */
const MARKERS: Record<ShareGroup, string[]> = {
  'report.summary': ['"channel"', '"callerRole"'],
  'report.narrative': [REPORT_NARRATIVE],
  'report.reporterIdentity': [REPORTER],
  'victim.demographics': ['"stateOfOrigin"', '"victimType"'],
  'victim.identity': [VICTIM_NAME, VICTIM_CURP],
  'victim.contact': [VICTIM_PHONE, VICTIM_ADDRESS],
  'case.summary': ['"fileType"', '"openedOn"'],
  'case.narrative': [CASE_NARRATIVE],
};
const SUBJECT: Record<ShareGroup, { kind: 'reports' | 'cases'; localId: string }> = {
  'report.summary': { kind: 'reports', localId: 'R-CONSENT' },
  'report.narrative': { kind: 'reports', localId: 'R-CONSENT' },
  'report.reporterIdentity': { kind: 'reports', localId: 'R-CONSENT' },
  'victim.demographics': { kind: 'reports', localId: 'R-CONSENT' },
  'victim.identity': { kind: 'reports', localId: 'R-CONSENT' },
  'victim.contact': { kind: 'reports', localId: 'R-CONSENT' },
  'case.summary': { kind: 'cases', localId: 'CI-1' },
  'case.narrative': { kind: 'cases', localId: 'CI-1' },
};
const GROUPS = Object.keys(MARKERS) as ShareGroup[];

describe('referrals: the receiver sees exactly the shared groups', () => {
  let t: TestApp;
  let hotline: TestPrincipal;
  let fge: TestPrincipal;
  let fgeNoPii: TestPrincipal;
  let commission: TestPrincipal;

  const report = (localId: string, consent: boolean, victimLocalId: string) =>
    hotline.api.PUT('/v1/reports/{localId}', {
      params: { path: { localId } },
      body: {
        receivedAt: '2025-07-01T12:00:00Z',
        channel: 'whatsapp',
        callerRole: 'third_party_witness',
        anonymous: false,
        classification: 'trafficking_related_crime',
        place: { country: 'MEX', state: '14' },
        exploitationForms: ['labour'],
        platforms: ['facebook'],
        victims: [{ count: 1, sex: 'female', ageGroup: 'adult_18_plus', nationality: 'MEX', victimLocalId }],
        narrative: REPORT_NARRATIVE,
        reporter: { name: REPORTER, phone: '+52 33 1111 2222' },
        consentToShareReporterIdentity: consent,
      },
    });

  beforeAll(async () => {
    t = await startTestApp({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
    hotline = await createPrincipal(t, {
      kind: 'hotline',
      jurisdiction: 'FED',
      scopes: ['reports:write', 'victims:write', 'cases:write', 'referrals:read', 'referrals:write', 'webhooks:write', 'pii:read'],
    });
    fge = await createPrincipal(t, { kind: 'prosecutor', jurisdiction: '14', scopes: ['referrals:read', 'referrals:write', 'webhooks:write', 'pii:read'] });
    fgeNoPii = await createPrincipal(t, { code: fge.agencyCode, scopes: ['referrals:read'] });
    commission = await createPrincipal(t, { kind: 'victim_commission', jurisdiction: '14', scopes: ['referrals:read', 'referrals:write', 'pii:read'] });
    const victim = (localId: string, consentToShare: boolean) =>
      hotline.api.PUT('/v1/victims/{localId}', {
        params: { path: { localId } },
        body: {
          names: { firstName: VICTIM_NAME },
          curp: VICTIM_CURP,
          phone: VICTIM_PHONE,
          address: VICTIM_ADDRESS,
          sex: 'female',
          ageAtEvent: 24,
          nationality: ['MEX'],
          stateOfOrigin: '14',
          vulnerableGroups: ['SI'],
          victimType: 'direct',
          offenses: ['LGT-22'],
          consentToShare,
        },
      });
    for (const res of [
      await victim('V-CONSENT', true),
      await victim('V-NO', false),
      await report('R-CONSENT', true, 'V-CONSENT'),
      await report('R-NO', false, 'V-NO'),
      await hotline.api.PUT('/v1/cases/{localId}', {
        params: { path: { localId: 'CI-1' } },
        body: {
          fileNumber: 'CI-JAL/2025/1',
          fileType: 'carpeta_investigacion',
          jurisdiction: 'fuero_comun',
          state: '14',
          openedOn: '2025-07-02',
          status: 'pending',
          charges: [{ offense: 'LGT-22', attempted: false, victims: ['V-CONSENT'] }],
          victims: [{ localId: 'V-CONSENT', offenses: ['LGT-22'] }],
          narrative: CASE_NARRATIVE,
        },
      }),
    ]) {
      if (res.response.status !== 201) throw new Error(`setup failed: ${res.response.status} ${JSON.stringify(res.error)}`);
    }
  });
  afterAll(() => t.close());

  it.each(GROUPS)('%s alone: the receiver sees it, and nothing of any other group', async (group) => {
    const sent = await hotline.api.POST('/v1/referrals', {
      body: { toAgency: fge.agencyCode, subject: SUBJECT[group], reason: 'investigation', urgency: 'routine', shared: [group] },
    });
    expect(sent.response.status).toBe(201);
    const got = await fge.api.GET('/v1/referrals/{referralId}', { params: { path: { referralId: sent.data!.id } } });
    expect(got.response.status).toBe(200);
    expect(got.data!.shared).toEqual([group]);
    expect([...Object.keys(got.data!.sharedData), ...Object.keys(got.data!.sharedPersonal ?? {})]).toEqual([group]);
    const body = JSON.stringify(got.data);
    for (const m of MARKERS[group]) expect(body).toContain(m);
    for (const other of GROUPS.filter((g) => g !== group)) for (const m of MARKERS[other]) expect(body).not.toContain(m);
    // the sender's identifiers stay with the sender
    for (const id of ['R-CONSENT', 'V-CONSENT', 'CI-1', 'CI-JAL/2025/1']) expect(body).not.toContain(id);

    // the same, read in a list
    const list = await fge.api.GET('/v1/referrals', { params: { query: { direction: 'incoming' } } });
    const listed = JSON.stringify(list.data!.items.find((i) => i.id === sent.data!.id));
    for (const other of GROUPS.filter((g) => g !== group)) for (const m of MARKERS[other]) expect(listed).not.toContain(m);

    // personal groups: masked without pii:read, encrypted at rest
    const masked = await fgeNoPii.api.GET('/v1/referrals/{referralId}', { params: { path: { referralId: sent.data!.id } } });
    const maskedBody = JSON.stringify(masked.data);
    const personalValues = GROUPS.flatMap((g) => MARKERS[g]).filter((m) => !m.startsWith('"'));
    for (const m of personalValues) expect(maskedBody).not.toContain(m);
    const raw = await t.db.pool.query(`SELECT shared_data::text AS d, coalesce(shared_pii_enc, '') AS p FROM referrals WHERE id = $1`, [sent.data!.id]);
    for (const m of personalValues) expect(`${raw.rows[0].d}${raw.rows[0].p}`).not.toContain(m);
  });

  it('later edits of the sender are not shared: the snapshot is what was sent', async () => {
    const sent = await hotline.api.POST('/v1/referrals', {
      body: { toAgency: fge.agencyCode, subject: { kind: 'reports', localId: 'R-CONSENT' }, reason: 'investigation', urgency: 'routine', shared: ['report.summary'] },
    });
    const edited = await hotline.api.PUT('/v1/reports/{localId}', {
      params: { path: { localId: 'R-CONSENT' } },
      body: {
        receivedAt: '2025-07-01T12:00:00Z',
        channel: 'email',
        callerRole: 'third_party_witness',
        anonymous: false,
        classification: 'trafficking_related_crime',
        place: { country: 'MEX', state: '14' },
        victims: [],
        narrative: 'otra narrativa',
        reporter: { name: REPORTER },
        consentToShareReporterIdentity: true,
      },
    });
    expect(edited.response.status).toBe(200);
    const got = await fge.api.GET('/v1/referrals/{referralId}', { params: { path: { referralId: sent.data!.id } } });
    expect(got.data!.sharedData['report.summary']).toMatchObject({ channel: 'whatsapp' });
    await report('R-CONSENT', true, 'V-CONSENT'); // restore for the other tests
  });

  it('reporter identity never leaves the hotline without consent: not in referrals, notices, redirects, webhooks or exports', async () => {
    // a receiving agency of its own here, and a receiver that records every webhook body it gets
    const rcv = await createPrincipal(t, { kind: 'prosecutor', jurisdiction: '14', scopes: ['referrals:read', 'referrals:write', 'webhooks:write', 'pii:read'] });
    const bodies: string[] = [];
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const hook = await rcv.api.POST('/v1/webhooks', {
        body: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/h`, events: ['referral.received', 'referral.status_changed', 'referral.overdue'] },
      });
      expect(hook.response.status).toBe(201);

      // without consent: refused outright, whatever else is listed, and nothing is stored
      const before = await t.db.pool.query(`SELECT count(*)::int AS n FROM referrals`);
      for (const shared of [['report.reporterIdentity'], ['report.summary', 'report.narrative', 'victim.demographics', 'report.reporterIdentity']] as ShareGroup[][]) {
        const refused = await hotline.api.POST('/v1/referrals', {
          body: { toAgency: rcv.agencyCode, subject: { kind: 'reports', localId: 'R-NO' }, reason: 'investigation', urgency: 'routine', shared },
        });
        expect(refused.response.status).toBe(422);
        expect(refused.error!.errors).toEqual([expect.objectContaining({ pointer: `#/shared/${shared.length - 1}`, rule: 'reporter-consent' })]);
      }
      expect((await t.db.pool.query(`SELECT count(*)::int AS n FROM referrals`)).rows[0].n).toBe(before.rows[0].n);

      // everything else of that report may go, and the identity is in none of it
      const sent = await hotline.api.POST('/v1/referrals', {
        body: {
          toAgency: rcv.agencyCode,
          subject: { kind: 'reports', localId: 'R-NO' },
          reason: 'investigation',
          urgency: 'routine',
          shared: ['report.summary', 'report.narrative', 'victim.demographics'],
          note: 'llamar a la fiscalía de turno',
        },
      });
      expect(sent.response.status).toBe(201);
      const id = sent.data!.id;
      await rcv.api.POST('/v1/referrals/{referralId}/transitions', { params: { path: { referralId: id } }, body: { to: 'acknowledged' } });
      const red = await rcv.api.POST('/v1/referrals/{referralId}/transitions', {
        params: { path: { referralId: id } },
        body: { to: 'redirected', redirectTo: commission.agencyCode },
      });
      expect(red.response.status).toBe(200);
      await t.app.get(JobsService).drain(WEBHOOK_QUEUE);

      const seen = [
        JSON.stringify((await rcv.api.GET('/v1/referrals/{referralId}', { params: { path: { referralId: id } } })).data),
        JSON.stringify((await rcv.api.GET('/v1/referrals', { params: { query: { direction: 'incoming' } } })).data),
        JSON.stringify((await commission.api.GET('/v1/referrals/{referralId}', { params: { path: { referralId: red.data!.redirectedToReferralId! } } })).data),
        (await request(t.baseUrl).get('/v1/referrals/export').auth(rcv.token, { type: 'bearer' })).text,
        (await request(t.baseUrl).get('/v1/referrals/export').auth(commission.token, { type: 'bearer' })).text,
        ...bodies,
      ];
      expect(bodies.length).toBeGreaterThanOrEqual(3);
      expect(seen[0]).toContain(REPORT_NARRATIVE); // what was shared did arrive
      for (const s of seen) {
        expect(s).not.toContain(REPORTER);
        expect(s).not.toContain('1111 2222');
      }
      // nor in the stored snapshot of any of these referrals (received, redirected, passed on)
      const stored = await t.db.pool.query(`SELECT shared_data::text AS d, shared_pii_enc AS p FROM referrals WHERE receiver_agency_id = $1 OR sender_agency_id = $1`, [rcv.agencyId]);
      expect(stored.rows).toHaveLength(2);
      const cipher = t.app.get(FIELD_CIPHER) as FieldCipher;
      for (const r of stored.rows as Array<{ d: string; p: string }>) {
        expect(r.d).not.toContain(REPORTER);
        expect(JSON.stringify(cipher.decryptJson(r.p))).not.toContain(REPORTER);
      }
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('refuses victim identity and contact without the victim consent (per group)', async () => {
    for (const [i, group] of (['victim.identity', 'victim.contact'] as ShareGroup[]).entries()) {
      const res = await hotline.api.POST('/v1/referrals', {
        body: { toAgency: fge.agencyCode, subject: { kind: 'reports', localId: 'R-NO' }, reason: 'investigation', urgency: 'routine', shared: ['report.summary', group] },
      });
      expect([i, res.response.status]).toEqual([i, 422]);
      expect(res.error!.errors).toEqual([expect.objectContaining({ pointer: '#/shared/1', rule: 'victim-consent' })]);
      expect(JSON.stringify(res.error)).not.toContain(VICTIM_NAME);
    }
  });
});

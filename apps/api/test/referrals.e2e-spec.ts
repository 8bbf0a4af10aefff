import request from 'supertest';
import type { components } from '@app/client';
import { createPrincipal, startTestApp, type TestApp, type TestPrincipal } from '@app/testing';

type ReportDto = components['schemas']['ReportDto'];
type CreateReferralDto = components['schemas']['CreateReferralDto'];

const REPORTER = 'Rosaura Quetzalli Testigo';
const VICTIM_NAME = 'Itzpapalotl';
const NARRATIVE = 'Narrativa confidencial del reporte';

const report = (over: Partial<ReportDto> = {}): ReportDto => ({
  receivedAt: '2025-06-01T14:30:00-06:00',
  channel: 'phone',
  contactType: 'report',
  callerRole: 'relative',
  anonymous: false,
  classification: 'trafficking_related_crime',
  environment: 'digital',
  place: { country: 'MEX', state: '14', municipality: '039' },
  exploitationForms: ['sexual'],
  platforms: ['instagram'],
  victims: [{ count: 1, sex: 'female', age: 15, ageGroup: 'adolescent_12_17', nationality: 'MEX', victimLocalId: 'V-1' }],
  narrative: NARRATIVE,
  reporter: { name: REPORTER, phone: '+52 33 1234 5678' },
  consentToShareReporterIdentity: false,
  ...over,
});

describe('referrals between agencies', () => {
  let t: TestApp;
  let hotline: TestPrincipal; // sender
  let hotlineNone: TestPrincipal; // hotline client without referral scopes
  let fge: TestPrincipal; // Jalisco prosecutor (receiver)
  let fgeNoPii: TestPrincipal;
  let dif: TestPrincipal; // Jalisco child protection
  let third: TestPrincipal; // another agency, not addressed
  const refer = (over: Partial<CreateReferralDto> = {}) =>
    hotline.api.POST('/v1/referrals', {
      body: { toAgency: fge.agencyCode, subject: { kind: 'reports', localId: 'R-1' }, reason: 'investigation', urgency: 'urgent', shared: ['report.summary'], ...over },
    });
  const move = (p: TestPrincipal, id: string, body: components['schemas']['ReferralTransitionDto']) =>
    p.api.POST('/v1/referrals/{referralId}/transitions', { params: { path: { referralId: id } }, body });

  beforeAll(async () => {
    t = await startTestApp();
    hotline = await createPrincipal(t, {
      kind: 'hotline',
      jurisdiction: 'FED',
      scopes: ['reports:read', 'reports:write', 'victims:read', 'victims:write', 'referrals:read', 'referrals:write', 'pii:read'],
    });
    hotlineNone = await createPrincipal(t, { code: hotline.agencyCode, scopes: ['reports:read'] });
    fge = await createPrincipal(t, { kind: 'prosecutor', jurisdiction: '14', scopes: ['referrals:read', 'referrals:write', 'pii:read'] });
    fgeNoPii = await createPrincipal(t, { code: fge.agencyCode, scopes: ['referrals:read'] });
    dif = await createPrincipal(t, { kind: 'child_protection', jurisdiction: '14', scopes: ['referrals:read', 'referrals:write'] });
    third = await createPrincipal(t, { kind: 'victim_commission', jurisdiction: '14', scopes: ['referrals:read', 'referrals:write', 'pii:read'] });
    const v = await hotline.api.PUT('/v1/victims/{localId}', {
      params: { path: { localId: 'V-1' } },
      body: {
        names: { firstName: VICTIM_NAME },
        curp: 'HUXX100101MJCTCH09',
        sex: 'female',
        ageAtEvent: 15,
        nationality: ['MEX'],
        stateOfOrigin: '14',
        vulnerableGroups: ['SI'],
        victimType: 'direct',
        offenses: ['LGT-13'],
        consentToShare: false,
      },
    });
    if (v.response.status !== 201) throw new Error(`victim setup failed: ${v.response.status}`);
    const r = await hotline.api.PUT('/v1/reports/{localId}', { params: { path: { localId: 'R-1' } }, body: report() });
    if (r.response.status !== 201) throw new Error(`report setup failed: ${r.response.status}`);
  });
  afterAll(() => t.close());

  it('runs the full lifecycle: sent → acknowledged → accepted → closed, each step timed and attributed, seen by both parties', async () => {
    const sent = await refer({ shared: ['report.summary', 'report.narrative', 'victim.demographics'], servicesRequested: ['legal_assistance'] });
    expect(sent.response.status).toBe(201);
    const id = sent.data!.id;
    expect(sent.data).toMatchObject({ status: 'sent', direction: 'outgoing', involvesMinor: true, state: '14', subjectLocalId: 'R-1', allowedTransitions: [] });
    // a minor is involved: acknowledge within 1 h whatever the urgency
    expect(Date.parse(sent.data!.acknowledgeDueAt) - Date.parse(sent.data!.sentAt)).toBe(3_600_000);

    const incoming = await fge.api.GET('/v1/referrals', { params: { query: { direction: 'incoming' } } });
    expect(incoming.data!.items.map((i) => i.id)).toContain(id);

    for (const [to, extra] of [
      ['acknowledged', {}],
      ['accepted', {}],
      ['closed', { outcome: 'investigation_opened', caseReference: 'FGE-JAL-2025-000123' }],
    ] as const) {
      const res = await move(fge, id, { to, ...extra });
      expect([res.response.status, res.data?.status]).toEqual([200, to]);
    }
    const seen = await hotline.api.GET('/v1/referrals/{referralId}', { params: { path: { referralId: id } } });
    expect(seen.data).toMatchObject({ status: 'closed', outcome: 'investigation_opened', caseReference: 'FGE-JAL-2025-000123' });
    expect(seen.data!.acknowledgedAt).not.toBeNull();
    expect(seen.data!.respondedAt).not.toBeNull();
    expect(seen.data!.closedAt).not.toBeNull();
    expect(seen.data!.history.map((h) => [h.from, h.to, h.actorAgency.code])).toEqual([
      [null, 'sent', hotline.agencyCode],
      ['sent', 'acknowledged', fge.agencyCode],
      ['acknowledged', 'accepted', fge.agencyCode],
      ['accepted', 'closed', fge.agencyCode],
    ]);
    const audit = await t.db.pool.query(`SELECT action FROM audit_log WHERE $1 = ANY(resource_ids) ORDER BY seq`, [id]);
    expect(audit.rows.map((r: { action: string }) => r.action)).toEqual(['referrals.send', 'referrals.transition', 'referrals.transition', 'referrals.transition']);

    const summary = await fge.api.GET('/v1/referrals/summary', { params: { query: { direction: 'incoming' } } });
    expect(summary.data!.counts.find((c) => c.status === 'closed')!.count).toBe(1);
    expect(summary.data!.medianSecondsToAcknowledge).not.toBeNull();
    expect(summary.data!.medianSecondsToClose).not.toBeNull();
  });

  it('shows the receiver exactly the shared snapshot: no reporter identity, no victim identity, no sender localIds', async () => {
    const sent = await refer({ shared: ['report.summary', 'report.narrative', 'victim.demographics'] });
    const id = sent.data!.id;
    const got = await fge.api.GET('/v1/referrals/{referralId}', { params: { path: { referralId: id } } });
    expect(got.response.status).toBe(200);
    expect(got.data).toMatchObject({ direction: 'incoming', subjectKind: 'reports', subjectLocalId: null, allowedTransitions: ['acknowledged'] });
    expect(Object.keys(got.data!.sharedData).sort()).toEqual(['report.summary', 'victim.demographics']);
    expect(got.data!.sharedPersonal).toEqual({ 'report.narrative': NARRATIVE });
    const summary = got.data!.sharedData['report.summary'] as { victims: Array<Record<string, unknown>>; place: unknown };
    expect(summary.victims).toEqual([{ count: 1, sex: 'female', age: 15, ageGroup: 'adolescent_12_17', nationality: 'MEX' }]);
    expect(got.data!.sharedData['victim.demographics']).toEqual([expect.objectContaining({ sex: 'female', ageAtEvent: 15, nationality: ['MEX'] })]);
    const body = JSON.stringify(got.data);
    for (const secret of [REPORTER, VICTIM_NAME, 'HUXX100101MJCTCH09', 'V-1', 'R-1', '1234 5678']) expect(body).not.toContain(secret);

    // without pii:read the personal groups are masked
    const masked = await fgeNoPii.api.GET('/v1/referrals/{referralId}', { params: { path: { referralId: id } } });
    expect(masked.data).toMatchObject({ sharedPersonal: null, piiMasked: true });

    // only what was listed: a summary-only referral carries nothing else
    const only = await refer({ shared: ['report.summary'] });
    const got2 = await fge.api.GET('/v1/referrals/{referralId}', { params: { path: { referralId: only.data!.id } } });
    expect(Object.keys(got2.data!.sharedData)).toEqual(['report.summary']);
    expect(got2.data!.sharedPersonal).toBeNull();
    expect(JSON.stringify(got2.data)).not.toContain(NARRATIVE);
  });

  it('never shares the reporter identity without recorded consent', async () => {
    const refused = await refer({ shared: ['report.summary', 'report.reporterIdentity'] });
    expect(refused.response.status).toBe(422);
    expect(refused.error).toMatchObject({ errors: [{ pointer: '#/shared/1', rule: 'reporter-consent' }] });
    const stored = await t.db.pool.query(`SELECT shared_pii_enc FROM referrals WHERE sender_agency_id = $1`, [hotline.agencyId]);
    expect(stored.rows.every((r: { shared_pii_enc: string | null }) => !r.shared_pii_enc?.includes(REPORTER))).toBe(true);

    await hotline.api.PUT('/v1/reports/{localId}', { params: { path: { localId: 'R-2' } }, body: report({ consentToShareReporterIdentity: true, victims: [] }) });
    const ok = await refer({ subject: { kind: 'reports', localId: 'R-2' }, shared: ['report.reporterIdentity'] });
    expect(ok.response.status).toBe(201);
    const got = await fge.api.GET('/v1/referrals/{referralId}', { params: { path: { referralId: ok.data!.id } } });
    expect(got.data!.sharedPersonal).toEqual({ 'report.reporterIdentity': { name: REPORTER, phone: '+52 33 1234 5678' } });
    // encrypted at rest
    const raw = await t.db.pool.query(`SELECT shared_pii_enc, shared_data::text AS d FROM referrals WHERE id = $1`, [ok.data!.id]);
    expect(raw.rows[0].shared_pii_enc).not.toContain(REPORTER);
    expect(raw.rows[0].d).not.toContain(REPORTER);
  });

  it('refuses to share victim identity without the victim consent', async () => {
    const res = await refer({ shared: ['victim.identity'] });
    expect(res.response.status).toBe(422);
    expect(res.error).toMatchObject({ errors: [{ pointer: '#/shared/0', rule: 'victim-consent' }] });
  });

  it('notifies the child-protection authority of the state when a minor is involved', async () => {
    const sent = await refer({ shared: ['report.summary'] });
    const noticeId = sent.data!.childProtectionNotificationId;
    expect(noticeId).toBeTruthy();
    const notice = await dif.api.GET('/v1/referrals/{referralId}', { params: { path: { referralId: noticeId! } } });
    expect(notice.data).toMatchObject({ kind: 'notification', direction: 'incoming', reason: 'child_protection_notice', urgency: 'immediate', involvesMinor: true, state: '14' });
    expect(notice.data!.senderAgency.code).toBe(hotline.agencyCode);
    expect(Object.keys(notice.data!.sharedData)).toEqual(['report.summary']);
    // the child-protection office cannot see the referral to the prosecutor
    const hidden = await dif.api.GET('/v1/referrals/{referralId}', { params: { path: { referralId: sent.data!.id } } });
    expect(hidden.response.status).toBe(404);

    // no minor → no notice
    await hotline.api.PUT('/v1/reports/{localId}', {
      params: { path: { localId: 'R-ADULT' } },
      body: report({ victims: [{ count: 2, sex: 'male', ageGroup: 'adult_18_plus', nationality: 'HND' }] }),
    });
    const adult = await refer({ subject: { kind: 'reports', localId: 'R-ADULT' } });
    expect(adult.data).toMatchObject({ involvesMinor: false, childProtectionNotificationId: null });
    expect(Date.parse(adult.data!.acknowledgeDueAt) - Date.parse(adult.data!.sentAt)).toBe(4 * 3_600_000);
  });

  it('answers 409 with the allowed transitions for an illegal move', async () => {
    const sent = await refer();
    const id = sent.data!.id;
    const early = await move(fge, id, { to: 'accepted' });
    expect(early.response.status).toBe(409);
    expect(early.response.headers.get('content-type')).toContain('application/problem+json');
    expect(early.error).toMatchObject({ status: 409, allowed: ['acknowledged'] });
    // the sender does not move the referral
    const bySender = await move(hotline, id, { to: 'acknowledged' });
    expect(bySender.response.status).toBe(409);
    expect(bySender.error).toMatchObject({ allowed: [] });
    // declining needs a reason (422), after acknowledging
    await move(fge, id, { to: 'acknowledged' });
    const noReason = await move(fge, id, { to: 'declined' });
    expect(noReason.response.status).toBe(422);
    expect(noReason.error).toMatchObject({ errors: [{ pointer: '#/reason' }] });
    const declined = await move(fge, id, { to: 'declined', reason: 'not_competent' });
    expect(declined.data).toMatchObject({ status: 'declined', declineReason: 'not_competent', allowedTransitions: [] });
    const after = await move(fge, id, { to: 'closed', outcome: 'other' });
    expect(after.response.status).toBe(409);
    expect(after.error).toMatchObject({ allowed: [] });
  });

  it('redirects to another agency with a new referral carrying the same snapshot', async () => {
    const sent = await refer({ shared: ['report.summary', 'report.narrative'] });
    const id = sent.data!.id;
    await move(fge, id, { to: 'acknowledged' });
    const red = await move(fge, id, { to: 'redirected', redirectTo: third.agencyCode });
    expect(red.data).toMatchObject({ status: 'redirected' });
    expect(red.data!.redirectedToAgencyCode).toBe(third.agencyCode);
    const newId = red.data!.redirectedToReferralId!;
    const atThird = await third.api.GET('/v1/referrals/{referralId}', { params: { path: { referralId: newId } } });
    expect(atThird.data).toMatchObject({ status: 'sent', direction: 'incoming', sharedPersonal: { 'report.narrative': NARRATIVE } });
    expect(atThird.data!.senderAgency.code).toBe(fge.agencyCode);
    const orig = await hotline.api.GET('/v1/referrals/{referralId}', { params: { path: { referralId: id } } });
    expect(orig.data).toMatchObject({ status: 'redirected', redirectedToReferralId: null });
    expect(orig.data!.redirectedToAgencyCode).toBe(third.agencyCode);
    // the hotline is no party of the new referral
    expect((await hotline.api.GET('/v1/referrals/{referralId}', { params: { path: { referralId: newId } } })).response.status).toBe(404);
  });

  it('lists overdue referrals', async () => {
    const late = await refer();
    const fresh = await refer();
    // an hour and a half passes for `late` only
    await t.db.pool.query(`UPDATE referrals SET acknowledge_due_at = now() - interval '30 minutes', created_at = now() - interval '90 minutes' WHERE id = $1`, [late.data!.id]);
    const overdue = await fge.api.GET('/v1/referrals', { params: { query: { direction: 'incoming', overdue: 'true', status: 'sent' } } });
    const ids = overdue.data!.items.map((i) => i.id);
    expect(ids).toContain(late.data!.id);
    expect(ids).not.toContain(fresh.data!.id);
    expect(overdue.data!.items.every((i) => i.overdue)).toBe(true);
    const outgoing = await hotline.api.GET('/v1/referrals', { params: { query: { direction: 'outgoing', overdue: 'true' } } });
    expect(outgoing.data!.items.map((i) => i.id)).toContain(late.data!.id);
    // acknowledged in time → no longer overdue for acknowledging
    await move(fge, late.data!.id, { to: 'acknowledged' });
    const again = await fge.api.GET('/v1/referrals', { params: { query: { overdue: 'true' } } });
    expect(again.data!.items.map((i) => i.id)).not.toContain(late.data!.id);
  });

  it('hides referrals from agencies that are not a party (404)', async () => {
    const sent = await refer();
    const id = sent.data!.id;
    const get = await third.api.GET('/v1/referrals/{referralId}', { params: { path: { referralId: id } } });
    expect(get.response.status).toBe(404);
    expect(JSON.stringify(get.error)).not.toContain(hotline.agencyCode);
    expect((await move(third, id, { to: 'acknowledged' })).response.status).toBe(404);
    const list = await third.api.GET('/v1/referrals', {});
    expect(list.data!.items.map((i) => i.id)).not.toContain(id);
    // RLS is the second wall: as the third agency, the row does not exist
    const c = await t.db.pool.connect();
    try {
      await c.query(`BEGIN; SET LOCAL ROLE puente_app; SELECT set_config('app.agency_id', '${third.agencyId}', true)`);
      const rls = await c.query(`SELECT count(*)::int AS n FROM referrals WHERE id = $1`, [id]);
      expect(rls.rows[0].n).toBe(0);
    } finally {
      await c.query('ROLLBACK');
      c.release();
    }
    // referring another agency's record: not found among the sender's records
    const foreign = await third.api.POST('/v1/referrals', {
      body: { toAgency: fge.agencyCode, subject: { kind: 'reports', localId: 'R-1' }, reason: 'investigation', urgency: 'routine', shared: ['report.summary'] },
    });
    expect(foreign.response.status).toBe(422);
    expect(foreign.error).toMatchObject({ errors: [{ pointer: '#/subject/localId', rule: 'unknown-record' }] });
  });

  it('rejects invalid bodies with pointers (422)', async () => {
    const res = await request(t.baseUrl)
      .post('/v1/referrals')
      .auth(hotline.token, { type: 'bearer' })
      .send({ toAgency: fge.agencyCode, subject: { kind: 'reports', localId: 'R-1' }, reason: 'investigation', urgency: 'soon', shared: [] });
    expect(res.status).toBe(422);
    const pointers = (res.body as { errors: Array<{ pointer: string }> }).errors.map((e) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['#/urgency', '#/shared']));
    const badCode = await refer({ servicesRequested: ['teleportation'] });
    expect(badCode.response.status).toBe(422);
    expect(badCode.error).toMatchObject({ errors: [{ pointer: '#/servicesRequested/0', catalog: '/v1/catalogs/service-type' }] });
    const wrongGroup = await refer({ shared: ['case.summary'] });
    expect(wrongGroup.error).toMatchObject({ errors: [{ pointer: '#/shared/0', rule: 'share-group' }] });
    const unknownAgency = await refer({ toAgency: 'no-such-agency' });
    expect(unknownAgency.error).toMatchObject({ errors: [{ pointer: '#/toAgency' }] });
    const piiWithoutScope = await createPrincipal(t, { code: hotline.agencyCode, scopes: ['referrals:write'] });
    const forbidden = await piiWithoutScope.api.POST('/v1/referrals', {
      body: { toAgency: fge.agencyCode, subject: { kind: 'reports', localId: 'R-1' }, reason: 'investigation', urgency: 'routine', shared: ['report.narrative'] },
    });
    expect(forbidden.response.status).toBe(403);
    const badTransition = await request(t.baseUrl).post(`/v1/referrals/00000000-0000-0000-0000-000000000000/transitions`).auth(fge.token, { type: 'bearer' }).send({ to: 'flying' });
    expect(badTransition.status).toBe(422);
  });

  it('exports the agency\'s referrals as CSV, filtered by direction, status, urgency and period', async () => {
    const csvOf = async (p: TestPrincipal, query: Record<string, string>) => {
      const res = await request(t.baseUrl).get('/v1/referrals/export').query(query).auth(p.token, { type: 'bearer' });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="referrals-/);
      const [head, ...lines] = res.text.split('\r\n').filter(Boolean);
      const cols = head.split(',');
      expect(Number(res.headers['x-total-count'])).toBe(lines.length);
      return lines.map((l) => Object.fromEntries(l.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.slice(0, cols.length).map((c, i) => [cols[i], c.replace(/,$/, '').replace(/^"|"$/g, '').replace(/""/g, '"')])));
    };
    const routine = await refer({ subject: { kind: 'reports', localId: 'R-ADULT' }, urgency: 'routine' });
    const urgent = await refer({ subject: { kind: 'reports', localId: 'R-ADULT' }, urgency: 'urgent' });
    await move(fge, urgent.data!.id, { to: 'acknowledged' });
    await move(fge, urgent.data!.id, { to: 'accepted' });
    // a reference typed by the receiver cannot become a spreadsheet formula
    await move(fge, urgent.data!.id, { to: 'closed', outcome: 'investigation_opened', caseReference: '=HYPERLINK("x")' });

    const incoming = await csvOf(fge, { direction: 'incoming' });
    const ids = incoming.map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining([routine.data!.id, urgent.data!.id]));
    expect(incoming.every((r) => r.direction === 'incoming' && r.receiver_agency === fge.agencyCode && r.subject_local_id === '')).toBe(true);
    const closed = await csvOf(fge, { direction: 'incoming', status: 'closed', urgency: 'urgent' });
    expect(closed.map((r) => r.id)).toContain(urgent.data!.id);
    expect(closed.every((r) => r.status === 'closed' && r.urgency === 'urgent')).toBe(true);
    const row = closed.find((r) => r.id === urgent.data!.id)!;
    expect(row).toMatchObject({ sender_agency: hotline.agencyCode, outcome: 'investigation_opened', case_reference: `'=HYPERLINK("x")`, involves_minor: 'false' });
    expect(Number(row.seconds_to_acknowledge)).toBeGreaterThanOrEqual(0);
    expect(Number(row.seconds_to_close)).toBeGreaterThanOrEqual(Number(row.seconds_to_acknowledge));
    expect((await csvOf(fge, { direction: 'incoming', urgency: 'routine' })).map((r) => r.id)).not.toContain(urgent.data!.id);
    // the sender's own export carries its localIds; the receiver's never does
    const outgoing = await csvOf(hotline, { direction: 'outgoing', urgency: 'routine' });
    expect(outgoing.find((r) => r.id === routine.data!.id)).toMatchObject({ direction: 'outgoing', subject_local_id: 'R-ADULT', urgency: 'routine' });
    // period: sent today / before today
    const today = new Date().toISOString().slice(0, 10);
    expect((await csvOf(fge, { sentFrom: today, sentTo: today })).map((r) => r.id)).toContain(routine.data!.id);
    expect(await csvOf(fge, { sentTo: '2020-12-31' })).toEqual([]);
    // a third agency's export has none of them
    expect((await csvOf(third, {})).map((r) => r.id)).not.toContain(routine.data!.id);
    // no shared content in the export
    const all = await request(t.baseUrl).get('/v1/referrals/export').auth(fge.token, { type: 'bearer' });
    for (const secret of [NARRATIVE, REPORTER, VICTIM_NAME]) expect(all.text).not.toContain(secret);
    // bad filters: 422 naming the parameter
    const bad = await request(t.baseUrl).get('/v1/referrals/export').query({ sentFrom: '2025-02-30' }).auth(fge.token, { type: 'bearer' });
    expect(bad.status).toBe(422);
    expect((bad.body as { errors: Array<{ pointer: string }> }).errors[0].pointer).toBe('query:sentFrom');
    const badUrgency = await request(t.baseUrl).get('/v1/referrals/export').query({ urgency: 'soon' }).auth(fge.token, { type: 'bearer' });
    expect(badUrgency.status).toBe(422);
    // the list takes the same filters
    const listed = await fge.api.GET('/v1/referrals', { params: { query: { direction: 'incoming', urgency: 'urgent', sentFrom: today } } });
    expect(listed.data!.items.every((i) => i.urgency === 'urgent')).toBe(true);
    expect(listed.data!.items.map((i) => i.id)).toContain(urgent.data!.id);
  });

  it.each([
    ['post', '/v1/referrals'],
    ['get', '/v1/referrals'],
    ['get', '/v1/referrals/export'],
    ['get', '/v1/referrals/summary'],
    ['get', '/v1/referrals/00000000-0000-0000-0000-000000000000'],
    ['post', '/v1/referrals/00000000-0000-0000-0000-000000000000/transitions'],
  ] as const)('%s %s answers 401 without a token and 403 without its scope', async (method, url) => {
    expect((await request(t.baseUrl)[method](url)).status).toBe(401);
    const res = await request(t.baseUrl)[method](url).auth(hotlineNone.token, { type: 'bearer' }).send({});
    expect(res.status).toBe(403);
  });
});

import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { JobsService } from '@app/jobs';
import { WEBHOOK_QUEUE } from '@app/webhooks';
import { createPrincipal, startTestApp, type TestApp, type TestPrincipal } from '@app/testing';

/**
 * Issue 8, "done when": the hotline submits a report involving a 15-year-old girl in Jalisco and refers
 * it to the Jalisco prosecutor; the prosecutor receives the webhook (verified signature), acknowledges,
 * accepts, and closes it with the case it opened; the child-protection office was notified; the hotline
 * sees each step and the timings.
 */

interface Delivery {
  headers: Record<string, string>;
  rawBody: string;
  verified: boolean;
  event: { type: string; timestamp: string; data: Record<string, unknown> };
}

/**
 * The verification function of docs/referrals.md, copied as an agency would copy it (it does not use
 * the server's code).
 */
function verify(secret: string, headers: Record<string, string>, rawBody: string): boolean {
  const id = headers['webhook-id'],
    ts = headers['webhook-timestamp'];
  if (Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${rawBody}`).digest();
  return headers['webhook-signature'].split(' ').some((p) => {
    const [v, sig] = p.split(',');
    const got = Buffer.from(sig ?? '', 'base64');
    return v === 'v1' && got.length === expected.length && timingSafeEqual(got, expected);
  });
}

/** An agency's receiver: a real HTTP server on 127.0.0.1 that verifies every request with the agency's secret. */
async function agencyReceiver(): Promise<{ server: Server; url: string; got: Delivery[]; setSecret: (s: string) => void; secret: () => string }> {
  let secret = '';
  const got: Delivery[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const verified = verify(secret, headers, rawBody);
      got.push({ headers, rawBody, verified, event: JSON.parse(rawBody) as Delivery['event'] });
      res.writeHead(verified ? 204 : 401).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/puente`, got, setSecret: (s) => (secret = s), secret: () => secret };
}

const REPORTER = 'Marisol Denunciante Anónima';
const NARRATIVE = 'Una joven de 15 años fue captada por Instagram con una oferta de modelaje en Guadalajara';
const CASE_REFERENCE = 'FGE-JAL/CI/2025/004512';

describe('issue 8 journey: hotline → Jalisco prosecutor, with the child-protection office notified', () => {
  let t: TestApp;
  let jobs: JobsService;
  let hotline: TestPrincipal;
  let fge: TestPrincipal;
  let dif: TestPrincipal;
  const receivers: Array<Awaited<ReturnType<typeof agencyReceiver>>> = [];

  beforeAll(async () => {
    t = await startTestApp({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
    jobs = t.app.get(JobsService);
    hotline = await createPrincipal(t, {
      kind: 'hotline',
      jurisdiction: 'FED',
      scopes: ['reports:read', 'reports:write', 'referrals:read', 'referrals:write', 'webhooks:write', 'pii:read'],
    });
    fge = await createPrincipal(t, { kind: 'prosecutor', jurisdiction: '14', scopes: ['referrals:read', 'referrals:write', 'webhooks:write', 'pii:read'] });
    dif = await createPrincipal(t, { kind: 'child_protection', jurisdiction: '14', scopes: ['referrals:read', 'referrals:write', 'webhooks:write'] });
  });
  afterAll(async () => {
    for (const r of receivers) await new Promise<void>((done) => r.server.close(() => done()));
    await t.close();
  });

  /** Registers a verified receiver for an agency. */
  async function subscribe(p: TestPrincipal, events: Array<'referral.received' | 'referral.status_changed'>) {
    const rx = await agencyReceiver();
    receivers.push(rx);
    const created = await p.api.POST('/v1/webhooks', { body: { url: rx.url, events } });
    expect(created.response.status).toBe(201);
    rx.setSecret(created.data!.secret);
    return rx;
  }

  it('runs end to end', async () => {
    const fgeRx = await subscribe(fge, ['referral.received']);
    const difRx = await subscribe(dif, ['referral.received']);
    const hotlineRx = await subscribe(hotline, ['referral.status_changed']);

    // 1. The hotline records the call: a 15-year-old girl, recruited online, in Jalisco.
    const report = await hotline.api.PUT('/v1/reports/{localId}', {
      params: { path: { localId: 'LN-2025-0815' } },
      body: {
        receivedAt: '2025-08-15T18:05:00-06:00',
        channel: 'phone',
        contactType: 'report',
        callerRole: 'relative',
        anonymous: false,
        classification: 'trafficking_related_crime',
        environment: 'digital',
        place: { country: 'MEX', state: '14', municipality: '039' },
        exploitationForms: ['sexual'],
        platforms: ['instagram'],
        victims: [{ count: 1, sex: 'female', age: 15, ageGroup: 'adolescent_12_17', nationality: 'MEX' }],
        narrative: NARRATIVE,
        reporter: { name: REPORTER, phone: '+52 33 5555 0101' },
        consentToShareReporterIdentity: false,
      },
    });
    expect(report.response.status).toBe(201);

    // 2. It refers the report to the Jalisco prosecutor.
    const sent = await hotline.api.POST('/v1/referrals', {
      body: {
        toAgency: fge.agencyCode,
        subject: { kind: 'reports', localId: 'LN-2025-0815' },
        reason: 'investigation',
        urgency: 'urgent',
        servicesRequested: ['legal_assistance'],
        shared: ['report.summary', 'report.narrative'],
      },
    });
    expect(sent.response.status).toBe(201);
    const referralId = sent.data!.id;
    expect(sent.data).toMatchObject({ status: 'sent', involvesMinor: true, state: '14', receiverAgency: { code: fge.agencyCode } });
    // a child at risk: 1 h to acknowledge and 4 h to answer, although the hotline chose `urgent`
    expect(Date.parse(sent.data!.acknowledgeDueAt) - Date.parse(sent.data!.sentAt)).toBe(3_600_000);
    expect(Date.parse(sent.data!.respondDueAt) - Date.parse(sent.data!.sentAt)).toBe(4 * 3_600_000);
    const noticeId = sent.data!.childProtectionNotificationId;
    expect(noticeId).toEqual(expect.any(String));

    // 3. The prosecutor's receiver gets a signed `referral.received`; the child-protection office gets its notice.
    await jobs.drain(WEBHOOK_QUEUE);
    expect(fgeRx.got).toHaveLength(1);
    expect(fgeRx.got[0].verified).toBe(true);
    expect(fgeRx.got[0].event).toMatchObject({
      type: 'referral.received',
      data: { referralId, kind: 'referral', involvesMinor: true, senderAgency: hotline.agencyCode, acknowledgeDueAt: sent.data!.acknowledgeDueAt },
    });
    // a forged or altered message would not verify
    const { headers, rawBody } = fgeRx.got[0];
    expect(verify('whsec_' + Buffer.from('another secret').toString('base64'), headers, rawBody)).toBe(false);
    expect(verify(fgeRx.secret(), headers, rawBody)).toBe(true);
    expect(verify(fgeRx.secret(), headers, rawBody.replace('"urgent"', '"routine"'))).toBe(false);
    expect(difRx.got).toHaveLength(1);
    expect(difRx.got[0].verified).toBe(true);
    expect(difRx.got[0].event).toMatchObject({ type: 'referral.received', data: { referralId: noticeId, kind: 'notification', involvesMinor: true } });
    const notice = await dif.api.GET('/v1/referrals/{referralId}', { params: { path: { referralId: noticeId! } } });
    expect(notice.data).toMatchObject({ kind: 'notification', reason: 'child_protection_notice', state: '14', senderAgency: { code: hotline.agencyCode } });
    expect((notice.data!.sharedData['report.summary'] as { victims: unknown[] }).victims).toEqual([{ count: 1, sex: 'female', age: 15, ageGroup: 'adolescent_12_17', nationality: 'MEX' }]);
    // webhook bodies carry identifiers and codes only
    for (const d of [...fgeRx.got, ...difRx.got]) {
      expect(d.rawBody).not.toContain(NARRATIVE.slice(0, 20));
      expect(d.rawBody).not.toContain(REPORTER);
    }

    // 4. The prosecutor fetches the referral named in the webhook and answers it step by step.
    const incoming = await fge.api.GET('/v1/referrals/{referralId}', { params: { path: { referralId: fgeRx.got[0].event.data.referralId as string } } });
    expect(incoming.data).toMatchObject({ direction: 'incoming', subjectLocalId: null, allowedTransitions: ['acknowledged'], sharedPersonal: { 'report.narrative': NARRATIVE } });
    expect(JSON.stringify(incoming.data)).not.toContain(REPORTER);
    const steps = [
      { to: 'acknowledged' as const },
      { to: 'accepted' as const },
      { to: 'in_progress' as const },
      { to: 'closed' as const, outcome: 'investigation_opened' as const, caseReference: CASE_REFERENCE },
    ];
    for (const body of steps) {
      const res = await fge.api.POST('/v1/referrals/{referralId}/transitions', { params: { path: { referralId } }, body });
      expect([res.response.status, res.data?.status]).toEqual([200, body.to]);
    }
    await jobs.drain(WEBHOOK_QUEUE);

    // 5. The hotline saw every step arrive (signed), in order…
    expect(hotlineRx.got.every((d) => d.verified)).toBe(true);
    expect(hotlineRx.got.map((d) => [d.event.type, d.event.data.referralId, d.event.data.from, d.event.data.to, d.event.data.actorAgency])).toEqual([
      ['referral.status_changed', referralId, 'sent', 'acknowledged', fge.agencyCode],
      ['referral.status_changed', referralId, 'acknowledged', 'accepted', fge.agencyCode],
      ['referral.status_changed', referralId, 'accepted', 'in_progress', fge.agencyCode],
      ['referral.status_changed', referralId, 'in_progress', 'closed', fge.agencyCode],
    ]);
    expect(hotlineRx.got[3].event.data).toMatchObject({ outcome: 'investigation_opened', caseReference: CASE_REFERENCE });

    // …and reads the referral with each step, its time and the timings against the limits.
    const seen = await hotline.api.GET('/v1/referrals/{referralId}', { params: { path: { referralId } } });
    const r = seen.data!;
    expect(r).toMatchObject({ status: 'closed', outcome: 'investigation_opened', caseReference: CASE_REFERENCE, overdue: false, subjectLocalId: 'LN-2025-0815' });
    expect(r.history.map((h) => [h.from, h.to, h.actorAgency.code])).toEqual([
      [null, 'sent', hotline.agencyCode],
      ['sent', 'acknowledged', fge.agencyCode],
      ['acknowledged', 'accepted', fge.agencyCode],
      ['accepted', 'in_progress', fge.agencyCode],
      ['in_progress', 'closed', fge.agencyCode],
    ]);
    const at = (s: string | null) => Date.parse(s!);
    const times = [r.sentAt, r.acknowledgedAt, r.respondedAt, r.startedAt, r.closedAt].map(at);
    expect([...times].sort((a, b) => a - b)).toEqual(times); // in order
    r.history.forEach((h, i) => expect(Math.abs(at(h.at) - times[i])).toBeLessThan(2_000)); // each step stamped when it happened
    expect(at(r.acknowledgedAt)).toBeLessThanOrEqual(at(r.acknowledgeDueAt));
    expect(at(r.respondedAt)).toBeLessThanOrEqual(at(r.respondDueAt));

    const summary = await hotline.api.GET('/v1/referrals/summary', { params: { query: { direction: 'outgoing' } } });
    expect(summary.data!.counts.filter((c) => c.count > 0)).toEqual([
      { status: 'sent', count: 1 }, // the notice, not acknowledged yet
      { status: 'closed', count: 1 },
    ]);
    expect(summary.data!.medianSecondsToAcknowledge).toBe(Math.round((times[1] - times[0]) / 1000));
    expect(summary.data!.medianSecondsToClose).toBe(Math.round((times[4] - times[0]) / 1000));

    // The CSV the hotline reports with carries the same timings and the prosecutor's case reference.
    const csv = await request(t.baseUrl).get('/v1/referrals/export').query({ direction: 'outgoing', status: 'closed' }).auth(hotline.token, { type: 'bearer' });
    expect(csv.status).toBe(200);
    const [head, line, ...rest] = csv.text.trim().split('\r\n');
    expect(rest).toEqual([]);
    const row = Object.fromEntries(head.split(',').map((k, i) => [k, line.split(',')[i]]));
    expect(row).toMatchObject({
      id: referralId,
      status: 'closed',
      receiver_agency: fge.agencyCode,
      involves_minor: 'true',
      outcome: 'investigation_opened',
      case_reference: CASE_REFERENCE,
      seconds_to_acknowledge: String(Math.round((times[1] - times[0]) / 1000)),
      seconds_to_close: String(Math.round((times[4] - times[0]) / 1000)),
    });
    expect(csv.text).not.toContain(REPORTER);

    // The child-protection office acknowledges its notice; the hotline sees that too.
    const ack = await dif.api.POST('/v1/referrals/{referralId}/transitions', { params: { path: { referralId: noticeId! } }, body: { to: 'acknowledged' } });
    expect(ack.response.status).toBe(200);
    const noticeSeen = await hotline.api.GET('/v1/referrals/{referralId}', { params: { path: { referralId: noticeId! } } });
    expect(noticeSeen.data).toMatchObject({ status: 'acknowledged', receiverAgency: { code: dif.agencyCode } });
    expect(noticeSeen.data!.acknowledgedAt).not.toBeNull();
  });
});

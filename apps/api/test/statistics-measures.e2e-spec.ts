import request from 'supertest';
import type { components } from '@app/client';
import { createPrincipal, startTestApp, type TestApp, type TestPrincipal } from '@app/testing';

/**
 * The measures accused, judicial-outcomes, reports and referrals, and the referral funnel with response
 * times. Every expectation is derived from the records this test submits (counted in JS), not written down.
 */
type AccusedPersonDto = components['schemas']['AccusedPersonDto'];
type JudicialOutcomeDto = components['schemas']['JudicialOutcomeDto'];
type ReportDto = components['schemas']['ReportDto'];

interface Cell {
  key: Record<string, string>;
  value: number | null;
  suppressed: boolean;
}
interface Result {
  unit: string;
  total: Cell;
  rows: Cell[];
  margins: Record<string, Cell[]>;
  groupBy: string[];
  contributingAgencies: number;
  lastChangeAt: string | null;
}
interface Funnel {
  unit: string;
  stages: Array<{ stage: string; value: number | null; suppressed: boolean; byUrgency: Record<string, number | null> }>;
  responseTimes: Array<{ urgency: string; step: string; n: number | null; medianHours: number | null; p90Hours: number | null; overdue: number | null }>;
  suppression: { applied: boolean; suppressedCells: number };
}

// Accused persons: sex and the offenses of their proceedings.
const ACCUSED: Array<{ id: string; sex: string; offenses: string[]; status: string; birthDate?: string }> = [
  { id: 'A-1', sex: 'male', offenses: ['LGT-13', 'LGT-22'], status: 'indicted_charged', birthDate: '1980-01-01' },
  { id: 'A-2', sex: 'male', offenses: ['LGT-13'], status: 'suspect', birthDate: '1999-05-05' },
  { id: 'A-3', sex: 'female', offenses: ['LGT-13'], status: 'suspect' },
  { id: 'A-4', sex: 'female', offenses: ['LGT-21'], status: 'prosecuted', birthDate: '1975-02-02' },
  { id: 'A-5', sex: 'male', offenses: ['LGT-10'], status: 'sentenced' },
  { id: 'A-6', sex: 'SI', offenses: ['LGT-13'], status: 'suspect' },
];
// Decisions: outcome × court jurisdiction.
const OUTCOMES: Array<{ id: string; outcome: string; jurisdiction: string; offense: string }> = [
  { id: 'S-1', outcome: 'conviction', jurisdiction: 'fuero_comun', offense: 'LGT-13' },
  { id: 'S-2', outcome: 'conviction', jurisdiction: 'fuero_comun', offense: 'LGT-22' },
  { id: 'S-3', outcome: 'acquittal', jurisdiction: 'fuero_comun', offense: 'LGT-13' },
  { id: 'S-4', outcome: 'conviction', jurisdiction: 'fuero_federal', offense: 'LGT-10' },
  { id: 'S-5', outcome: 'acquittal', jurisdiction: 'fuero_federal', offense: 'LGT-13' },
  { id: 'S-6', outcome: 'conviction', jurisdiction: 'fuero_comun', offense: 'LGT-13' },
];
const REPORTS: Array<{ id: string; channel: string; classification: string; state: string }> = [
  { id: 'R-1', channel: 'phone', classification: 'trafficking_related_crime', state: '14' },
  { id: 'R-2', channel: 'whatsapp', classification: 'trafficking_related_crime', state: '14' },
  { id: 'R-3', channel: 'phone', classification: 'trafficking_related_crime', state: '09' },
  { id: 'R-4', channel: 'phone', classification: 'other_crime', state: '09' },
];
// Referrals: urgency, the steps the receiver takes, and the hours each step took (the test back-dates them).
const REFERRALS: Array<{ urgency: 'immediate' | 'urgent' | 'routine'; steps: Array<'acknowledged' | 'accepted' | 'declined' | 'in_progress' | 'closed'>; ackHours?: number; respondHours?: number; closeHours?: number }> = [
  { urgency: 'urgent', steps: ['acknowledged', 'accepted', 'in_progress', 'closed'], ackHours: 1, respondHours: 5, closeHours: 30 },
  { urgency: 'urgent', steps: ['acknowledged', 'accepted'], ackHours: 2, respondHours: 8 },
  { urgency: 'urgent', steps: ['acknowledged', 'declined'], ackHours: 3, respondHours: 4 },
  { urgency: 'urgent', steps: ['acknowledged'], ackHours: 10 },
  { urgency: 'routine', steps: ['acknowledged'], ackHours: 20 },
  { urgency: 'routine', steps: [] },
  { urgency: 'routine', steps: [] },
];

const countBy = <T>(xs: T[], key: (x: T) => string | string[]) => {
  const m: Record<string, number> = {};
  for (const x of xs) for (const k of new Set([key(x)].flat())) m[k] = (m[k] ?? 0) + 1;
  return m;
};
/** percentile_cont: linear interpolation between the closest ranks. */
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  const pos = p * (s.length - 1);
  const lo = Math.floor(pos);
  return Math.round((s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (pos - lo)) * 10) / 10;
};

describe('statistics: accused, judicial outcomes, reports, referrals and the referral funnel', () => {
  let t: TestApp;
  let fge: TestPrincipal; // prosecutor: cases, accused, outcomes
  let hotline: TestPrincipal; // reports and referrals
  let receiver: TestPrincipal; // receives the referrals
  let exact: TestPrincipal;
  let reader: TestPrincipal;
  let none: TestPrincipal;
  const get = async <T = Result>(who: TestPrincipal | null, path: string): Promise<T> => {
    const req = request(t.baseUrl).get(path);
    const res = who ? await req.auth(who.token, { type: 'bearer' }) : await req;
    if (res.status !== 200) throw new Error(`${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as T;
  };
  const table = (r: Result) => Object.fromEntries(r.rows.filter((x) => x.value).map((x) => [r.groupBy.map((d) => x.key[d]).join('|'), x.value]));

  beforeAll(async () => {
    t = await startTestApp();
    fge = await createPrincipal(t, { kind: 'prosecutor', jurisdiction: '09', scopes: ['cases:read', 'cases:write', 'victims:write'] });
    hotline = await createPrincipal(t, { kind: 'hotline', jurisdiction: 'FED', scopes: ['reports:read', 'reports:write', 'referrals:read', 'referrals:write'] });
    receiver = await createPrincipal(t, { kind: 'prosecutor', jurisdiction: '14', scopes: ['referrals:read', 'referrals:write'] });
    exact = await createPrincipal(t, { kind: 'statistics', scopes: ['statistics:read', 'statistics:exact'] });
    reader = await createPrincipal(t, { kind: 'oversight', scopes: ['statistics:read'] });
    none = await createPrincipal(t, { code: reader.agencyCode, scopes: ['cases:read'] });

    const kase = await fge.api.PUT('/v1/cases/{localId}', {
      params: { path: { localId: 'CI-1' } },
      body: {
        fileNumber: 'CI-1',
        fileType: 'carpeta_investigacion',
        jurisdiction: 'fuero_comun',
        state: '09',
        openedOn: '2025-03-01',
        charges: [{ offense: 'LGT-13', attempted: false, stage: 'charged' }],
      } as never,
    });
    if (kase.response.status !== 201) throw new Error(`case: ${kase.response.status} ${JSON.stringify(kase.error)}`);
    for (const a of ACCUSED) {
      const body: AccusedPersonDto = {
        sex: a.sex,
        ...(a.birthDate ? { birthDate: a.birthDate } : {}),
        nationality: ['MEX'],
        stateOfOrigin: '09',
        roles: ['recruiter'],
        organisedCrime: 'no',
        publicServant: 'no',
        proceedings: a.offenses.map((offense) => ({ caseLocalId: 'CI-1', offense, status: a.status, on: '2025-04-02' })),
      } as AccusedPersonDto;
      const res = await fge.api.PUT('/v1/accused/{localId}', { params: { path: { localId: a.id } }, body });
      if (res.response.status !== 201) throw new Error(`accused ${a.id}: ${res.response.status} ${JSON.stringify(res.error)}`);
    }
    for (const o of OUTCOMES) {
      const body = {
        caseLocalId: 'CI-1',
        accusedLocalId: 'A-1',
        offense: o.offense,
        chargedOffense: o.offense,
        court: 'Tribunal de Enjuiciamiento',
        courtJurisdiction: o.jurisdiction,
        courtState: '09',
        decisionDate: '2025-11-20',
        outcome: o.outcome,
        procedure: 'ordinary',
        final: true,
      } as JudicialOutcomeDto;
      const res = await fge.api.PUT('/v1/judicial-outcomes/{localId}', { params: { path: { localId: o.id } }, body });
      if (res.response.status !== 201) throw new Error(`outcome ${o.id}: ${res.response.status} ${JSON.stringify(res.error)}`);
    }
    for (const r of REPORTS) {
      const body = {
        receivedAt: '2025-06-01T14:30:00-06:00',
        channel: r.channel,
        callerRole: 'relative',
        anonymous: true,
        classification: r.classification,
        place: { state: r.state },
        exploitationForms: ['sexual'],
      } as ReportDto;
      const res = await hotline.api.PUT('/v1/reports/{localId}', { params: { path: { localId: r.id } }, body });
      if (res.response.status !== 201) throw new Error(`report ${r.id}: ${res.response.status} ${JSON.stringify(res.error)}`);
    }
    for (const [i, x] of REFERRALS.entries()) {
      const sent = await hotline.api.POST('/v1/referrals', {
        body: { toAgency: receiver.agencyCode, subject: { kind: 'reports', localId: 'R-1' }, reason: 'investigation', urgency: x.urgency, shared: ['report.summary'] },
      });
      if (sent.response.status !== 201) throw new Error(`referral ${i}: ${sent.response.status} ${JSON.stringify(sent.error)}`);
      const id = sent.data!.id;
      for (const to of x.steps) {
        const body = to === 'declined' ? { to, reason: 'not_competent' } : to === 'closed' ? { to, outcome: 'assistance_given' } : { to };
        const moved = await receiver.api.POST('/v1/referrals/{referralId}/transitions', { params: { path: { referralId: id } }, body: body as never });
        if (moved.response.status !== 200) throw new Error(`transition ${to}: ${moved.response.status} ${JSON.stringify(moved.error)}`);
      }
      // Back-date the steps so that each one took the planned number of hours after sending.
      const base = new Date('2025-06-02T10:00:00Z');
      const at = (h?: number) => (h === undefined ? null : new Date(base.getTime() + h * 3_600_000));
      await t.db.pool.query(
        `UPDATE referrals SET created_at = $2,
           acknowledged_at = CASE WHEN acknowledged_at IS NULL THEN NULL ELSE $3::timestamptz END,
           responded_at = CASE WHEN responded_at IS NULL THEN NULL ELSE $4::timestamptz END,
           closed_at = CASE WHEN closed_at IS NULL THEN NULL ELSE $5::timestamptz END,
           acknowledge_due_at = $2::timestamptz + interval '4 hours', respond_due_at = $2::timestamptz + interval '6 hours'
         WHERE id = $1`,
        [id, base, at(x.ackHours), at(x.respondHours), at(x.closeHours)],
      );
    }
  });
  afterAll(() => t.close());

  it('accused: persons by sex and by offense (a person with two offenses counts once in the total, once per offense row), every catalog offense listed', async () => {
    const bySex = await get(exact, '/v1/statistics/accused?groupBy=sex');
    expect(bySex.unit).toBe('accused_person');
    expect(bySex.total.value).toBe(ACCUSED.length);
    expect(table(bySex)).toEqual(countBy(ACCUSED, (a) => a.sex));
    const byOffense = await get(exact, '/v1/statistics/accused');
    expect(table(byOffense)).toEqual(countBy(ACCUSED, (a) => a.offenses));
    expect(byOffense.rows.length).toBeGreaterThan(Object.keys(table(byOffense)).length); // zeros listed
    const byStatus = await get(exact, '/v1/statistics/accused?groupBy=proceduralStatus,sex&state=09');
    expect(byStatus.margins.proceduralStatus.filter((x) => x.value).map((x) => [x.key.proceduralStatus, x.value])).toEqual(
      expect.arrayContaining(Object.entries(countBy(ACCUSED, (a) => a.status))),
    );
    const ages = await get(exact, '/v1/statistics/accused?groupBy=ageGroup');
    expect(ages.rows.find((x) => x.key.ageGroup === 'SI')!.value).toBe(ACCUSED.filter((a) => !a.birthDate).length);
    // A withdrawal takes the person out.
    const gone = await fge.api.DELETE('/v1/accused/{localId}', { params: { path: { localId: 'A-6' }, query: { reason: 'entered_in_error' } } });
    expect(gone.response.status).toBe(200);
    expect((await get(exact, '/v1/statistics/accused?groupBy=sex')).total.value).toBe(ACCUSED.length - 1);
  });

  it('judicial outcomes: decisions by outcome and court jurisdiction (convictions and acquittals)', async () => {
    const r = await get(exact, '/v1/statistics/judicial-outcomes?groupBy=outcome,jurisdiction');
    expect(r.unit).toBe('sentence');
    expect(r.total.value).toBe(OUTCOMES.length);
    expect(table(r)).toEqual(countBy(OUTCOMES, (o) => `${o.outcome}|${o.jurisdiction}`));
    const convictions = await get(exact, '/v1/statistics/judicial-outcomes?groupBy=offense&outcome=conviction&from=2025-01-01&to=2025-12-31');
    expect(table(convictions)).toEqual(countBy(OUTCOMES.filter((o) => o.outcome === 'conviction'), (o) => o.offense));
    const later = await get(exact, '/v1/statistics/judicial-outcomes?groupBy=outcome&from=2026-01-01');
    expect(later.total.value).toBe(0);
  });

  it('reports: by classification (default) and by channel × state', async () => {
    const r = await get(exact, '/v1/statistics/reports');
    expect([r.unit, r.groupBy]).toEqual(['report', ['classification']]);
    expect(table(r)).toEqual(countBy(REPORTS, (x) => x.classification));
    const two = await get(exact, '/v1/statistics/reports?groupBy=channel,state');
    expect(table(two)).toEqual(countBy(REPORTS, (x) => `${x.channel}|${x.state}`));
    expect(two.contributingAgencies).toBe(1);
  });

  it('referrals: by current status and urgency', async () => {
    const r = await get(exact, '/v1/statistics/referrals?groupBy=status,urgency');
    expect(r.unit).toBe('referral');
    expect(r.total.value).toBe(REFERRALS.length);
    expect(table(r)).toEqual(countBy(REFERRALS, (x) => `${x.steps.length ? x.steps[x.steps.length - 1] : 'sent'}|${x.urgency}`));
    expect(r.rows.map((x) => x.key.status)).toContain('redirected'); // the whole status list, zeros included
    expect(r.lastChangeAt).not.toBeNull();
  });

  it('referral funnel: stages reached and median / p90 hours to acknowledge, respond and close, by urgency', async () => {
    const f = await get<Funnel>(exact, '/v1/statistics/referral-funnel');
    const reached = (s: string) => REFERRALS.filter((x) => (s === 'sent' ? true : s === 'responded' ? x.respondHours !== undefined : (x.steps as string[]).includes(s)));
    for (const stage of ['sent', 'acknowledged', 'responded', 'accepted', 'declined', 'redirected', 'closed']) {
      const got = f.stages.find((s) => s.stage === stage)!;
      expect({ stage, value: got.value }).toEqual({ stage, value: reached(stage).length });
      expect({ stage, urgent: got.byUrgency.urgent }).toEqual({ stage, urgent: reached(stage).filter((x) => x.urgency === 'urgent').length });
    }
    const time = (urgency: string, step: string) => f.responseTimes.find((x) => x.urgency === urgency && x.step === step)!;
    for (const [step, key] of [['acknowledge', 'ackHours'], ['respond', 'respondHours'], ['close', 'closeHours']] as const) {
      for (const urgency of ['all', 'urgent', 'routine']) {
        const hours = REFERRALS.filter((x) => urgency === 'all' || x.urgency === urgency).map((x) => x[key]).filter((h): h is number => h !== undefined);
        expect(time(urgency, step)).toMatchObject({
          step,
          urgency,
          n: hours.length,
          medianHours: hours.length ? percentile(hours, 0.5) : null,
          p90Hours: hours.length ? percentile(hours, 0.9) : null,
        });
      }
    }
    // Overdue: acknowledged after 4 h, or never acknowledged (and not answered) with the deadline past.
    const lateAck = REFERRALS.filter((x) => (x.ackHours ?? Infinity) > 4).length;
    expect(time('all', 'acknowledge').overdue).toBe(lateAck);

    // Without statistics:exact: counts below 5 are withheld, and so are times over fewer than 5 referrals.
    const s = await get<Funnel>(reader, '/v1/statistics/referral-funnel');
    expect(s.suppression.applied).toBe(true);
    expect(s.stages.find((x) => x.stage === 'sent')!.value).toBe(REFERRALS.length);
    expect(s.stages.find((x) => x.stage === 'accepted')!).toMatchObject({ value: null, suppressed: true });
    expect(time('all', 'close').medianHours).not.toBeNull();
    expect(s.responseTimes.find((x) => x.urgency === 'all' && x.step === 'close')!.medianHours).toBeNull();
    const open = await request(t.baseUrl).get('/v1/open-data/referral-funnel?format=csv');
    expect([open.status, open.headers['cache-control']]).toEqual([200, 'public, max-age=3600']);
    expect(open.text.split('\r\n')).toContain(`stage,sent,all,${REFERRALS.length},,,`);
  });

  it('401 / 403 / 422 for the new measures and the funnel', async () => {
    expect((await request(t.baseUrl).get('/v1/statistics/referral-funnel')).status).toBe(401);
    expect((await request(t.baseUrl).get('/v1/statistics/referral-funnel').auth(none.token, { type: 'bearer' })).status).toBe(403);
    expect((await request(t.baseUrl).get('/v1/statistics/accused').auth(none.token, { type: 'bearer' })).status).toBe(403);
    const bad = async (path: string) => {
      const res = await request(t.baseUrl).get(path).auth(exact.token, { type: 'bearer' });
      expect(res.status).toBe(422);
      return res.body.errors.map((e: { pointer: string }) => e.pointer);
    };
    expect(await bad('/v1/statistics/reports?groupBy=sex')).toEqual(['#/groupBy']);
    expect(await bad('/v1/statistics/referrals?status=lost')).toEqual(['#/status']);
    expect(await bad('/v1/statistics/accused?asOf=2025-01-01')).toEqual(['#/asOf']);
    expect(await bad('/v1/statistics/referral-funnel?state=99x')).toEqual(['#/state']);
  });
});

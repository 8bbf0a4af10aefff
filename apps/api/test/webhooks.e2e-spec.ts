import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { JobsService } from '@app/jobs';
import { createPrincipal, startTestApp, type TestApp, type TestPrincipal } from '@app/testing';
import { REFERRAL_OVERDUE_QUEUE } from '@app/referrals';
import { WEBHOOK_QUEUE } from '@app/webhooks';

interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
}

/** A real receiver on 127.0.0.1 that records every request. */
function receiver(port = 0): Promise<{ server: Server; port: number; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({
        id: String(req.headers['webhook-id']),
        timestamp: String(req.headers['webhook-timestamp']),
        signature: String(req.headers['webhook-signature']),
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, got })));
}
const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));

/** What a receiving agency does: Standard Webhooks verification with its secret, independent of our code. */
function verify(secret: string, m: Received): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${m.id}.${m.timestamp}.${m.body}`).digest('base64');
  const fresh = Math.abs(Date.now() / 1000 - Number(m.timestamp)) < 300;
  return fresh && m.signature.split(' ').includes(`v1,${expected}`);
}

describe('signed webhooks', () => {
  let t: TestApp;
  let jobs: JobsService;
  let hotline: TestPrincipal;
  let fge: TestPrincipal;
  let other: TestPrincipal;
  let noScope: TestPrincipal;
  const refer = (to: TestPrincipal) =>
    hotline.api.POST('/v1/referrals', {
      body: { toAgency: to.agencyCode, subject: { kind: 'reports', localId: 'R-1' }, reason: 'investigation', urgency: 'routine', shared: ['report.summary'] },
    });

  beforeAll(async () => {
    // the test receivers listen on 127.0.0.1: allowed explicitly (loopback targets are refused by default)
    t = await startTestApp({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
    jobs = t.app.get(JobsService);
    hotline = await createPrincipal(t, { kind: 'hotline', jurisdiction: 'FED', scopes: ['reports:write', 'reports:read', 'referrals:read', 'referrals:write', 'webhooks:write'] });
    fge = await createPrincipal(t, { kind: 'prosecutor', jurisdiction: '14', scopes: ['referrals:read', 'referrals:write', 'webhooks:write'] });
    other = await createPrincipal(t, { kind: 'victim_commission', jurisdiction: '14', scopes: ['referrals:read', 'referrals:write', 'webhooks:write'] });
    noScope = await createPrincipal(t, { code: fge.agencyCode, scopes: ['referrals:read'] });
    const r = await hotline.api.PUT('/v1/reports/{localId}', {
      params: { path: { localId: 'R-1' } },
      body: { receivedAt: '2025-06-01T10:00:00Z', channel: 'chat', callerRole: 'victim', anonymous: true, classification: 'risk_situation', victims: [] },
    });
    if (r.response.status !== 201) throw new Error(`report setup failed: ${r.response.status}`);
  });
  afterAll(() => t.close());

  it('delivers signed events the receiver can verify; the secret is shown once', async () => {
    const rx = await receiver();
    try {
      const created = await fge.api.POST('/v1/webhooks', {
        body: { url: `http://127.0.0.1:${rx.port}/hooks`, events: ['referral.received', 'referral.status_changed'], description: 'mesa' },
      });
      expect(created.response.status).toBe(201);
      const secret = created.data!.secret;
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      const listed = await fge.api.GET('/v1/webhooks', {});
      expect(listed.data!.items.map((w) => w.id)).toEqual([created.data!.id]);
      expect(JSON.stringify(listed.data)).not.toContain(secret);
      const raw = await t.db.pool.query(`SELECT secret_enc FROM webhook_endpoints WHERE id = $1`, [created.data!.id]);
      expect(raw.rows[0].secret_enc).not.toContain(secret.slice(6));

      const sent = await refer(fge);
      await jobs.drain(WEBHOOK_QUEUE);
      expect(rx.got).toHaveLength(1);
      const msg = rx.got[0];
      expect(verify(secret, msg)).toBe(true);
      expect(verify('whsec_' + Buffer.from('not the secret').toString('base64'), msg)).toBe(false);
      expect(verify(secret, { ...msg, body: msg.body.replace('routine', 'urgent') })).toBe(false);
      expect(JSON.parse(msg.body)).toMatchObject({ type: 'referral.received', data: { referralId: sent.data!.id, senderAgency: hotline.agencyCode, urgency: 'routine' } });

      await fge.api.POST('/v1/referrals/{referralId}/transitions', { params: { path: { referralId: sent.data!.id } }, body: { to: 'acknowledged' } });
      await jobs.drain(WEBHOOK_QUEUE);
      expect(rx.got).toHaveLength(2);
      expect(verify(secret, rx.got[1])).toBe(true);
      expect(JSON.parse(rx.got[1].body)).toMatchObject({ type: 'referral.status_changed', data: { referralId: sent.data!.id, from: 'sent', to: 'acknowledged' } });

      const log = await fge.api.GET('/v1/webhooks/{webhookId}/deliveries', { params: { path: { webhookId: created.data!.id } } });
      expect(log.data!.items.map((d) => [d.eventType, d.status, d.attempts, d.lastStatusCode])).toEqual([
        ['referral.received', 'delivered', 1, 204],
        ['referral.status_changed', 'delivered', 1, 204],
      ]);
      expect(log.data!.items.map((d) => d.id)).toEqual(rx.got.map((m) => m.id));

      // replay: same webhook-id again
      const replay = await fge.api.POST('/v1/webhooks/{webhookId}/deliveries/{deliveryId}/replay', {
        params: { path: { webhookId: created.data!.id, deliveryId: log.data!.items[0].id } },
      });
      expect(replay.response.status).toBe(202);
      await jobs.drain(WEBHOOK_QUEUE);
      expect(rx.got).toHaveLength(3);
      expect(rx.got[2].id).toBe(rx.got[0].id);

      const del = await fge.api.DELETE('/v1/webhooks/{webhookId}', { params: { path: { webhookId: created.data!.id } } });
      expect(del.response.status).toBe(204);
      await refer(fge);
      await jobs.drain(WEBHOOK_QUEUE);
      expect(rx.got).toHaveLength(3);
    } finally {
      await close(rx.server);
    }
  });

  it('a receiver that is down gets every event once it is back: in order, once each, none lost', async () => {
    // a port with nothing listening
    const probe = await receiver();
    const port = probe.port;
    await close(probe.server);
    const created = await other.api.POST('/v1/webhooks', { body: { url: `http://127.0.0.1:${port}/hooks`, events: ['referral.received', 'referral.status_changed'] } });
    const secret = created.data!.secret;
    const webhookId = created.data!.id;

    const sent = await refer(other);
    const id = sent.data!.id;
    await other.api.POST('/v1/referrals/{referralId}/transitions', { params: { path: { referralId: id } }, body: { to: 'acknowledged' } });
    await other.api.POST('/v1/referrals/{referralId}/transitions', { params: { path: { referralId: id } }, body: { to: 'accepted' } });

    // wait for the first failed attempt
    const deadline = Date.now() + 15_000;
    let log = await other.api.GET('/v1/webhooks/{webhookId}/deliveries', { params: { path: { webhookId } } });
    while (Date.now() < deadline && !(log.data!.items[0]?.attempts >= 1)) {
      await new Promise((r) => setTimeout(r, 200));
      log = await other.api.GET('/v1/webhooks/{webhookId}/deliveries', { params: { path: { webhookId } } });
    }
    expect(log.data!.items).toHaveLength(3);
    expect(log.data!.items[0]).toMatchObject({ status: 'pending', attempts: 1, lastError: 'ECONNREFUSED' });
    expect(log.data!.items.slice(1).every((d) => d.status === 'pending' && d.attempts === 0)).toBe(true); // held back to keep the order
    expect(Date.parse(log.data!.items[0].nextAttemptAt!)).toBeGreaterThan(Date.now());

    // the receiver comes back; the backoff elapses (fast-forwarded: the retry job and the delivery become due now)
    const rx = await receiver(port);
    try {
      await t.db.pool.query(`UPDATE webhook_deliveries SET next_attempt_at = now() WHERE endpoint_id = $1 AND status = 'pending'`, [webhookId]);
      await t.db.pool.query(`UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND state IN ('created', 'retry')`, [WEBHOOK_QUEUE]);
      await jobs.drain(WEBHOOK_QUEUE);
      expect(rx.got.map((m) => JSON.parse(m.body) as { type: string; data: { to?: string } }).map((b) => `${b.type}:${b.data.to ?? ''}`)).toEqual([
        'referral.received:',
        'referral.status_changed:acknowledged',
        'referral.status_changed:accepted',
      ]);
      expect(new Set(rx.got.map((m) => m.id)).size).toBe(3);
      expect(rx.got.every((m) => verify(secret, m))).toBe(true);
      const after = await other.api.GET('/v1/webhooks/{webhookId}/deliveries', { params: { path: { webhookId } } });
      expect(after.data!.items.map((d) => [d.status, d.attempts])).toEqual([
        ['delivered', 2],
        ['delivered', 1],
        ['delivered', 1],
      ]);
    } finally {
      await close(rx.server);
    }
  });

  it('keeps endpoints and delivery logs per agency (404 across agencies)', async () => {
    const created = await other.api.POST('/v1/webhooks', { body: { url: 'https://example.org/hooks', events: ['referral.received'] } });
    const webhookId = created.data!.id;
    expect((await fge.api.GET('/v1/webhooks/{webhookId}/deliveries', { params: { path: { webhookId } } })).response.status).toBe(404);
    expect((await fge.api.DELETE('/v1/webhooks/{webhookId}', { params: { path: { webhookId } } })).response.status).toBe(404);
    expect((await fge.api.GET('/v1/webhooks', {})).data!.items.map((w) => w.id)).not.toContain(webhookId);
    await other.api.DELETE('/v1/webhooks/{webhookId}', { params: { path: { webhookId } } });
  });

  it('rejects invalid endpoints (422 with pointers)', async () => {
    const res = await request(t.baseUrl).post('/v1/webhooks').auth(fge.token, { type: 'bearer' }).send({ url: 'ftp://x', events: ['match.teleported'] });
    expect(res.status).toBe(422);
    const pointers = (res.body as { errors: Array<{ pointer: string }> }).errors.map((e) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['#/url', '#/events']));
  });

  it('refuses loopback, private and link-local targets unless allow-listed (422 naming the field)', async () => {
    for (const url of [
      'http://localhost:8080/h',
      'http://127.0.0.2/h',
      'http://10.1.2.3/h',
      'http://172.20.0.1/h',
      'http://192.168.1.10/h',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]:8080/h',
      'http://[fd00::1]/h',
      'http://[::ffff:10.0.0.1]/h',
      'http://0.0.0.0/h',
      'http://printer.local/h',
    ]) {
      const res = await request(t.baseUrl).post('/v1/webhooks').auth(fge.token, { type: 'bearer' }).send({ url, events: ['referral.received'] });
      expect([url, res.status]).toEqual([url, 422]);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect((res.body as { errors: Array<{ pointer: string; rule: string }> }).errors).toEqual([expect.objectContaining({ pointer: '#/url', rule: 'public-address' })]);
    }
    // 127.0.0.1 is allow-listed in this app (WEBHOOK_ALLOWED_HOSTS); public addresses are fine
    for (const url of ['http://127.0.0.1:9/h', 'https://8.8.8.8/h', 'https://[2001:4860:4860::8888]/h']) {
      const res = await fge.api.POST('/v1/webhooks', { body: { url, events: ['referral.received'] } });
      expect([url, res.response.status]).toEqual([url, 201]);
      await fge.api.DELETE('/v1/webhooks/{webhookId}', { params: { path: { webhookId: res.data!.id } } });
    }
    // without the allow-list, the loopback receiver of these tests is refused too
    const strict = await startTestApp();
    try {
      const p = await createPrincipal(strict, { scopes: ['webhooks:write'] });
      const res = await request(strict.baseUrl).post('/v1/webhooks').auth(p.token, { type: 'bearer' }).send({ url: 'http://127.0.0.1:9/h', events: ['referral.received'] });
      expect(res.status).toBe(422);
      expect((res.body as { errors: Array<{ pointer: string; rule: string }> }).errors[0]).toMatchObject({ pointer: '#/url', rule: 'public-address' });
    } finally {
      await strict.close();
    }
  });

  it('checks the target again before each delivery (a name that now points to a private address is not called)', async () => {
    const created = await other.api.POST('/v1/webhooks', { body: { url: 'https://8.8.8.8/hooks', events: ['referral.received'] } });
    // as if DNS had changed after registration
    await t.db.pool.query(`UPDATE webhook_endpoints SET url = 'http://10.255.255.1/hooks' WHERE id = $1`, [created.data!.id]);
    await refer(other);
    const webhookId = created.data!.id;
    const deadline = Date.now() + 15_000;
    let log = await other.api.GET('/v1/webhooks/{webhookId}/deliveries', { params: { path: { webhookId } } });
    while (Date.now() < deadline && !(log.data!.items[0]?.attempts >= 1)) {
      await new Promise((r) => setTimeout(r, 200));
      log = await other.api.GET('/v1/webhooks/{webhookId}/deliveries', { params: { path: { webhookId } } });
    }
    // refused before any connection: no status code, retried later like any failure
    expect(log.data!.items.map((d) => [d.status, d.attempts, d.lastError, d.lastStatusCode])).toEqual([['pending', 1, 'blocked-address', null]]);
    await other.api.DELETE('/v1/webhooks/{webhookId}', { params: { path: { webhookId } } });
    await t.db.pool.query(`UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND state IN ('created', 'retry')`, [WEBHOOK_QUEUE]);
    await jobs.drain(WEBHOOK_QUEUE);
  });

  it('record.changed: one signed event per write to the agency\'s own endpoints, ids and versions only', async () => {
    const rx = await receiver();
    try {
      const created = await hotline.api.POST('/v1/webhooks', { body: { url: `http://127.0.0.1:${rx.port}/rec`, events: ['record.changed'] } });
      const secret = created.data!.secret;
      const otherHook = await fge.api.POST('/v1/webhooks', { body: { url: `http://127.0.0.1:${rx.port}/other`, events: ['record.changed'] } });
      const body = { receivedAt: '2025-06-02T10:00:00Z', channel: 'web', callerRole: 'anonymous', anonymous: true, classification: 'risk_situation', victims: [], narrative: 'texto libre confidencial' };
      await hotline.api.PUT('/v1/reports/{localId}', { params: { path: { localId: 'R-REC-1' } }, body });
      await hotline.api.PUT('/v1/reports/{localId}', { params: { path: { localId: 'R-REC-1' } }, body }); // unchanged: no event
      await hotline.api.POST('/v1/reports/batch', {
        body: { entries: [{ localId: 'R-REC-2', ...body }, { localId: 'R-REC-1', ...body, channel: 'chat' }] },
      });
      await hotline.api.DELETE('/v1/reports/{localId}', { params: { path: { localId: 'R-REC-2' }, query: { reason: 'duplicate' } } });
      await jobs.drain(WEBHOOK_QUEUE);
      expect(rx.got.every((m) => verify(secret, m))).toBe(true);
      expect(rx.got.map((m) => JSON.parse(m.body) as { type: string; data: unknown })).toEqual([
        { type: 'record.changed', timestamp: expect.any(String), data: { kind: 'reports', count: 1, records: [{ localId: 'R-REC-1', version: 1, op: 'create' }] } },
        {
          type: 'record.changed',
          timestamp: expect.any(String),
          data: { kind: 'reports', count: 2, records: [{ localId: 'R-REC-1', version: 2, op: 'update' }, { localId: 'R-REC-2', version: 1, op: 'create' }] },
        },
        { type: 'record.changed', timestamp: expect.any(String), data: { kind: 'reports', count: 1, records: [{ localId: 'R-REC-2', version: 2, op: 'withdraw' }] } },
      ]);
      expect(rx.got.map((m) => m.body).join('')).not.toContain('confidencial');
      // the other agency's endpoint got nothing of the hotline's records
      const otherLog = await fge.api.GET('/v1/webhooks/{webhookId}/deliveries', { params: { path: { webhookId: otherHook.data!.id } } });
      expect(otherLog.data!.items).toEqual([]);
      await hotline.api.DELETE('/v1/webhooks/{webhookId}', { params: { path: { webhookId: created.data!.id } } });
      await fge.api.DELETE('/v1/webhooks/{webhookId}', { params: { path: { webhookId: otherHook.data!.id } } });
    } finally {
      await close(rx.server);
    }
  });

  it('referral.overdue: the scheduled job tells both parties once per time limit missed', async () => {
    const schedule = await t.db.pool.query(`SELECT cron FROM pgboss.schedule WHERE name = $1`, [REFERRAL_OVERDUE_QUEUE]);
    expect(schedule.rows).toEqual([{ cron: '* * * * *' }]);
    const rx = await receiver();
    try {
      const senderHook = await hotline.api.POST('/v1/webhooks', { body: { url: `http://127.0.0.1:${rx.port}/sender`, events: ['referral.overdue'] } });
      const receiverHook = await fge.api.POST('/v1/webhooks', { body: { url: `http://127.0.0.1:${rx.port}/receiver`, events: ['referral.overdue'] } });
      const late = await refer(fge);
      const onTime = await refer(fge);
      const id = late.data!.id;
      await t.db.pool.query(`UPDATE referrals SET acknowledge_due_at = now() - interval '1 minute' WHERE id = $1`, [id]);
      const tick = async () => {
        await jobs.send(REFERRAL_OVERDUE_QUEUE, {});
        await jobs.drain(REFERRAL_OVERDUE_QUEUE);
        await jobs.drain(WEBHOOK_QUEUE);
      };
      await tick();
      await tick(); // a second run does not repeat the notice
      const events = () => rx.got.map((m) => JSON.parse(m.body) as { type: string; data: { referralId: string; overdueFor: string; status: string } });
      expect(events().map((e) => [e.type, e.data.referralId, e.data.status, e.data.overdueFor])).toEqual([
        ['referral.overdue', id, 'sent', 'acknowledge'],
        ['referral.overdue', id, 'sent', 'acknowledge'],
      ]);
      expect(events().map((e) => e.data.referralId)).not.toContain(onTime.data!.id);
      // acknowledged, then the answer deadline passes: one more notice, for answering
      await fge.api.POST('/v1/referrals/{referralId}/transitions', { params: { path: { referralId: id } }, body: { to: 'acknowledged' } });
      await t.db.pool.query(`UPDATE referrals SET respond_due_at = now() - interval '1 minute' WHERE id = $1`, [id]);
      await jobs.drain(WEBHOOK_QUEUE);
      rx.got.length = 0;
      await tick();
      expect(events().map((e) => [e.data.referralId, e.data.status, e.data.overdueFor])).toEqual([
        [id, 'acknowledged', 'respond'],
        [id, 'acknowledged', 'respond'],
      ]);
      for (const h of [[hotline, senderHook], [fge, receiverHook]] as const) {
        const log = await h[0].api.GET('/v1/webhooks/{webhookId}/deliveries', { params: { path: { webhookId: h[1].data!.id } } });
        expect(log.data!.items.map((d) => [d.eventType, d.status])).toEqual([
          ['referral.overdue', 'delivered'],
          ['referral.overdue', 'delivered'],
        ]);
        await h[0].api.DELETE('/v1/webhooks/{webhookId}', { params: { path: { webhookId: h[1].data!.id } } });
      }
    } finally {
      await close(rx.server);
    }
  });

  it.each([
    ['post', '/v1/webhooks'],
    ['get', '/v1/webhooks'],
    ['delete', '/v1/webhooks/00000000-0000-0000-0000-000000000000'],
    ['get', '/v1/webhooks/00000000-0000-0000-0000-000000000000/deliveries'],
    ['post', '/v1/webhooks/00000000-0000-0000-0000-000000000000/deliveries/00000000-0000-0000-0000-000000000000/replay'],
  ] as const)('%s %s answers 401 without a token and 403 without webhooks:write', async (method, url) => {
    expect((await request(t.baseUrl)[method](url)).status).toBe(401);
    expect((await request(t.baseUrl)[method](url).auth(noScope.token, { type: 'bearer' }).send({})).status).toBe(403);
  });
});

import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { createPrincipal, createTestDatabase, validatedClient, type TestApp, type TestDatabase, type TestPrincipal } from '@app/testing';
import { loadConfig } from '@app/config';
import { createRootLogger } from '@app/http';
import { JobsService } from '@app/jobs';
import { MatchingEngineService } from '@app/matching';
import { syntheticVictim } from '@app/synthetic';
import { createApp } from '../src/configure-app';

/**
 * Two API instances (two Nest applications in this process, each with its own connection pool, token
 * verifier, caches and pg-boss workers) against ONE database, as behind a load balancer
 * (docs/scaling.md): writes go to both; every background job is processed once, every webhook is sent
 * once, and the change feed reads the same from either instance.
 */
describe('two API instances on one database', () => {
  let db: TestDatabase;
  let a: NestFastifyApplication;
  let b: NestFastifyApplication;
  let urlA: string;
  let urlB: string;
  let writer: TestPrincipal;
  let rx: Server;
  const received: string[] = [];
  const processed: { a: string[]; b: string[] } = { a: [], b: [] };

  beforeAll(async () => {
    db = await createTestDatabase();
    // Same keys and public URL on every instance (from the secret store in a deployment).
    const config = loadConfig({
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '1000000',
      FIELD_ENCRYPTION_KEYS: `t1:${randomBytes(32).toString('base64')}`,
      BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      PUBLIC_URL: 'http://puente.test',
    });
    const start = async () => {
      const app = await createApp({ ...config, databaseUrl: db.url }, { logger: createRootLogger('warn') });
      await app.listen({ port: 0, host: '127.0.0.1' });
      return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
    };
    ({ app: a, url: urlA } = await start());
    ({ app: b, url: urlB } = await start());
    // Which instance's worker processed which records (the engine is per instance).
    for (const [app, list] of [
      [a, processed.a],
      [b, processed.b],
    ] as const) {
      const engine = app.get(MatchingEngineService);
      const original = engine.processRecords.bind(engine);
      jest.spyOn(engine, 'processRecords').mockImplementation(async (ids: string[]) => {
        list.push(...ids);
        return original(ids);
      });
    }
    writer = await createPrincipal({ app: a, baseUrl: urlA } as TestApp, { scopes: ['victims:read', 'victims:write', 'webhooks:write'] });
    rx = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received.push(String(req.headers['webhook-id']));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => rx.listen(0, '127.0.0.1', () => r()));
  });

  afterAll(async () => {
    await new Promise<void>((r) => rx.close(() => r()));
    await b?.close();
    await a?.close();
    await db?.drop();
  });

  it('processes every job once, sends every webhook once and serves one change feed', async () => {
    expect(a.get(DataSource)).not.toBe(b.get(DataSource)); // one pool per instance
    const viaA = writer.api;
    // The token issued by instance A is accepted by instance B (signing keys live in the database).
    const viaB = validatedClient(urlB, writer.token);
    const hook = await viaB.POST('/v1/webhooks', { body: { url: `http://127.0.0.1:${(rx.address() as AddressInfo).port}/hooks`, events: ['record.changed'] } });
    expect(hook.response.status).toBe(201);

    // Six batches of 25 victims, alternately through A and B, written concurrently; then updates of the
    // first batch through B (new versions of existing records).
    const batches = Array.from({ length: 6 }, (_, k) => Array.from({ length: 25 }, (_, i) => syntheticVictim(k * 25 + i, 11)));
    const results = await Promise.all(
      batches.map((entries, k) => (k % 2 ? viaB : viaA).POST('/v1/victims/batch', { body: { entries } as never })),
    );
    for (const r of results) expect(r.data?.summary).toMatchObject({ created: 25, rejected: 0 });
    const updates = batches[0].map((v) => ({ ...v, identifiedOn: '2024-12-31' }));
    const updated = await viaB.POST('/v1/victims/batch', { body: { entries: updates } as never });
    expect(updated.data?.summary).toMatchObject({ updated: 25, rejected: 0 });
    const writes = 7;

    // Both instances run workers: wait until every queue is empty, seen from either side.
    for (const app of [a, b]) {
      const jobs = app.get(JobsService);
      for (const q of jobs.registeredQueues()) await jobs.drain(q, 60_000);
    }
    const deadline = Date.now() + 30_000;
    while (received.length < writes && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1000)); // a duplicate would arrive now

    // Jobs: each written record went through the matching engine exactly once per write, on one instance.
    const ids: Array<{ id: string }> = await a.get(DataSource).query(`SELECT id FROM records WHERE kind = 'victims'`);
    expect(ids).toHaveLength(150);
    const all = [...processed.a, ...processed.b];
    const times = new Map<string, number>();
    for (const id of all) times.set(id, (times.get(id) ?? 0) + 1);
    expect(new Set(times.keys())).toEqual(new Set(ids.map((r) => r.id)));
    // 150 creations + 25 updates: one engine pass each, whichever instance fetched the job.
    expect(all).toHaveLength(175);
    const failed: Array<{ n: number }> = await a.get(DataSource).query(`SELECT count(*)::int AS n FROM pgboss.job WHERE state IN ('failed', 'retry', 'active', 'created')`);
    expect(failed[0].n).toBe(0);

    // Webhooks: one record.changed event per write transaction, each delivered once.
    const deliveries: Array<{ id: string; status: string; attempts: number }> = await a.get(DataSource).query(
      `SELECT id, status, attempts FROM webhook_deliveries WHERE endpoint_id = $1`,
      [hook.data!.id],
    );
    expect(deliveries).toHaveLength(writes);
    expect(deliveries.every((d) => d.status === 'delivered' && d.attempts === 1)).toBe(true);
    expect(received).toHaveLength(writes);
    expect(new Set(received).size).toBe(writes);

    // Change feed: the same sequence from either instance, every change once.
    const feed = async (api: typeof viaA) => {
      const items: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await api.GET('/v1/changes', { params: { query: { limit: 40, ...(after ? { after } : {}) } } });
        items.push(...page.data!.items.map((c) => `${c.localId}@${c.version}:${c.op}`));
        after = page.data!.nextCursor;
        if (!page.data!.hasMore) return items;
      }
    };
    const fromA = await feed(viaA);
    const fromB = await feed(viaB);
    expect(fromB).toEqual(fromA);
    expect(fromA).toHaveLength(175);
    expect(new Set(fromA).size).toBe(175);
    expect(fromA.filter((c) => c.endsWith('@2:update'))).toHaveLength(25);
  }, 120_000);
});

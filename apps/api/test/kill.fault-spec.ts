import { type ApiProcess, createTestDatabase, deploymentEnv, ensureBuilt, fetchToken, provisionClient, spawnApi, type TestDatabase } from '@app/testing';

/**
 * kill -9 (issue 12, issue 6): the compiled API (dist/apps/api/src/main.js) runs as a child process on its
 * own port against this file's database; it is killed with SIGKILL in the middle of a stream of batches
 * and in the middle of an import, then started again. Every entry is fully stored (record + version +
 * change-feed entry + projection) or absent, and the retry (the same batches again / the import resuming
 * by itself) completes it exactly once.
 */
const victim = (i: number) => ({
  sex: i % 2 ? 'female' : 'male',
  nationality: ['MEX'],
  stateOfOrigin: '09',
  vulnerableGroups: ['indigenous'],
  victimType: 'direct',
  offenses: ['LGT-13'],
  ageAtEvent: 10 + (i % 60),
});

describe('kill -9 of the API process', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let api: ApiProcess | undefined;
  let token: string;
  let creds: { clientId: string; clientSecret: string; agencyCode: string };
  let agencyId: string;
  const figures: Record<string, number> = {};

  const q = async <T = Record<string, number>>(sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows as T[];
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${api!.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  };
  /** Every stored victim of the prefix: exactly `version` versions and change entries, one projection row. */
  const consistency = async (prefix: string) => {
    const [r] = await q<{ records: number; bad_versions: number; bad_changes: number; missing_facts: number; max_version: number }>(
      `SELECT count(*)::int AS records,
              count(*) FILTER (WHERE (SELECT count(*) FROM record_versions v WHERE v.record_id = r.id) <> r.version)::int AS bad_versions,
              count(*) FILTER (WHERE (SELECT count(*) FROM record_changes c WHERE c.agency_id = r.agency_id AND c.kind = r.kind AND c.local_id = r.local_id) <> r.version)::int AS bad_changes,
              count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM victim_facts f WHERE f.record_id = r.id))::int AS missing_facts,
              coalesce(max(r.version), 0)::int AS max_version
         FROM records r WHERE r.agency_id = $1 AND r.kind = 'victims' AND r.local_id LIKE $2`,
      [agencyId, `${prefix}%`],
    );
    const [v] = await q(`SELECT count(*)::int AS n FROM record_versions WHERE agency_id = $1 AND kind = 'victims' AND local_id LIKE $2`, [agencyId, `${prefix}%`]);
    return { ...r, versions: v.n };
  };
  const start = async () => {
    api = await spawnApi(env);
    token = await fetchToken(api.url, creds.clientId, creds.clientSecret);
  };
  const waitFor = async (what: string, cond: () => Promise<boolean>, timeoutMs: number) => {
    for (const deadline = Date.now() + timeoutMs; ; ) {
      if (await cond()) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 15));
    }
  };

  beforeAll(async () => {
    await ensureBuilt();
    db = await createTestDatabase();
    // A short import lease so the restarted worker takes over the killed import within seconds.
    env = deploymentEnv(db.url, { IMPORT_LEASE_SECONDS: '3' });
    api = await spawnApi(env);
    const p = await provisionClient(env, api.url, ['victims:read', 'victims:write', 'imports:write']);
    creds = p;
    token = p.token;
    agencyId = (await q<{ id: string }>(`SELECT id FROM agencies WHERE code = $1`, [p.agencyCode]))[0].id;
  }, 180_000);
  afterAll(async () => {
    process.stdout.write(`[kill-9] ${JSON.stringify(figures)}\n`);
    await api?.stop();
    await db?.drop();
  });

  it('killed during a stream of batches: each entry stored completely or not at all; re-sending completes every entry exactly once', async () => {
    const BATCHES = 12;
    const SIZE = 250;
    const batches = Array.from({ length: BATCHES }, (_, b) => Array.from({ length: SIZE }, (_, i) => ({ localId: `K-${b}-${i}`, ...victim(b * SIZE + i) })));
    // Two clients send the batches; the process is killed once some batches have committed.
    let next = 0;
    const answered: number[] = [];
    const sender = async () => {
      while (next < BATCHES) {
        const b = next++;
        try {
          const r = await post('/v1/victims/batch', { entries: batches[b] });
          if (r.status === 200) answered.push(b);
        } catch {
          return; // connection reset by the kill
        }
      }
    };
    const senders = [sender(), sender()];
    await waitFor('a committed batch', async () => (await consistency('K-')).records >= SIZE, 60_000);
    await api!.kill9();
    await Promise.all(senders);
    const afterKill = await consistency('K-');
    figures.batchEntriesStoredAtKill = afterKill.records;
    // All or nothing per batch (a batch is one transaction), and every stored entry complete.
    expect(afterKill.records % SIZE).toBe(0);
    expect(afterKill.records).toBeLessThan(BATCHES * SIZE);
    expect(afterKill).toMatchObject({ bad_versions: 0, bad_changes: 0, missing_facts: 0, versions: afterKill.records });
    // Every batch the client saw answered 200 is stored.
    for (const b of answered) expect((await q(`SELECT count(*)::int AS n FROM records WHERE agency_id = $1 AND local_id LIKE $2`, [agencyId, `K-${b}-%`]))[0].n).toBe(SIZE);

    // Restart; the client re-sends every batch (it cannot know which ones committed).
    await start();
    const summary = { created: 0, unchanged: 0, updated: 0, rejected: 0 };
    for (const entries of batches) {
      const r = await post('/v1/victims/batch', { entries });
      expect(r.status).toBe(200);
      for (const [k, v] of Object.entries(r.json.summary as Record<string, number>)) if (k in summary) summary[k as keyof typeof summary] += v;
    }
    figures.batchEntriesRetried = BATCHES * SIZE;
    expect(summary).toEqual({ created: BATCHES * SIZE - afterKill.records, unchanged: afterKill.records, updated: 0, rejected: 0 });
    expect(await consistency('K-')).toEqual({ records: BATCHES * SIZE, bad_versions: 0, bad_changes: 0, missing_facts: 0, max_version: 1, versions: BATCHES * SIZE });
  }, 120_000);

  it('killed during an import: after the restart the import resumes from its checkpoint by itself and ends with every row exactly once', async () => {
    const ROWS = 4000;
    const header = 'localId,sex,birthDate,nationality,stateOfOrigin,vulnerableGroups,victimType,offenses';
    const lines = [header];
    for (let i = 0; i < ROWS; i++) lines.push(`KI-${String(i).padStart(5, '0')},${i % 2 ? 'female' : 'male'},${String(1 + (i % 28)).padStart(2, '0')}/05/2001,MEX,09,indigenous,direct,LGT-13`);
    const form = new FormData();
    form.append('kind', 'victims');
    form.append('file', new Blob([lines.join('\r\n')], { type: 'text/csv' }), 'kill.csv');
    const up = await fetch(`${api!.url}/v1/imports`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    expect(up.status).toBe(202);
    const importId = ((await up.json()) as { id: string }).id;
    const job = async () => (await q<{ status: string; checkpoint_row: number; attempts: number; accepted: number; rows_read: number; created_count: number; unchanged_count: number; rejected: number }>(`SELECT * FROM import_jobs WHERE id = $1`, [importId]))[0];
    // Kill once at least one chunk is checkpointed and the import is still running.
    await waitFor('the first checkpoint', async () => (await job()).checkpoint_row > 0, 60_000);
    await api!.kill9();
    const atKill = await job();
    const storedAtKill = await consistency('KI-');
    figures.importRowsAtKill = storedAtKill.records;
    figures.importCheckpointAtKill = atKill.checkpoint_row;
    expect(atKill.status).toBe('running');
    expect(storedAtKill.records).toBeLessThan(ROWS);
    expect(storedAtKill).toMatchObject({ bad_versions: 0, bad_changes: 0, missing_facts: 0, versions: storedAtKill.records });

    // Restart: nobody re-sends anything; the lapsed claim is found and the import resumes.
    const restarted = Date.now();
    await start();
    await waitFor('the import to finish', async () => ['succeeded', 'failed'].includes((await job()).status), 90_000);
    figures.importResumeSeconds = Math.round((Date.now() - restarted) / 100) / 10;
    const done = await job();
    expect(done).toMatchObject({ status: 'succeeded', rows_read: ROWS, accepted: ROWS, rejected: 0 });
    expect(done.attempts).toBeGreaterThanOrEqual(2);
    expect(done.created_count + done.unchanged_count).toBe(ROWS);
    expect(await consistency('KI-')).toEqual({ records: ROWS, bad_versions: 0, bad_changes: 0, missing_facts: 0, max_version: 1, versions: ROWS });
    // The status the agency sees agrees.
    const got = await fetch(`${api!.url}/v1/imports/${importId}`, { headers: { authorization: `Bearer ${token}` } });
    expect(await got.json()).toMatchObject({ status: 'succeeded', accepted: ROWS, rejected: 0, progress: 100 });
    // Uploading the same file again changes nothing.
    const again = new FormData();
    again.append('kind', 'victims');
    again.append('file', new Blob([lines.join('\r\n')], { type: 'text/csv' }), 'kill.csv');
    const up2 = await fetch(`${api!.url}/v1/imports`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: again });
    const id2 = ((await up2.json()) as { id: string }).id;
    await waitFor('the re-import', async () => (await q<{ status: string }>(`SELECT status FROM import_jobs WHERE id = $1`, [id2]))[0].status === 'succeeded', 60_000);
    expect((await q(`SELECT unchanged_count::int AS u, created_count::int AS c FROM import_jobs WHERE id = $1`, [id2]))[0]).toEqual({ u: ROWS, c: 0 });
    expect((await consistency('KI-')).versions).toBe(ROWS);
  }, 180_000);
});

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import { runCli, type CliApp } from '../test/run-cli';
import { MATCHING_QUEUE, MatchingEngineService } from '@app/matching';

/**
 * Issue 6: records imported with `cli import` go through the same write hooks as the API's writes, so
 * the imported victims are queued for matching (the API's workers process the queue) like any other.
 */
describe('cli import → matching', () => {
  let db: TestDatabase;
  let dir: string;
  const env = { FIELD_ENCRYPTION_KEYS: `t:${randomBytes(32).toString('base64')}`, BLIND_INDEX_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'silent' };

  /** Runs one CLI command in-process; with `inspect`, the app context is handed over before closing. */
  const cli = async (argv: string[], inspect?: (app: CliApp) => Promise<void>) => {
    const { out, failed } = await runCli<Record<string, unknown>>(env, db.url, argv, inspect);
    expect(failed).toBe(false);
    return out;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'puente-cli-import-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  });

  it('imported victims enqueue the matching job with every written record, and the engine profiles them', async () => {
    await cli(['agencies:create', '--code', 'fge-imp', '--name', 'Fiscalía', '--kind', 'prosecutor', '--jurisdiction', '09']);
    const lines = ['localId,names.firstName,names.firstSurname,sex,birthDate,nationality,stateOfOrigin,vulnerableGroups,victimType,offenses'];
    for (let i = 0; i < 30; i++) lines.push(`CI-${i},Ana${i},López,female,0${1 + (i % 9)}/05/2001,MEX,09,indigenous,direct,LGT-13`);
    const file = join(dir, 'victimas.csv');
    writeFileSync(file, lines.join('\r\n'));
    let profiled = 0;
    const summary = await cli(['import', file, '--agency', 'fge-imp', '--kind', 'victims'], async (app) => {
      const ids = (await db.pool.query<{ id: string }>(`SELECT id FROM records WHERE kind = 'victims' AND local_id LIKE 'CI-%'`)).rows.map((r) => r.id);
      expect(ids).toHaveLength(30);
      // The same job the API's writes enqueue, carrying every imported record.
      const jobs = await db.pool.query<{ data: { recordIds: string[] } }>(`SELECT data FROM pgboss.job WHERE name = $1`, [MATCHING_QUEUE]);
      expect(new Set(jobs.rows.flatMap((j) => j.data.recordIds))).toEqual(new Set(ids));
      // What the worker does with it: the imported victims get matching profiles.
      await app.get(MatchingEngineService).processRecords(ids);
      profiled = (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM match_profiles WHERE record_id = ANY($1::uuid[])`, [ids])).rows[0].n;
    });
    expect(summary).toMatchObject({ status: 'succeeded', accepted: 30, rejected: 0 });
    expect(profiled).toBe(30);
  });
});

import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import { runCli } from '../test/run-cli';
// After the CLI module (which loads the libs in their dependency order).
import { MATCHING_QUEUE } from '@app/matching';

const KEYS = { FIELD_ENCRYPTION_KEYS: `t:${randomBytes(32).toString('base64')}`, BLIND_INDEX_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'silent' };

/** Runs one CLI command in-process against the test database; returns its parsed JSON output. */
const cli = (db: TestDatabase, ...argv: string[]) => runCli<Record<string, unknown>>(KEYS, db.url, argv);

describe('seed:synthetic', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  const count = async (sql: string, params: unknown[] = []) => Number((await db.pool.query<{ n: string }>(sql, params)).rows[0].n);

  it('writes victims and cases of several agencies through the normal write path, with cross-agency duplicates', async () => {
    const run = await cli(db, 'seed:synthetic', '--victims', '600', '--cases', '40', '--agencies', '3', '--batch', '250');
    expect(run.failed).toBe(false);
    expect(run.out).toMatchObject({ agencies: 3, victims: 600, cases: 40 });
    expect(await count(`SELECT count(*) AS n FROM agencies WHERE code LIKE 'syn-%'`)).toBe(3);
    expect(await count(`SELECT count(*) AS n FROM records WHERE kind = 'victims'`)).toBe(600);
    expect(await count(`SELECT count(DISTINCT agency_id) AS n FROM records WHERE kind = 'victims'`)).toBe(3);
    expect(await count(`SELECT count(*) AS n FROM records WHERE kind = 'cases'`)).toBe(40);
    // History, change feed, projection, encryption, audit and matching jobs, as for API writes.
    expect(await count(`SELECT count(*) AS n FROM record_versions`)).toBe(640);
    expect(await count(`SELECT count(*) AS n FROM record_changes`)).toBe(640);
    expect(await count(`SELECT count(*) AS n FROM victim_facts`)).toBe(600);
    expect(await count(`SELECT count(*) AS n FROM records WHERE kind = 'victims' AND (pii_enc IS NULL OR pii_enc LIKE '%firstName%')`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM audit_log WHERE action = 'victims.write'`)).toBeGreaterThanOrEqual(3);
    expect(await count(`SELECT count(*) AS n FROM pgboss.job WHERE name = $1`, [MATCHING_QUEUE])).toBeGreaterThanOrEqual(3);
    // The same person in several agencies: CURP keyed hashes shared across agencies.
    expect(
      await count(`SELECT count(*) AS n FROM (SELECT curp_hash FROM victim_facts WHERE curp_hash IS NOT NULL GROUP BY curp_hash HAVING count(DISTINCT agency_id) > 1) d`),
    ).toBeGreaterThan(0);
    // Cases reference victims of their own agency, and every reference resolves.
    const refs = await db.pool.query<{ resolved: boolean }>(
      `SELECT t.id IS NOT NULL AS resolved FROM record_references f LEFT JOIN records t ON t.agency_id = f.agency_id AND t.kind = f.to_kind AND t.local_id = f.to_local_id WHERE f.from_kind = 'cases'`,
    );
    expect(refs.rows.length).toBeGreaterThan(0);
    expect(refs.rows.every((r) => r.resolved)).toBe(true);
  }, 120_000);

  it('is idempotent: running it again writes nothing new', async () => {
    const again = await cli(db, 'seed:synthetic', '--victims', '600', '--cases', '40', '--agencies', '3', '--batch', '250');
    expect(again).toMatchObject({ failed: false, out: { victims: 600, cases: 40 } });
    expect(await count(`SELECT count(*) AS n FROM record_versions`)).toBe(640);
  }, 120_000);

  it('refuses a bad count with a message', async () => {
    const bad = await cli(db, 'seed:synthetic', '--victims', 'many');
    expect(bad.failed).toBe(true);
  });
});

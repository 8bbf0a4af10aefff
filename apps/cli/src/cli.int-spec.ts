import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import { runCli } from '../test/run-cli';

const KEYS = { FIELD_ENCRYPTION_KEYS: `t:${randomBytes(32).toString('base64')}`, BLIND_INDEX_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'silent' };

/** Runs one CLI command in-process against the test database; returns its parsed JSON output. */
async function cli(db: TestDatabase, ...argv: string[]): Promise<{ out: unknown; failed: boolean }> {
  return cliWith(KEYS, db, ...argv);
}

function cliWith(env: Record<string, string>, db: TestDatabase, ...argv: string[]): Promise<{ out: unknown; failed: boolean }> {
  return runCli(env, db.url, argv);
}

describe('admin CLI', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('creates an agency and a client, printing the credentials once as JSON; the secret is stored hashed', async () => {
    const agency = await cli(db, 'agencies:create', '--code', 'fge-gto', '--name', 'Fiscalía Guanajuato', '--kind', 'prosecutor', '--jurisdiction', '11');
    expect(agency).toMatchObject({ failed: false, out: { code: 'fge-gto', kind: 'prosecutor', jurisdiction: '11', active: true } });
    const client = await cli(db, 'clients:create', '--agency', 'fge-gto', '--scopes', 'victims:read victims:write');
    const creds = client.out as { client_id: string; client_secret: string; scopes: string[] };
    expect(creds.client_id).toMatch(/^fge-gto-/);
    expect(creds.client_secret.length).toBeGreaterThanOrEqual(40);
    expect(creds.scopes).toEqual(['victims:read', 'victims:write']);
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    const { rows } = await pg.query('SELECT secret_hash FROM api_clients WHERE client_id = $1', [creds.client_id]);
    const audit = await pg.query(`SELECT action, actor FROM audit_log WHERE action LIKE 'admin.%' ORDER BY seq`);
    await pg.end();
    expect(rows[0].secret_hash).toMatch(/^scrypt\$/);
    expect(audit.rows).toEqual([
      { action: 'admin.agencies.create', actor: 'cli:agencies:create' },
      { action: 'admin.clients.create', actor: 'cli:clients:create' },
    ]);
  });

  it('rotates and revokes clients, and lists agencies', async () => {
    const created = (await cli(db, 'clients:create', '--agency', 'fge-gto', '--scopes', 'cases:read')).out as { client_id: string; client_secret: string };
    const rotated = (await cli(db, 'clients:rotate', created.client_id, '--grace', '0')).out as { client_secret: string };
    expect(rotated.client_secret).not.toBe(created.client_secret);
    const revoked = (await cli(db, 'clients:revoke', created.client_id)).out as { revoked_at: string };
    expect(new Date(revoked.revoked_at).getTime()).toBeLessThanOrEqual(Date.now());
    const list = (await cli(db, 'agencies:list')).out as { items: Array<{ code: string }> };
    expect(list.items.map((a) => a.code)).toContain('fge-gto');
  });

  it('fails with a message, not a stack, on bad input', async () => {
    const bad = await cli(db, 'clients:create', '--agency', 'nobody', '--scopes', 'victims:read');
    expect(bad.failed).toBe(true);
    const missing = await cli(db, 'agencies:create', '--code', 'x');
    expect(missing.failed).toBe(true);
  });

  it('verifies the audit chain and reports no drift between entities and migrations', async () => {
    expect((await cli(db, 'audit:verify')).out).toMatchObject({ ok: true });
    expect((await cli(db, 'db:drift')).out).toEqual({ ok: true, statements: [] });
  });

  it('rotates the field-encryption key without losing data: old ciphertexts re-encrypted, old key then removable', async () => {
    const newKey = `n:${randomBytes(32).toString('base64')}`;
    const both = { ...KEYS, FIELD_ENCRYPTION_KEYS: `${newKey},${KEYS.FIELD_ENCRYPTION_KEYS}` };
    const before = (await cliWith(both, db, 'keys:status')).out as { activeKid: string; remaining: Record<string, number> };
    expect(before.activeKid).toBe('n');
    expect(before.remaining['signing_keys.private_jwk_encrypted']).toBeGreaterThan(0);
    const rotated = (await cliWith(both, db, 'keys:rotate', '--batch', '1')).out as { remaining: Record<string, number>; reencrypted: Record<string, number> };
    expect(Object.values(rotated.remaining).every((n) => n === 0)).toBe(true);
    expect(rotated.reencrypted['signing_keys.private_jwk_encrypted']).toBe(before.remaining['signing_keys.private_jwk_encrypted']);
    // With only the new key configured, everything still decrypts (the signing keys are loaded at start).
    const onlyNew = { ...KEYS, FIELD_ENCRYPTION_KEYS: newKey };
    const after = await cliWith(onlyNew, db, 'keys:rotate-signing', '--grace', '60');
    expect(after.failed).toBe(false);
  });
});

import { randomBytes } from 'node:crypto';
import { FieldCipher } from '@app/crypto';
import { generateLabelled } from '../../synthetic/src/labelled';
import { LoadPool } from './load-pool';
import { type LoadRow, prepareBatch } from './load-worker';

/** The rebuild's load phase in worker threads prepares exactly what the main thread would. */
describe('matching rebuild: load phase in worker threads', () => {
  const cipher = new FieldCipher([{ kid: 'k1', key: randomBytes(32) }], randomBytes(32));
  const rows: LoadRow[] = generateLabelled(300, 5).map((v, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    agency_id: '00000000-0000-4000-8000-aaaaaaaaaaaa',
    data: { sex: v.sex, birthDate: v.birthDate, ageAtEvent: v.ageAtEvent, identifiedOn: v.identifiedOn, nationality: v.nationality, stateOfOrigin: v.stateOfOrigin },
    pii_enc: cipher.encryptJson({ names: v.names, ...(v.curp ? { curp: v.curp } : {}) }),
  }));
  rows.push({ id: '00000000-0000-4000-8000-ffffffffffff', agency_id: rows[0].agency_id, data: {}, pii_enc: null });

  it('two threads give the same profiles, key hashes and order as one; ciphertexts decrypt to the same profiles', async () => {
    const local = prepareBatch(cipher, rows);
    const pool = new LoadPool(cipher, 2);
    try {
      expect(pool.threads).toBe(2);
      const parts = await pool.prepare(rows);
      expect(parts).toHaveLength(2);
      expect(parts.flatMap((p) => p.victims)).toEqual(rows.map((r) => r.id));
      expect(parts.flatMap((p) => p.ids)).toEqual(local.ids);
      expect(parts.flatMap((p) => p.profiles)).toEqual(local.profiles);
      expect(parts.flatMap((p) => p.shortKeys)).toEqual(local.shortKeys);
      expect(parts.reduce((n, p) => n + p.keyCount, 0)).toBe(local.keyCount);
      const hashes = (lit: string) => lit.slice(1, -1).split(',').filter(Boolean);
      expect(parts.flatMap((p) => hashes(p.keyRows.keyHash))).toEqual(hashes(local.keyRows.keyHash));
      expect(parts.flatMap((p) => p.profileRows.profileEnc).map((c) => cipher.decryptJson(c))).toEqual(local.profiles);
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('a record without personal data gets no profile but is still listed', () => {
    const b = prepareBatch(cipher, rows.slice(-1));
    expect(b.victims).toHaveLength(1);
    expect(b.ids).toHaveLength(0);
    expect(b.keyRows.keyHash).toBe('{}');
  });
});

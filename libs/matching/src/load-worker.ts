import { parentPort, workerData } from 'node:worker_threads';
// Relative, not `@app/crypto`: under ts-jest this file runs in a worker thread through ts-node, which does not
// map the path aliases (and the barrel would load Nest modules into every worker).
import { FieldCipher } from '../../crypto/src/field-cipher';
import { type MatchProfile, blockingKeys } from './engine';
import { profileOfRecord } from './record-profile';

/** A victim record as the rebuild reads it (only the pseudonymous fields the profile needs). */
export interface LoadRow {
  id: string;
  agency_id: string;
  data: Record<string, unknown>;
  pii_enc: string | null;
}

/** What the rebuild's `load` phase needs of a batch of records: profiles, their ciphertexts, their keys. */
export interface PreparedBatch {
  /** Every record id of the batch (also those without a profile). */
  victims: string[];
  ids: string[];
  agencies: string[];
  profiles: MatchProfile[];
  /** Per profile: the first 16 hex characters of each key hash (in-memory blocking). */
  shortKeys: string[][];
  keyCount: number;
  /** PostgreSQL array literals for the multi-row inserts (see `pgArray`). */
  profileRows: { recordId: string; agencyId: string; profileEnc: string[] };
  keyRows: { recordId: string; keyType: string; keyHash: string; agencyId: string };
}

/**
 * A PostgreSQL array literal of values that need no quoting (uuids, hex digests, key types, integers):
 * much cheaper to build than node-postgres' generic array serialisation of very long arrays.
 */
export function pgArray(values: readonly string[]): string {
  return `{${values.join(',')}}`;
}

/**
 * Decrypts the personal data of `rows`, builds their match profiles, encrypts the profiles and hashes their
 * blocking keys (HMAC): the CPU-bound part of the rebuild's load phase, run in worker threads.
 */
export function prepareBatch(cipher: FieldCipher, rows: readonly LoadRow[]): PreparedBatch {
  const out: PreparedBatch = {
    victims: [],
    ids: [],
    agencies: [],
    profiles: [],
    shortKeys: [],
    keyCount: 0,
    profileRows: { recordId: '', agencyId: '', profileEnc: [] },
    keyRows: { recordId: '', keyType: '', keyHash: '', agencyId: '' },
  };
  const k = { recordId: [] as string[], keyType: [] as string[], keyHash: [] as string[], agencyId: [] as string[] };
  for (const r of rows) {
    out.victims.push(r.id);
    const pii = r.pii_enc ? cipher.decryptJson<Record<string, unknown>>(r.pii_enc) : {};
    const profile = profileOfRecord(pii, r.data);
    if (!profile) continue;
    out.ids.push(r.id);
    out.agencies.push(r.agency_id);
    out.profiles.push(profile);
    out.profileRows.profileEnc.push(cipher.encryptJson(profile));
    const mine: string[] = [];
    for (const key of blockingKeys(profile)) {
      const h = cipher.blindIndex(`match:${key.type}`, key.value);
      k.recordId.push(r.id);
      k.keyType.push(key.type);
      k.keyHash.push(h);
      k.agencyId.push(r.agency_id);
      mine.push(h.slice(0, 16));
    }
    out.shortKeys.push(mine);
    out.keyCount += mine.length;
  }
  out.profileRows.recordId = pgArray(out.ids);
  out.profileRows.agencyId = pgArray(out.agencies);
  out.keyRows = { recordId: pgArray(k.recordId), keyType: pgArray(k.keyType), keyHash: pgArray(k.keyHash), agencyId: pgArray(k.agencyId) };
  return out;
}

const init = workerData as { kind?: string; cipher: Parameters<typeof FieldCipher.inWorker>[0] } | null;
if (parentPort && init?.kind === 'matching-load') {
  const port = parentPort;
  const cipher = FieldCipher.inWorker(init.cipher);
  port.on('message', (m: { seq: number; rows: LoadRow[] }) => port.postMessage({ seq: m.seq, batch: prepareBatch(cipher, m.rows) }));
}

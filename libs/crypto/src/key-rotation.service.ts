import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { FIELD_CIPHER, FieldCipher } from './field-cipher';

/** A column holding FieldCipher ciphertexts, identified by its table's primary key. */
export interface EncryptedColumn {
  table: string;
  key: string;
  column: string;
}

/** Every encrypted column of the schema. Modules that add one list it here (a test checks the schema). */
export const ENCRYPTED_COLUMNS: EncryptedColumn[] = [
  { table: 'signing_keys', key: 'kid', column: 'private_jwk_encrypted' },
  { table: 'records', key: 'id', column: 'pii_enc' },
  { table: 'record_versions', key: 'id', column: 'pii_enc' },
  { table: 'referrals', key: 'id', column: 'shared_pii_enc' },
  { table: 'referrals', key: 'id', column: 'note_enc' },
  { table: 'webhook_endpoints', key: 'id', column: 'secret_enc' },
  { table: 'match_profiles', key: 'record_id', column: 'profile_enc' },
  { table: 'match_clks', key: 'record_id', column: 'clk_enc' },
];

const IDENT = /^[a-z_][a-z0-9_]*$/;

/**
 * Re-encrypts field ciphertexts with the active key (the first of FIELD_ENCRYPTION_KEYS), in small
 * batches of short transactions, so the service keeps running: readers decrypt old and new ciphertexts
 * alike as long as both keys are configured. Resumable: only rows still under another key are touched.
 */
@Injectable()
export class KeyRotationService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
  ) {}

  private async existing(): Promise<EncryptedColumn[]> {
    const out: EncryptedColumn[] = [];
    for (const c of ENCRYPTED_COLUMNS) {
      if (![c.table, c.key, c.column].every((s) => IDENT.test(s))) throw new Error(`bad identifier in ${JSON.stringify(c)}`);
      const [{ present }] = await this.ds.query(
        `SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND column_name = $2) AS present`,
        [c.table, c.column],
      );
      if (present) out.push(c);
    }
    return out;
  }

  /** Rows per column still encrypted with a key other than the active one. */
  async status(): Promise<{ activeKid: string; remaining: Record<string, number> }> {
    const remaining: Record<string, number> = {};
    for (const c of await this.existing()) {
      const [{ n }] = await this.ds.query(`SELECT count(*)::int AS n FROM ${c.table} WHERE ${c.column} IS NOT NULL AND split_part(${c.column}, '.', 2) <> $1`, [this.cipher.activeKid]);
      remaining[`${c.table}.${c.column}`] = n;
    }
    return { activeKid: this.cipher.activeKid, remaining };
  }

  /** Re-encrypts everything; `onProgress` is called after each batch. Returns rows re-encrypted per column. */
  async rotate(batchSize = 500, onProgress?: (column: string, done: number) => void): Promise<Record<string, number>> {
    const result: Record<string, number> = {};
    for (const c of await this.existing()) {
      const name = `${c.table}.${c.column}`;
      result[name] = 0;
      for (;;) {
        const done = await this.ds.transaction(async (em) => {
          const rows: Array<{ k: string; v: string }> = await em.query(
            `SELECT ${c.key}::text AS k, ${c.column} AS v FROM ${c.table}
              WHERE ${c.column} IS NOT NULL AND split_part(${c.column}, '.', 2) <> $1
              LIMIT $2 FOR UPDATE SKIP LOCKED`,
            [this.cipher.activeKid, batchSize],
          );
          if (!rows.length) return 0;
          const keys = rows.map((r) => r.k);
          const values = rows.map((r) => this.cipher.encrypt(this.cipher.decrypt(r.v)));
          await em.query(
            `UPDATE ${c.table} t SET ${c.column} = u.v FROM unnest($1::text[], $2::text[]) AS u(k, v) WHERE t.${c.key}::text = u.k`,
            [keys, values],
          );
          return rows.length;
        });
        if (!done) break;
        result[name] += done;
        onProgress?.(name, result[name]);
      }
    }
    return result;
  }
}

import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { RecordEntity } from '../../../records/src/record.entity';

/**
 * The CLK (Bloom-filter encoding of the names, schema `puente-clk-v1`) of a victim record: submitted by
 * the agency (`source = submitted`, the record has no plaintext names) or computed by the server from
 * the plaintext names with the shared secret (`source = server`). Stored AES-256-GCM encrypted: a CLK
 * is not a name but is open to frequency/pattern attacks by whoever holds the secret (docs/matching.md).
 */
@Entity('match_clks')
@Index('ix_match_clks_agency_record', ['agencyId', 'recordId'])
export class MatchClkEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_match_clks' })
  recordId!: string;

  @ManyToOne(() => RecordEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'record_id', foreignKeyConstraintName: 'fk_match_clks_record_id' })
  record?: RecordEntity;

  @Column({ type: 'uuid' })
  agencyId!: string;

  /** Linkage schema id, e.g. `puente-clk-v1`. */
  @Column({ type: 'varchar', length: 40 })
  schemaId!: string;

  /** `submitted` (CLK-only record) or `server` (computed from plaintext names). */
  @Column({ type: 'varchar', length: 10 })
  source!: string;

  /** FieldCipher ciphertext of the base64 filter. */
  @Column({ type: 'text' })
  clkEnc!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

/** An LSH band value of a record's CLK, as a keyed hash (HMAC, purpose `clk-lsh`): candidate generation. */
@Entity('match_clk_keys')
@Index('ix_match_clk_keys_agency_record', ['agencyId', 'recordId'])
@Index('ix_match_clk_keys_hash', ['keyHash'])
export class MatchClkKeyEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_match_clk_keys' })
  recordId!: string;

  @ManyToOne(() => RecordEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'record_id', foreignKeyConstraintName: 'fk_match_clk_keys_record_id' })
  record?: RecordEntity;

  /** First 8 bytes of HMAC-SHA256(blind-index key, 'clk-lsh:<schema>' \0 band value), as a signed 64-bit integer. */
  @PrimaryColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_match_clk_keys' })
  keyHash!: string;

  @Column({ type: 'uuid' })
  agencyId!: string;
}

export const CLK_ENTITIES = [MatchClkEntity, MatchClkKeyEntity];

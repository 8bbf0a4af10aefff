import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { AgencyEntity } from '@app/auth';

/**
 * The current version of one submitted record (victim, case…), owned by the submitting agency and keyed
 * by that agency's own identifier (`localId`). Non-sensitive fields live in `data`; personal data
 * (names, CURP, phone, address, free text) only as AES-256-GCM ciphertext in `piiEnc`.
 */
@Entity('records')
@Unique('uq_records_agency_kind_local', ['agencyId', 'kind', 'localId'])
@Index('ix_records_agency_kind_updated', ['agencyId', 'kind', 'updatedAt'])
export class RecordEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_records' })
  id!: string;

  @Column({ type: 'uuid' })
  agencyId!: string;

  @ManyToOne(() => AgencyEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'agency_id', foreignKeyConstraintName: 'fk_records_agency' })
  agency?: AgencyEntity;

  /** `victims`, `cases`, … */
  @Column({ type: 'varchar', length: 40 })
  kind!: string;

  @Column({ type: 'varchar', length: 128 })
  localId!: string;

  @Column({ type: 'int' })
  version!: number;

  /** sha256 (hex) of the canonical JSON of the normalised submitted document. */
  @Column({ type: 'char', length: 64 })
  contentHash!: string;

  @Column({ type: 'jsonb' })
  data!: Record<string, unknown>;

  @Column({ type: 'text', nullable: true })
  piiEnc!: string | null;

  /** `{catalog: version}` of the catalogs the record was validated against. */
  @Column({ type: 'jsonb' })
  catalogVersions!: Record<string, string>;

  /** Completeness over the CNDH minimum variables, 0..1. */
  @Column({ type: 'numeric', precision: 4, scale: 3 })
  quality!: string;

  /** Per minimum variable: `filled`, a null code (`SI`, `NR`, `NA`, `RESERVED`) or `missing`. */
  @Column({ type: 'jsonb' })
  completeness!: Record<string, string>;

  @Column({ type: 'jsonb' })
  warnings!: unknown[];

  @Column({ type: 'timestamptz', nullable: true })
  withdrawnAt!: Date | null;

  /** Reason code (duplicate, entered_in_error, withdrawn_by_victim, legal_order, other); no free text. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  withdrawnReason!: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  sourceSystem!: string | null;

  /** Legal hold: personal data is kept past its retention period until the hold is lifted (reason code only). */
  @Column({ type: 'varchar', length: 40, nullable: true })
  legalHold!: string | null;

  /** When the personal data of this record (and of its versions) was purged after its retention period. */
  @Column({ type: 'timestamptz', nullable: true })
  piiPurgedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

/** Every version of every record, with provenance. Append-only (the request role may only insert and read). */
@Entity('record_versions')
@Unique('uq_record_versions_record_version', ['recordId', 'version'])
@Index('ix_record_versions_agency_kind_local', ['agencyId', 'kind', 'localId', 'version'])
// Statistics: the last change included (lastChangeAt) without scanning the history (issue 9).
@Index('ix_record_versions_kind_changed', ['kind', 'changedAt'])
export class RecordVersionEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_record_versions' })
  id!: string;

  @Column({ type: 'uuid' })
  recordId!: string;

  @ManyToOne(() => RecordEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'record_id', foreignKeyConstraintName: 'fk_record_versions_record' })
  record?: RecordEntity;

  @Column({ type: 'uuid' })
  agencyId!: string;

  @Column({ type: 'varchar', length: 40 })
  kind!: string;

  @Column({ type: 'varchar', length: 128 })
  localId!: string;

  @Column({ type: 'int' })
  version!: number;

  @Column({ type: 'char', length: 64 })
  contentHash!: string;

  @Column({ type: 'jsonb' })
  data!: Record<string, unknown>;

  @Column({ type: 'text', nullable: true })
  piiEnc!: string | null;

  /** `create`, `update` or `withdraw`. */
  @Column({ type: 'varchar', length: 10 })
  op!: string;

  @Column({ type: 'varchar', length: 40, nullable: true })
  withdrawnReason!: string | null;

  @Column({ type: 'text' })
  clientId!: string;

  @Column({ type: 'varchar', length: 128, nullable: true })
  sourceSystem!: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  submissionId!: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  changedAt!: Date;
}

/**
 * The change feed. `txid` is the writing transaction's id (`pg_current_xact_id()`), set by the insert;
 * readers only see rows whose transaction is older than every transaction still running, ordered by
 * (txid, seq), so a change that commits late is never skipped.
 */
@Entity('record_changes')
@Index('ix_record_changes_agency_txid_seq', ['agencyId', 'txid', 'seq'])
export class RecordChangeEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_record_changes' })
  seq!: string;

  @Column({ type: 'bigint' })
  txid!: string;

  @Column({ type: 'uuid' })
  agencyId!: string;

  @Column({ type: 'varchar', length: 40 })
  kind!: string;

  @Column({ type: 'varchar', length: 128 })
  localId!: string;

  @Column({ type: 'int' })
  version!: number;

  @Column({ type: 'varchar', length: 10 })
  op!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;
}

/** A reference from one record to another of the same agency, by localId (the target may not exist yet). */
@Entity('record_references')
@Index('ix_record_references_target', ['agencyId', 'toKind', 'toLocalId'])
export class RecordReferenceEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_record_references' })
  agencyId!: string;

  @PrimaryColumn({ type: 'varchar', length: 40, primaryKeyConstraintName: 'pk_record_references' })
  fromKind!: string;

  @PrimaryColumn({ type: 'varchar', length: 128, primaryKeyConstraintName: 'pk_record_references' })
  fromLocalId!: string;

  @PrimaryColumn({ type: 'varchar', length: 40, primaryKeyConstraintName: 'pk_record_references' })
  toKind!: string;

  @PrimaryColumn({ type: 'varchar', length: 128, primaryKeyConstraintName: 'pk_record_references' })
  toLocalId!: string;
}

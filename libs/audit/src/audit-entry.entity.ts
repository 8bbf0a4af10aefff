import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * One audit event. Append-only (UPDATE/DELETE refused by a trigger) and hash-chained by `audit_seal()`
 * (see the migration): `chainNo`, `prevHash` and `hash` are null until the entry is sealed, at most a
 * minute after its transaction ends. `audit:verify` seals, then recomputes the chain.
 */
@Entity('audit_log')
@Unique('uq_audit_log_chain_no', ['chainNo'])
@Index('ix_audit_log_agency_at', ['agencyId', 'at'])
@Index('ix_audit_log_resource_agency_at', ['resourceAgencyId', 'at'])
// Partial index created by the migration; TypeORM does not compare partial-index predicates reliably.
@Index('ix_audit_log_unsealed', { synchronize: false })
export class AuditEntryEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_audit_log' })
  seq!: string;

  /** Id of the transaction that wrote the entry (orders the chain). */
  @Column({ type: 'bigint' })
  txid!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  /** Acting agency (null for unauthenticated events such as failed logins). */
  @Column({ type: 'uuid', nullable: true })
  agencyId!: string | null;

  /** Client id, `oidc:<sub>` or `cli:<command>`. */
  @Column({ type: 'text', nullable: true })
  actor!: string | null;

  /** e.g. `victims.write`, `victims.read-pii`, `auth.failure`, `admin.clients.create`. */
  @Column({ type: 'varchar', length: 80 })
  action!: string;

  @Column({ type: 'varchar', length: 40, nullable: true })
  resourceType!: string | null;

  /** Agency that owns the resource (for "events on my records"). */
  @Column({ type: 'uuid', nullable: true })
  resourceAgencyId!: string | null;

  /** Resource ids (local ids), possibly many for a batch. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  resourceIds!: string[];

  /** Names of the fields read or written (never their values). */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  fields!: string[];

  /** Declared purpose of a personal-data read (catalog `purpose-of-access`). */
  @Column({ type: 'varchar', length: 40, nullable: true })
  purpose!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  requestId!: string | null;

  @Column({ type: 'varchar', length: 20, default: 'ok' })
  outcome!: string;

  /** Small structured details (counts, statuses); never personal data. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  details!: Record<string, unknown>;

  @Column({ type: 'bigint', nullable: true })
  chainNo!: string | null;

  @Column({ type: 'char', length: 64, nullable: true })
  prevHash!: string | null;

  @Column({ type: 'char', length: 64, nullable: true })
  hash!: string | null;
}

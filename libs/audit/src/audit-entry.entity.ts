import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One audit event. Append-only and hash-chained: `seq` and `hash` are set by a database trigger under a
 * lock (hash = sha256(prevHash ‖ canonical row)), and UPDATE/DELETE are refused by another trigger.
 * `audit:verify` recomputes the chain and reports the first altered or missing entry.
 */
@Entity('audit_log')
@Index('ix_audit_log_agency_at', ['agencyId', 'at'])
@Index('ix_audit_log_resource_agency_at', ['resourceAgencyId', 'at'])
export class AuditEntryEntity {
  @PrimaryColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_audit_log' })
  seq!: string;

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

  @Column({ type: 'char', length: 64 })
  prevHash!: string;

  @Column({ type: 'char', length: 64 })
  hash!: string;
}

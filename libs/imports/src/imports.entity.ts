import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

/** A saved mapping profile of an agency (how its spreadsheet's columns map to a record kind). Agency-owned (RLS). */
@Entity('import_profiles')
@Unique('uq_import_profiles_agency_name', ['agencyId', 'name'])
export class ImportProfileEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_import_profiles' })
  id!: string;

  @Column({ type: 'uuid' })
  agencyId!: string;

  @Column({ type: 'varchar', length: 64 })
  name!: string;

  @Column({ type: 'varchar', length: 40 })
  kind!: string;

  /** The profile document (columns, values, dateFormat, encoding, delimiter, listSeparator, sheet). */
  @Column({ type: 'jsonb' })
  mapping!: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

/** One bulk import: the uploaded file, its resolved profile, its progress and checkpoint. Agency-owned (RLS). */
@Entity('import_jobs')
@Index('ix_import_jobs_agency_created', ['agencyId', 'createdAt'])
export class ImportJobEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_import_jobs' })
  id!: string;

  @Column({ type: 'uuid' })
  agencyId!: string;

  @Column({ type: 'varchar', length: 40 })
  kind!: string;

  /** The client that uploaded (record versions name it), and the scopes it had. */
  @Column({ type: 'text' })
  clientId!: string;

  @Column({ type: 'jsonb' })
  actor!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 64, nullable: true })
  profileName!: string | null;

  /** The profile as it was when the file was uploaded (a later profile change does not affect a retry). */
  @Column({ type: 'jsonb' })
  mapping!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 255 })
  fileName!: string;

  @Column({ type: 'varchar', length: 10 })
  format!: string;

  @Column({ type: 'bigint' })
  sizeBytes!: string;

  @Column({ type: 'boolean' })
  dryRun!: boolean;

  /** queued | running | succeeded | failed */
  @Column({ type: 'varchar', length: 20 })
  status!: string;

  @Column({ type: 'int', default: 0 })
  rowsRead!: number;

  @Column({ type: 'int', default: 0 })
  accepted!: number;

  @Column({ type: 'int', default: 0 })
  rejected!: number;

  @Column({ type: 'int', default: 0 })
  skipped!: number;

  @Column({ type: 'int', default: 0 })
  createdCount!: number;

  @Column({ type: 'int', default: 0 })
  updatedCount!: number;

  @Column({ type: 'int', default: 0 })
  unchangedCount!: number;

  /** Data rows fully processed and committed (the retry resumes after it). */
  @Column({ type: 'int', default: 0 })
  checkpointRow!: number;

  /** Bytes of the file consumed up to the checkpoint (progress). */
  @Column({ type: 'bigint', default: 0 })
  bytesRead!: string;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  ignoredColumns!: string[];

  @Column({ type: 'text', nullable: true })
  failure!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

/** A rejected row (or cell) of an import. Agency-owned (RLS). */
@Entity('import_errors')
@Index('ix_import_errors_agency_import_row', ['agencyId', 'importId', 'rowNumber'])
export class ImportErrorEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_import_errors' })
  id!: string;

  @Column({ type: 'uuid' })
  agencyId!: string;

  @Column({ type: 'uuid' })
  importId!: string;

  @Column({ type: 'int' })
  rowNumber!: number;

  @Column({ type: 'varchar', length: 128, nullable: true })
  localId!: string | null;

  @Column({ type: 'text', nullable: true })
  column!: string | null;

  @Column({ type: 'text', nullable: true })
  value!: string | null;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  rule!: string | null;

  @Column({ type: 'text', nullable: true })
  pointer!: string | null;
}

/** The uploaded file, in 1 MiB pieces (durable across restarts: a retried job reads it again). Agency-owned (RLS). */
@Entity('import_file_chunks')
export class ImportFileChunkEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_import_file_chunks' })
  agencyId!: string;

  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_import_file_chunks' })
  importId!: string;

  @PrimaryColumn({ type: 'int', primaryKeyConstraintName: 'pk_import_file_chunks' })
  seq!: number;

  @Column({ type: 'bytea' })
  data!: Buffer;
}

export const IMPORTS_ENTITIES = [ImportProfileEntity, ImportJobEntity, ImportErrorEntity, ImportFileChunkEntity];

import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

/** A participating institution: prosecutor's office, victim commission, hotline, NGO, shelter… */
@Entity('agencies')
@Unique('uq_agencies_code', ['code'])
export class AgencyEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_agencies' })
  id!: string;

  /** Stable short code, e.g. `fge-cdmx`. */
  @Column({ type: 'varchar', length: 64 })
  code!: string;

  @Column({ type: 'text' })
  name!: string;

  /** Code of catalog `agency-kind`. */
  @Column({ type: 'varchar', length: 40 })
  kind!: string;

  /** INEGI state code (`01`…`32`) or `FED`; null for agencies without a jurisdiction (NGOs). */
  @Column({ type: 'varchar', length: 3, nullable: true })
  jurisdiction!: string | null;

  /** Code of catalog `agency-level`. */
  @Column({ type: 'varchar', length: 30, nullable: true })
  level!: string | null;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ type: 'date' })
  validFrom!: string;

  @Column({ type: 'date', nullable: true })
  validTo!: string | null;

  /** When the agency was merged into another one. */
  @Index('ix_agencies_merged_into')
  @Column({ type: 'uuid', nullable: true })
  mergedIntoId!: string | null;

  @ManyToOne(() => AgencyEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'merged_into_id', foreignKeyConstraintName: 'fk_agencies_merged_into' })
  mergedInto?: AgencyEntity;

  @Column({ type: 'int', default: 1 })
  version!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

/** Every version of an agency's directory entry (renames, merges, deactivation). Append-only. */
@Entity('agency_versions')
export class AgencyVersionEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_agency_versions' })
  id!: string;

  @Index('ix_agency_versions_agency')
  @Column({ type: 'uuid' })
  agencyId!: string;

  @ManyToOne(() => AgencyEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'agency_id', foreignKeyConstraintName: 'fk_agency_versions_agency' })
  agency?: AgencyEntity;

  @Column({ type: 'int' })
  version!: number;

  @Column({ type: 'jsonb' })
  snapshot!: Record<string, unknown>;

  @Column({ type: 'text' })
  changedBy!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  changedAt!: Date;
}

import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { RecordEntity } from '../record.entity';

/**
 * Statistics projection of the judicial-outcome records: one row per decision about one accused person
 * and one offense (counting units `sentence` / `person_sentenced` / `person_convicted` derive from it),
 * current version only, rewritten in the same transaction as the record. No personal data.
 */
@Entity('judicial_outcome_facts')
@Index('ix_judicial_outcome_facts_agency_offense', ['agencyId', 'offenseCode'])
@Index('ix_judicial_outcome_facts_agency_local', ['agencyId', 'localId'])
@Index('ix_judicial_outcome_facts_agency_case', ['agencyId', 'caseLocalId'])
@Index('ix_judicial_outcome_facts_agency_accused', ['agencyId', 'accusedLocalId'])
@Index('ix_judicial_outcome_facts_agency_date', ['agencyId', 'decisionDate'])
export class JudicialOutcomeFactEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_judicial_outcome_facts' })
  recordId!: string;

  @ManyToOne(() => RecordEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'record_id', foreignKeyConstraintName: 'fk_judicial_outcome_facts_record' })
  record?: RecordEntity;

  @Column({ type: 'uuid' })
  agencyId!: string;

  /** localId of the judicial-outcome record. */
  @Column({ type: 'varchar', length: 128 })
  localId!: string;

  @Column({ type: 'varchar', length: 128 })
  caseLocalId!: string;

  @Column({ type: 'varchar', length: 128 })
  accusedLocalId!: string;

  /** Offense of the decision (code of catalog `offense`). */
  @Column({ type: 'varchar', length: 40 })
  offenseCode!: string;

  /** Offense charged (equals offenseCode unless reclassified). */
  @Column({ type: 'varchar', length: 40 })
  chargedOffenseCode!: string;

  @Column({ type: 'boolean' })
  reclassified!: boolean;

  /** Code of catalog `jurisdiction-type`. */
  @Column({ type: 'varchar', length: 40 })
  courtJurisdiction!: string;

  /** Code of catalog `state`. */
  @Column({ type: 'varchar', length: 40 })
  courtState!: string;

  @Column({ type: 'date' })
  decisionDate!: string;

  @Column({ type: 'int' })
  decisionYear!: number;

  /** Code of catalog `judicial-outcome` as decided. */
  @Column({ type: 'varchar', length: 40 })
  outcome!: string;

  /** The outcome after appeal (a conviction revoked on appeal counts as an acquittal). */
  @Column({ type: 'varchar', length: 40 })
  effectiveOutcome!: string;

  /** Code of catalog `procedure-type` (NR when not submitted). */
  @Column({ type: 'varchar', length: 40 })
  procedure!: string;

  @Column({ type: 'boolean' })
  final!: boolean;

  /** Code of catalog `appeal-result`; null when no appeal was reported. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  appealResult!: string | null;

  /** Prison term in months. */
  @Column({ type: 'int', nullable: true })
  prisonMonths!: number | null;

  /** MXN */
  @Column({ type: 'numeric', precision: 15, scale: 2, nullable: true })
  fine!: string | null;

  @Column({ type: 'int', nullable: true })
  fineDays!: number | null;

  /** MXN */
  @Column({ type: 'numeric', precision: 15, scale: 2, nullable: true })
  reparationOrdered!: string | null;

  /** MXN */
  @Column({ type: 'numeric', precision: 15, scale: 2, nullable: true })
  reparationPaidByConvicted!: string | null;

  /** MXN */
  @Column({ type: 'numeric', precision: 15, scale: 2, nullable: true })
  reparationPaidByFund!: string | null;

  /** Code of catalog `redress-status`. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  reparationStatus!: string | null;

  @Column({ type: 'text', array: true })
  victimLocalIds!: string[];
}

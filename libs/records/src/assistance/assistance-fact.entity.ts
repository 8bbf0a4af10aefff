import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { RecordEntity } from '../record.entity';

/**
 * Statistics projection of the assistance records (R22, services ledger): one row per service given to a
 * victim, current version only, rewritten in the same transaction as the record. No personal data. The
 * CEAV model stage and the emergency flag are resolved here (the submitted value, else the service type's
 * in catalog `service-type`); `duration_days` counts both ends and is null while there is no end date.
 * Withdrawn records keep their row: join `records` and filter `withdrawn_at IS NULL`, as for the other facts.
 */
@Entity('assistance_facts')
@Index('ix_assistance_facts_agency_victim', ['agencyId', 'victimLocalId'])
@Index('ix_assistance_facts_agency_service', ['agencyId', 'serviceType'])
@Index('ix_assistance_facts_agency_start', ['agencyId', 'startDate'])
export class AssistanceFactEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_assistance_facts' })
  recordId!: string;

  @ManyToOne(() => RecordEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'record_id', foreignKeyConstraintName: 'fk_assistance_facts_record' })
  record?: RecordEntity;

  @Column({ type: 'uuid' })
  agencyId!: string;

  /** localId of the assistance record. */
  @Column({ type: 'varchar', length: 128 })
  localId!: string;

  /** localId of the victim record (of the same agency). */
  @Column({ type: 'varchar', length: 128 })
  victimLocalId!: string;

  /** Code of catalog `service-type`. */
  @Column({ type: 'varchar', length: 40 })
  serviceType!: string;

  /** Code of catalog `ceav-model-stage` (submitted, else the service type's; NA for redress). */
  @Column({ type: 'varchar', length: 40 })
  ceavModelStage!: string;

  /** Emergency care (submitted, else the service type's flag). */
  @Column({ type: 'boolean' })
  emergency!: boolean;

  /** Code of catalog `agency-kind`. */
  @Column({ type: 'varchar', length: 40 })
  providerKind!: string;

  @Column({ type: 'date' })
  startDate!: string;

  @Column({ type: 'date', nullable: true })
  endDate!: string | null;

  /** Days from start to end, both included; null without an end date. */
  @Column({ type: 'int', nullable: true })
  durationDays!: number | null;

  /** ongoing, completed, interrupted or declined. */
  @Column({ type: 'varchar', length: 40 })
  status!: string;

  @Column({ type: 'uuid', nullable: true })
  referralId!: string | null;

  /** localId of the assistance record this one follows up. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  followUpOf!: string | null;
}

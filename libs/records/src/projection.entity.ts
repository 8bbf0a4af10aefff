import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { RecordEntity } from './record.entity';

/**
 * Statistics and matching projection of the current version of each victim record (rewritten in the
 * same transaction as the record). No personal data: CURP and phone only as keyed hashes (blind indexes).
 */
@Entity('victim_facts')
@Index('ix_victim_facts_agency_curp', ['agencyId', 'curpHash'])
@Index('ix_victim_facts_agency_phone', ['agencyId', 'phoneHash'])
@Index('ix_victim_facts_agency_local', ['agencyId', 'localId'])
export class VictimFactEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_victim_facts' })
  recordId!: string;

  @ManyToOne(() => RecordEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'record_id', foreignKeyConstraintName: 'fk_victim_facts_record' })
  record?: RecordEntity;

  @Column({ type: 'uuid' })
  agencyId!: string;

  @Column({ type: 'varchar', length: 128 })
  localId!: string;

  @Column({ type: 'varchar', length: 40 })
  sex!: string;

  @Column({ type: 'varchar', length: 40, nullable: true })
  genderIdentity!: string | null;

  @Column({ type: 'date', nullable: true })
  birthDate!: string | null;

  @Column({ type: 'int', nullable: true })
  birthYear!: number | null;

  @Column({ type: 'int', nullable: true })
  ageAtEvent!: number | null;

  @Column({ type: 'text', array: true })
  nationality!: string[];

  @Column({ type: 'varchar', length: 40 })
  stateOfOrigin!: string;

  @Column({ type: 'text', array: true })
  vulnerableGroups!: string[];

  @Column({ type: 'varchar', length: 40 })
  victimType!: string;

  @Column({ type: 'text', array: true })
  offenses!: string[];

  @Column({ type: 'text', array: true })
  exploitationForms!: string[];

  @Column({ type: 'char', length: 64, nullable: true })
  curpHash!: string | null;

  @Column({ type: 'char', length: 64, nullable: true })
  phoneHash!: string | null;
}

/** One row per charged offense of each case (the CNDH counting unit), current version only. */
@Entity('case_charges')
@Unique('uq_case_charges_record_charge', ['recordId', 'chargeIndex'])
@Index('ix_case_charges_agency_offense', ['agencyId', 'offenseCode'])
@Index('ix_case_charges_agency_case', ['agencyId', 'caseLocalId'])
export class CaseChargeEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_case_charges' })
  id!: string;

  @Column({ type: 'uuid' })
  recordId!: string;

  @ManyToOne(() => RecordEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'record_id', foreignKeyConstraintName: 'fk_case_charges_record' })
  record?: RecordEntity;

  @Column({ type: 'uuid' })
  agencyId!: string;

  @Column({ type: 'varchar', length: 128 })
  caseLocalId!: string;

  /** Position of the charge in the submitted `charges` array. */
  @Column({ type: 'int' })
  chargeIndex!: number;

  /** Standard code of catalog `offense`. */
  @Column({ type: 'varchar', length: 40 })
  offenseCode!: string;

  /** The code as submitted (the agency's own code when translated through a crosswalk). */
  @Column({ type: 'varchar', length: 80 })
  submittedCode!: string;

  @Column({ type: 'boolean' })
  attempted!: boolean;

  @Column({ type: 'text', array: true })
  exploitationForms!: string[];

  @Column({ type: 'text', array: true })
  aggravating!: string[];

  @Column({ type: 'varchar', length: 40 })
  stage!: string;

  @Column({ type: 'varchar', length: 40 })
  jurisdiction!: string;

  @Column({ type: 'varchar', length: 40 })
  state!: string;

  @Column({ type: 'date', nullable: true })
  openedOn!: string | null;

  @Column({ type: 'text', array: true })
  victimLocalIds!: string[];

  @Column({ type: 'text', array: true })
  accusedLocalIds!: string[];
}

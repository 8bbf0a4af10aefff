import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { RecordEntity } from '../record.entity';

/**
 * Statistics projection of the accused records: one row per accused person × file × offense (counting
 * unit `accused_person`, per offense), with the current procedural status; current version only,
 * rewritten in the same transaction as the record. No personal data: CURP only as a keyed hash, with the
 * same purpose as victim_facts.curp_hash, so a person registered both as victim and as accused can be
 * found by a join (R19, art. 37 review).
 */
@Entity('accused_facts')
@Unique('uq_accused_facts_record_case_offense', ['recordId', 'caseLocalId', 'offenseCode'])
@Index('ix_accused_facts_agency_offense', ['agencyId', 'offenseCode'])
@Index('ix_accused_facts_agency_local', ['agencyId', 'localId'])
@Index('ix_accused_facts_agency_case', ['agencyId', 'caseLocalId'])
@Index('ix_accused_facts_agency_curp', ['agencyId', 'curpHash'])
export class AccusedFactEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_accused_facts' })
  id!: string;

  @Column({ type: 'uuid' })
  recordId!: string;

  @ManyToOne(() => RecordEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'record_id', foreignKeyConstraintName: 'fk_accused_facts_record' })
  record?: RecordEntity;

  @Column({ type: 'uuid' })
  agencyId!: string;

  /** localId of the accused record. */
  @Column({ type: 'varchar', length: 128 })
  localId!: string;

  @Column({ type: 'varchar', length: 128 })
  caseLocalId!: string;

  /** Code of catalog `offense`. */
  @Column({ type: 'varchar', length: 40 })
  offenseCode!: string;

  /** Current code of catalog `accused-procedural-status` for this file and offense. */
  @Column({ type: 'varchar', length: 40 })
  proceduralStatus!: string;

  @Column({ type: 'date', nullable: true })
  statusOn!: string | null;

  /** Earliest status date for this file and offense. */
  @Column({ type: 'date', nullable: true })
  firstOn!: string | null;

  @Column({ type: 'varchar', length: 40 })
  sex!: string;

  @Column({ type: 'int', nullable: true })
  birthYear!: number | null;

  /** Age in years at the first status date (from birthDate), or the submitted age. */
  @Column({ type: 'int', nullable: true })
  age!: number | null;

  @Column({ type: 'text', array: true })
  nationality!: string[];

  @Column({ type: 'varchar', length: 40 })
  stateOfOrigin!: string;

  @Column({ type: 'text', array: true })
  roles!: string[];

  /** Code of catalog `yes-no` (NR when not submitted). */
  @Column({ type: 'varchar', length: 40 })
  organisedCrime!: string;

  /** Code of catalog `yes-no` (NR when not submitted). */
  @Column({ type: 'varchar', length: 40 })
  publicServant!: string;

  /** Derived from the relationships: yes (family), no, or a null code. */
  @Column({ type: 'varchar', length: 40 })
  kinship!: string;

  @Column({ type: 'text', array: true })
  victimLocalIds!: string[];

  /** Distinct codes of catalog `relationship-to-perpetrator`. */
  @Column({ type: 'text', array: true })
  relationships!: string[];

  @Column({ type: 'boolean' })
  alsoRegisteredAsVictim!: boolean;

  /** Some detention episode of the person belongs to this file (or to no file in particular). */
  @Column({ type: 'boolean' })
  detained!: boolean;

  @Column({ type: 'char', length: 64, nullable: true })
  curpHash!: string | null;
}

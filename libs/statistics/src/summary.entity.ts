import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Queue of victim / case records whose statistics summaries must be recomputed (filled by triggers). */
@Entity('stat_dirty')
export class StatDirtyEntity {
  @PrimaryColumn({ type: 'varchar', length: 20, primaryKeyConstraintName: 'pk_stat_dirty' })
  kind!: string;

  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_stat_dirty' })
  recordId!: string;
}

/** The statistics dimensions of one current victim record (summaries.ts). */
@Entity('stat_victim_units')
@Index('ix_stat_victim_units_agency_month', ['agencyId', 'month'])
@Index('ix_stat_victim_units_linked_person', ['linked', 'personId'])
export class StatVictimUnitEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_stat_victim_units' })
  recordId!: string;

  @Column({ type: 'uuid' })
  agencyId!: string;

  /** The person (libs/matching cluster), or the record id when unlinked. */
  @Column({ type: 'uuid' })
  personId!: string;

  /** The person has more than one current registration. */
  @Column({ type: 'boolean' })
  linked!: boolean;

  @Column({ type: 'varchar', length: 7 })
  month!: string;

  @Column({ type: 'varchar', length: 40 })
  sex!: string;

  @Column({ type: 'smallint', nullable: true })
  age!: number | null;

  /** Lower bound of the elementary age band (-1: unknown). */
  @Column({ type: 'smallint' })
  ageLo!: number;

  @Column({ type: 'text', array: true })
  offenses!: string[];
}

/** Victim registrations per month × sex × elementary age band × offense set × linked. */
@Entity('stat_victim_cube')
export class StatVictimCubeEntity {
  @PrimaryColumn({ type: 'varchar', length: 7, primaryKeyConstraintName: 'pk_stat_victim_cube' })
  month!: string;

  @PrimaryColumn({ type: 'varchar', length: 40, primaryKeyConstraintName: 'pk_stat_victim_cube' })
  sex!: string;

  @PrimaryColumn({ type: 'smallint', primaryKeyConstraintName: 'pk_stat_victim_cube' })
  ageLo!: number;

  @PrimaryColumn({ type: 'text', array: true, primaryKeyConstraintName: 'pk_stat_victim_cube' })
  offenses!: string[];

  @PrimaryColumn({ type: 'boolean', primaryKeyConstraintName: 'pk_stat_victim_cube' })
  linked!: boolean;

  @Column({ type: 'int' })
  n!: number;
}

/** The statistics dimensions of one current case record. */
@Entity('stat_case_units')
@Index('ix_stat_case_units_agency_month', ['agencyId', 'month'])
export class StatCaseUnitEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_stat_case_units' })
  recordId!: string;

  @Column({ type: 'uuid' })
  agencyId!: string;

  @Column({ type: 'varchar', length: 7 })
  month!: string;

  @Column({ type: 'varchar', length: 40 })
  state!: string;

  @Column({ type: 'varchar', length: 40 })
  jurisdiction!: string;

  @Column({ type: 'text', array: true })
  offenses!: string[];
}

/** Investigation files per month × state × jurisdiction × offense set. */
@Entity('stat_case_cube')
export class StatCaseCubeEntity {
  @PrimaryColumn({ type: 'varchar', length: 7, primaryKeyConstraintName: 'pk_stat_case_cube' })
  month!: string;

  @PrimaryColumn({ type: 'varchar', length: 40, primaryKeyConstraintName: 'pk_stat_case_cube' })
  state!: string;

  @PrimaryColumn({ type: 'varchar', length: 40, primaryKeyConstraintName: 'pk_stat_case_cube' })
  jurisdiction!: string;

  @PrimaryColumn({ type: 'text', array: true, primaryKeyConstraintName: 'pk_stat_case_cube' })
  offenses!: string[];

  @Column({ type: 'int' })
  n!: number;
}

/** The unit rows of persons with several current registrations (stat_victim_units WHERE linked), apart. */
@Entity('stat_victim_linked')
export class StatVictimLinkedEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_stat_victim_linked' })
  recordId!: string;

  @Column({ type: 'uuid' })
  personId!: string;

  @Column({ type: 'varchar', length: 7 })
  month!: string;

  @Column({ type: 'varchar', length: 40 })
  sex!: string;

  @Column({ type: 'smallint', nullable: true })
  age!: number | null;

  @Column({ type: 'text', array: true })
  offenses!: string[];
}

/** Roll-ups of the cubes (summaries.ts ROLLUPS): victim registrations per month × sex × age band × linked. */
@Entity('stat_victim_by_age')
export class StatVictimByAgeEntity {
  @PrimaryColumn({ type: 'varchar', length: 7, primaryKeyConstraintName: 'pk_stat_victim_by_age' })
  month!: string;

  @PrimaryColumn({ type: 'varchar', length: 40, primaryKeyConstraintName: 'pk_stat_victim_by_age' })
  sex!: string;

  @PrimaryColumn({ type: 'smallint', primaryKeyConstraintName: 'pk_stat_victim_by_age' })
  ageLo!: number;

  @PrimaryColumn({ type: 'boolean', primaryKeyConstraintName: 'pk_stat_victim_by_age' })
  linked!: boolean;

  @Column({ type: 'int' })
  n!: number;
}

/** Victim registrations per month × sex × offense set × linked. */
@Entity('stat_victim_by_offense')
export class StatVictimByOffenseEntity {
  @PrimaryColumn({ type: 'varchar', length: 7, primaryKeyConstraintName: 'pk_stat_victim_by_offense' })
  month!: string;

  @PrimaryColumn({ type: 'varchar', length: 40, primaryKeyConstraintName: 'pk_stat_victim_by_offense' })
  sex!: string;

  @PrimaryColumn({ type: 'text', array: true, primaryKeyConstraintName: 'pk_stat_victim_by_offense' })
  offenses!: string[];

  @PrimaryColumn({ type: 'boolean', primaryKeyConstraintName: 'pk_stat_victim_by_offense' })
  linked!: boolean;

  @Column({ type: 'int' })
  n!: number;
}

/** Investigation files per month × state × jurisdiction. */
@Entity('stat_case_by_place')
export class StatCaseByPlaceEntity {
  @PrimaryColumn({ type: 'varchar', length: 7, primaryKeyConstraintName: 'pk_stat_case_by_place' })
  month!: string;

  @PrimaryColumn({ type: 'varchar', length: 40, primaryKeyConstraintName: 'pk_stat_case_by_place' })
  state!: string;

  @PrimaryColumn({ type: 'varchar', length: 40, primaryKeyConstraintName: 'pk_stat_case_by_place' })
  jurisdiction!: string;

  @Column({ type: 'int' })
  n!: number;
}

/** Investigation files per month × jurisdiction × offense set. */
@Entity('stat_case_by_offense')
export class StatCaseByOffenseEntity {
  @PrimaryColumn({ type: 'varchar', length: 7, primaryKeyConstraintName: 'pk_stat_case_by_offense' })
  month!: string;

  @PrimaryColumn({ type: 'varchar', length: 40, primaryKeyConstraintName: 'pk_stat_case_by_offense' })
  jurisdiction!: string;

  @PrimaryColumn({ type: 'text', array: true, primaryKeyConstraintName: 'pk_stat_case_by_offense' })
  offenses!: string[];

  @Column({ type: 'int' })
  n!: number;
}

export const STATISTICS_ENTITIES = [
  StatDirtyEntity,
  StatVictimUnitEntity,
  StatVictimCubeEntity,
  StatCaseUnitEntity,
  StatCaseCubeEntity,
  StatVictimByAgeEntity,
  StatVictimByOffenseEntity,
  StatCaseByPlaceEntity,
  StatCaseByOffenseEntity,
  StatVictimLinkedEntity,
];

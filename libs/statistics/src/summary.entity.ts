import { Column, Entity, Index, PrimaryColumn, type ColumnOptions, type PrimaryColumnOptions } from 'typeorm';

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

/** Column types of the keys of the count tables (cubes and roll-ups). */
const KEY_COLUMNS: Record<string, { property: string; options: ColumnOptions }> = {
  month: { property: 'month', options: { type: 'varchar', length: 7 } },
  year: { property: 'year', options: { type: 'varchar', length: 4 } },
  sex: { property: 'sex', options: { type: 'varchar', length: 40 } },
  age_lo: { property: 'ageLo', options: { type: 'smallint' } },
  offenses: { property: 'offenses', options: { type: 'text', array: true } },
  offense: { property: 'offense', options: { type: 'varchar', length: 40 } },
  linked: { property: 'linked', options: { type: 'boolean' } },
  state: { property: 'state', options: { type: 'varchar', length: 40 } },
  jurisdiction: { property: 'jurisdiction', options: { type: 'varchar', length: 40 } },
};

/** An entity for a count table (a cube or a roll-up): its key columns form the primary key, plus the count `n`. */
function countTableEntity(table: string, keys: string[]): Function {
  const RollupEntity = class {};
  Object.defineProperty(RollupEntity, 'name', { value: `Stat_${table}` });
  Entity(table)(RollupEntity);
  for (const k of keys) PrimaryColumn({ ...KEY_COLUMNS[k].options, primaryKeyConstraintName: `pk_${table}` } as PrimaryColumnOptions)(RollupEntity.prototype, KEY_COLUMNS[k].property);
  Column({ type: 'int' })(RollupEntity.prototype, 'n');
  return RollupEntity;
}

const COUNT_TABLE_ENTITIES = (
  [
    // The cubes: victim registrations per month × sex × elementary age band × offense set × linked; files per month × state × jurisdiction × offense set.
    ['stat_victim_cube', ['month', 'sex', 'age_lo', 'offenses', 'linked']],
    ['stat_case_cube', ['month', 'state', 'jurisdiction', 'offenses']],
    // Their roll-ups (summaries.ts ROLLUPS, PER_OFFENSE; migration 1764909000000).
    ['stat_victim_by_age', ['month', 'sex', 'age_lo', 'linked']],
    ['stat_victim_by_offense', ['month', 'sex', 'offenses', 'linked']],
    ['stat_victim_by_age_y', ['year', 'sex', 'age_lo', 'linked']],
    ['stat_victim_by_offense_y', ['year', 'sex', 'offenses', 'linked']],
    ['stat_victim_cube_y', ['year', 'sex', 'age_lo', 'offenses', 'linked']],
    ['stat_case_by_place', ['month', 'state', 'jurisdiction']],
    ['stat_case_by_offense', ['month', 'jurisdiction', 'offenses']],
    ['stat_case_by_place_y', ['year', 'state', 'jurisdiction']],
    ['stat_case_by_offense_y', ['year', 'jurisdiction', 'offenses']],
    ['stat_case_cube_y', ['year', 'state', 'jurisdiction', 'offenses']],
    ['stat_victim_per_offense', ['month', 'sex', 'offense', 'linked']],
    ['stat_victim_per_offense_y', ['year', 'sex', 'offense', 'linked']],
    ['stat_case_per_offense', ['month', 'state', 'jurisdiction', 'offense']],
    ['stat_case_per_offense_y', ['year', 'state', 'jurisdiction', 'offense']],
  ] as const
).map(([table, keys]) => countTableEntity(table, [...keys]));

export const STATISTICS_ENTITIES = [
  StatDirtyEntity,
  StatVictimUnitEntity,
  StatCaseUnitEntity,
  StatVictimLinkedEntity,
  ...COUNT_TABLE_ENTITIES,
];

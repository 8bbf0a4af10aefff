import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Roll-ups of the statistics cubes (issue 9, libs/statistics/src/summaries.ts `ROLLUPS`): the same counts
 * over fewer dimensions or by year, so that typical grouped queries read a few thousand rows instead of the whole
 * cube. Maintained in the same statements as the cubes; filled here from the cubes as they stand. And the
 * unit rows of linked persons in a table of their own.
 */
const YEAR = `CASE WHEN month = 'SI' THEN 'SI' ELSE left(month, 4) END`;
const MONTH: [string, string] = ['month', 'character varying(7)'];
const YEAR_COL: [string, string, string] = ['year', 'character varying(4)', YEAR];
const OFFENSE: [string, string, string] = ['offense', 'character varying(40)', 'o.offense'];
const TABLES: Array<{ name: string; from: string; columns: Array<[name: string, type: string, source?: string]> }> = [
  { name: 'stat_victim_by_age', from: 'stat_victim_cube', columns: [MONTH, ['sex', 'character varying(40)'], ['age_lo', 'smallint'], ['linked', 'boolean']] },
  { name: 'stat_victim_by_offense', from: 'stat_victim_cube', columns: [MONTH, ['sex', 'character varying(40)'], ['offenses', 'text array'], ['linked', 'boolean']] },
  { name: 'stat_victim_by_age_y', from: 'stat_victim_cube', columns: [YEAR_COL, ['sex', 'character varying(40)'], ['age_lo', 'smallint'], ['linked', 'boolean']] },
  { name: 'stat_victim_by_offense_y', from: 'stat_victim_cube', columns: [YEAR_COL, ['sex', 'character varying(40)'], ['offenses', 'text array'], ['linked', 'boolean']] },
  {
    name: 'stat_victim_cube_y',
    from: 'stat_victim_cube',
    columns: [YEAR_COL, ['sex', 'character varying(40)'], ['age_lo', 'smallint'], ['offenses', 'text array'], ['linked', 'boolean']],
  },
  { name: 'stat_case_by_place', from: 'stat_case_cube', columns: [MONTH, ['state', 'character varying(40)'], ['jurisdiction', 'character varying(40)']] },
  { name: 'stat_case_by_offense', from: 'stat_case_cube', columns: [MONTH, ['jurisdiction', 'character varying(40)'], ['offenses', 'text array']] },
  { name: 'stat_case_by_place_y', from: 'stat_case_cube', columns: [YEAR_COL, ['state', 'character varying(40)'], ['jurisdiction', 'character varying(40)']] },
  { name: 'stat_case_by_offense_y', from: 'stat_case_cube', columns: [YEAR_COL, ['jurisdiction', 'character varying(40)'], ['offenses', 'text array']] },
  { name: 'stat_case_cube_y', from: 'stat_case_cube', columns: [YEAR_COL, ['state', 'character varying(40)'], ['jurisdiction', 'character varying(40)'], ['offenses', 'text array']] },
  // Per offense: one row per offense of the set (the cube rows unnested).
  { name: 'stat_victim_per_offense', from: 'stat_victim_cube', columns: [MONTH, ['sex', 'character varying(40)'], OFFENSE, ['linked', 'boolean']] },
  { name: 'stat_victim_per_offense_y', from: 'stat_victim_cube', columns: [YEAR_COL, ['sex', 'character varying(40)'], OFFENSE, ['linked', 'boolean']] },
  { name: 'stat_case_per_offense', from: 'stat_case_cube', columns: [MONTH, ['state', 'character varying(40)'], ['jurisdiction', 'character varying(40)'], OFFENSE] },
  { name: 'stat_case_per_offense_y', from: 'stat_case_cube', columns: [YEAR_COL, ['state', 'character varying(40)'], ['jurisdiction', 'character varying(40)'], OFFENSE] },
];

export class StatisticsRollups1764909000000 implements MigrationInterface {
  name = 'StatisticsRollups1764909000000';

  async up(q: QueryRunner): Promise<void> {
    // The unit rows of persons with several registrations (stat_victim_units WHERE linked), apart: the
    // `victims` measure counts them person by person on every query, and scanning the whole unit table
    // for the few linked ones cost ~100 ms per grouping set at 1M records.
    await q.query(
      `CREATE TABLE "stat_victim_linked" ("record_id" uuid NOT NULL, "person_id" uuid NOT NULL, "month" character varying(7) NOT NULL, "sex" character varying(40) NOT NULL, "age" smallint, "offenses" text array NOT NULL, CONSTRAINT "pk_stat_victim_linked" PRIMARY KEY ("record_id"))`,
    );
    await q.query(`INSERT INTO "stat_victim_linked" SELECT record_id, person_id, month, sex, age, offenses FROM "stat_victim_units" WHERE linked`);
    for (const t of TABLES) {
      const keys = t.columns.map(([c]) => `"${c}"`).join(', ');
      await q.query(
        `CREATE TABLE "${t.name}" (${t.columns.map(([c, type]) => `"${c}" ${type} NOT NULL`).join(', ')}, "n" integer NOT NULL, CONSTRAINT "pk_${t.name}" PRIMARY KEY (${keys}))`,
      );
      const sources = t.columns.map(([c, , source]) => source ?? `"${c}"`).join(', ');
      await q.query(
        `INSERT INTO "${t.name}" (${keys}, "n") SELECT ${sources}, sum(n) FROM "${t.from}" GROUP BY ${t.columns.map((_, i) => i + 1).join(', ')} HAVING sum(n) <> 0`.replace(
          `FROM "${t.from}"`,
          t.columns.includes(OFFENSE) ? `FROM "${t.from}" CROSS JOIN LATERAL unnest(offenses) AS o(offense)` : `FROM "${t.from}"`,
        ),
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [...TABLES].reverse()) await q.query(`DROP TABLE "${t.name}"`);
    await q.query(`DROP TABLE "stat_victim_linked"`);
  }
}

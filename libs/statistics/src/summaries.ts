/**
 * Pre-aggregated statistics (docs/statistics.md, "Pre-aggregation"). Triggers queue changed victim / case
 * records in `stat_dirty`; `refreshSummaries` folds the queue into per-unit rows (stat_*_units, the same
 * dimensions the un-aggregated path computes) and their counts (stat_*_cube): minus the old unit row, plus
 * the new one. The statistics service refreshes before it reads, so a summary answer always includes every
 * committed change. Queries the summaries cannot answer exactly (other dimensions, day-level periods, age
 * bands not aligned to the elementary bands, asOf) take the un-aggregated path.
 */
import type { EntityManager } from 'typeorm';
import { catalogRegistry } from '@app/catalogs';
import type { Dimension, DimensionDef, Measure } from './measures';
import { offenseAttributeSql } from './measures';

/** Elementary age bands: every bound of every scheme of catalog `age-group` (so each catalog bin is a union of bands). */
export function ageBounds(): number[] {
  const entries = catalogRegistry().get('age-group')?.entries ?? [];
  const b = new Set<number>([0]);
  for (const e of entries) {
    if (e.minAge !== null && e.minAge !== undefined) b.add(Number(e.minAge));
    if (e.maxAge !== null && e.maxAge !== undefined) b.add(Number(e.maxAge) + 1);
  }
  return [...b].sort((x, y) => x - y);
}

/** SQL: lower bound of the elementary band of an age (-1 when unknown). */
const ageLoSql = (age: string) =>
  `(CASE WHEN ${age} IS NULL THEN -1 ${ageBounds()
    .reverse()
    .map((lo) => `WHEN ${age} >= ${lo} THEN ${lo}`)
    .join(' ')} ELSE -1 END)`;

/** Age bins the summaries can answer: every bin starts and ends on an elementary bound. */
export function binsAligned(bins: Array<{ min: number; max: number | null }>): boolean {
  const b = new Set(ageBounds());
  return bins.every((x) => b.has(x.min) && (x.max === null || b.has(x.max + 1)));
}

const TIME = {
  year: { column: `COALESCE(to_char(b.ref_date, 'YYYY'), 'SI')`, multi: false },
  quarter: { column: `COALESCE(to_char(b.ref_date, 'YYYY-"Q"Q'), 'SI')`, multi: false },
  month: { column: `COALESCE(to_char(b.ref_date, 'YYYY-MM'), 'SI')`, multi: false },
};
const offenseAttributes = (): Partial<Record<Dimension, DimensionDef>> =>
  Object.fromEntries(
    (['isArt10Trafficking', 'art10Purpose', 'tipBucket', 'meetsInternationalDefinition'] as const).map((a) => [
      a,
      { column: `ARRAY(SELECT DISTINCT ${offenseAttributeSql(a, 'o.code')} FROM unnest(b.offenses) AS o(code))`, multi: true },
    ]),
  );

/** Dimensions the summaries hold, per measure (columns over the summary relation `b`). */
export function summaryDimensions(measure: Measure): Partial<Record<Dimension, DimensionDef>> | null {
  if (measure === 'victims' || measure === 'victim-records') {
    return {
      offense: { column: 'b.offenses', multi: true },
      ...offenseAttributes(),
      sex: { column: 'b.sex', multi: false },
      ageGroup: { column: '<age>', multi: false },
      ...TIME,
    };
  }
  if (measure === 'cases') {
    return {
      offense: { column: 'b.offenses', multi: true },
      ...offenseAttributes(),
      state: { column: 'b.state', multi: false },
      jurisdiction: { column: 'b.jurisdiction', multi: false },
      ...TIME,
    };
  }
  return null;
}


/**
 * Roll-ups of the cubes: the same counts summed over fewer dimensions or by year instead of month, so that
 * a query grouping by offense and year reads a few thousand rows instead of the whole cube. Each lists its
 * key columns and the dimensions it can answer; monthly ones answer any whole-month period and every time
 * dimension, yearly ones (`year` instead of `month`) only periods of whole calendar years and no quarter or
 * month. They are maintained in the same statements as their cube (refreshSummaries); a query reads the
 * first one (smallest first) that can answer it, else the cube.
 */
interface Rollup {
  table: string;
  keys: string[];
  dims: Dimension[] | 'all';
}
export const OFFENSE_DIMS: Dimension[] = ['offense', 'isArt10Trafficking', 'art10Purpose', 'tipBucket', 'meetsInternationalDefinition'];
export const ROLLUPS: Record<'victims' | 'cases', { cube: string; keys: string[]; rollups: Rollup[] }> = {
  victims: {
    cube: 'stat_victim_cube',
    keys: ['month', 'sex', 'age_lo', 'offenses', 'linked'],
    rollups: [
      { table: 'stat_victim_by_age_y', keys: ['year', 'sex', 'age_lo', 'linked'], dims: ['sex', 'ageGroup'] },
      { table: 'stat_victim_by_offense_y', keys: ['year', 'sex', 'offenses', 'linked'], dims: [...OFFENSE_DIMS, 'sex'] },
      { table: 'stat_victim_by_age', keys: ['month', 'sex', 'age_lo', 'linked'], dims: ['sex', 'ageGroup'] },
      { table: 'stat_victim_by_offense', keys: ['month', 'sex', 'offenses', 'linked'], dims: [...OFFENSE_DIMS, 'sex'] },
      { table: 'stat_victim_cube_y', keys: ['year', 'sex', 'age_lo', 'offenses', 'linked'], dims: 'all' },
    ],
  },
  cases: {
    cube: 'stat_case_cube',
    keys: ['month', 'state', 'jurisdiction', 'offenses'],
    rollups: [
      { table: 'stat_case_by_place_y', keys: ['year', 'state', 'jurisdiction'], dims: ['state', 'jurisdiction'] },
      { table: 'stat_case_by_offense_y', keys: ['year', 'jurisdiction', 'offenses'], dims: [...OFFENSE_DIMS, 'jurisdiction'] },
      { table: 'stat_case_by_place', keys: ['month', 'state', 'jurisdiction'], dims: ['state', 'jurisdiction'] },
      { table: 'stat_case_by_offense', keys: ['month', 'jurisdiction', 'offenses'], dims: [...OFFENSE_DIMS, 'jurisdiction'] },
      { table: 'stat_case_cube_y', keys: ['year', 'state', 'jurisdiction', 'offenses'], dims: 'all' },
    ],
  },
};
/**
 * Per-offense roll-ups: one row per offense of a unit (a unit of two offenses is in two rows), so a grouping
 * set by offense sums rows without unnesting offense sets. Read only for grouping sets that group by offense
 * when no filter is on an offense dimension (a filter on a set cannot be applied to single offenses).
 */
export const PER_OFFENSE: Record<'victims' | 'cases', Rollup[]> = {
  victims: [
    { table: 'stat_victim_per_offense_y', keys: ['year', 'sex', 'offense', 'linked'], dims: ['offense', 'sex'] },
    { table: 'stat_victim_per_offense', keys: ['month', 'sex', 'offense', 'linked'], dims: ['offense', 'sex'] },
  ],
  cases: [
    { table: 'stat_case_per_offense_y', keys: ['year', 'state', 'jurisdiction', 'offense'], dims: ['offense', 'state', 'jurisdiction'] },
    { table: 'stat_case_per_offense', keys: ['month', 'state', 'jurisdiction', 'offense'], dims: ['offense', 'state', 'jurisdiction'] },
  ],
};
/** How a roll-up key is computed from a unit row (or a cube row): the year of the reference month; one offense of the set. */
export const ROLLUP_KEY_SQL: Record<string, string> = { year: `(CASE WHEN month = 'SI' THEN 'SI' ELSE left(month, 4) END)`, offense: 'o.offense' };
/** The FROM clause over unit (or cube) rows `rows` that a roll-up with these keys is computed from. */
export const rollupSource = (rows: string, keys: string[]) => (keys.includes('offense') ? `${rows} CROSS JOIN LATERAL unnest(${rows}.offenses) AS o(offense)` : rows);
const TIME_DIMENSIONS: Dimension[] = ['year', 'quarter', 'month'];

/**
 * The summary table that answers a query using these dimensions over this period (whole months): the first
 * roll-up holding them all, yearly ones only for whole calendar years and no quarter / month; else the cube.
 */
const yearsOnly = (dims: Dimension[], period: { from?: string | null; to?: string | null }) =>
  !dims.includes('month') && !dims.includes('quarter') && (!period.from || period.from.endsWith('-01-01')) && (!period.to || period.to.endsWith('-12-31'));
const holds = (r: Rollup, need: Dimension[]) => r.dims === 'all' || need.every((d) => (r.dims as Dimension[]).includes(d));

export function summaryTable(measure: Measure, used: Iterable<Dimension>, period: { from?: string | null; to?: string | null } = {}): { table: string; keys: string[] } {
  const set = ROLLUPS[measure === 'cases' ? 'cases' : 'victims'];
  const dims = [...used];
  const need = dims.filter((d) => !TIME_DIMENSIONS.includes(d));
  const years = yearsOnly(dims, period);
  return set.rollups.find((r) => (years || !r.keys.includes('year')) && holds(r, need)) ?? { table: set.cube, keys: set.keys };
}

/**
 * The summary table for one grouping set: a per-offense roll-up when the set groups by offense and nothing
 * filters on an offense dimension, else the smallest table holding the set's and the filters' dimensions.
 */
export function subsetTable(
  measure: Measure,
  subsetDims: Dimension[],
  filterDims: Dimension[],
  period: { from?: string | null; to?: string | null } = {},
): { table: string; keys: string[] } {
  const dims = [...subsetDims, ...filterDims];
  if (subsetDims.includes('offense') && !filterDims.some((d) => OFFENSE_DIMS.includes(d))) {
    const need = dims.filter((d) => !TIME_DIMENSIONS.includes(d));
    const years = yearsOnly(dims, period);
    const r = PER_OFFENSE[measure === 'cases' ? 'cases' : 'victims'].find((x) => (years || !x.keys.includes('year')) && holds(x, need));
    if (r) return r;
  }
  return summaryTable(measure, dims, period);
}

const refDate = `CASE WHEN month = 'SI' THEN NULL ELSE to_date(month || '-01', 'YYYY-MM-DD') END AS ref_date`;

/** Rows of a summary table as the relation the statistics read (`n` per row); for victims, the persons with one registration. */
export function cubeSql(measure: Measure, { table, keys }: { table: string; keys: string[] }): string {
  const has = (k: string) => keys.includes(k);
  // A yearly table shows its year as the year's first month: whole-year periods compare the same way.
  const from = has('year') ? `(SELECT *, CASE WHEN year = 'SI' THEN 'SI' ELSE year || '-01' END AS month FROM ${table}) y` : table;
  const offenses = has('offenses') ? 'offenses' : has('offense') ? 'ARRAY[offense]::text[] AS offenses' : 'NULL::text[] AS offenses';
  if (measure === 'cases') {
    return `SELECT ${offenses}, ${has('state') ? 'state' : 'NULL::text AS state'}, jurisdiction, month, ${refDate}, n FROM ${from}`;
  }
  const cube = `SELECT ${offenses}, sex, ${has('age_lo') ? 'NULLIF(age_lo, -1) AS age' : 'NULL::smallint AS age'}, month, ${refDate}, n FROM ${from}`;
  // Unique persons: persons with one registration come from the cube; the registrations of persons with
  // several (linked = true) are counted person by person from the unit rows. The two sets are disjoint.
  return measure === 'victims' ? `${cube} WHERE NOT linked` : cube;
}

/** Relations over the summaries: `cube` rows carry a count `n`; `units` rows are single units (with `uid`). */
export function summaryRelations(
  measure: Measure,
  used: Iterable<Dimension> = [],
  period: { from?: string | null; to?: string | null } = {},
): { cube: string; units?: string; agencies: string } {
  const cube = cubeSql(measure, summaryTable(measure, used, period));
  if (measure === 'cases') return { cube, agencies: `SELECT agency_id, offenses, state, jurisdiction, month FROM stat_case_units` };
  const agencies = `SELECT agency_id, offenses, sex, age, month FROM stat_victim_units`;
  if (measure === 'victims') return { cube, units: `SELECT person_id AS uid, offenses, sex, age, month, ${refDate} FROM stat_victim_linked`, agencies };
  return { cube, agencies };
}

const sortedSet = (a: string) => `ARRAY(SELECT DISTINCT x FROM unnest(${a}) AS x ORDER BY x)`;
const nonEmpty = (a: string) => `(CASE WHEN cardinality(${a}) = 0 THEN ARRAY['NR']::text[] ELSE ${a} END)`;

/**
 * The tail of one statement that adds (sign '') or subtracts (sign '-') the unit rows of CTE `rows` to the
 * cube and to each of its roll-ups (data-modifying CTEs: one statement, one snapshot of `rows`).
 */
function upsertAll(kind: 'victims' | 'cases', rows: string, sign: string): string {
  const { cube, keys } = ROLLUPS[kind];
  const rollups = [...ROLLUPS[kind].rollups, ...PER_OFFENSE[kind]];
  const upsert = (table: string, k: string[]) =>
    `INSERT INTO ${table} (${k.join(', ')}, n) SELECT ${k.map((c) => ROLLUP_KEY_SQL[c] ?? c).join(', ')}, ${sign}count(*) FROM ${rollupSource(rows, k)} GROUP BY ${k.map((_, i) => i + 1).join(', ')}
     ON CONFLICT (${k.join(', ')}) DO UPDATE SET n = ${table}.n + EXCLUDED.n`;
  const ctes = rollups.map((r, i) => `, r${i} AS (${upsert(r.table, r.keys)} RETURNING 1)`).join('');
  return `${ctes} ${upsert(cube, keys)}`;
}

/** The cube and every roll-up of a kind. */
export const summaryTables = (kind: 'victims' | 'cases') => [ROLLUPS[kind].cube, ...[...ROLLUPS[kind].rollups, ...PER_OFFENSE[kind]].map((r) => r.table)];

async function deleteEmpty(em: EntityManager, kind: 'victims' | 'cases'): Promise<void> {
  for (const table of summaryTables(kind)) await em.query(`DELETE FROM ${table} WHERE n = 0`);
}

/** Folds the queue into the summaries. Returns the number of records recomputed. */
export async function refreshSummaries(em: EntityManager): Promise<number> {
  const [{ pending }] = await em.query(`SELECT EXISTS (SELECT 1 FROM stat_dirty) AS pending`);
  if (!pending) return 0;
  await em.query(`SELECT pg_advisory_xact_lock(hashtext('puente.stat_summaries'))`);
  await em.query(`CREATE TEMP TABLE IF NOT EXISTS stat_ids (kind varchar(20), record_id uuid, PRIMARY KEY (kind, record_id)) ON COMMIT DELETE ROWS`);
  await em.query(`WITH d AS (DELETE FROM stat_dirty RETURNING kind, record_id) INSERT INTO stat_ids SELECT kind, record_id FROM d ON CONFLICT DO NOTHING`);
  // The other registrations of the same persons: whether a person has one or several may have changed.
  await em.query(`INSERT INTO stat_ids SELECT 'victims', pl2.record_id FROM stat_ids i
      JOIN person_links pl ON pl.record_id = i.record_id JOIN person_links pl2 ON pl2.person_id = pl.person_id
     WHERE i.kind = 'victims' ON CONFLICT DO NOTHING`);
  await em.query(`ANALYZE stat_ids`); // temp tables have no statistics otherwise: the joins below need them
  const [{ n }] = await em.query(`SELECT count(*)::int AS n FROM stat_ids`);
  const ids = (kind: string) => `(SELECT record_id FROM stat_ids WHERE kind = '${kind}')`;

  // Victims: remove the old unit rows (and their counts), insert the current ones (and theirs).
  const upsertVictims = (rows: string, sign: string) => upsertAll('victims', rows, sign);
  await em.query(`DELETE FROM stat_victim_linked WHERE record_id IN ${ids('victims')}`);
  await em.query(`WITH old AS (DELETE FROM stat_victim_units u WHERE u.record_id IN ${ids('victims')} RETURNING u.*) ${upsertVictims('old', '-')}`);
  const ref = `COALESCE(NULLIF(r.data->>'identifiedOn', '')::date, NULLIF(r.data->>'eventDate', '')::date, (r.created_at AT TIME ZONE 'UTC')::date)`;
  await em.query(`WITH new AS (
      INSERT INTO stat_victim_units (record_id, agency_id, person_id, linked, month, sex, age, age_lo, offenses)
      SELECT vf.record_id, vf.agency_id, COALESCE(pl.person_id, vf.record_id),
             pl.person_id IS NOT NULL AND (SELECT count(*) FROM person_links pl2 JOIN records r2 ON r2.id = pl2.record_id AND r2.withdrawn_at IS NULL
                                           JOIN victim_facts vf2 ON vf2.record_id = pl2.record_id WHERE pl2.person_id = pl.person_id) > 1,
             to_char(${ref}, 'YYYY-MM'), vf.sex::text, vf.age_at_event, ${ageLoSql('vf.age_at_event')}, ${sortedSet(nonEmpty('vf.offenses'))}
        FROM victim_facts vf
        JOIN records r ON r.id = vf.record_id AND r.withdrawn_at IS NULL
        LEFT JOIN person_links pl ON pl.record_id = vf.record_id
       WHERE vf.record_id IN ${ids('victims')}
      RETURNING *) ${upsertVictims('new', '')}`);
  // Linked persons' unit rows, apart (the `victims` measure counts them person by person).
  await em.query(`INSERT INTO stat_victim_linked SELECT record_id, person_id, month, sex, age, offenses FROM stat_victim_units WHERE record_id IN ${ids('victims')} AND linked`);
  await deleteEmpty(em, 'victims');

  // Cases: one unit row per file (state, jurisdiction and opening date are file-level).
  const upsertCases = (rows: string, sign: string) => upsertAll('cases', rows, sign);
  await em.query(`WITH old AS (DELETE FROM stat_case_units u WHERE u.record_id IN ${ids('cases')} RETURNING u.*) ${upsertCases('old', '-')}`);
  await em.query(`WITH new AS (
      INSERT INTO stat_case_units (record_id, agency_id, month, state, jurisdiction, offenses)
      SELECT cc.record_id, (array_agg(cc.agency_id))[1], COALESCE(to_char(min(cc.opened_on), 'YYYY-MM'), 'SI'), min(cc.state::text), min(cc.jurisdiction::text),
             ARRAY(SELECT DISTINCT x FROM unnest(array_agg(cc.offense_code::text)) AS x ORDER BY x)
        FROM case_charges cc
        JOIN records r ON r.id = cc.record_id AND r.withdrawn_at IS NULL
       WHERE cc.record_id IN ${ids('cases')}
       GROUP BY cc.record_id
      RETURNING *) ${upsertCases('new', '')}`);
  await deleteEmpty(em, 'cases');
  await em.query(`DELETE FROM stat_ids`);
  return Number(n);
}

/** Recomputes every summary from scratch (after a bulk load that bypassed the triggers, or to verify). */
export async function rebuildSummaries(em: EntityManager): Promise<number> {
  await em.query(`SELECT pg_advisory_xact_lock(hashtext('puente.stat_summaries'))`);
  const tables = (['victims', 'cases'] as const).flatMap(summaryTables);
  await em.query(`TRUNCATE stat_victim_units, stat_victim_linked, stat_case_units, ${tables.join(', ')}`);
  await em.query(`INSERT INTO stat_dirty SELECT 'victims', record_id FROM victim_facts ON CONFLICT DO NOTHING`);
  await em.query(`INSERT INTO stat_dirty SELECT DISTINCT 'cases', record_id FROM case_charges ON CONFLICT DO NOTHING`);
  return refreshSummaries(em);
}

/**
 * What each measure counts and over which rows (docs/statistics.md). Every measure produces a `base`
 * relation with one row per counted unit occurrence (a victim record, a charge…), the unit's id in
 * `unit_id`, and one column per dimension; the statistics service groups and counts distinct unit ids.
 * Two sources produce the same columns: the projections (current data) and record_versions (as of a
 * past instant, R36).
 */
import { catalogRegistry } from '@app/catalogs';

export const MEASURES = ['victims', 'victim-records', 'cases', 'charged-offenses'] as const;
export type Measure = (typeof MEASURES)[number];

export const DIMENSIONS = [
  'offense',
  'exploitationForm',
  'isArt10Trafficking',
  'art10Purpose',
  'tipBucket',
  'meetsInternationalDefinition',
  'stateOfOrigin',
  'state',
  'jurisdiction',
  'sex',
  'ageGroup',
  'nationality',
  'vulnerableGroup',
  'victimType',
  'stage',
  'agencyKind',
  'year',
  'quarter',
  'month',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface DimensionDef {
  /** Column of `base` (or SQL over `b`). */
  column: string;
  /** Array column: a unit counts once in each of its values. */
  multi: boolean;
  /** Catalog of its codes (for validation, labels and the zero-filled domain). */
  catalog?: string;
  /** List every catalog code even when its count is zero (R2 for offenses). */
  fullDomain?: boolean;
}

export interface MeasureDef {
  unit: 'victim' | 'victim_registration' | 'investigation_file' | 'offence_charge';
  /** Record kind in record_versions. */
  kind: 'victims' | 'cases';
  /** The distinct-count expression over base `b`. */
  unitId: string;
  dimensions: Partial<Record<Dimension, DimensionDef>>;
  /** Catalogs whose versions the response reports. */
  catalogs: string[];
}

const TIME: Partial<Record<Dimension, DimensionDef>> = {
  year: { column: `COALESCE(to_char(b.ref_date, 'YYYY'), 'SI')`, multi: false },
  quarter: { column: `COALESCE(to_char(b.ref_date, 'YYYY-"Q"Q'), 'SI')`, multi: false },
  month: { column: `COALESCE(to_char(b.ref_date, 'YYYY-MM'), 'SI')`, multi: false },
};

/**
 * R3: the classifications of catalog `offense` side by side. Each offense code maps to its attribute
 * (art. 10 trafficking yes/no, art. 10 exploitation purpose, US TIP bucket, meets the international
 * definition yes/no); a null code stays itself. The mapping is read from the versioned catalog, never
 * hard-coded. Victims (several offenses) count once in each value their offenses map to.
 */
const OFFENSE_ATTRIBUTES = {
  isArt10Trafficking: { catalog: 'yes-no', of: (e: Record<string, unknown>) => (e.isArt10Trafficking ? 'yes' : 'no') },
  art10Purpose: { catalog: 'exploitation-form', of: (e: Record<string, unknown>) => (typeof e.exploitationForm === 'string' ? e.exploitationForm : 'NA') },
  tipBucket: { catalog: 'tip-bucket', of: (e: Record<string, unknown>) => (typeof e.tipBucket === 'string' ? e.tipBucket : 'SI') },
  meetsInternationalDefinition: { catalog: 'yes-no', of: (e: Record<string, unknown>) => (e.meetsInternationalDefinition ? 'yes' : 'no') },
} as const;
type OffenseAttribute = keyof typeof OFFENSE_ATTRIBUTES;

const sqlText = (v: string) => `'${v.replace(/'/g, "''")}'`;

/** SQL CASE mapping an offense code expression to one of its catalog attributes. */
export function offenseAttributeSql(attribute: OffenseAttribute, code: string): string {
  const entries = catalogRegistry().get('offense')?.entries ?? [];
  const whens = entries.map((e) => `WHEN ${sqlText(e.code)} THEN ${sqlText(OFFENSE_ATTRIBUTES[attribute].of(e as unknown as Record<string, unknown>))}`).join(' ');
  return `(CASE ${code} ${whens} WHEN 'NA' THEN 'NA' WHEN 'NR' THEN 'NR' WHEN 'RESERVED' THEN 'RESERVED' ELSE 'SI' END)`;
}

const offenseAttributeDims = (offenses: string, multi: boolean): Partial<Record<Dimension, DimensionDef>> =>
  Object.fromEntries(
    (Object.keys(OFFENSE_ATTRIBUTES) as OffenseAttribute[]).map((a) => [
      a,
      {
        column: multi ? `ARRAY(SELECT DISTINCT ${offenseAttributeSql(a, 'o.code')} FROM unnest(${offenses}) AS o(code))` : offenseAttributeSql(a, offenses),
        multi,
        catalog: OFFENSE_ATTRIBUTES[a].catalog,
        fullDomain: a !== 'art10Purpose',
      },
    ]),
  );

const VICTIM_DIMENSIONS: Partial<Record<Dimension, DimensionDef>> = {
  offense: { column: 'b.offenses', multi: true, catalog: 'offense', fullDomain: true },
  exploitationForm: { column: 'b.exploitation_forms', multi: true, catalog: 'exploitation-form' },
  ...offenseAttributeDims('b.offenses', true),
  stateOfOrigin: { column: 'b.state_of_origin', multi: false, catalog: 'state' },
  // State and jurisdiction of the cases (investigation files) the victim is named in; NR when none.
  state: { column: 'b.case_states', multi: true, catalog: 'state' },
  jurisdiction: { column: 'b.case_jurisdictions', multi: true, catalog: 'jurisdiction-type', fullDomain: true },
  sex: { column: 'b.sex', multi: false, catalog: 'sex', fullDomain: true },
  ageGroup: { column: '<age>', multi: false, catalog: 'age-group' },
  nationality: { column: 'b.nationality', multi: true, catalog: 'country' },
  vulnerableGroup: { column: 'b.vulnerable_groups', multi: true, catalog: 'vulnerable-group' },
  victimType: { column: 'b.victim_type', multi: false, catalog: 'victim-type' },
  agencyKind: { column: 'b.agency_kind', multi: false, catalog: 'agency-kind' },
  ...TIME,
};

const CASE_DIMENSIONS: Partial<Record<Dimension, DimensionDef>> = {
  offense: { column: 'b.offense', multi: false, catalog: 'offense', fullDomain: true },
  exploitationForm: { column: 'b.exploitation_forms', multi: true, catalog: 'exploitation-form' },
  ...offenseAttributeDims('b.offense', false),
  state: { column: 'b.state', multi: false, catalog: 'state' },
  jurisdiction: { column: 'b.jurisdiction', multi: false, catalog: 'jurisdiction-type', fullDomain: true },
  stage: { column: 'b.stage', multi: false, catalog: 'charge-stage' },
  agencyKind: { column: 'b.agency_kind', multi: false, catalog: 'agency-kind' },
  ...TIME,
};

const VICTIM_CATALOGS = ['offense', 'exploitation-form', 'yes-no', 'tip-bucket', 'state', 'jurisdiction-type', 'sex', 'age-group', 'country', 'vulnerable-group', 'victim-type', 'agency-kind'];
const CASE_CATALOGS = ['offense', 'exploitation-form', 'yes-no', 'tip-bucket', 'state', 'jurisdiction-type', 'charge-stage', 'agency-kind'];

export const MEASURE_DEFS: Record<Measure, MeasureDef> = {
  victims: { unit: 'victim', kind: 'victims', unitId: 'b.person_id', dimensions: VICTIM_DIMENSIONS, catalogs: VICTIM_CATALOGS },
  'victim-records': { unit: 'victim_registration', kind: 'victims', unitId: 'b.record_id', dimensions: VICTIM_DIMENSIONS, catalogs: VICTIM_CATALOGS },
  cases: { unit: 'investigation_file', kind: 'cases', unitId: 'b.record_id', dimensions: CASE_DIMENSIONS, catalogs: CASE_CATALOGS },
  'charged-offenses': { unit: 'offence_charge', kind: 'cases', unitId: 'b.charge_id', dimensions: CASE_DIMENSIONS, catalogs: CASE_CATALOGS },
};

const arr = (json: string) => `ARRAY(SELECT jsonb_array_elements_text(COALESCE(${json}, '[]'::jsonb)))`;
const nonEmpty = (a: string) => `(CASE WHEN cardinality(${a}) = 0 THEN ARRAY['NR']::text[] ELSE ${a} END)`;

/** Cases of the same agency that name the victim (current data). */
const caseArrays = (agency: string, localId: string) => `,
  ${nonEmpty(`ARRAY(SELECT DISTINCT cc.state::text FROM case_charges cc JOIN records cr ON cr.id = cc.record_id AND cr.withdrawn_at IS NULL
     WHERE cc.agency_id = ${agency} AND ${localId} = ANY(cc.victim_local_ids))`)} AS case_states,
  ${nonEmpty(`ARRAY(SELECT DISTINCT cc.jurisdiction::text FROM case_charges cc JOIN records cr ON cr.id = cc.record_id AND cr.withdrawn_at IS NULL
     WHERE cc.agency_id = ${agency} AND ${localId} = ANY(cc.victim_local_ids))`)} AS case_jurisdictions`;

export interface BaseOptions {
  /** Parameter placeholder of the as-of instant, or undefined for current data. */
  asOfParam?: string;
  /** The person_links table of libs/matching exists (person-level de-duplication). */
  personLinks: boolean;
  /** Include the victim's case states/jurisdictions (costly correlated lookups; only when used). */
  caseGeography: boolean;
}

/** SQL of the `base` relation of a measure. */
export function baseSql(def: MeasureDef, o: BaseOptions): string {
  const person = (rec: string) => (o.personLinks ? `COALESCE(pl.person_id, ${rec})` : rec);
  const links = (rec: string) => (o.personLinks ? `LEFT JOIN person_links pl ON pl.record_id = ${rec}` : '');
  if (def.kind === 'victims') {
    if (!o.asOfParam) {
      return `SELECT vf.record_id, ${person('vf.record_id')} AS person_id, vf.agency_id, ag.kind::text AS agency_kind,
          vf.sex::text AS sex, vf.age_at_event AS age, ${nonEmpty('vf.nationality')} AS nationality, vf.state_of_origin::text AS state_of_origin,
          ${nonEmpty('vf.vulnerable_groups')} AS vulnerable_groups, vf.victim_type::text AS victim_type, ${nonEmpty('vf.offenses')} AS offenses,
          ${nonEmpty('vf.exploitation_forms')} AS exploitation_forms,
          COALESCE(NULLIF(r.data->>'identifiedOn', '')::date, NULLIF(r.data->>'eventDate', '')::date, (r.created_at AT TIME ZONE 'UTC')::date) AS ref_date
          ${o.caseGeography ? caseArrays('vf.agency_id', 'vf.local_id') : ''}
        FROM victim_facts vf
        JOIN records r ON r.id = vf.record_id AND r.withdrawn_at IS NULL
        JOIN agencies ag ON ag.id = vf.agency_id
        ${links('vf.record_id')}`;
    }
    // As of a past instant: the last version of each record written at or before it (R36).
    return `SELECT v.record_id, ${person('v.record_id')} AS person_id, v.agency_id, ag.kind::text AS agency_kind,
        v.data->>'sex' AS sex,
        COALESCE((v.data->>'ageAtEvent')::int, CASE WHEN v.data ? 'birthDate' AND v.data ? 'eventDate'
          THEN date_part('year', age((v.data->>'eventDate')::date, (v.data->>'birthDate')::date))::int END) AS age,
        ${nonEmpty(arr(`v.data->'nationality'`))} AS nationality, v.data->>'stateOfOrigin' AS state_of_origin,
        ${nonEmpty(arr(`v.data->'vulnerableGroups'`))} AS vulnerable_groups, v.data->>'victimType' AS victim_type,
        ${nonEmpty(arr(`v.data->'offenses'`))} AS offenses, ${nonEmpty(arr(`v.data->'exploitationForms'`))} AS exploitation_forms,
        COALESCE(NULLIF(v.data->>'identifiedOn', '')::date, NULLIF(v.data->>'eventDate', '')::date, (r.created_at AT TIME ZONE 'UTC')::date) AS ref_date
        ${o.caseGeography ? caseArrays('v.agency_id', 'v.local_id') : ''}
      FROM (SELECT DISTINCT ON (record_id) record_id, agency_id, local_id, data, op FROM record_versions
             WHERE kind = 'victims' AND changed_at <= ${o.asOfParam} ORDER BY record_id, version DESC) v
      JOIN records r ON r.id = v.record_id
      JOIN agencies ag ON ag.id = v.agency_id
      ${links('v.record_id')}
      WHERE v.op <> 'withdraw'`;
  }
  if (!o.asOfParam) {
    return `SELECT cc.record_id, cc.id::text AS charge_id, cc.agency_id, ag.kind::text AS agency_kind, cc.offense_code::text AS offense,
        ${nonEmpty('cc.exploitation_forms')} AS exploitation_forms, cc.stage::text AS stage, cc.jurisdiction::text AS jurisdiction,
        cc.state::text AS state, cc.opened_on AS ref_date
      FROM case_charges cc
      JOIN records r ON r.id = cc.record_id AND r.withdrawn_at IS NULL
      JOIN agencies ag ON ag.id = cc.agency_id`;
  }
  return `SELECT v.record_id, v.record_id::text || ':' || (ch.i - 1) AS charge_id, v.agency_id, ag.kind::text AS agency_kind,
      ch.c->>'offense' AS offense, ${nonEmpty(arr(`ch.c->'exploitationForms'`))} AS exploitation_forms,
      COALESCE(ch.c->>'stage', 'NR') AS stage, v.data->>'jurisdiction' AS jurisdiction, v.data->>'state' AS state,
      NULLIF(v.data->>'openedOn', '')::date AS ref_date
    FROM (SELECT DISTINCT ON (record_id) record_id, agency_id, data, op FROM record_versions
           WHERE kind = 'cases' AND changed_at <= ${o.asOfParam} ORDER BY record_id, version DESC) v
    JOIN agencies ag ON ag.id = v.agency_id
    CROSS JOIN LATERAL jsonb_array_elements(v.data->'charges') WITH ORDINALITY AS ch(c, i)
    WHERE v.op <> 'withdraw'`;
}

/**
 * What each measure counts and over which rows (docs/statistics.md). Every measure produces a `base`
 * relation with one row per counted unit occurrence (a victim record, a charge…), the unit's id in
 * `unit_id`, and one column per dimension; the statistics service groups and counts distinct unit ids.
 * Two sources produce the same columns: the projections (current data) and record_versions (as of a
 * past instant, R36).
 */
import { catalogRegistry } from '@app/catalogs';

export const MEASURES = ['victims', 'victim-records', 'cases', 'charged-offenses', 'accused', 'judicial-outcomes', 'reports', 'referrals'] as const;
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
  'agencyState',
  'relationship',
  'proceduralStatus',
  'outcome',
  'procedure',
  'final',
  'channel',
  'callerRole',
  'classification',
  'environment',
  'callerState',
  'callerCountry',
  'status',
  'urgency',
  'serviceType',
  'involvesMinor',
  'receiverAgencyKind',
  'fileType',
  'origin',
  'legalBasis',
  'kinship',
  'organisedCrime',
  'publicServant',
  'finalJudgmentState',
  'appealResult',
  'internationalCooperation',
  'migrationEvent',
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
  /** Fixed codes of a dimension without a catalog (e.g. referral statuses). */
  codes?: readonly string[];
}

export interface MeasureDef {
  unit: 'victim' | 'victim_registration' | 'investigation_file' | 'offence_charge' | 'accused_person' | 'sentence' | 'report' | 'referral';
  /** Record kind in record_versions (`referrals` are not records: their events date the last change). */
  kind: 'victims' | 'cases' | 'accused' | 'judicial-outcomes' | 'reports' | 'referrals';
  /** Re-computable as of a past instant from record_versions (R36). */
  asOf: boolean;
  /** The date the period and the time dimensions refer to. */
  basis: string;
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
  // States of the courts of the final judgments (judicial outcomes of the same agency) naming the victim; NR when none (T42-T44).
  finalJudgmentState: {
    column: `COALESCE(NULLIF(ARRAY(SELECT DISTINCT jf.court_state::text FROM judicial_outcome_facts jf JOIN records jr ON jr.id = jf.record_id AND jr.withdrawn_at IS NULL
      WHERE jf.agency_id = b.agency_id AND jf.final AND b.local_id = ANY(jf.victim_local_ids)), '{}'), ARRAY['NR']::text[])`,
    multi: true,
    catalog: 'state',
  },
  sex: { column: 'b.sex', multi: false, catalog: 'sex', fullDomain: true },
  ageGroup: { column: '<age>', multi: false, catalog: 'age-group' },
  nationality: { column: 'b.nationality', multi: true, catalog: 'country' },
  vulnerableGroup: { column: 'b.vulnerable_groups', multi: true, catalog: 'vulnerable-group' },
  victimType: { column: 'b.victim_type', multi: false, catalog: 'victim-type' },
  agencyKind: { column: 'b.agency_kind', multi: false, catalog: 'agency-kind' },
  // State of the submitting agency (its jurisdiction): INEGI code, FED for federal agencies, NR when none.
  agencyState: { column: 'b.agency_state', multi: false, catalog: 'state' },
  // Relationship of an indirect victim to the direct victim; NA for other victims.
  relationship: { column: 'b.relationship', multi: false, catalog: 'relationship-to-direct-victim' },
  // Types of the victim record's migration events (current data; T35, T57); NR when none.
  migrationEvent: {
    column: `COALESCE(NULLIF(ARRAY(SELECT DISTINCT me.e->>'type' FROM records mr CROSS JOIN LATERAL jsonb_array_elements(COALESCE(mr.data->'migrationEvents', '[]'::jsonb)) AS me(e)
      WHERE mr.id = b.record_id), '{}'), ARRAY['NR']::text[])`,
    multi: true,
    catalog: 'migration-event-type',
  },
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
  // Attributes of the investigation file (T37-T40); NR when not submitted.
  fileType: { column: 'b.file_type', multi: false, catalog: 'file-type' },
  status: { column: 'b.status', multi: false, catalog: 'investigation-status' },
  origin: { column: 'b.origin', multi: false, catalog: 'investigation-origin' },
  legalBasis: { column: 'b.legal_basis', multi: false, catalog: 'legal-basis' },
  kinship: { column: 'b.kinship', multi: false, catalog: 'yes-no' },
  organisedCrime: { column: 'b.organised_crime', multi: false, catalog: 'yes-no' },
  publicServant: { column: 'b.public_servant', multi: false, catalog: 'yes-no' },
  // Cooperation with foreign counterparts (T51); NR when not submitted.
  internationalCooperation: { column: 'b.international_cooperation', multi: false, catalog: 'international-cooperation' },
  ...TIME,
};

const VICTIM_CATALOGS = ['offense', 'exploitation-form', 'yes-no', 'tip-bucket', 'state', 'jurisdiction-type', 'sex', 'age-group', 'country', 'vulnerable-group', 'victim-type', 'agency-kind', 'relationship-to-direct-victim', 'migration-event-type'];
const CASE_CATALOGS = [
  'offense',
  'exploitation-form',
  'yes-no',
  'tip-bucket',
  'state',
  'jurisdiction-type',
  'charge-stage',
  'agency-kind',
  'file-type',
  'investigation-status',
  'investigation-origin',
  'legal-basis',
  'international-cooperation',
];

const ACCUSED_DIMENSIONS: Partial<Record<Dimension, DimensionDef>> = {
  offense: { column: 'b.offense', multi: false, catalog: 'offense', fullDomain: true },
  ...offenseAttributeDims('b.offense', false),
  sex: { column: 'b.sex', multi: false, catalog: 'sex', fullDomain: true },
  ageGroup: { column: '<age>', multi: false, catalog: 'age-group' },
  nationality: { column: 'b.nationality', multi: true, catalog: 'country' },
  stateOfOrigin: { column: 'b.state_of_origin', multi: false, catalog: 'state' },
  // State and jurisdiction of the investigation file the accused person is charged in (NR: no such file).
  state: { column: 'b.state', multi: false, catalog: 'state' },
  jurisdiction: { column: 'b.jurisdiction', multi: false, catalog: 'jurisdiction-type', fullDomain: true },
  proceduralStatus: { column: 'b.procedural_status', multi: false, catalog: 'accused-procedural-status', fullDomain: true },
  agencyKind: { column: 'b.agency_kind', multi: false, catalog: 'agency-kind' },
  ...TIME,
};

const OUTCOME_DIMENSIONS: Partial<Record<Dimension, DimensionDef>> = {
  offense: { column: 'b.offense', multi: false, catalog: 'offense', fullDomain: true },
  ...offenseAttributeDims('b.offense', false),
  outcome: { column: 'b.outcome', multi: false, catalog: 'judicial-outcome', fullDomain: true },
  procedure: { column: 'b.procedure', multi: false, catalog: 'procedure-type' },
  final: { column: 'b.final', multi: false, catalog: 'yes-no', fullDomain: true },
  // The court's jurisdiction and state.
  jurisdiction: { column: 'b.jurisdiction', multi: false, catalog: 'jurisdiction-type', fullDomain: true },
  state: { column: 'b.state', multi: false, catalog: 'state' },
  agencyKind: { column: 'b.agency_kind', multi: false, catalog: 'agency-kind' },
  // Result of an appeal (T52); NR when no appeal was reported.
  appealResult: { column: 'b.appeal_result', multi: false, catalog: 'appeal-result' },
  ...TIME,
};

const REPORT_DIMENSIONS: Partial<Record<Dimension, DimensionDef>> = {
  classification: { column: 'b.classification', multi: false, catalog: 'hotline-contact-classification', fullDomain: true },
  channel: { column: 'b.channel', multi: false, catalog: 'contact-channel' },
  callerRole: { column: 'b.caller_role', multi: false, catalog: 'caller-role' },
  environment: { column: 'b.environment', multi: false, catalog: 'environment' },
  // Where the call came from (callerOrigin): the caller's state (NA abroad) and country.
  callerState: { column: 'b.caller_state', multi: false, catalog: 'state' },
  callerCountry: { column: 'b.caller_country', multi: false, catalog: 'country' },
  // State where the reported facts happened.
  state: { column: 'b.state', multi: false, catalog: 'state' },
  exploitationForm: { column: 'b.exploitation_forms', multi: true, catalog: 'exploitation-form' },
  agencyKind: { column: 'b.agency_kind', multi: false, catalog: 'agency-kind' },
  ...TIME,
};

/** Statuses of a referral (libs/referrals), in lifecycle order. */
export const REFERRAL_STATUSES = ['sent', 'acknowledged', 'accepted', 'declined', 'redirected', 'in_progress', 'closed'] as const;
export const REFERRAL_STATUS_LABELS: Record<string, { es: string; en: string }> = {
  sent: { es: 'Enviada', en: 'Sent' },
  acknowledged: { es: 'Acusada de recibo', en: 'Acknowledged' },
  accepted: { es: 'Aceptada', en: 'Accepted' },
  declined: { es: 'Rechazada', en: 'Declined' },
  redirected: { es: 'Redirigida', en: 'Redirected' },
  in_progress: { es: 'En atención', en: 'In progress' },
  closed: { es: 'Cerrada', en: 'Closed' },
};

const REFERRAL_DIMENSIONS: Partial<Record<Dimension, DimensionDef>> = {
  status: { column: 'b.status', multi: false, codes: REFERRAL_STATUSES, fullDomain: true },
  urgency: { column: 'b.urgency', multi: false, catalog: 'referral-urgency', fullDomain: true },
  serviceType: { column: 'b.services', multi: true, catalog: 'service-type' },
  involvesMinor: { column: 'b.involves_minor', multi: false, catalog: 'yes-no', fullDomain: true },
  state: { column: 'b.state', multi: false, catalog: 'state' },
  // Kind of the sending agency (agencyKind) and of the receiving one.
  agencyKind: { column: 'b.agency_kind', multi: false, catalog: 'agency-kind' },
  receiverAgencyKind: { column: 'b.receiver_agency_kind', multi: false, catalog: 'agency-kind' },
  // R3 TIP bucket of the offenses of the victim record the referral is about (current data; T56); NR for other subjects.
  tipBucket: {
    column: `COALESCE(NULLIF(ARRAY(SELECT DISTINCT ${offenseAttributeSql('tipBucket', 'o.code')} FROM referrals rr
      JOIN victim_facts vf ON rr.subject_kind = 'victims' AND vf.agency_id = rr.sender_agency_id AND vf.local_id = rr.subject_local_id
      JOIN records vr ON vr.id = vf.record_id AND vr.withdrawn_at IS NULL
      CROSS JOIN LATERAL unnest(vf.offenses) AS o(code) WHERE rr.id = b.record_id), '{}'), ARRAY['NR']::text[])`,
    multi: true,
    catalog: 'tip-bucket',
    fullDomain: true,
  },
  ...TIME,
};

const VICTIM_BASIS = 'identifiedOn, else eventDate, else registration date';
const CASE_BASIS = 'openedOn of the investigation file';
export const MEASURE_DEFS: Record<Measure, MeasureDef> = {
  victims: { unit: 'victim', kind: 'victims', asOf: true, basis: VICTIM_BASIS, unitId: 'b.person_id', dimensions: VICTIM_DIMENSIONS, catalogs: VICTIM_CATALOGS },
  'victim-records': { unit: 'victim_registration', kind: 'victims', asOf: true, basis: VICTIM_BASIS, unitId: 'b.record_id', dimensions: VICTIM_DIMENSIONS, catalogs: VICTIM_CATALOGS },
  cases: { unit: 'investigation_file', kind: 'cases', asOf: true, basis: CASE_BASIS, unitId: 'b.record_id', dimensions: CASE_DIMENSIONS, catalogs: CASE_CATALOGS },
  'charged-offenses': { unit: 'offence_charge', kind: 'cases', asOf: true, basis: CASE_BASIS, unitId: 'b.charge_id', dimensions: CASE_DIMENSIONS, catalogs: CASE_CATALOGS },
  accused: {
    unit: 'accused_person',
    kind: 'accused',
    asOf: false,
    basis: 'first procedural date of the accused person, else the status date, else the registration date',
    unitId: 'b.record_id',
    dimensions: ACCUSED_DIMENSIONS,
    catalogs: ['offense', 'yes-no', 'tip-bucket', 'exploitation-form', 'sex', 'age-group', 'country', 'state', 'jurisdiction-type', 'accused-procedural-status', 'agency-kind'],
  },
  'judicial-outcomes': {
    unit: 'sentence',
    kind: 'judicial-outcomes',
    asOf: true,
    basis: 'decision date',
    unitId: 'b.record_id',
    dimensions: OUTCOME_DIMENSIONS,
    catalogs: ['offense', 'yes-no', 'tip-bucket', 'exploitation-form', 'judicial-outcome', 'procedure-type', 'jurisdiction-type', 'state', 'agency-kind', 'appeal-result'],
  },
  reports: {
    unit: 'report',
    kind: 'reports',
    asOf: true,
    basis: 'receivedAt (UTC date)',
    unitId: 'b.record_id',
    dimensions: REPORT_DIMENSIONS,
    catalogs: ['contact-channel', 'caller-role', 'hotline-contact-classification', 'environment', 'state', 'country', 'exploitation-form', 'agency-kind'],
  },
  referrals: {
    unit: 'referral',
    kind: 'referrals',
    asOf: false,
    basis: 'date the referral was sent (UTC)',
    unitId: 'b.record_id',
    dimensions: REFERRAL_DIMENSIONS,
    catalogs: ['referral-urgency', 'service-type', 'yes-no', 'state', 'agency-kind', 'tip-bucket'],
  },
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

/** Reports: one row per report, from its stored (non-personal) data `d` of records or record_versions. */
const reportColumns = (d: string) => `COALESCE(${d}->>'channel', 'NR') AS channel, COALESCE(${d}->>'callerRole', 'NR') AS caller_role,
  COALESCE(${d}->>'classification', 'NR') AS classification, COALESCE(${d}->>'environment', 'NR') AS environment,
  COALESCE(${d}->'callerOrigin'->>'state', 'NR') AS caller_state, COALESCE(${d}->'callerOrigin'->>'country', 'NR') AS caller_country,
  COALESCE(${d}->'place'->>'state', 'NR') AS state, ${nonEmpty(arr(`${d}->'exploitationForms'`))} AS exploitation_forms,
  ((${d}->>'receivedAt')::timestamptz AT TIME ZONE 'UTC')::date AS ref_date`;

/** File-level attributes of a case from its stored (non-personal) data `d` (NR when not submitted). */
const caseFileColumns = (d: string) => `COALESCE(${d}->>'fileType', 'NR') AS file_type, COALESCE(${d}->>'status', 'NR') AS status,
  COALESCE(${d}->>'origin', 'NR') AS origin, COALESCE(${d}->>'legalBasis', 'NR') AS legal_basis,
  COALESCE(${d}->'probableInvolvement'->>'kinship', 'NR') AS kinship, COALESCE(${d}->'probableInvolvement'->>'organisedCrime', 'NR') AS organised_crime,
  COALESCE(${d}->'probableInvolvement'->>'publicServant', 'NR') AS public_servant,
  COALESCE(${d}->>'internationalCooperation', 'NR') AS international_cooperation`;

/** SQL of the `base` relation of a measure. */
export function baseSql(def: MeasureDef, o: BaseOptions): string {
  if (def.kind === 'accused') {
    // One row per accused person × file × offense (accused_facts); the file's state and jurisdiction.
    const file = (col: string) => `COALESCE((SELECT cc.${col}::text FROM case_charges cc JOIN records cr ON cr.id = cc.record_id AND cr.withdrawn_at IS NULL
        WHERE cc.agency_id = af.agency_id AND cc.case_local_id = af.case_local_id LIMIT 1), 'NR')`;
    return `SELECT af.record_id, af.agency_id, ag.kind::text AS agency_kind, af.offense_code::text AS offense, af.sex::text AS sex, af.age AS age,
        ${nonEmpty('af.nationality')} AS nationality, af.state_of_origin::text AS state_of_origin, af.procedural_status::text AS procedural_status,
        ${file('state')} AS state, ${file('jurisdiction')} AS jurisdiction,
        COALESCE(af.first_on, af.status_on, (r.created_at AT TIME ZONE 'UTC')::date) AS ref_date
      FROM accused_facts af
      JOIN records r ON r.id = af.record_id AND r.withdrawn_at IS NULL
      JOIN agencies ag ON ag.id = af.agency_id`;
  }
  if (def.kind === 'judicial-outcomes') {
    if (o.asOfParam) {
      // As of a past instant (R36, 004 fn 24-25): the outcome as it then stood (a revocation on appeal recorded later is not yet applied).
      return `SELECT v.record_id, v.agency_id, ag.kind::text AS agency_kind, v.data->>'offense' AS offense,
          CASE WHEN v.data->>'outcome' = 'conviction' AND v.data->>'appealResult' = 'conviction_revoked' THEN 'acquittal' ELSE v.data->>'outcome' END AS outcome,
          COALESCE(v.data->>'procedure', 'NR') AS procedure, CASE WHEN (v.data->>'final')::boolean THEN 'yes' ELSE 'no' END AS final,
          v.data->>'courtJurisdiction' AS jurisdiction, v.data->>'courtState' AS state, NULLIF(v.data->>'decisionDate', '')::date AS ref_date,
          COALESCE(v.data->>'appealResult', 'NR') AS appeal_result
        FROM (SELECT DISTINCT ON (record_id) record_id, agency_id, data, op FROM record_versions
               WHERE kind = 'judicial-outcomes' AND changed_at <= ${o.asOfParam} ORDER BY record_id, version DESC) v
        JOIN agencies ag ON ag.id = v.agency_id
        WHERE v.op <> 'withdraw'`;
    }
    return `SELECT jf.record_id, jf.agency_id, ag.kind::text AS agency_kind, jf.offense_code::text AS offense, jf.effective_outcome::text AS outcome,
        jf.procedure::text AS procedure, CASE WHEN jf.final THEN 'yes' ELSE 'no' END AS final, jf.court_jurisdiction::text AS jurisdiction,
        jf.court_state::text AS state, jf.decision_date AS ref_date, COALESCE(jf.appeal_result, 'NR')::text AS appeal_result
      FROM judicial_outcome_facts jf
      JOIN records r ON r.id = jf.record_id AND r.withdrawn_at IS NULL
      JOIN agencies ag ON ag.id = jf.agency_id`;
  }
  if (def.kind === 'reports') {
    if (!o.asOfParam) {
      return `SELECT r.id AS record_id, r.agency_id, ag.kind::text AS agency_kind, ${reportColumns('r.data')}
        FROM records r JOIN agencies ag ON ag.id = r.agency_id
        WHERE r.kind = 'reports' AND r.withdrawn_at IS NULL`;
    }
    return `SELECT v.record_id, v.agency_id, ag.kind::text AS agency_kind, ${reportColumns('v.data')}
      FROM (SELECT DISTINCT ON (record_id) record_id, agency_id, data, op FROM record_versions
             WHERE kind = 'reports' AND changed_at <= ${o.asOfParam} ORDER BY record_id, version DESC) v
      JOIN agencies ag ON ag.id = v.agency_id
      WHERE v.op <> 'withdraw'`;
  }
  if (def.kind === 'referrals') {
    // Referrals proper (not the automatic notices to child protection); a redirection is a new referral.
    return `SELECT rf.id AS record_id, rf.sender_agency_id AS agency_id, sa.kind::text AS agency_kind, ra.kind::text AS receiver_agency_kind,
        rf.status::text AS status, rf.urgency::text AS urgency, ${nonEmpty('rf.services_requested')} AS services,
        CASE WHEN rf.involves_minor THEN 'yes' ELSE 'no' END AS involves_minor, COALESCE(rf.state, 'NR')::text AS state,
        (rf.created_at AT TIME ZONE 'UTC')::date AS ref_date
      FROM referrals rf
      JOIN agencies sa ON sa.id = rf.sender_agency_id
      JOIN agencies ra ON ra.id = rf.receiver_agency_id
      WHERE rf.kind = 'referral'`;
  }
  const person = (rec: string) => (o.personLinks ? `COALESCE(pl.person_id, ${rec})` : rec);
  const links = (rec: string) => (o.personLinks ? `LEFT JOIN person_links pl ON pl.record_id = ${rec}` : '');
  if (def.kind === 'victims') {
    if (!o.asOfParam) {
      return `SELECT vf.record_id, ${person('vf.record_id')} AS person_id, vf.agency_id, vf.local_id, ag.kind::text AS agency_kind, COALESCE(ag.jurisdiction, 'NR')::text AS agency_state,
          COALESCE(r.data->>'relationshipToDirectVictim', 'NA') AS relationship,
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
    return `SELECT v.record_id, ${person('v.record_id')} AS person_id, v.agency_id, v.local_id, ag.kind::text AS agency_kind, COALESCE(ag.jurisdiction, 'NR')::text AS agency_state,
        COALESCE(v.data->>'relationshipToDirectVictim', 'NA') AS relationship,
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
        cc.state::text AS state, cc.opened_on AS ref_date, ${caseFileColumns('r.data')}
      FROM case_charges cc
      JOIN records r ON r.id = cc.record_id AND r.withdrawn_at IS NULL
      JOIN agencies ag ON ag.id = cc.agency_id`;
  }
  return `SELECT v.record_id, v.record_id::text || ':' || (ch.i - 1) AS charge_id, v.agency_id, ag.kind::text AS agency_kind,
      ch.c->>'offense' AS offense, ${nonEmpty(arr(`ch.c->'exploitationForms'`))} AS exploitation_forms,
      COALESCE(ch.c->>'stage', 'NR') AS stage, v.data->>'jurisdiction' AS jurisdiction, v.data->>'state' AS state,
      NULLIF(v.data->>'openedOn', '')::date AS ref_date, ${caseFileColumns('v.data')}
    FROM (SELECT DISTINCT ON (record_id) record_id, agency_id, data, op FROM record_versions
           WHERE kind = 'cases' AND changed_at <= ${o.asOfParam} ORDER BY record_id, version DESC) v
    JOIN agencies ag ON ag.id = v.agency_id
    CROSS JOIN LATERAL jsonb_array_elements(v.data->'charges') WITH ORDINALITY AS ch(c, i)
    WHERE v.op <> 'withdraw'`;
}

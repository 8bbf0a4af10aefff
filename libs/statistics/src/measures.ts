/**
 * What each measure counts and over which rows (docs/statistics.md). Every measure produces a `base`
 * relation with one row per counted unit occurrence (a victim record, a charge…), the unit's id in
 * `unit_id`, and one column per dimension; the statistics service groups and counts distinct unit ids.
 * Two sources produce the same columns: the projections (current data) and record_versions (as of a
 * past instant, R36).
 */
import { catalogRegistry } from '@app/catalogs';

export const MEASURES = [
  'victims',
  'victim-records',
  'cases',
  'charged-offenses',
  'accused',
  'judicial-outcomes',
  'reports',
  'referrals',
  'shelters',
  'supervisory-visits',
  'shelter-stays',
  'sheltered-victims',
  'assistance',
  'services',
] as const;
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
  'shelterType',
  'operator',
  'specialisation',
  'onOfficialRoster',
  'acceptsAdultMen',
  'boysMaxAge',
  'highSecurity',
  'closed',
  'supervised',
  'visitingAgencyKind',
  'movementRestricted',
  'ceavModelStage',
  'providerKind',
  'emergency',
  'serviceStatus',
  'recruitmentChannel',
  'recruitmentMethod',
  'meansOfControl',
  'victimGroupNationality',
  'transitState',
  'destinationState',
  'destinationCountry',
  'exploitationState',
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
  unit:
    | 'victim'
    | 'victim_registration'
    | 'investigation_file'
    | 'offence_charge'
    | 'accused_person'
    | 'sentence'
    | 'report'
    | 'referral'
    | 'shelter'
    | 'supervisory_visit'
    | 'shelter_stay'
    | 'person_assisted'
    | 'service_recipient'
    | 'service';
  /** Record kind in record_versions (`referrals` are not records: their events date the last change). */
  kind: 'victims' | 'cases' | 'accused' | 'judicial-outcomes' | 'reports' | 'referrals' | 'shelters' | 'shelter-stays' | 'assistance';
  /** The unit is a victim: counted once per person when person links exist (libs/matching), like `victims`. */
  persons?: boolean;
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

/** Codes of an array field of the victim record's stored data (current data), `NR` when none. */
const victimDataCodes = (field: string) =>
  `COALESCE(NULLIF(ARRAY(SELECT DISTINCT x.c FROM records xr CROSS JOIN LATERAL jsonb_array_elements_text(COALESCE(xr.data->'${field}', '[]'::jsonb)) AS x(c)
      WHERE xr.id = b.record_id), '{}'), ARRAY['NR']::text[])`;

/** Codes of one key of the places of an array field of the victim record (current data), `NR` when none. */
const victimPlaceCodes = (field: string, key: 'state' | 'country') =>
  `COALESCE(NULLIF(ARRAY(SELECT DISTINCT x.p->>'${key}' FROM records xr CROSS JOIN LATERAL jsonb_array_elements(COALESCE(xr.data->'${field}', '[]'::jsonb)) AS x(p)
      WHERE xr.id = b.record_id AND x.p->>'${key}' IS NOT NULL), '{}'), ARRAY['NR']::text[])`;

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
  // How the victim was contacted and recruited and the means of control (R30; T8-T11, T17, T20): current data; NR when none.
  recruitmentChannel: { column: victimDataCodes('recruitmentChannels'), multi: true, catalog: 'recruitment-channel' },
  recruitmentMethod: { column: victimDataCodes('recruitmentMethods'), multi: true, catalog: 'recruitment-method' },
  meansOfControl: { column: victimDataCodes('meansOfControl'), multi: true, catalog: 'means-of-control' },
  // Route of the victim (R32; T19): states of the places of transit, of destination and of exploitation, and
  // countries of destination (current data; NR when none).
  transitState: { column: victimPlaceCodes('placesOfTransit', 'state'), multi: true, catalog: 'state' },
  destinationState: { column: victimPlaceCodes('placesOfDestination', 'state'), multi: true, catalog: 'state' },
  destinationCountry: { column: victimPlaceCodes('placesOfDestination', 'country'), multi: true, catalog: 'country' },
  exploitationState: { column: victimPlaceCodes('placesOfExploitation', 'state'), multi: true, catalog: 'state' },
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

const VICTIM_CATALOGS = ['offense', 'exploitation-form', 'yes-no', 'tip-bucket', 'state', 'jurisdiction-type', 'sex', 'age-group', 'country', 'vulnerable-group', 'victim-type', 'agency-kind', 'relationship-to-direct-victim', 'migration-event-type', 'recruitment-channel', 'recruitment-method', 'means-of-control'];
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
  // The victims described in the report (T14, T19): nationalities of the groups of victims of unknown size
  // (`unquantified` entries; SI when not stated, NA when the report describes no group), and whether one of
  // them is under 18 (age below 18 or an under-18 age group, as describedMinor of libs/records).
  victimGroupNationality: { column: 'b.victim_group_nationalities', multi: true, catalog: 'country' },
  involvesMinor: { column: 'b.involves_minor', multi: false, catalog: 'yes-no', fullDomain: true },
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

/** Codes of `boysMaxAge` (shelters): the oldest age of boys accepted, 0-17, or a null code (NA: no boys accepted). */
const BOYS_MAX_AGES = [...Array.from({ length: 18 }, (_, i) => String(i)), 'SI', 'NA', 'NR'] as const;
/** Statuses of an assistance record (libs/records assistance.dto.ts). */
export const SERVICE_STATUSES = ['ongoing', 'completed', 'interrupted', 'declined'] as const;

/** Shelter registry entries (record kind `shelters`, R25; T47, T50, T57): coded fields only (name, address and contact are encrypted). */
const SHELTER_DIMENSIONS: Partial<Record<Dimension, DimensionDef>> = {
  shelterType: { column: 'b.shelter_type', multi: false, catalog: 'shelter-type', fullDomain: true },
  operator: { column: 'b.operator', multi: false, catalog: 'shelter-operator', fullDomain: true },
  specialisation: { column: 'b.specialisation', multi: false, catalog: 'shelter-specialisation' },
  // State where the shelter is.
  state: { column: 'b.state', multi: false, catalog: 'state' },
  // Kind and state (jurisdiction; FED for federal agencies) of the agency that registered the shelter.
  agencyKind: { column: 'b.agency_kind', multi: false, catalog: 'agency-kind' },
  agencyState: { column: 'b.agency_state', multi: false, catalog: 'state' },
  onOfficialRoster: { column: 'b.on_official_roster', multi: false, catalog: 'yes-no', fullDomain: true },
  // populations.adultMen; boysMaxAge: populations.boysMaxAge when boys are accepted (SI: not given), NA when they are not.
  acceptsAdultMen: { column: 'b.accepts_adult_men', multi: false, catalog: 'yes-no', fullDomain: true },
  boysMaxAge: { column: 'b.boys_max_age', multi: false, codes: BOYS_MAX_AGES },
  highSecurity: { column: 'b.high_security', multi: false, catalog: 'yes-no', fullDomain: true },
  // Stopped operating (closedOn given); supervised: at least one supervisory visit recorded.
  closed: { column: 'b.closed', multi: false, catalog: 'yes-no', fullDomain: true },
  supervised: { column: 'b.supervised', multi: false, catalog: 'yes-no', fullDomain: true },
  ...TIME,
};
const SHELTER_CATALOGS = ['shelter-type', 'shelter-operator', 'shelter-specialisation', 'state', 'agency-kind', 'yes-no'];

/** Supervisory visits recorded on the shelters (T50): the visiting agency's kind and the visited shelter's attributes. */
const VISIT_DIMENSIONS: Partial<Record<Dimension, DimensionDef>> = {
  visitingAgencyKind: { column: 'b.visiting_agency_kind', multi: false, catalog: 'agency-kind' },
  ...SHELTER_DIMENSIONS,
};

/** Attributes of the victim record (same agency, `victimLocalId`) a stay or a service is about; NR when there is no such current record. */
const SERVED_VICTIM_DIMENSIONS: Partial<Record<Dimension, DimensionDef>> = {
  sex: { column: 'b.sex', multi: false, catalog: 'sex', fullDomain: true },
  ageGroup: { column: '<age>', multi: false, catalog: 'age-group' },
  nationality: { column: 'b.nationality', multi: true, catalog: 'country' },
  vulnerableGroup: { column: 'b.vulnerable_groups', multi: true, catalog: 'vulnerable-group' },
  victimType: { column: 'b.victim_type', multi: false, catalog: 'victim-type' },
  exploitationForm: { column: 'b.exploitation_forms', multi: true, catalog: 'exploitation-form' },
  ...offenseAttributeDims('b.offenses', true),
  agencyKind: { column: 'b.agency_kind', multi: false, catalog: 'agency-kind' },
  agencyState: { column: 'b.agency_state', multi: false, catalog: 'state' },
};
const SERVED_VICTIM_CATALOGS = ['sex', 'age-group', 'country', 'vulnerable-group', 'victim-type', 'exploitation-form', 'yes-no', 'tip-bucket', 'agency-kind', 'state'];

/** Stays in shelters (record kind `shelter-stays`): the shelter's attributes (same agency, `shelterLocalId`) and the victim's. */
const STAY_DIMENSIONS: Partial<Record<Dimension, DimensionDef>> = {
  shelterType: SHELTER_DIMENSIONS.shelterType,
  operator: SHELTER_DIMENSIONS.operator,
  specialisation: SHELTER_DIMENSIONS.specialisation,
  highSecurity: SHELTER_DIMENSIONS.highSecurity,
  // State of the shelter.
  state: SHELTER_DIMENSIONS.state,
  movementRestricted: { column: 'b.movement_restricted', multi: false, catalog: 'yes-no', fullDomain: true },
  ...SERVED_VICTIM_DIMENSIONS,
  ...TIME,
};

/** Services given to victims (record kind `assistance`, projection `assistance_facts`; R22, T56). */
const SERVICE_DIMENSIONS: Partial<Record<Dimension, DimensionDef>> = {
  serviceType: { column: 'b.service_type', multi: false, catalog: 'service-type' },
  ceavModelStage: { column: 'b.ceav_model_stage', multi: false, catalog: 'ceav-model-stage' },
  providerKind: { column: 'b.provider_kind', multi: false, catalog: 'agency-kind' },
  emergency: { column: 'b.emergency', multi: false, catalog: 'yes-no', fullDomain: true },
  serviceStatus: { column: 'b.service_status', multi: false, codes: SERVICE_STATUSES, fullDomain: true },
  ...SERVED_VICTIM_DIMENSIONS,
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
    catalogs: ['contact-channel', 'caller-role', 'hotline-contact-classification', 'environment', 'state', 'country', 'exploitation-form', 'agency-kind', 'yes-no'],
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
  shelters: {
    unit: 'shelter',
    kind: 'shelters',
    asOf: true,
    basis: 'openedOn of the shelter, else its registration date',
    unitId: 'b.record_id',
    dimensions: SHELTER_DIMENSIONS,
    catalogs: SHELTER_CATALOGS,
  },
  'supervisory-visits': {
    unit: 'supervisory_visit',
    kind: 'shelters',
    asOf: true,
    basis: 'visitedOn',
    unitId: 'b.visit_id',
    dimensions: VISIT_DIMENSIONS,
    catalogs: SHELTER_CATALOGS,
  },
  'shelter-stays': {
    unit: 'shelter_stay',
    kind: 'shelter-stays',
    asOf: false,
    basis: 'admittedOn',
    unitId: 'b.record_id',
    dimensions: STAY_DIMENSIONS,
    catalogs: [...SHELTER_CATALOGS, ...SERVED_VICTIM_CATALOGS],
  },
  'sheltered-victims': {
    unit: 'person_assisted',
    kind: 'shelter-stays',
    asOf: false,
    basis: 'admittedOn',
    unitId: 'b.person_id',
    persons: true,
    dimensions: STAY_DIMENSIONS,
    catalogs: [...SHELTER_CATALOGS, ...SERVED_VICTIM_CATALOGS],
  },
  assistance: {
    unit: 'service_recipient',
    kind: 'assistance',
    asOf: false,
    basis: 'startDate of the service',
    unitId: 'b.person_id',
    persons: true,
    dimensions: SERVICE_DIMENSIONS,
    catalogs: ['service-type', 'ceav-model-stage', ...SERVED_VICTIM_CATALOGS],
  },
  services: {
    unit: 'service',
    kind: 'assistance',
    asOf: false,
    basis: 'startDate of the service',
    unitId: 'b.record_id',
    dimensions: SERVICE_DIMENSIONS,
    catalogs: ['service-type', 'ceav-model-stage', ...SERVED_VICTIM_CATALOGS],
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
/** Age groups under 18 (MINOR_AGE_GROUPS of libs/records, which statistics does not import). */
const MINOR_AGE_GROUPS = ['under_18', 'child_0_11', 'adolescent_12_17', 'under_13', 'age_13_17'];
const reportColumns = (d: string) => `COALESCE(${d}->>'channel', 'NR') AS channel, COALESCE(${d}->>'callerRole', 'NR') AS caller_role,
  COALESCE(${d}->>'classification', 'NR') AS classification, COALESCE(${d}->>'environment', 'NR') AS environment,
  COALESCE(${d}->'callerOrigin'->>'state', 'NR') AS caller_state, COALESCE(${d}->'callerOrigin'->>'country', 'NR') AS caller_country,
  COALESCE(${d}->'place'->>'state', 'NR') AS state, ${nonEmpty(arr(`${d}->'exploitationForms'`))} AS exploitation_forms,
  COALESCE(NULLIF(ARRAY(SELECT DISTINCT COALESCE(dv.v->>'nationality', 'SI') FROM jsonb_array_elements(COALESCE(${d}->'victims', '[]'::jsonb)) AS dv(v)
    WHERE dv.v->>'unquantified' = 'true'), '{}'), ARRAY['NA']::text[]) AS victim_group_nationalities,
  CASE WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(${d}->'victims', '[]'::jsonb)) AS dv(v)
    WHERE (dv.v->>'age')::int < 18 OR dv.v->>'ageGroup' IN (${MINOR_AGE_GROUPS.map((g) => `'${g}'`).join(', ')})) THEN 'yes' ELSE 'no' END AS involves_minor,
  ((${d}->>'receivedAt')::timestamptz AT TIME ZONE 'UTC')::date AS ref_date`;

/** File-level attributes of a case from its stored (non-personal) data `d` (NR when not submitted). */
const caseFileColumns = (d: string) => `COALESCE(${d}->>'fileType', 'NR') AS file_type, COALESCE(${d}->>'status', 'NR') AS status,
  COALESCE(${d}->>'origin', 'NR') AS origin, COALESCE(${d}->>'legalBasis', 'NR') AS legal_basis,
  COALESCE(${d}->'probableInvolvement'->>'kinship', 'NR') AS kinship, COALESCE(${d}->'probableInvolvement'->>'organisedCrime', 'NR') AS organised_crime,
  COALESCE(${d}->'probableInvolvement'->>'publicServant', 'NR') AS public_servant,
  COALESCE(${d}->>'internationalCooperation', 'NR') AS international_cooperation`;

/** Coded attributes of a shelter from its stored (non-personal) data `d` (NR when not submitted). */
const shelterColumns = (d: string) => `COALESCE(${d}->>'shelterType', 'NR') AS shelter_type, COALESCE(${d}->>'operator', 'NR') AS operator,
  COALESCE(${d}->>'specialisation', 'NR') AS specialisation, COALESCE(${d}->>'state', 'NR') AS state,
  COALESCE(${d}->>'onOfficialRoster', 'NR') AS on_official_roster, COALESCE(${d}->'populations'->>'adultMen', 'NR') AS accepts_adult_men,
  CASE ${d}->'populations'->>'boys' WHEN 'yes' THEN COALESCE(${d}->'populations'->>'boysMaxAge', 'SI') WHEN 'no' THEN 'NA'
    ELSE COALESCE(${d}->'populations'->>'boys', 'NR') END AS boys_max_age,
  CASE WHEN (${d}->>'highSecurity')::boolean THEN 'yes' ELSE 'no' END AS high_security,
  CASE WHEN NULLIF(${d}->>'closedOn', '') IS NULL THEN 'no' ELSE 'yes' END AS closed,
  CASE WHEN jsonb_array_length(COALESCE(${d}->'supervisoryVisits', '[]'::jsonb)) > 0 THEN 'yes' ELSE 'no' END AS supervised`;

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
  if (def.kind === 'shelters') {
    // Current registry entries, or (asOf) the last version of each written at or before the instant.
    const src = o.asOfParam
      ? `(SELECT DISTINCT ON (record_id) record_id AS id, agency_id, data, op, changed_at AS created_at FROM record_versions
           WHERE kind = 'shelters' AND changed_at <= ${o.asOfParam} ORDER BY record_id, version DESC) r`
      : `(SELECT id, agency_id, data, 'put' AS op, created_at FROM records WHERE kind = 'shelters' AND withdrawn_at IS NULL) r`;
    const shelter = `r.id AS record_id, r.agency_id, ag.kind::text AS agency_kind, COALESCE(ag.jurisdiction, 'NR')::text AS agency_state, ${shelterColumns('r.data')}`;
    if (def.unit === 'supervisory_visit') {
      // One row per supervisory visit recorded on the shelter.
      return `SELECT r.id::text || ':' || vi.i AS visit_id, ${shelter}, COALESCE(vi.v->>'visitingAgencyKind', 'NR') AS visiting_agency_kind,
          NULLIF(vi.v->>'visitedOn', '')::date AS ref_date
        FROM ${src} JOIN agencies ag ON ag.id = r.agency_id
        CROSS JOIN LATERAL jsonb_array_elements(COALESCE(r.data->'supervisoryVisits', '[]'::jsonb)) WITH ORDINALITY AS vi(v, i)
        WHERE r.op <> 'withdraw'`;
    }
    return `SELECT ${shelter}, COALESCE(NULLIF(r.data->>'openedOn', '')::date, (r.created_at AT TIME ZONE 'UTC')::date) AS ref_date
      FROM ${src} JOIN agencies ag ON ag.id = r.agency_id
      WHERE r.op <> 'withdraw'`;
  }
  if (def.kind === 'shelter-stays' || def.kind === 'assistance') {
    // The victim record (same agency, victimLocalId; current and not withdrawn) gives the person and their attributes.
    const person = o.personLinks
      ? `COALESCE(pl.person_id::text, vf.record_id::text, x.agency_id::text || ':' || x.victim_local_id)`
      : `COALESCE(vf.record_id::text, x.agency_id::text || ':' || x.victim_local_id)`;
    const victim = `${person} AS person_id, x.agency_id, ag.kind::text AS agency_kind, COALESCE(ag.jurisdiction, 'NR')::text AS agency_state,
        COALESCE(vf.sex::text, 'NR') AS sex, vf.age_at_event AS age, ${nonEmpty("COALESCE(vf.nationality, '{}')")} AS nationality,
        ${nonEmpty("COALESCE(vf.vulnerable_groups, '{}')")} AS vulnerable_groups, COALESCE(vf.victim_type::text, 'NR') AS victim_type,
        ${nonEmpty("COALESCE(vf.offenses, '{}')")} AS offenses, ${nonEmpty("COALESCE(vf.exploitation_forms, '{}')")} AS exploitation_forms`;
    const joins = `JOIN agencies ag ON ag.id = x.agency_id
      LEFT JOIN (victim_facts vf JOIN records vr ON vr.id = vf.record_id AND vr.withdrawn_at IS NULL)
        ON vf.agency_id = x.agency_id AND vf.local_id = x.victim_local_id
      ${o.personLinks ? 'LEFT JOIN person_links pl ON pl.record_id = vf.record_id' : ''}`;
    if (def.kind === 'assistance') {
      return `SELECT x.record_id, ${victim}, x.service_type::text AS service_type, x.ceav_model_stage::text AS ceav_model_stage,
          x.provider_kind::text AS provider_kind, CASE WHEN x.emergency THEN 'yes' ELSE 'no' END AS emergency, x.status::text AS service_status,
          x.start_date AS ref_date
        FROM (SELECT af.* FROM assistance_facts af JOIN records r ON r.id = af.record_id AND r.withdrawn_at IS NULL) x
        ${joins}`;
    }
    // Stays: the shelter (same agency, shelterLocalId, current); its attributes NR when there is no such record.
    return `SELECT x.record_id, ${victim}, COALESCE(sh.data->>'shelterType', 'NR') AS shelter_type, COALESCE(sh.data->>'operator', 'NR') AS operator,
        COALESCE(sh.data->>'specialisation', 'NR') AS specialisation, COALESCE(sh.data->>'state', 'NR') AS state,
        CASE WHEN sh.id IS NULL THEN 'NR' WHEN (sh.data->>'highSecurity')::boolean THEN 'yes' ELSE 'no' END AS high_security,
        x.movement_restricted, x.ref_date
      FROM (SELECT r.id AS record_id, r.agency_id, r.data->>'victimLocalId' AS victim_local_id, r.data->>'shelterLocalId' AS shelter_local_id,
              COALESCE(r.data->>'movementRestricted', 'NR') AS movement_restricted, NULLIF(r.data->>'admittedOn', '')::date AS ref_date
            FROM records r WHERE r.kind = 'shelter-stays' AND r.withdrawn_at IS NULL) x
      ${joins}
      LEFT JOIN records sh ON sh.agency_id = x.agency_id AND sh.kind = 'shelters' AND sh.local_id = x.shelter_local_id AND sh.withdrawn_at IS NULL`;
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

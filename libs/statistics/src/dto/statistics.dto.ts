import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { MEASURES, type Measure } from '../measures';

const CODES = /^[A-Za-z0-9_.-]{1,40}(,[A-Za-z0-9_.-]{1,40}){0,99}$/;
const CODES_MESSAGE = '$property must be a comma-separated list of catalog codes';

/** Path parameter of the statistics endpoints. */
export class StatisticsMeasureParamDto {
  /**
   * What is counted: `victims` (unique persons after person-level linkage, R8), `victim-records` (one per
   * agency registration), `cases` (investigation files), `charged-offenses` (file × offense), `accused`
   * (accused persons), `judicial-outcomes` (decisions: one per person and offense), `reports` (hotline reports),
   * `referrals` (referrals sent between agencies), `shelters` (shelter registry entries), `supervisory-visits`
   * (visits recorded on the shelters), `shelter-stays` (stays), `sheltered-victims` (victims with a stay, once per
   * person), `assistance` (victims receiving services, once per person), `services` (services given).
   */
  @ApiProperty({ enum: MEASURES, enumName: 'StatisticsMeasure' })
  @IsIn(MEASURES)
  measure!: Measure;
}

/**
 * Grouping, filters and period of a statistic. Filters take comma-separated catalog codes (null codes
 * SI/NA/NR/RESERVED included); a unit matches a multi-valued filter when any of its values is listed.
 */
export class StatisticsQueryDto {
  /**
   * Up to three dimensions, comma-separated: offense, exploitationForm, isArt10Trafficking, art10Purpose,
   * tipBucket, meetsInternationalDefinition (R3, from the offense catalog), stateOfOrigin, state, jurisdiction,
   * sex, ageGroup, nationality, vulnerableGroup, victimType, stage, agencyKind, agencyState, relationship (victims), year, quarter, month; accused:
   * proceduralStatus; judicial-outcomes: outcome, procedure, final, appealResult; reports: classification, channel, callerRole,
   * environment, callerState, callerCountry, victimGroupNationality, involvesMinor; referrals: status, urgency, serviceType, involvesMinor, receiverAgencyKind, tipBucket; cases and charged-offenses:
   * fileType, status, origin, legalBasis, kinship, organisedCrime, publicServant, internationalCooperation; victims: finalJudgmentState, migrationEvent, recruitmentChannel, recruitmentMethod, meansOfControl, transitState, destinationState, destinationCountry, exploitationState (which dimensions
   * each measure has: docs/statistics.md; an unknown one gets a 422 listing the allowed ones).
   * Shelters: shelterType, operator, specialisation, state, agencyKind, agencyState, onOfficialRoster, acceptsAdultMen, boysMaxAge,
   * highSecurity, closed, supervised (supervisory-visits also visitingAgencyKind); shelter-stays and sheltered-victims: shelterType,
   * operator, specialisation, highSecurity, state (of the shelter), movementRestricted; assistance and services: serviceType,
   * ceavModelStage, providerKind, emergency, serviceStatus; both with the victim's sex, ageGroup, nationality, vulnerableGroup,
   * victimType, exploitationForm, the R3 classifications, agencyKind, agencyState.
   * Default `offense` (R2: every catalog offense is listed, zeros included); reports: `classification`; referrals: `status`; measures
   * without offense: their first dimension (shelters: `shelterType`, supervisory-visits: `visitingAgencyKind`, assistance: `serviceType`).
   * @example "offense,sex"
   */
  @IsOptional()
  @Matches(/^[A-Za-z][A-Za-z0-9]{0,39}(,[A-Za-z][A-Za-z0-9]{0,39}){0,2}$/, { message: 'groupBy must be 1 to 3 comma-separated dimension names' })
  groupBy?: string;

  /** Codes of catalog `offense`. @example "LGT-10,LGT-13" */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  offense?: string;

  /** Codes of catalog `exploitation-form`. */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  exploitationForm?: string;

  /** R3: `yes` / `no` — the offense is art. 10 trafficking (attribute of catalog `offense`). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  isArt10Trafficking?: string;

  /** R3: art. 10 exploitation purpose of the offense (codes of catalog `exploitation-form`; `NA` for offenses without one). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  art10Purpose?: string;

  /** R3: US TIP bucket of the offense (codes of catalog `tip-bucket`: sex, labour, unspecified). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  tipBucket?: string;

  /** R3: `yes` / `no` — the offense meets the international (Palermo) definition of trafficking. */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  meetsInternationalDefinition?: string;

  /** Codes of catalog `state` (victims). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  stateOfOrigin?: string;

  /** Codes of catalog `state`: state of the investigation file. */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  state?: string;

  /** Codes of catalog `jurisdiction-type` (fuero común / federal) of the investigation file. */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  jurisdiction?: string;

  /** Codes of catalog `sex` (victims). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  sex?: string;

  /** Age-group codes of the chosen scheme (or custom band labels such as `0-12`), or `SI` for unknown age. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_+-]{1,40}(,[A-Za-z0-9_+-]{1,40}){0,19}$/, { message: CODES_MESSAGE })
  ageGroup?: string;

  /** Codes of catalog `country` (ISO 3166-1 alpha-3). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  nationality?: string;

  /** Codes of catalog `vulnerable-group`. */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  vulnerableGroup?: string;

  /** Codes of catalog `victim-type` (direct, indirect, witness…). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  victimType?: string;

  /** Codes of catalog `charge-stage` (cases and charged offenses). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  stage?: string;

  /** Codes of catalog `agency-kind` of the submitting agency. */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  agencyKind?: string;

  /** Codes of catalog `state`: state of the submitting agency, `FED` for federal agencies (victims). @example "FED" */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  agencyState?: string;

  /** Codes of catalog `relationship-to-direct-victim` (indirect victims; `NA` for the others). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  relationship?: string;

  /** Codes of catalog `accused-procedural-status` (accused). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  proceduralStatus?: string;

  /** Codes of catalog `judicial-outcome`: the effective outcome of the decision (judicial-outcomes). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  outcome?: string;

  /** Codes of catalog `procedure-type` (judicial-outcomes). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  procedure?: string;

  /** `yes` / `no`: the decision is final (judicial-outcomes). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  final?: string;

  /** Codes of catalog `contact-channel` (reports). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  channel?: string;

  /** Codes of catalog `caller-role` (reports). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  callerRole?: string;

  /** Codes of catalog `hotline-contact-classification` (reports). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  classification?: string;

  /** Codes of catalog `environment` (reports). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  environment?: string;

  /** Codes of catalog `state`: the caller's state (`callerOrigin.state`; `NA` abroad, `NR` not recorded) (reports). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  callerState?: string;

  /** Codes of catalog `country`: the caller's country (`callerOrigin.country`; `NR` not recorded) (reports). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  callerCountry?: string;

  /**
   * Referrals: current status (sent, acknowledged, accepted, declined, redirected, in_progress, closed); cases and
   * charged offenses: status of the investigation file (codes of catalog `investigation-status`).
   */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  status?: string;

  /** Codes of catalog `referral-urgency` (referrals). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  urgency?: string;

  /** Codes of catalog `service-type`: services requested (referrals). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  serviceType?: string;

  /** `yes` / `no`: the referral concerns a minor (referrals); a victim described in the report is under 18 (reports). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  involvesMinor?: string;

  /** Codes of catalog `agency-kind` of the receiving agency (referrals). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  receiverAgencyKind?: string;

  /** Codes of catalog `file-type` of the investigation file (cases, charged offenses). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  fileType?: string;

  /** Codes of catalog `investigation-origin`: how the file was initiated (cases, charged offenses). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  origin?: string;

  /** Codes of catalog `legal-basis` of the file (cases, charged offenses). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  legalBasis?: string;

  /** `yes` / `no` / null code: a relative of the victim probably involved (cases, charged offenses). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  kinship?: string;

  /** `yes` / `no` / null code: organised crime probably involved (cases, charged offenses). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  organisedCrime?: string;

  /** `yes` / `no` / null code: a public servant probably involved (cases, charged offenses). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  publicServant?: string;

  /** Codes of catalog `state`: state of the court of a final judgment naming the victim, `NR` when none (victims, victim-records). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  finalJudgmentState?: string;

  /** Codes of catalog `appeal-result`: result of an appeal of the decision, `NR` when none was reported (judicial-outcomes). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  appealResult?: string;

  /** Codes of catalog `international-cooperation`: cooperation with foreign counterparts (cases, charged offenses). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  internationalCooperation?: string;

  /** Codes of catalog `migration-event-type`: migration events of the victim record, `NR` when none (victims, victim-records). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  migrationEvent?: string;

  /** Codes of catalog `shelter-type` (refuge, shelter, half-way house) of the shelter (shelters, supervisory-visits, shelter-stays, sheltered-victims). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  shelterType?: string;

  /** Codes of catalog `shelter-operator`: who runs the shelter (shelters, supervisory-visits, shelter-stays, sheltered-victims). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  operator?: string;

  /** Codes of catalog `shelter-specialisation` of the shelter (shelters, supervisory-visits, shelter-stays, sheltered-victims). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  specialisation?: string;

  /** `yes` / `no` / null code: the shelter is on the official roster (shelters, supervisory-visits). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  onOfficialRoster?: string;

  /** `yes` / `no` / null code: the shelter accepts adult men (`populations.adultMen`) (shelters, supervisory-visits). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  acceptsAdultMen?: string;

  /** Oldest age of boys the shelter accepts, `0`-`17`; `NA` when it accepts no boys, `SI` when not given (shelters, supervisory-visits). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  boysMaxAge?: string;

  /** `yes` / `no`: high-security shelter (shelters, supervisory-visits, shelter-stays, sheltered-victims). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  highSecurity?: string;

  /** `yes` / `no`: the shelter stopped operating (`closedOn` given) (shelters, supervisory-visits). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  closed?: string;

  /** `yes` / `no`: at least one supervisory visit is recorded for the shelter (shelters, supervisory-visits). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  supervised?: string;

  /** Codes of catalog `agency-kind` of the agency that made a supervisory visit (supervisory-visits). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  visitingAgencyKind?: string;

  /** `yes` / `no` / null code: the victim's movement was restricted during the stay (shelter-stays, sheltered-victims). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  movementRestricted?: string;

  /** Codes of catalog `ceav-model-stage` of the service (assistance, services). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  ceavModelStage?: string;

  /** Codes of catalog `agency-kind` of the service provider (assistance, services). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  providerKind?: string;

  /** `yes` / `no`: emergency care (assistance, services). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  emergency?: string;

  /** Status of the service: ongoing, completed, interrupted, declined (assistance, services). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  serviceStatus?: string;

  /** Codes of catalog `recruitment-channel`: how the victim was contacted (`recruitmentChannels`), `NR` when none (victims, victim-records). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  recruitmentChannel?: string;

  /** Codes of catalog `recruitment-method`: how the victim was recruited (`recruitmentMethods`), `NR` when none (victims, victim-records). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  recruitmentMethod?: string;

  /** Codes of catalog `means-of-control` (the victim record's `meansOfControl`), `NR` when none (victims, victim-records). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  meansOfControl?: string;

  /** Codes of catalog `country`: nationalities of the groups of victims of unknown size described in the report (`SI` not stated, `NA` no group) (reports). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  victimGroupNationality?: string;

  /** Codes of catalog `state` of the victim record's `placesOfTransit`, `NR` when none (victims, victim-records). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  transitState?: string;

  /** Codes of catalog `state` of the victim record's `placesOfDestination`, `NR` when none (victims, victim-records). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  destinationState?: string;

  /** Codes of catalog `country` of the victim record's `placesOfDestination`, `NR` when none (victims, victim-records). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  destinationCountry?: string;

  /** Codes of catalog `state` of the victim record's `placesOfExploitation`, `NR` when none (victims, victim-records). */
  @IsOptional()
  @Matches(CODES, { message: CODES_MESSAGE })
  exploitationState?: string;

  /**
   * First day of the period (inclusive), YYYY-MM-DD, on the reference date (victims: identification date,
   * else event date, else registration date; cases: opening date). Suppressed output widens it to whole months.
   * @example "2024-01-01"
   */
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'from must be a date YYYY-MM-DD' })
  from?: string;

  /** Last day of the period (inclusive), YYYY-MM-DD. @example "2024-12-31" */
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'to must be a date YYYY-MM-DD' })
  to?: string;

  /**
   * Re-run the statistic on the data as it stood at this instant (ISO-8601), from the record versions (R36).
   * @example "2025-06-30T23:59:59Z"
   */
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/, { message: 'asOf must be an ISO-8601 date or date-time' })
  asOf?: string;

  /** Official age bins of catalog `age-group` to use for `ageGroup` (its `scheme`). Default `legal_majority`. */
  @IsOptional()
  @IsIn(['legal_majority', 'child_adolescent', 'shelter_cutoff', 'hotline_young', 'accused_profile', 'older_adult'])
  ageScheme?: string;

  /** Custom age bands instead of a catalog scheme: ascending, non-overlapping, last may be open. @example "0-12,13-17,18-29,30+" */
  @IsOptional()
  @Matches(/^\d{1,3}(-\d{1,3}|\+)(,\d{1,3}(-\d{1,3}|\+)){0,19}$/, { message: 'customAgeBands must look like 0-12,13-17,18-29,30+' })
  customAgeBands?: string;

  /** `csv` is the same as `Accept: text/csv`. */
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

/** Spanish and English label of a code. */
export class CodeLabelDto {
  es!: string;
  en!: string;
}

/** One cell of the table. */
export class StatisticsCellDto {
  /** Dimension → code, e.g. `{ "offense": "LGT-13", "sex": "female" }`. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  key!: Record<string, string>;

  /** Dimension → labels of the code. */
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/CodeLabelDto' } })
  labels!: Record<string, CodeLabelDto>;

  /** The count; null when suppressed. */
  @ApiProperty({ type: 'integer', nullable: true })
  value!: number | null;

  /** True when the count is withheld (below the threshold, or complementary). */
  suppressed!: boolean;
}

/** Share of units whose value of a variable is unknown (SI) or not recorded (NR), R7. */
export class CompletenessDto {
  /** Units counted (the total). */
  @ApiProperty({ type: 'integer', nullable: true })
  base!: number | null;

  /** Percentage (0-100, one decimal) of units with `SI`; null when withheld. */
  @ApiProperty({ type: 'number', nullable: true })
  unknownPct!: number | null;

  /** Percentage of units with `NR`; null when withheld. */
  @ApiProperty({ type: 'number', nullable: true })
  notRecordedPct!: number | null;

  /** Percentage with `SI` or `NR` (the CNDH's "no information"); null when withheld. */
  @ApiProperty({ type: 'number', nullable: true })
  noInformationPct!: number | null;
}

/** The period the statistic covers. */
export class StatisticsPeriodDto {
  /** Inclusive; null = from the earliest record. */
  @ApiProperty({ type: 'string', nullable: true })
  from!: string | null;

  /** Inclusive; null = up to the cut-off. */
  @ApiProperty({ type: 'string', nullable: true })
  to!: string | null;

  /** Date the period refers to. */
  basis!: string;
}

/** How small cells were treated. */
export class SuppressionDto {
  applied!: boolean;
  /** Cells with 0 < value < threshold are withheld. */
  threshold!: number;
  /** Number of withheld cells (table, margins and total). */
  suppressedCells!: number;
  method!: string;
}

/** A statistic with its provenance (R34): unit, period, cut-off, filters, catalog versions, agencies, completeness. */
export class StatisticsResultDto {
  @ApiProperty({ enum: MEASURES, enumName: 'StatisticsMeasure' })
  measure!: Measure;

  /** Counting unit (catalog `counting-unit`, brief §3.1). @example "victim" */
  unit!: string;

  unitLabel!: CodeLabelDto;

  period!: StatisticsPeriodDto;

  /** Data cut-off: the requested `asOf`, or the time of the query. ISO-8601. */
  asOf!: string;

  /** Time of the last record change included. */
  @ApiProperty({ type: 'string', nullable: true })
  lastChangeAt!: string | null;

  /** Filters applied (dimension → codes), after widening for suppression. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } })
  filters!: Record<string, string[]>;

  groupBy!: string[];

  /** Age bins used for ageGroup: a catalog scheme or `custom:<bands>`. */
  @ApiProperty({ type: 'string', nullable: true })
  ageBins!: string | null;

  /** Catalog → version used for codes and labels. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  catalogVersions!: Record<string, string>;

  /** Agencies with at least one counted record. */
  contributingAgencies!: number;

  /** Per grouped (and filtered) variable. */
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/CompletenessDto' } })
  completeness!: Record<string, CompletenessDto>;

  /** Person-level linkage (R8) was applied when counting unique victims. */
  personLinkage!: boolean;

  /** Answered from the pre-aggregated summaries (same counts as the record-level path, docs/statistics.md). */
  preAggregated!: boolean;

  suppression!: SuppressionDto;

  /** Every unit once: "all General Law offenses" (labelled, R2). */
  total!: StatisticsCellDto;

  /** The table: every combination of the grouped dimensions (every catalog offense, zeros included). */
  rows!: StatisticsCellDto[];

  /** With two or more dimensions: the one-way margins per dimension. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'array', items: { $ref: '#/components/schemas/StatisticsCellDto' } } })
  margins!: Record<string, StatisticsCellDto[]>;

  /** How to read the figures (rows need not add up to the total). */
  note!: string;
}

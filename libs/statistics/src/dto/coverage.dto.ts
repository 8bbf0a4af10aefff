import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';

export const COVERAGE_KINDS = ['victims', 'cases', 'reports', 'accused', 'judicial-outcomes'] as const;
export type CoverageKind = (typeof COVERAGE_KINDS)[number];

/** Period (and optionally record kind) of a submission-coverage query (R35). */
export class CoverageQueryDto {
  /**
   * The reporting period: a year (`2024`), a quarter (`2024-Q1`) or a month (`2024-03`).
   * @example "2024-03"
   */
  @Matches(/^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$/, { message: 'period must be YYYY, YYYY-Qn or YYYY-MM' })
  period!: string;

  /** Only records of this kind count as a submission; every kind by default. */
  @IsOptional()
  @ApiProperty({ enum: COVERAGE_KINDS, required: false })
  @IsIn(COVERAGE_KINDS)
  kind?: CoverageKind;
}

/** The period a coverage answer refers to. */
export class CoveragePeriodDto {
  /** The period as requested. @example "2024-03" */
  code!: string;
  /** First day, inclusive. @example "2024-03-01" */
  from!: string;
  /** Last day, inclusive. @example "2024-03-31" */
  to!: string;
  /** Which date of each record places it in the period. */
  basis!: string;
}

/** How many of the 32 states (entidades federativas) have at least one reporting agency. */
export class CoverageStatesDto {
  /** States with at least one agency that submitted records for the period. @example 15 */
  reporting!: number;
  /** Number of states (32). @example 32 */
  total!: number;
  /** Human-readable summary. @example "15 of 32 states reported" */
  summary!: string;
  /** INEGI codes of the states that reported. */
  reportingCodes!: string[];
  /** INEGI codes of the states that did not. */
  missingCodes!: string[];
}

/** Agencies that reported, out of the active agencies. */
export class CoverageAgencyCountsDto {
  /** Agencies with at least one record for the period. */
  reporting!: number;
  /** Active agencies in the directory. */
  active!: number;
  /** Federal agencies (jurisdiction FED) that reported. */
  federalReporting!: number;
}

/** One agency of the directory and whether it submitted records for the period. */
export class CoverageAgencyDto {
  /** Agency code. @example "fge-jalisco" */
  code!: string;
  /** Agency name. */
  name!: string;
  /** Code of catalog `agency-kind`. */
  kind!: string;
  /** INEGI state code, `FED` for federal agencies, null when not set. */
  jurisdiction!: string | null;
  /** The agency submitted at least one (not withdrawn) record for the period. */
  reported!: boolean;
  /** Record kinds it submitted for the period. */
  kinds!: string[];
  /** Last time one of its records for the period was written (ISO-8601), null when none. */
  lastSubmissionAt!: string | null;
}

/** Submission coverage of a period (R35): which agencies and states reported. */
export class CoverageResultDto {
  period!: CoveragePeriodDto;
  /** Record kinds considered. */
  kinds!: string[];
  /** Cut-off of the answer (ISO-8601). */
  asOf!: string;
  states!: CoverageStatesDto;
  agencies!: CoverageAgencyCountsDto;
  /** Every active agency, reporting or not, ordered by code. */
  items!: CoverageAgencyDto[];
}

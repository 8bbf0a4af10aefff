import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { AGENCY_KINDS } from '@app/auth';
import { PageQueryDto } from '@app/http';

export const REVIEW_STATUSES = ['pending', 'decided', 'superseded'] as const;
export const DECISIONS = ['same_person', 'different_persons'] as const;
export type ReviewDecision = (typeof DECISIONS)[number];

/** Agreement level of each compared field (no values): the comparison summary of a pair. */
export class MatchLevelsDto {
  /** First names incl. compound names and diminutives; `close` = a spelling variant or diminutive, `partial` = one name lacks tokens of the other (María ~ María José). */
  @ApiProperty({ enum: ['exact', 'close', 'partial', 'disagree', 'missing'] })
  firstName!: string;
  /** The two surnames: `exact` in the same order, `swapped` in reverse order; `partial` = one agrees and the other is missing, `mixed` = one agrees, one disagrees. */
  @ApiProperty({ enum: ['exact', 'swapped', 'close', 'partial', 'mixed', 'disagree', 'missing'] })
  surnames!: string;
  /** `swap` = day and month swapped; `year` = same day and month, year ±1; `age` = an age at a date exactly consistent with the other side's birth date or age; `approx` = a year estimated from an age, within ±1. */
  @ApiProperty({ enum: ['exact', 'swap', 'year', 'age', 'approx', 'disagree', 'missing'] })
  birthDate!: string;
  /** `close` = one character off. */
  @ApiProperty({ enum: ['exact', 'close', 'disagree', 'missing'] })
  curp!: string;
  @ApiProperty({ enum: ['exact', 'disagree', 'missing'] })
  sex!: string;
  /** Nationalities: `exact` = a code in common. Absent on pairs scored before model 2026-12-04.2 and on CLK pairs. */
  @ApiProperty({ enum: ['exact', 'disagree', 'missing'], required: false })
  nationality?: string;
  /** State of origin. Absent on pairs scored before model 2026-12-04.2 and on CLK pairs. */
  @ApiProperty({ enum: ['exact', 'disagree', 'missing'], required: false })
  origin?: string;
  /** Municipality of origin, compared only when the states of origin agree. Absent as `origin`. */
  @ApiProperty({ enum: ['exact', 'disagree', 'missing'], required: false })
  originMun?: string;
  /**
   * Only for pairs with a CLK-only side (privacy-preserving matching): the names compared through their
   * Bloom-filter encodings (Dice coefficient; `exact` ≥ 0.97, `close` ≥ 0.86, `partial` ≥ 0.72); the
   * plaintext name fields and CURP are then `missing`.
   */
  @ApiProperty({ enum: ['exact', 'close', 'partial', 'disagree'], required: false })
  clk?: string;
}

/** One side of a review task. For another agency's record: only its agency code. */
export class MatchReviewSideDto {
  /** @example "FGE-CDMX" */
  agencyCode!: string;
  /** True when the record belongs to the caller's agency. */
  own!: boolean;
  /** The caller's own localId; null for another agency's record. @example "V-2025-0001" */
  localId!: string | null;
}

/** A candidate pair scored between the thresholds, waiting for (or with) a reviewer decision. */
export class MatchReviewDto {
  /** @example "3fa85f64-5717-4562-b3fc-2c963f66afa6" */
  id!: string;
  @ApiProperty({ enum: REVIEW_STATUSES, enumName: 'MatchReviewStatus' })
  status!: string;
  /** Fellegi–Sunter weight (bits). @example 10.4 */
  score!: number;
  levels!: MatchLevelsDto;
  @ApiProperty({ type: 'string', enum: [...DECISIONS, null], nullable: true })
  decision!: string | null;
  records!: MatchReviewSideDto[];
  /** ISO-8601, UTC */
  createdAt!: string;
}

export class MatchReviewPageDto {
  items!: MatchReviewDto[];
  nextCursor!: string | null;
}

export class MatchReviewQueryDto extends PageQueryDto {
  /** Default `pending`. */
  @IsOptional()
  @IsIn(REVIEW_STATUSES)
  @ApiProperty({ enum: REVIEW_STATUSES, required: false })
  status?: (typeof REVIEW_STATUSES)[number];
}

/** A reviewer decision on a review task. */
export class MatchDecisionDto {
  @IsIn(DECISIONS)
  @ApiProperty({ enum: DECISIONS, enumName: 'MatchDecision' })
  decision!: ReviewDecision;
  /** Why (kept with the decision; do not write personal data here). @example "CURP and birth date confirmed by phone with the shelter" */
  @IsString()
  @Length(3, 1000)
  reason!: string;
}

/** Detach some of the caller's own records from a person cluster (they will never be linked back automatically). */
export class ClusterSplitDto {
  /** The caller's own victim localIds to separate from the cluster. @example ["V-2025-0001"] */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Matches(/^[A-Za-z0-9._:/-]{1,128}$/, { each: true })
  localIds!: string[];
  /** @example "Two different persons: confirmed by the prosecutor" */
  @IsString()
  @Length(3, 1000)
  reason!: string;
}

/** Merge another person cluster into this one (both must contain a record of the caller's agency). */
export class ClusterMergeDto {
  /** @example "3fa85f64-5717-4562-b3fc-2c963f66afa6" */
  @IsUUID()
  otherPersonId!: string;
  /** @example "Same person: confirmed in interview" */
  @IsString()
  @Length(3, 1000)
  reason!: string;
}

/** A queued split or merge; the matching worker applies it. */
export class ClusterOperationDto {
  operationId!: string;
  @ApiProperty({ enum: ['split', 'merge'] })
  op!: string;
  @ApiProperty({ enum: ['queued', 'applied'] })
  status!: string;
}

/** The person cluster of one of the caller's victim records: a pseudonymous id and counts only. */
export class VictimPersonDto {
  /** @example "V-2025-0001" */
  localId!: string;
  /** Stable pseudonymous id of the cluster; null until the matching worker has processed the record. */
  personId!: string | null;
  /** Records linked to the person (all agencies). @example 3 */
  records!: number;
  /** Distinct agencies with a record linked to the person. @example 2 */
  agencies!: number;
}

export class MatchThresholdsDto {
  upper!: number;
  lower!: number;
}

/** Engine counters (all agencies; counts only). */
export class MatchStatsDto {
  /** Pair comparisons made by the engine (cumulative, re-comparisons included). */
  pairsCompared!: number;
  /** Stored pairs above the upper threshold. */
  links!: number;
  reviewsPending!: number;
  /** Person clusters with more than one record. */
  personsWithSeveralRecords!: number;
  recordsProfiled!: number;
  /** Version of the model (data/model.json). */
  modelVersion!: string;
  /** @example {"upper": 14, "lower": 6} */
  thresholds!: MatchThresholdsDto;
}

export const MATCH_STRENGTHS = ['link', 'review', 'below'] as const;

export class VictimMatchesQueryDto {
  /** Number of candidates, highest score first; 1–100, default 20. @example 20 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

/**
 * One candidate match of the caller's victim record: the other record's agency, the score and the
 * agreement level of each compared field. Never a value of either record (no names, dates, CURP,
 * phones or free text); the other record's `localId` only when it is the caller's own.
 */
export class VictimMatchDto {
  /** Agency holding the other record. @example "FGE-CDMX" */
  agencyCode!: string;
  /** Kind of that agency. */
  @ApiProperty({ enum: AGENCY_KINDS, enumName: 'AgencyKind', required: false })
  agencyKind?: string;
  /** True when the other record belongs to the caller's agency. */
  own!: boolean;
  /** The other record's localId, only when it is the caller's own record (absent otherwise). @example "V-2025-0002" */
  localId?: string;
  /** Fellegi–Sunter weight of the pair (bits). @example 18.5 */
  score!: number;
  /** Automatic outcome of the pair: `link` (≥ upper threshold), `review` (between the thresholds), `below` (under the lower threshold). */
  @ApiProperty({ enum: MATCH_STRENGTHS, enumName: 'MatchStrength' })
  strength!: string;
  /** Agreement level of each compared field (codes only), as stored when the pair was scored. */
  fields!: MatchLevelsDto;
  /** True when both records are in the same person cluster now (automatic link or reviewer decision). */
  samePerson!: boolean;
  /** Reviewer decision on the pair, if any. */
  @ApiProperty({ type: 'string', enum: [...DECISIONS, null], nullable: true })
  decision!: string | null;
}

/** Match candidates of one of the caller's victim records, highest score first. */
export class VictimMatchesDto {
  /** @example "V-2025-0001" */
  localId!: string;
  /** The record's person cluster (same value as `personKey` on the victim record); null until matched. @example "3fa85f64-5717-4562-b3fc-2c963f66afa6" */
  personKey!: string | null;
  items!: VictimMatchDto[];
}

import { ApiProperty, OmitType, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsCode, ISO_DATE, LOCAL_ID } from '../catalog-code';
import { BatchDtoOf, BatchEntryDtoOf, RecordDtoOf, RecordPageDtoOf } from '../record-kind-dtos';
import { RecordListQueryDto } from '../records.dto';

/** An agency code of the Puente directory (`GET /v1/agencies`). */
export const AGENCY_CODE = /^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$/;

/** An agency that took part in an operation. */
export class OperationAgencyDto {
  /** Code of catalog `agency-kind`. @example "police" */
  @IsCode('agency-kind')
  agencyKind!: string;

  /** Its code in the Puente directory, when it has one. @example "sspc" */
  @IsOptional()
  @Matches(AGENCY_CODE, { message: 'agencyCode must be an agency code of the directory (lower-case letters, digits, hyphens)' })
  agencyCode?: string;
}

/** One person rescued in the operation (unit `rescued_person`), linked to a victim record when one was opened. */
export class RescuedPersonDto {
  /** localId of the agency's victim record of this person, when the person was registered as a victim. @example "V-2025-0001" */
  @IsOptional()
  @Matches(LOCAL_ID, { message: 'victimLocalId must be 1–128 characters of [A-Za-z0-9._:/-]' })
  victimLocalId?: string;

  /** Code of catalog `sex`. @example "female" */
  @IsCode('sex')
  sex!: string;

  /** Age in years at the rescue; omit when unknown (then counted as `SI`). @example 17 */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(120)
  age?: number;

  /** Codes of catalog `country`. @example ["MEX"] */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5)
  @IsCode('country', { each: true })
  nationality!: string[];
}

/** Rescued persons not listed one by one: a count per sex, age group and nationality (aggregate reports). */
export class RescuedCountDto {
  /** Code of catalog `sex`. */
  @IsCode('sex')
  sex!: string;

  /** Code of catalog `age-group`, scheme `legal_majority` (`under_18`, `adult_18_plus`) or a null code. @example "adult_18_plus" */
  @IsCode('age-group')
  ageGroup!: string;

  /** Code of catalog `country`. @example "MEX" */
  @IsCode('country')
  nationality!: string;

  /** @example 12 */
  @IsInt()
  @Min(1)
  @Max(100000)
  count!: number;
}

/**
 * An operation or rescue (R33; brief §3.3 Operation): the agency's intervention at one or more places,
 * the offenses it targeted (any General Law offense, not only sexual exploitation), the agencies that took
 * part, whether a human-rights body was notified, and the persons rescued (unit `rescued_person`: a rescued
 * person is not necessarily an identified victim; each may link to the agency's victim record).
 */
export class OperationDto {
  /** First day of the operation, YYYY-MM-DD. @example "2025-03-14" */
  @Matches(ISO_DATE, { message: 'operationDate must be a date YYYY-MM-DD' })
  operationDate!: string;

  /** Last day, for operations over several days. */
  @IsOptional()
  @Matches(ISO_DATE, { message: 'endDate must be a date YYYY-MM-DD' })
  endDate?: string;

  /** Code of catalog `state`. @example "23" */
  @IsCode('state')
  state!: string;

  /** INEGI municipality code (3 digits) within `state`. @example "005" */
  @IsOptional()
  @Matches(/^\d{3}$/, { message: 'municipality must be a 3-digit INEGI code' })
  municipality?: string;

  /** Types of place intervened: codes of catalog `place-of-exploitation`. @example ["bar", "hotel"] */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsCode('place-of-exploitation', { each: true })
  placeTypes!: string[];

  /** Offenses the operation targeted: codes of catalog `offense`. @example ["LGT-13", "LGT-22"] */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(40)
  @IsCode('offense', { each: true })
  offensesTargeted!: string[];

  /** Other agencies that took part (the submitting agency is implied). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => OperationAgencyDto)
  agenciesInvolved?: OperationAgencyDto[];

  /** Whether a human-rights body was notified (004 ¶290.3): code of catalog `yes-no`. @example "yes" */
  @IsCode('yes-no')
  humanRightsBodyNotified!: string;

  /** Persons rescued, one entry each. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(5000)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => RescuedPersonDto)
  rescuedPersons?: RescuedPersonDto[];

  /** Rescued persons reported only as counts (not also listed in `rescuedPersons`). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => RescuedCountDto)
  rescuedCounts?: RescuedCountDto[];

  /** localIds of investigation files the operation led to or belongs to (R14). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(LOCAL_ID, { each: true, message: 'each caseLocalIds entry must be 1–128 characters of [A-Za-z0-9._:/-]' })
  caseLocalIds?: string[];

  /** Free text (personal data: encrypted, returned only with `pii:read`). */
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  notes?: string;
}

export const OPERATION_PII_FIELDS = ['notes'] as const;

/** The personal data of an operation record. */
export class OperationPiiDto extends PickType(OperationDto, OPERATION_PII_FIELDS) {}

/** The non-sensitive part of an operation record. */
export class OperationDataDto extends OmitType(OperationDto, OPERATION_PII_FIELDS) {}

/** Operation record as stored: non-sensitive `data`, and `pii` only with scope `pii:read`. */
export class OperationRecordDto extends RecordDtoOf(OperationDataDto, 'OperationPiiDto') {}

export class OperationPageDto extends RecordPageDtoOf(OperationRecordDto) {}

/** One entry of a batch: the document plus its localId. */
export class OperationBatchEntryDto extends BatchEntryDtoOf(OperationDto, 'OP-2025-0001') {}

/** Up to 1,000 records, validated entry by entry. */
export class OperationBatchDto extends BatchDtoOf(OperationBatchEntryDto) {}

/** Filters of GET /v1/operations. */
export class OperationListQueryDto extends RecordListQueryDto {
  /** Code of catalog `state`. */
  @IsOptional()
  @IsCode('state')
  state?: string;

  /** Operations that targeted this offense (code of catalog `offense`). */
  @IsOptional()
  @IsCode('offense')
  offense?: string;

  /** Operations on or after this date. */
  @IsOptional()
  @Matches(ISO_DATE, { message: 'from must be a date YYYY-MM-DD' })
  from?: string;

  /** Operations on or before this date. */
  @IsOptional()
  @Matches(ISO_DATE, { message: 'to must be a date YYYY-MM-DD' })
  to?: string;
}

export const OPERATION_SUMMARY_DIMENSIONS = ['sex', 'ageGroup', 'nationality', 'state', 'linkedToVictim'] as const;

/** Query of GET /v1/operations/summary. */
export class OperationSummaryQueryDto {
  /** Dimension of the rows. `nationality` counts a person once per nationality (mentions). */
  @IsOptional()
  @IsIn(OPERATION_SUMMARY_DIMENSIONS)
  groupBy?: (typeof OPERATION_SUMMARY_DIMENSIONS)[number];

  /** Operations on or after this date (YYYY-MM-DD). */
  @IsOptional()
  @Matches(ISO_DATE, { message: 'from must be a date YYYY-MM-DD' })
  from?: string;

  /** Operations on or before this date (YYYY-MM-DD). */
  @IsOptional()
  @Matches(ISO_DATE, { message: 'to must be a date YYYY-MM-DD' })
  to?: string;

  /** Only operations that targeted this offense. */
  @IsOptional()
  @IsCode('offense')
  offense?: string;
}

export class OperationSummaryRowDto {
  /** Value of the dimension (a catalog code, `SI` for unknown age, `true`/`false` for linkedToVictim). @example "female" */
  value!: string;
  /** Rescued persons. @example 647 */
  count!: number;
}

/** Rescued persons of the agency's operations (unit `rescued_person`), with a breakdown. */
export class OperationSummaryDto {
  /** @example "rescued_person" */
  @ApiProperty({ enum: ['rescued_person'] })
  unit!: 'rescued_person';
  /** Non-withdrawn operations in the period. @example 68 */
  operations!: number;
  /** Persons rescued (listed ones plus counted ones). @example 674 */
  rescuedPersons!: number;
  /** Rescued persons linked to a victim record. */
  linkedToVictimRecords!: number;
  @ApiProperty({ enum: OPERATION_SUMMARY_DIMENSIONS })
  groupBy!: string;
  rows!: OperationSummaryRowDto[];
  /** The filters applied. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  filters!: Record<string, string>;
}

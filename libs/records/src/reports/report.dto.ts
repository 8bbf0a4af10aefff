import { OmitType, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsCode, LOCAL_ID } from '../catalog-code';
import { BatchDtoOf, BatchEntryDtoOf, RecordDtoOf, RecordPageDtoOf } from '../record-kind-dtos';
import { RecordListQueryDto } from '../records.dto';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Where the reported facts happened. */
export class ReportPlaceDto {
  /** Code of catalog `country` (ISO 3166-1 alpha-3). @example "MEX" */
  @IsOptional()
  @IsCode('country')
  country?: string;

  /** Code of catalog `state` (INEGI); `NA` abroad. @example "14" */
  @IsCode('state')
  state!: string;

  /** INEGI municipality code (3 digits) within `state`. @example "039" */
  @IsOptional()
  @Matches(/^\d{3}$/)
  municipality?: string;
}

/** Where the person who reports is calling from. */
export class CallerOriginDto {
  /** Code of catalog `state`. */
  @IsOptional()
  @IsCode('state')
  state?: string;

  /** Code of catalog `country`. */
  @IsOptional()
  @IsCode('country')
  country?: string;
}

/** A victim (or a group of victims) as described by the person reporting. */
export class DescribedVictimDto {
  /** How many persons this entry describes (1 for one person). @example 1 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  count?: number;

  /** True for a "group of victims" whose size is unknown (count is then an estimate or absent). */
  @IsOptional()
  @IsBoolean()
  unquantified?: boolean;

  /** Code of catalog `sex`. @example "female" */
  @IsOptional()
  @IsCode('sex')
  sex?: string;

  /** Code of catalog `age-group`. @example "adolescent_12_17" */
  @IsOptional()
  @IsCode('age-group')
  ageGroup?: string;

  /** Age in years, when stated. @example 15 */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(120)
  age?: number;

  /** Code of catalog `country`. @example "MEX" */
  @IsOptional()
  @IsCode('country')
  nationality?: string;

  /** localId of the agency's victim record of this person, when one exists. @example "V-2025-0001" */
  @IsOptional()
  @Matches(LOCAL_ID)
  victimLocalId?: string;
}

/** Identity of the person who reports (personal data, kept apart: never shared in a referral without consent). */
export class ReporterIdentityDto {
  /** @example "Ana Pérez" */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  /** @example "+52 33 1234 5678" */
  @IsOptional()
  @IsString()
  @Matches(/^\+?[0-9 ()-]{7,20}$/)
  phone?: string;

  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  /** Free text about the reporter (how to call back, safe hours…). */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string;
}

/**
 * A hotline report (R29): a contact that reports a possible crime. Codes come from /v1/catalogs;
 * categorical fields accept the null codes SI, NA, NR, RESERVED. The narrative and the reporter's
 * identity are personal data (encrypted at rest, returned only with `pii:read`).
 */
export class ReportDto {
  /** When the contact was received (ISO-8601 with offset). @example "2025-06-01T14:30:00-06:00" */
  @Matches(INSTANT, { message: 'receivedAt must be an ISO-8601 instant with offset' })
  receivedAt!: string;

  /** Code of catalog `contact-channel`. @example "phone" */
  @IsCode('contact-channel')
  channel!: string;

  /** Code of catalog `hotline-contact-type`. @example "report" */
  @IsOptional()
  @IsCode('hotline-contact-type')
  contactType?: string;

  /** Who reports: code of catalog `caller-role`. @example "relative" */
  @IsCode('caller-role')
  callerRole!: string;

  /** The person reporting did not identify themselves. */
  @IsBoolean()
  anonymous!: boolean;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => CallerOriginDto)
  callerOrigin?: CallerOriginDto;

  /** Code of catalog `hotline-contact-classification`. @example "trafficking_related_crime" */
  @IsCode('hotline-contact-classification')
  classification!: string;

  /** Code of catalog `environment` (digital / in person). @example "digital" */
  @IsOptional()
  @IsCode('environment')
  environment?: string;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ReportPlaceDto)
  place?: ReportPlaceDto;

  /** Suspected forms of exploitation: codes of catalog `exploitation-form`. @example ["sexual"] */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsCode('exploitation-form', { each: true })
  exploitationForms?: string[];

  /** Recruitment or exploitation platforms: codes of catalog `platform`. @example ["instagram"] */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsCode('platform', { each: true })
  platforms?: string[];

  /** Victims described in the report (0..n; a group of victims is one entry with `unquantified`). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => DescribedVictimDto)
  victims?: DescribedVictimDto[];

  /** localIds of the agency's case records this report led to or relates to. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(LOCAL_ID, { each: true })
  relatedCaseLocalIds?: string[];

  /** What was reported, free text (personal data). */
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  narrative?: string;

  /** The reporter's identity (personal data); must be absent when `anonymous` is true. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ReporterIdentityDto)
  reporter?: ReporterIdentityDto;

  /** The reporter consented to their identity being shared with the agency a report is referred to. */
  @IsOptional()
  @IsBoolean()
  consentToShareReporterIdentity?: boolean;
}

export const REPORT_PII_FIELDS = ['narrative', 'reporter'] as const;

/** The personal data of a report. */
export class ReportPiiDto extends PickType(ReportDto, REPORT_PII_FIELDS) {}

/** The non-sensitive part of a report. */
export class ReportDataDto extends OmitType(ReportDto, REPORT_PII_FIELDS) {}

/** A report as stored: non-sensitive `data`, and `pii` only with scope `pii:read`. */
export class ReportRecordDto extends RecordDtoOf(ReportDataDto, 'ReportPiiDto') {}

export class ReportPageDto extends RecordPageDtoOf(ReportRecordDto) {}

/** One entry of a reports batch: the document plus its localId. */
export class ReportBatchEntryDto extends BatchEntryDtoOf(ReportDto, 'R-2025-0001') {}

/** Up to 1,000 reports. Each entry is validated on its own. */
export class ReportBatchDto extends BatchDtoOf(ReportBatchEntryDto) {}

/** Filters of GET /v1/reports. */
export class ReportListQueryDto extends RecordListQueryDto {
  /** Code of catalog `contact-channel`. */
  @IsOptional()
  @IsCode('contact-channel')
  channel?: string;

  /** Code of catalog `hotline-contact-classification`. */
  @IsOptional()
  @IsCode('hotline-contact-classification')
  classification?: string;
}

import { ApiProperty, OmitType, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsCode, ISO_DATE, LOCAL_ID } from '../catalog-code';
import { AGENCY_CODE } from '../operations/operation.dto';
import { BatchDtoOf, BatchEntryDtoOf, RecordDtoOf, RecordPageDtoOf } from '../record-kind-dtos';
import { RecordListQueryDto } from '../records.dto';

/** Populations a shelter accepts (001 Protection ¶6; 004 ¶93: no shelter took adult men, boys only up to 13). */
export class ShelterPopulationsDto {
  /** Adult women: code of catalog `yes-no`. @example "yes" */
  @IsCode('yes-no')
  adultWomen!: string;

  /** Adult men: code of catalog `yes-no`. @example "no" */
  @IsCode('yes-no')
  adultMen!: string;

  /** Girls and adolescent women: code of catalog `yes-no`. @example "yes" */
  @IsCode('yes-no')
  girls!: string;

  /** Boys: code of catalog `yes-no`. @example "yes" */
  @IsCode('yes-no')
  boys!: string;

  /** Oldest age (years) of boys accepted, when boys are accepted. @example 13 */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(17)
  boysMaxAge?: number;

  /** Children accompanying a victim: code of catalog `yes-no`. @example "yes" */
  @IsCode('yes-no')
  childrenOfVictims!: string;

  /** Persons with disabilities: code of catalog `yes-no`. */
  @IsOptional()
  @IsCode('yes-no')
  personsWithDisabilities?: string;
}

/** A supervisory visit to the shelter (004 ¶167, T50). */
export class ShelterVisitDto {
  /** YYYY-MM-DD. @example "2016-05-10" */
  @Matches(ISO_DATE, { message: 'visitedOn must be a date YYYY-MM-DD' })
  visitedOn!: string;

  /** Code of catalog `agency-kind` of the visiting agency. @example "coordination" */
  @IsCode('agency-kind')
  visitingAgencyKind!: string;

  /** Directory code of the visiting agency, when it has one. @example "segob" */
  @IsOptional()
  @Matches(AGENCY_CODE, { message: 'visitingAgencyCode must be an agency code of the directory' })
  visitingAgencyCode?: string;
}

/**
 * A shelter, refuge or half-way house run or used by the agency (R25; brief §3.3 Shelter): type, operator,
 * specialisation, populations accepted, capacity, maximum stay, official roster and supervisory visits.
 * Name, address and contact are personal data (a shelter's location is protected): encrypted, `pii:read` only.
 */
export class ShelterDto {
  /** Name (protected). @example "Refugio Esperanza" */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  /** Address (protected). */
  @IsOptional()
  @IsString()
  @Length(1, 500)
  address?: string;

  /** Contact phone or e-mail (protected). */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  contact?: string;

  /** Code of catalog `shelter-type`. @example "refuge" */
  @IsCode('shelter-type')
  shelterType!: string;

  /** Code of catalog `shelter-operator`. @example "ngo" */
  @IsCode('shelter-operator')
  operator!: string;

  /** Code of catalog `shelter-specialisation`. @example "trafficking" */
  @IsCode('shelter-specialisation')
  specialisation!: string;

  /** Code of catalog `state`. @example "09" */
  @IsCode('state')
  state!: string;

  /** INEGI municipality code (3 digits) within `state`. */
  @IsOptional()
  @Matches(/^\d{3}$/, { message: 'municipality must be a 3-digit INEGI code' })
  municipality?: string;

  @IsObject()
  @ValidateNested()
  @Type(() => ShelterPopulationsDto)
  populations!: ShelterPopulationsDto;

  /** Places for victims (accompanying children not included). @example 44 */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10000)
  capacity?: number;

  /** Longest stay allowed, in days (omit when there is no limit). @example 90 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  maxStayDays?: number;

  /** High-security regime (e.g. FEVIMTRA's shelter). */
  @IsOptional()
  @IsBoolean()
  highSecurity?: boolean;

  /** On the official roster of shelters: code of catalog `yes-no`. @example "yes" */
  @IsCode('yes-no')
  onOfficialRoster!: string;

  /** YYYY-MM-DD */
  @IsOptional()
  @Matches(ISO_DATE, { message: 'openedOn must be a date YYYY-MM-DD' })
  openedOn?: string;

  /** Stopped operating on, YYYY-MM-DD. */
  @IsOptional()
  @Matches(ISO_DATE, { message: 'closedOn must be a date YYYY-MM-DD' })
  closedOn?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => ShelterVisitDto)
  supervisoryVisits?: ShelterVisitDto[];

  /** localIds of the agency's agreements that fund or govern the shelter (R21). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(LOCAL_ID, { each: true, message: 'each agreementLocalIds entry must be 1–128 characters of [A-Za-z0-9._:/-]' })
  agreementLocalIds?: string[];
}

export const SHELTER_PII_FIELDS = ['name', 'address', 'contact'] as const;

export class ShelterPiiDto extends PickType(ShelterDto, SHELTER_PII_FIELDS) {}
export class ShelterDataDto extends OmitType(ShelterDto, SHELTER_PII_FIELDS) {}

/** Shelter record as stored: non-sensitive `data`, and `pii` only with scope `pii:read`. */
export class ShelterRecordDto extends RecordDtoOf(ShelterDataDto, 'ShelterPiiDto') {}

export class ShelterPageDto extends RecordPageDtoOf(ShelterRecordDto) {}

/** One entry of a batch: the document plus its localId. */
export class ShelterBatchEntryDto extends BatchEntryDtoOf(ShelterDto, 'SH-01') {}

/** Up to 1,000 records, validated entry by entry. */
export class ShelterBatchDto extends BatchDtoOf(ShelterBatchEntryDto) {}

/** Filters of GET /v1/shelters. */
export class ShelterListQueryDto extends RecordListQueryDto {
  @IsOptional()
  @IsCode('shelter-type')
  shelterType?: string;

  @IsOptional()
  @IsCode('shelter-specialisation')
  specialisation?: string;

  @IsOptional()
  @IsCode('state')
  state?: string;
}

/** Query of GET /v1/shelters/occupancy. */
export class ShelterOccupancyQueryDto {
  /** Day (YYYY-MM-DD); default today. */
  @IsOptional()
  @Matches(ISO_DATE, { message: 'on must be a date YYYY-MM-DD' })
  on?: string;

  /** Only shelters that accept a person of this sex and age: `female`/`male`. */
  @IsOptional()
  @IsCode('sex')
  sex?: string;

  /** Age of the person to place (with `sex`). @example 15 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(120)
  age?: number;

  /** Only shelters that accept accompanying children (`true`). */
  @IsOptional()
  @Matches(/^(true|false)$/)
  withChildren?: 'true' | 'false';
}

export class ShelterOccupancyDto {
  localId!: string;
  shelterType!: string;
  specialisation!: string;
  state!: string;
  /** Null when no capacity was recorded. */
  @ApiProperty({ type: 'integer', nullable: true })
  capacity!: number | null;
  /** Victims staying on the day. */
  occupied!: number;
  /** Accompanying children staying on the day. */
  accompanyingChildren!: number;
  /** capacity − occupied (null without capacity). */
  @ApiProperty({ type: 'integer', nullable: true })
  freePlaces!: number | null;
}

export class ShelterOccupancyPageDto {
  /** @example "2025-06-30" */
  on!: string;
  items!: ShelterOccupancyDto[];
}

import { OmitType, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsObject, IsOptional, IsString, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IsCode, ISO_DATE } from '../catalog-code';
import { AGENCY_CODE } from '../operations/operation.dto';
import { BatchDtoOf, BatchEntryDtoOf, RecordDtoOf, RecordPageDtoOf } from '../record-kind-dtos';
import { RecordListQueryDto } from '../records.dto';

/** Another party to an agreement (the submitting agency is always a party). */
export class AgreementPartyDto {
  /** Code of catalog `agency-kind` (e.g. `ngo`, `shelter`, `health`). @example "shelter" */
  @IsCode('agency-kind')
  agencyKind!: string;

  /** The party's code in the Puente directory, when it has one; referrals to it may cite the agreement. @example "refugio-esperanza" */
  @IsOptional()
  @Matches(AGENCY_CODE, { message: 'agencyCode must be an agency code of the directory' })
  agencyCode?: string;

  /** Code of catalog `state` where the party operates. */
  @IsOptional()
  @IsCode('state')
  state?: string;
}

/**
 * An agreement (*convenio*) between the agency and other agencies, shelters or NGOs (R21; brief §3.3
 * Agreement): purposes (referral, health, employment, shelter funding, data exchange), parties and validity.
 * Referrals may cite one (`agreementLocalId`). Title and notes are free text: encrypted, `pii:read` only.
 */
export class AgreementDto {
  /** Title (free text). @example "Convenio de colaboración para la canalización de víctimas" */
  @IsOptional()
  @IsString()
  @Length(1, 300)
  title?: string;

  /** Codes of catalog `agreement-purpose`. @example ["referral", "shelter_funding"] */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsCode('agreement-purpose', { each: true })
  purposes!: string[];

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => AgreementPartyDto)
  parties!: AgreementPartyDto[];

  /** YYYY-MM-DD. @example "2024-01-15" */
  @Matches(ISO_DATE, { message: 'signedOn must be a date YYYY-MM-DD' })
  signedOn!: string;

  /** In force from, YYYY-MM-DD. @example "2024-02-01" */
  @Matches(ISO_DATE, { message: 'validFrom must be a date YYYY-MM-DD' })
  validFrom!: string;

  /** In force until (inclusive), YYYY-MM-DD; omit for no end date. @example "2026-12-31" */
  @IsOptional()
  @Matches(ISO_DATE, { message: 'validTo must be a date YYYY-MM-DD' })
  validTo?: string;

  /** Free text (encrypted, `pii:read` only). */
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  notes?: string;
}

export const AGREEMENT_PII_FIELDS = ['title', 'notes'] as const;

export class AgreementPiiDto extends PickType(AgreementDto, AGREEMENT_PII_FIELDS) {}
export class AgreementDataDto extends OmitType(AgreementDto, AGREEMENT_PII_FIELDS) {}

/** Agreement record as stored: non-sensitive `data`, and `pii` only with scope `pii:read`. */
export class AgreementRecordDto extends RecordDtoOf(AgreementDataDto, 'AgreementPiiDto') {}

export class AgreementPageDto extends RecordPageDtoOf(AgreementRecordDto) {}

/** One entry of a batch: the document plus its localId. */
export class AgreementBatchEntryDto extends BatchEntryDtoOf(AgreementDto, 'CONV-2024-03') {}

/** Up to 1,000 records, validated entry by entry. */
export class AgreementBatchDto extends BatchDtoOf(AgreementBatchEntryDto) {}

/** Filters of GET /v1/agreements. */
export class AgreementListQueryDto extends RecordListQueryDto {
  /** Agreements with this purpose (code of catalog `agreement-purpose`). */
  @IsOptional()
  @IsCode('agreement-purpose')
  purpose?: string;

  /** Agreements in force on this day (YYYY-MM-DD). */
  @IsOptional()
  @Matches(ISO_DATE, { message: 'validOn must be a date YYYY-MM-DD' })
  validOn?: string;

  /** Agreements with this party (directory code). */
  @IsOptional()
  @Matches(AGENCY_CODE, { message: 'party must be an agency code of the directory' })
  party?: string;
}

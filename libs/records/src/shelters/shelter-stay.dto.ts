import { OmitType, PickType } from '@nestjs/swagger';
import {
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { IsCode, ISO_DATE, LOCAL_ID } from '../catalog-code';
import { BatchDtoOf, BatchEntryDtoOf, RecordDtoOf, RecordPageDtoOf } from '../record-kind-dtos';
import { RecordListQueryDto } from '../records.dto';

/**
 * A victim's stay in one of the agency's shelters (R25; brief §3.3 ShelterStay): admission and exit dates,
 * accompanying children, whether movement was restricted (001 Recs: do not restrict adult victims' movement).
 */
export class ShelterStayDto {
  /** localId of the agency's shelter record. @example "SH-01" */
  @Matches(LOCAL_ID, { message: 'shelterLocalId must be 1–128 characters of [A-Za-z0-9._:/-]' })
  shelterLocalId!: string;

  /** localId of the agency's victim record. @example "V-2025-0001" */
  @Matches(LOCAL_ID, { message: 'victimLocalId must be 1–128 characters of [A-Za-z0-9._:/-]' })
  victimLocalId!: string;

  /** YYYY-MM-DD. @example "2025-03-15" */
  @Matches(ISO_DATE, { message: 'admittedOn must be a date YYYY-MM-DD' })
  admittedOn!: string;

  /** YYYY-MM-DD; omit while the stay goes on. */
  @IsOptional()
  @Matches(ISO_DATE, { message: 'exitedOn must be a date YYYY-MM-DD' })
  exitedOn?: string;

  /** Children of the victim staying with them. @example 2 */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20)
  accompanyingChildren?: number;

  /** Whether the victim's freedom of movement was restricted: code of catalog `yes-no`. @example "no" */
  @IsCode('yes-no')
  movementRestricted!: string;

  /** The referral (id) that placed the victim, when there was one (R20). */
  @IsOptional()
  @IsUUID()
  referralId?: string;

  /** Free text (personal data: encrypted, returned only with `pii:read`). */
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  notes?: string;
}

export const SHELTER_STAY_PII_FIELDS = ['notes'] as const;

export class ShelterStayPiiDto extends PickType(ShelterStayDto, SHELTER_STAY_PII_FIELDS) {}
export class ShelterStayDataDto extends OmitType(ShelterStayDto, SHELTER_STAY_PII_FIELDS) {}

/** ShelterStay record as stored: non-sensitive `data`, and `pii` only with scope `pii:read`. */
export class ShelterStayRecordDto extends RecordDtoOf(ShelterStayDataDto, 'ShelterStayPiiDto') {}

export class ShelterStayPageDto extends RecordPageDtoOf(ShelterStayRecordDto) {}

/** One entry of a batch: the document plus its localId. */
export class ShelterStayBatchEntryDto extends BatchEntryDtoOf(ShelterStayDto, 'ST-2025-0001') {}

/** Up to 1,000 records, validated entry by entry. */
export class ShelterStayBatchDto extends BatchDtoOf(ShelterStayBatchEntryDto) {}

/** Filters of GET /v1/shelter-stays. */
export class ShelterStayListQueryDto extends RecordListQueryDto {
  @IsOptional()
  @Matches(LOCAL_ID)
  shelterLocalId?: string;

  @IsOptional()
  @Matches(LOCAL_ID)
  victimLocalId?: string;

  /** Stays going on that day (admitted on or before, not exited before). */
  @IsOptional()
  @Matches(ISO_DATE, { message: 'activeOn must be a date YYYY-MM-DD' })
  activeOn?: string;
}

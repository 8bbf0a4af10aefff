import { ApiProperty, OmitType, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsCode, ISO_DATE, LOCAL_ID } from '../catalog-code';
import { BatchDtoOf, BatchEntryDtoOf, RecordDtoOf, RecordPageDtoOf } from '../record-kind-dtos';
import { RecordListQueryDto } from '../records.dto';

export const ASSISTANCE_STATUSES = ['ongoing', 'completed', 'interrupted', 'declined'] as const;
export type AssistanceStatus = (typeof ASSISTANCE_STATUSES)[number];

/**
 * An assistance record (R22, services ledger): one service given to a victim (direct, indirect or witness)
 * by a provider — legal, psychological, medical, shelter, repatriation, economic support… — with its CEAV
 * model stage, dates and status, and the referral that led to it. "Type and duration of services" and "no
 * follow-up after emergency care" are answered from these records (projection `assistance_facts`).
 */
export class AssistanceDto {
  /** localId of the agency's victim record the service was given to. @example "V-2025-0001" */
  @Matches(LOCAL_ID, { message: 'victimLocalId must be 1–128 characters of [A-Za-z0-9._:/-]' })
  victimLocalId!: string;

  /** Service given: code of catalog `service-type`. @example "psychological_care" */
  @IsCode('service-type')
  serviceType!: string;

  /**
   * Stage of the CEAV comprehensive care model: code of catalog `ceav-model-stage`. When omitted, the
   * service type's stage in the catalog is used (a warning when the given one differs from it).
   * @example "assistance"
   */
  @IsOptional()
  @IsCode('ceav-model-stage')
  ceavModelStage?: string;

  /** Emergency care (true) or ongoing care (false); when omitted, the service type's `emergency` flag in the catalog. */
  @IsOptional()
  @IsBoolean()
  emergency?: boolean;

  /** Kind of the providing agency or organisation: code of catalog `agency-kind`. @example "victim_commission" */
  @IsCode('agency-kind')
  providerKind!: string;

  /** Name of the providing agency or organisation (not a person). @example "Comisión Ejecutiva Estatal de Atención a Víctimas de Jalisco" */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  providerName?: string;

  /** First day of the service, YYYY-MM-DD. @example "2025-03-15" */
  @Matches(ISO_DATE, { message: 'startDate must be a date YYYY-MM-DD' })
  startDate!: string;

  /** Last day of the service, YYYY-MM-DD; required when `status` is completed or interrupted, absent while ongoing. */
  @IsOptional()
  @Matches(ISO_DATE, { message: 'endDate must be a date YYYY-MM-DD' })
  endDate?: string;

  /** `ongoing`, `completed`, `interrupted` (ended before completion) or `declined` (by the victim). @example "ongoing" */
  @ApiProperty({ enum: ASSISTANCE_STATUSES, enumName: 'AssistanceStatus' })
  @IsIn(ASSISTANCE_STATUSES, { message: `status must be one of ${ASSISTANCE_STATUSES.join(', ')}`, context: { allowed: ASSISTANCE_STATUSES } })
  status!: AssistanceStatus;

  /** The referral (id) that led to the service, when there was one (R20). */
  @IsOptional()
  @IsUUID()
  referralId?: string;

  /** localId of the earlier assistance record this service follows up (e.g. ongoing care after emergency care). */
  @IsOptional()
  @Matches(LOCAL_ID, { message: 'followUpOf must be 1–128 characters of [A-Za-z0-9._:/-]' })
  followUpOf?: string;

  /** Free text (personal data: encrypted at rest, returned only with `pii:read`). */
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  notes?: string;
}

export const ASSISTANCE_PII_FIELDS = ['notes'] as const;

/** The personal data of an assistance record. */
export class AssistancePiiDto extends PickType(AssistanceDto, ASSISTANCE_PII_FIELDS) {}

/** The non-sensitive part of an assistance record. */
export class AssistanceDataDto extends OmitType(AssistanceDto, ASSISTANCE_PII_FIELDS) {}

/** An assistance record as stored: non-sensitive `data`, and `pii` only with scope `pii:read`. */
export class AssistanceRecordDto extends RecordDtoOf(AssistanceDataDto, 'AssistancePiiDto') {}

export class AssistancePageDto extends RecordPageDtoOf(AssistanceRecordDto) {}

/** One entry of an assistance batch: the document plus its localId. */
export class AssistanceBatchEntryDto extends BatchEntryDtoOf(AssistanceDto, 'AS-2025-0001') {}

/** Up to 1,000 assistance records. Each entry is validated on its own: a bad entry never drops the good ones. */
export class AssistanceBatchDto extends BatchDtoOf(AssistanceBatchEntryDto) {}

/** Filters of GET /v1/assistance. */
export class AssistanceListQueryDto extends RecordListQueryDto {
  /** Services given to this victim record. */
  @IsOptional()
  @Matches(LOCAL_ID)
  victimLocalId?: string;

  /** Code of catalog `service-type`. */
  @IsOptional()
  @IsCode('service-type')
  serviceType?: string;

  /** Code of catalog `ceav-model-stage` (the given stage, or the service type's). */
  @IsOptional()
  @IsCode('ceav-model-stage')
  ceavModelStage?: string;

  @IsOptional()
  @ApiProperty({ enum: ASSISTANCE_STATUSES, enumName: 'AssistanceStatus', required: false })
  @IsIn(ASSISTANCE_STATUSES, { message: `status must be one of ${ASSISTANCE_STATUSES.join(', ')}`, context: { allowed: ASSISTANCE_STATUSES } })
  status?: AssistanceStatus;

  /** Emergency care only (`true`) or ongoing care only (`false`). */
  @IsOptional()
  @IsIn(['true', 'false'])
  emergency?: 'true' | 'false';

  /** Services started on or after this date (YYYY-MM-DD). */
  @IsOptional()
  @Matches(ISO_DATE, { message: 'startedFrom must be a date YYYY-MM-DD' })
  startedFrom?: string;

  /** Services started on or before this date (YYYY-MM-DD). */
  @IsOptional()
  @Matches(ISO_DATE, { message: 'startedTo must be a date YYYY-MM-DD' })
  startedTo?: string;

  /** Services that followed this referral. */
  @IsOptional()
  @IsUUID()
  referralId?: string;

  /**
   * Emergency services with no follow-up: no other service to the same victim (withdrawn ones left out)
   * started within this many days after, the window having closed (start + N days is before today). R22.
   * @example 30
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(366)
  noFollowUpWithinDays?: number;
}

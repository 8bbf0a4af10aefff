import { ApiProperty, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, Length, Matches, MaxLength, ValidateNested, IsObject } from 'class-validator';
import { PageQueryDto } from '@app/http';
import {
  DECLINE_REASONS,
  REFERRAL_OUTCOMES,
  REFERRAL_REASONS,
  REFERRAL_STATUSES,
  REFERRAL_URGENCIES,
  type ReferralStatus,
  SHARE_GROUP_NAMES,
  type ShareGroup,
  SUBJECT_KINDS,
  type SubjectKind,
} from '../referral-rules';

const DATE_OR_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** The sender's record the referral is about. */
export class ReferralSubjectDto {
  @ApiProperty({ enum: SUBJECT_KINDS, enumName: 'ReferralSubjectKind' })
  @IsIn(SUBJECT_KINDS)
  kind!: SubjectKind;

  /** The sender's localId of the record. @example "R-2025-0001" */
  @Matches(/^[A-Za-z0-9._:/-]{1,128}$/)
  localId!: string;
}

/** Sends a referral. */
export class CreateReferralDto {
  /** Code of the receiving agency (see /v1/agencies). @example "fge-jalisco" */
  @IsString()
  @Length(1, 64)
  toAgency!: string;

  @IsObject()
  @ValidateNested()
  @Type(() => ReferralSubjectDto)
  subject!: ReferralSubjectDto;

  /** Why the agency refers. @example "investigation" */
  @ApiProperty({ enum: REFERRAL_REASONS, enumName: 'ReferralReason' })
  @IsIn(REFERRAL_REASONS)
  reason!: (typeof REFERRAL_REASONS)[number];

  /** Services requested: codes of catalog `service-type`. @example ["legal_assistance"] */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  servicesRequested?: string[];

  /** Code of catalog `referral-urgency`. @example "immediate" */
  @ApiProperty({ enum: REFERRAL_URGENCIES, enumName: 'ReferralUrgency' })
  @IsIn(REFERRAL_URGENCIES)
  urgency!: (typeof REFERRAL_URGENCIES)[number];

  /** What is shared with the receiver (copied now; nothing else is ever visible to it). @example ["report.summary", "victim.demographics"] */
  @ApiProperty({ enum: SHARE_GROUP_NAMES, isArray: true, enumName: 'ReferralShareGroup' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SHARE_GROUP_NAMES.length)
  @IsIn(SHARE_GROUP_NAMES, { each: true })
  shared!: ShareGroup[];

  /** INEGI state the referral concerns; by default the report's place, the case's state or the receiver's jurisdiction. @example "14" */
  @IsOptional()
  @Matches(/^\d{2}$/)
  state?: string;

  /** Note to the receiver (personal data possible: encrypted, shown with `pii:read`). */
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  note?: string;

  /**
   * localId of the sending agency's agreement (`/v1/agreements`) the referral is made under (R21). It must be
   * in force today and, when it names parties by directory code, name the receiving agency.
   * @example "CONV-2024-03"
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9._:/-]{1,128}$/, { message: 'agreementLocalId must be 1–128 characters of [A-Za-z0-9._:/-]' })
  agreementLocalId?: string;
}

/** Moves a referral to its next status (receiving agency only). */
export class ReferralTransitionDto {
  @ApiProperty({ enum: REFERRAL_STATUSES, enumName: 'ReferralStatus' })
  @IsIn(REFERRAL_STATUSES)
  to!: ReferralStatus;

  /** Required with `declined`. */
  @ApiProperty({ enum: DECLINE_REASONS, enumName: 'ReferralDeclineReason', required: false })
  @IsOptional()
  @IsIn(DECLINE_REASONS)
  reason?: (typeof DECLINE_REASONS)[number];

  /** Required with `redirected`: code of the agency the referral is passed on to. */
  @IsOptional()
  @IsString()
  @Length(1, 64)
  redirectTo?: string;

  /** Required with `closed`. */
  @ApiProperty({ enum: REFERRAL_OUTCOMES, enumName: 'ReferralOutcome', required: false })
  @IsOptional()
  @IsIn(REFERRAL_OUTCOMES)
  outcome?: (typeof REFERRAL_OUTCOMES)[number];

  /** With outcome `investigation_opened`: the reference of the file opened. @example "FGE-JAL-2025-000123" */
  @IsOptional()
  @IsString()
  @Length(1, 128)
  caseReference?: string;
}

/** Filters shared by the list and the CSV export. */
export interface ReferralFilters {
  direction?: 'incoming' | 'outgoing';
  status?: ReferralStatus;
  urgency?: (typeof REFERRAL_URGENCIES)[number];
  overdue?: 'true' | 'false';
  sentFrom?: string;
  sentTo?: string;
}

/** `GET /v1/referrals/export`: the same filters as the list (`?direction=&status=&urgency=&overdue=&sentFrom=&sentTo=`), all matching referrals as CSV. */
export class ReferralExportQueryDto implements ReferralFilters {
  /** incoming: addressed to the agency; outgoing: sent by it; both when absent. */
  @IsOptional()
  @IsIn(['incoming', 'outgoing'])
  direction?: 'incoming' | 'outgoing';

  @ApiProperty({ enum: REFERRAL_STATUSES, enumName: 'ReferralStatus', required: false })
  @IsOptional()
  @IsIn(REFERRAL_STATUSES)
  status?: ReferralStatus;

  @ApiProperty({ enum: REFERRAL_URGENCIES, enumName: 'ReferralUrgency', required: false })
  @IsOptional()
  @IsIn(REFERRAL_URGENCIES)
  urgency?: (typeof REFERRAL_URGENCIES)[number];

  /** Only referrals past their acknowledge or answer time limit. */
  @IsOptional()
  @IsIn(['true', 'false'])
  overdue?: 'true' | 'false';

  /** Sent on or after this day (YYYY-MM-DD, UTC) or instant (ISO-8601). @example "2025-06-01" */
  @IsOptional()
  @Matches(DATE_OR_INSTANT, { message: 'sentFrom must be a date (YYYY-MM-DD) or an ISO-8601 instant' })
  sentFrom?: string;

  /** Sent before the end of this day (YYYY-MM-DD, UTC) or before this instant (ISO-8601). @example "2025-06-30" */
  @IsOptional()
  @Matches(DATE_OR_INSTANT, { message: 'sentTo must be a date (YYYY-MM-DD) or an ISO-8601 instant' })
  sentTo?: string;
}

/** `GET /v1/referrals`: the export's filters and a page (`limit`, `cursor`). */
export class ReferralListQueryDto extends IntersectionType(PageQueryDto, ReferralExportQueryDto) {}

/** `?direction=` of the summary. */
export class ReferralSummaryQueryDto {
  @IsOptional()
  @IsIn(['incoming', 'outgoing'])
  direction?: 'incoming' | 'outgoing';
}

export class AgencyRefDto {
  id!: string;
  /** @example "fge-jalisco" */
  code!: string;
  name!: string;
}

/** One step of a referral. */
export class ReferralStepDto {
  @ApiProperty({ type: 'string', enum: [...REFERRAL_STATUSES, null], nullable: true })
  from!: ReferralStatus | null;
  @ApiProperty({ enum: REFERRAL_STATUSES, enumName: 'ReferralStatus' })
  to!: ReferralStatus;
  /** ISO-8601, UTC */
  at!: string;
  actorAgency!: AgencyRefDto;
  /** OAuth client that made the step. */
  actorClientId!: string;
  /** Codes of the step (reason, outcome, redirect target…). */
  @ApiProperty({ type: 'object', additionalProperties: true })
  details!: Record<string, unknown>;
}

/** A referral as one of its parties sees it. */
export class ReferralDto {
  id!: string;
  /** `notification`: automatic notice to the child-protection authority. */
  @ApiProperty({ enum: ['referral', 'notification'], enumName: 'ReferralKind' })
  kind!: 'referral' | 'notification';
  /** Relative to the caller. */
  @ApiProperty({ enum: ['incoming', 'outgoing'], enumName: 'ReferralDirection' })
  direction!: 'incoming' | 'outgoing';
  @ApiProperty({ enum: REFERRAL_STATUSES, enumName: 'ReferralStatus' })
  status!: ReferralStatus;
  senderAgency!: AgencyRefDto;
  receiverAgency!: AgencyRefDto;
  @ApiProperty({ enum: SUBJECT_KINDS, enumName: 'ReferralSubjectKind' })
  subjectKind!: SubjectKind;
  /** The sender's localId of the subject; null for the receiver. */
  subjectLocalId!: string | null;
  reason!: string;
  servicesRequested!: string[];
  @ApiProperty({ enum: REFERRAL_URGENCIES, enumName: 'ReferralUrgency' })
  urgency!: string;
  involvesMinor!: boolean;
  state!: string | null;
  @ApiProperty({ enum: SHARE_GROUP_NAMES, isArray: true, enumName: 'ReferralShareGroup' })
  shared!: ShareGroup[];
  /** The non-personal shared groups, as copied at send time, keyed by group. */
  @ApiProperty({ type: 'object', additionalProperties: true })
  sharedData!: Record<string, unknown>;
  /** The personal shared groups; null without `pii:read` (then `piiMasked`) or when none was shared. */
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  sharedPersonal!: Record<string, unknown> | null;
  piiMasked!: boolean;
  note!: string | null;
  /** ISO-8601, UTC */
  sentAt!: string;
  acknowledgeDueAt!: string;
  respondDueAt!: string;
  /** Past the acknowledge or answer time limit. */
  overdue!: boolean;
  acknowledgedAt!: string | null;
  respondedAt!: string | null;
  startedAt!: string | null;
  closedAt!: string | null;
  declineReason!: string | null;
  outcome!: string | null;
  caseReference!: string | null;
  /** The sender's agreement (convenio, `/v1/agreements`) the referral is made under (R21); null when none was cited. */
  agreementLocalId!: string | null;
  /** Code of the agency the referral was redirected to. */
  redirectedToAgencyCode!: string | null;
  /** The referral created by the redirect (visible to the redirecting agency only). */
  redirectedToReferralId!: string | null;
  /** The child-protection notice sent with this referral (sender only). */
  childProtectionNotificationId!: string | null;
  /** Next statuses the caller may set. */
  @ApiProperty({ enum: REFERRAL_STATUSES, isArray: true, enumName: 'ReferralStatus' })
  allowedTransitions!: ReferralStatus[];
  history!: ReferralStepDto[];
  version!: number;
}

export class ReferralPageDto {
  items!: ReferralDto[];
  nextCursor!: string | null;
}

export class ReferralStatusCountDto {
  @ApiProperty({ enum: REFERRAL_STATUSES, enumName: 'ReferralStatus' })
  status!: ReferralStatus;
  count!: number;
}

/** Counts and timings of the agency's referrals. */
export class ReferralSummaryDto {
  counts!: ReferralStatusCountDto[];
  overdue!: number;
  /** Median seconds from sending to acknowledgement (null without acknowledged referrals). */
  medianSecondsToAcknowledge!: number | null;
  /** Median seconds from sending to closure. */
  medianSecondsToClose!: number | null;
}

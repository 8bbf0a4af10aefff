import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { CodeLabelDto, StatisticsPeriodDto, SuppressionDto } from './statistics.dto';

const CODES = /^[A-Za-z0-9_.-]{1,40}(,[A-Za-z0-9_.-]{1,40}){0,99}$/;

/** Period and filters of the referral funnel. */
export class ReferralFunnelQueryDto {
  /** First day (inclusive) of the sending date, YYYY-MM-DD. Suppressed output widens it to whole months. @example "2025-01-01" */
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'from must be a date YYYY-MM-DD' })
  from?: string;

  /** Last day (inclusive), YYYY-MM-DD. @example "2025-12-31" */
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'to must be a date YYYY-MM-DD' })
  to?: string;

  /** Codes of catalog `state` the referral concerns. */
  @IsOptional()
  @Matches(CODES, { message: 'state must be a comma-separated list of catalog codes' })
  state?: string;

  /** Codes of catalog `agency-kind` of the receiving agency. */
  @IsOptional()
  @Matches(CODES, { message: 'receiverAgencyKind must be a comma-separated list of catalog codes' })
  receiverAgencyKind?: string;

  /** `csv` for one line per stage and urgency. */
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

/** Referrals that reached a stage, in total and by urgency. */
export class FunnelStageDto {
  /** sent, acknowledged, responded, accepted, declined, redirected, closed. @example "acknowledged" */
  stage!: string;

  label!: CodeLabelDto;

  /** Referrals that reached the stage; null when withheld. */
  @ApiProperty({ type: 'integer', nullable: true })
  value!: number | null;

  suppressed!: boolean;

  /** Urgency code (catalog `referral-urgency`) → count (null when withheld). */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer', nullable: true } })
  byUrgency!: Record<string, number | null>;
}

/** Time from sending to a step, for one urgency (or `all`). */
export class ResponseTimeDto {
  /** Code of catalog `referral-urgency`, or `all`. @example "urgent" */
  urgency!: string;

  /** `acknowledge` (sent → acknowledged), `respond` (→ accepted, declined or redirected), `close` (→ closed). */
  @ApiProperty({ enum: ['acknowledge', 'respond', 'close'] })
  step!: 'acknowledge' | 'respond' | 'close';

  /** Referrals that completed the step; null when withheld. */
  @ApiProperty({ type: 'integer', nullable: true })
  n!: number | null;

  /** Median hours; null when no referral or withheld (fewer than the threshold). */
  @ApiProperty({ type: 'number', nullable: true })
  medianHours!: number | null;

  /** 90th percentile in hours; null when no referral or withheld. */
  @ApiProperty({ type: 'number', nullable: true })
  p90Hours!: number | null;

  /** Referrals that did this step late or are past its deadline without doing it (acknowledge and respond steps). */
  @ApiProperty({ type: 'integer', nullable: true })
  overdue!: number | null;
}

/** The referral funnel (sent → acknowledged → accepted/declined/redirected → closed) and response times by urgency. */
export class ReferralFunnelDto {
  /** Counting unit. @example "referral" */
  unit!: string;

  period!: StatisticsPeriodDto;

  /** Data cut-off (query time). */
  asOf!: string;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } })
  filters!: Record<string, string[]>;

  suppression!: SuppressionDto;

  stages!: FunnelStageDto[];

  responseTimes!: ResponseTimeDto[];

  note!: string;
}

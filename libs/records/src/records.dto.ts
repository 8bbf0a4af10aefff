import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { FieldErrorDto } from '@app/http';

export const WITHDRAWAL_REASONS = ['duplicate', 'entered_in_error', 'withdrawn_by_victim', 'legal_order', 'other'] as const;
export type WithdrawalReason = (typeof WITHDRAWAL_REASONS)[number];

export const ENTRY_STATUSES = ['created', 'updated', 'unchanged', 'rejected', 'not_written'] as const;
export type EntryStatus = (typeof ENTRY_STATUSES)[number];

/** An accepted but questionable value. */
export class RecordWarningDto {
  /** JSON pointer to the field. @example "#/ageAtEvent" */
  pointer!: string;
  /** @example "ageAtEvent 19 does not match birthDate (17 years at eventDate)" */
  detail!: string;
  /** @example "age-consistency" */
  rule!: string;
}

/** A reference to another record of the same agency, by its localId. */
export class RecordReferenceDto {
  /** Record kind. @example "victims" */
  kind!: string;
  /** @example "V-2025-0001" */
  localId!: string;
  /** False while the referenced record has not been submitted yet. */
  resolved!: boolean;
}

/** Fields every record response has. */
export class RecordMetaDto {
  /** The agency's own identifier. @example "V-2025-0001" */
  localId!: string;
  /** Version number, 1 on creation, +1 on every change (withdrawal included). @example 1 */
  version!: number;
  /** Outcome of a PUT; absent on reads. */
  @ApiProperty({ enum: ['created', 'updated', 'unchanged'], enumName: 'RecordWriteStatus', required: false })
  status?: 'created' | 'updated' | 'unchanged';
  /** Same value as the `ETag` header. @example "\"v1-3fa85f64\"" */
  etag!: string;
  /** sha256 of the canonical JSON of the normalised document. */
  contentHash!: string;
  /** True when personal data is withheld: the token lacks `pii:read`, or no purpose was declared (`X-Purpose`). */
  piiMasked!: boolean;
  /** Why personal data is withheld; absent when it is not. */
  @ApiProperty({ enum: ['missing-scope', 'missing-purpose'], required: false })
  piiMaskedReason?: 'missing-scope' | 'missing-purpose';
  withdrawn!: boolean;
  /** ISO-8601, UTC */
  withdrawnAt!: string | null;
  /** Reason code of the withdrawal (duplicate, entered_in_error, withdrawn_by_victim, legal_order, other); null when not withdrawn. */
  @ApiProperty({ type: 'string', enum: [...WITHDRAWAL_REASONS, null], nullable: true })
  withdrawnReason!: WithdrawalReason | null;
  /** Completeness over the CNDH minimum variables, 0..1. @example 0.833 */
  quality!: number;
  /** Per minimum variable: `filled`, a null code (`SI`, `NR`, `NA`, `RESERVED`) or `missing`. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  completeness!: Record<string, string>;
  warnings!: RecordWarningDto[];
  /** Catalog versions the record was validated against. @example {"sex": "2026.1"} */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  catalogVersions!: Record<string, string>;
  references!: RecordReferenceDto[];
  sourceSystem!: string | null;
  /** ISO-8601, UTC */
  createdAt!: string;
  /** ISO-8601, UTC */
  updatedAt!: string;
}

/** Result of one batch entry. */
export class BatchEntryResultDto {
  /** Position of the entry in `entries`. */
  index!: number;
  /** The entry's localId (null when it had none). */
  localId!: string | null;
  /** `not_written`: valid, but the atomic batch had rejected entries, so nothing was written. */
  @ApiProperty({ enum: ENTRY_STATUSES, enumName: 'BatchEntryStatus' })
  status!: EntryStatus;
  /** Current version after the batch (absent when rejected or not written). */
  version?: number;
  /** Why the entry was rejected; pointers are relative to the request body (`#/entries/3/sex`). */
  errors?: FieldErrorDto[];
  warnings?: RecordWarningDto[];
}

export class BatchSummaryDto {
  created!: number;
  updated!: number;
  unchanged!: number;
  rejected!: number;
  notWritten!: number;
}

export class BatchResultDto {
  /** One result per entry, in request order. */
  results!: BatchEntryResultDto[];
  summary!: BatchSummaryDto;
}

/** The options of every batch (its `entries` are added per kind by BatchDtoOf in record-kind-dtos.ts). */
export class RecordBatchOptionsDto {
  /** All or nothing: when any entry is rejected, nothing is written. */
  @IsOptional()
  @IsBoolean()
  atomic?: boolean;

  /** The agency's system the data comes from (provenance). @example "SIGI-FGJCDMX" */
  @IsOptional()
  @IsString()
  @Length(1, 128)
  sourceSystem?: string;

  /** The caller's identifier of this submission (provenance). */
  @IsOptional()
  @IsString()
  @Length(1, 128)
  submissionId?: string;
}

/** One version of a record, with provenance. */
export class RecordVersionDto {
  version!: number;
  @ApiProperty({ enum: ['create', 'update', 'withdraw'], enumName: 'RecordVersionOp' })
  op!: 'create' | 'update' | 'withdraw';
  contentHash!: string;
  /** OAuth client that submitted the version. */
  clientId!: string;
  sourceSystem!: string | null;
  submissionId!: string | null;
  /** Reason code of the withdrawal (duplicate, entered_in_error, withdrawn_by_victim, legal_order, other); null when not withdrawn. */
  @ApiProperty({ type: 'string', enum: [...WITHDRAWAL_REASONS, null], nullable: true })
  withdrawnReason!: WithdrawalReason | null;
  /** ISO-8601, UTC */
  changedAt!: string;
  /** The non-sensitive part of the document of this version. */
  @ApiProperty({ type: 'object', additionalProperties: true })
  data!: Record<string, unknown>;
}

export class RecordVersionPageDto {
  items!: RecordVersionDto[];
  nextCursor!: string | null;
}

/** `?reason=` of a withdrawal. */
export class WithdrawQueryDto {
  @ApiProperty({ enum: WITHDRAWAL_REASONS, enumName: 'WithdrawalReason' })
  @IsIn(WITHDRAWAL_REASONS)
  reason!: WithdrawalReason;
}

/** `?after=&limit=` of the change feed. */
export class ChangesQueryDto {
  /** `nextCursor` of the previous page; omit to start from the beginning. */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/)
  after?: string;

  /** Page size, 1–1000. @example 500 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

/** One change of a record. */
export class RecordChangeDto {
  /** @example "victims" */
  kind!: string;
  localId!: string;
  version!: number;
  @ApiProperty({ enum: ['create', 'update', 'withdraw'], enumName: 'RecordVersionOp' })
  op!: 'create' | 'update' | 'withdraw';
  /** ISO-8601, UTC */
  at!: string;
}

export class RecordChangePageDto {
  items!: RecordChangeDto[];
  /** Always set: pass it as `after` to continue (also when this page was empty). */
  nextCursor!: string;
  /** True when more changes are available right now. */
  hasMore!: boolean;
}

/** Shares (0..1) of the records in which a minimum variable is filled or carries each null code. */
export class VariableQualityDto {
  /** @example "sex" */
  variable!: string;
  filled!: number;
  SI!: number;
  NR!: number;
  NA!: number;
  RESERVED!: number;
  missing!: number;
}

export class KindQualityDto {
  /** @example "victims" */
  kind!: string;
  /** Records not withdrawn. */
  records!: number;
  /** Mean completeness, 0..1 (null without records). */
  meanCompleteness!: number | null;
  variables!: VariableQualityDto[];
}

export class AgencyQualityDto {
  kinds!: KindQualityDto[];
}

/** `?limit=&cursor=&includeWithdrawn=&updatedSince=` of every record list. */
export class RecordListQueryDto {
  /** Page size, 1–500. @example 100 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  /** Opaque cursor from the previous page's `nextCursor`. */
  @IsOptional()
  @IsString()
  cursor?: string;

  /** Include withdrawn records (default false). */
  @IsOptional()
  @IsIn(['true', 'false'])
  includeWithdrawn?: 'true' | 'false';

  /** Only records changed at or after this instant (ISO-8601). @example "2025-01-01T00:00:00Z" */
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/)
  updatedSince?: string;
}

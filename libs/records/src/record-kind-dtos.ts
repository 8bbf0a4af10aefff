import type { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsObject, IsString, Matches } from 'class-validator';
import { RecordBatchOptionsDto, RecordMetaDto } from './records.dto';

/**
 * Builders of the DTO classes every record kind has, so that a kind's `*.dto.ts` declares them in one line
 * each and keeps a concrete, named class for the OpenAPI contract (the schema name is the subclass's name):
 *
 *   export class VictimRecordDto extends RecordDtoOf(VictimDataDto, 'VictimPiiDto') {}
 *   export class VictimPageDto extends RecordPageDtoOf(VictimRecordDto) {}
 *   export class VictimBatchEntryDto extends BatchEntryDtoOf(VictimDto, 'V-2025-0001') {}
 *   export class VictimBatchDto extends BatchDtoOf(VictimBatchEntryDto) {}
 *
 * This file is not a `*.dto.ts` file on purpose: the swagger compiler plugin cannot resolve the generic
 * property types here, so every property is described explicitly with @ApiProperty.
 */

/** A record as stored: the meta fields, non-sensitive `data` (of `dataClass`), and `pii` only with `pii:read`. */
export function RecordDtoOf<TData>(dataClass: Type<TData>, piiSchemaName: string): Type<RecordMetaDto & { data: TData; pii: Record<string, unknown> | null }> {
  class RecordDto extends RecordMetaDto {
    // `pii` before `data`: the order of the schema's `required` list.
    /** Null when the token lacks `pii:read` (then `piiMasked` is true) or when none was submitted. */
    @ApiProperty({ type: 'object', nullable: true, additionalProperties: true, description: `Personal data, shaped as ${piiSchemaName}; null when masked or absent.` })
    pii!: Record<string, unknown> | null;

    @ApiProperty({ type: () => dataClass })
    data!: TData;
  }
  return RecordDto;
}

/** A page of records (`items`, `nextCursor`). */
export function RecordPageDtoOf<TItem>(itemClass: Type<TItem>): Type<{ items: TItem[]; nextCursor: string | null }> {
  class RecordPageDto {
    @ApiProperty({ type: () => [itemClass] })
    items!: TItem[];

    @ApiProperty({ type: String, nullable: true })
    nextCursor!: string | null;
  }
  return RecordPageDto;
}

const LOCAL_ID = /^[A-Za-z0-9._:/-]{1,128}$/;

/** One entry of a batch: the kind's document plus its `localId`. */
export function BatchEntryDtoOf<TDoc extends object>(documentClass: Type<TDoc>, localIdExample: string): Type<TDoc & { localId: string }> {
  class BatchEntryDto extends (documentClass as Type<object>) {
    @ApiProperty({ description: "The agency's own identifier, 1–128 of `[A-Za-z0-9._:/-]`.", example: localIdExample })
    @IsString()
    @Matches(LOCAL_ID, { message: 'localId must be 1–128 characters of [A-Za-z0-9._:/-]' })
    localId!: string;
  }
  return BatchEntryDto as Type<TDoc & { localId: string }>;
}

/** Up to 1,000 entries of one kind, plus `atomic` and the provenance fields. */
export function BatchDtoOf<TEntry>(entryClass: Type<TEntry>): Type<RecordBatchOptionsDto & { entries: TEntry[] }> {
  class BatchDto extends RecordBatchOptionsDto {
    @ApiProperty({
      type: () => [entryClass],
      minItems: 1,
      maxItems: 1000,
      description: 'Entries are validated one by one (errors come back per entry, not as a 422 of the whole batch).',
    })
    @IsArray()
    @ArrayMinSize(1)
    @ArrayMaxSize(1000)
    @IsObject({ each: true })
    entries!: TEntry[];
  }
  return BatchDto;
}

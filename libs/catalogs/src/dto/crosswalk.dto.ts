import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsOptional, IsString, Length, Matches, ValidateNested, IsObject } from 'class-validator';

/** One local code and the standard code it stands for. */
export class CrosswalkEntryInputDto {
  /** The agency's own code, as its systems send it. @example "CPCDMX-188BIS" */
  @IsString()
  @Length(1, 100)
  @Matches(/^\S(.*\S)?$/, { message: 'localCode must not start or end with whitespace' })
  localCode!: string;

  /** A current code of the catalog (null codes SI, NA, NR, RESERVED included when the catalog has them). @example "LGT-13" */
  @IsString()
  @Length(1, 64)
  standardCode!: string;

  /** Why this mapping (e.g. the article text it comes from). */
  @IsOptional()
  @IsString()
  @Length(1, 500)
  note?: string;
}

export class PutCrosswalkDto {
  /** Mappings to add or change (a local code listed twice is rejected). */
  @IsArray()
  @ArrayMaxSize(5000)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => CrosswalkEntryInputDto)
  @ApiProperty({ type: () => [CrosswalkEntryInputDto] })
  entries!: CrosswalkEntryInputDto[];

  /** true: the body is the whole mapping, local codes not listed are removed. false (default): merge. */
  @IsOptional()
  @IsBoolean()
  replace?: boolean;
}

/** What a PUT changed. */
export class CrosswalkWriteResultDto {
  /** @example "offense" */
  catalog!: string;
  /** Catalog version the standard codes were checked against. @example "2026.1" */
  catalogVersion!: string;
  /** New local codes. */
  inserted!: number;
  /** Local codes whose standard code or note changed. */
  updated!: number;
  /** Local codes removed (only with `replace: true`). */
  removed!: number;
  /** Mappings of the agency for this catalog after the change. */
  total!: number;
}

/** One mapping of the calling agency. */
export class CrosswalkEntryDto {
  /** @example "CPCDMX-188BIS" */
  localCode!: string;
  /** @example "LGT-13" */
  standardCode!: string;
  /** Spanish label of the standard code (null when the code is no longer in the catalog). */
  @ApiProperty({ type: String, nullable: true })
  standardLabelEs!: string | null;
  /** English label of the standard code. */
  @ApiProperty({ type: String, nullable: true })
  standardLabelEn!: string | null;
  /** false when the standard code has been retired since the mapping was registered: update the mapping. */
  standardCodeCurrent!: boolean;
  @ApiProperty({ type: String, nullable: true })
  note!: string | null;
  createdAt!: string;
  updatedAt!: string;
}

export class CrosswalkPageDto {
  /** @example "offense" */
  catalog!: string;
  @ApiProperty({ type: () => [CrosswalkEntryDto] })
  items!: CrosswalkEntryDto[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}

/** The calling agency's crosswalk for one catalog. */
export class CrosswalkSummaryDto {
  /** @example "offense" */
  catalog!: string;
  /** Number of local codes mapped. */
  entryCount!: number;
  /** Last change. */
  updatedAt!: string;
  /** @example "/v1/crosswalks/offense" */
  url!: string;
}

export class CrosswalkSummaryPageDto {
  @ApiProperty({ type: () => [CrosswalkSummaryDto] })
  items!: CrosswalkSummaryDto[];
  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}

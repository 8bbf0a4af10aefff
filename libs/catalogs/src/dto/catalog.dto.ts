import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, Matches } from 'class-validator';

/** One catalog in the list. */
export class CatalogSummaryDto {
  /** @example "offense" */
  name!: string;
  /** @example "Delitos en materia de trata de personas (Ley General)" */
  labelEs!: string;
  /** @example "General Law trafficking-related offences" */
  labelEn!: string;
  /** Current version. @example "2026.1" */
  version!: string;
  /** First day the current version applies. @example "2026-01-01" */
  validFrom!: string;
  /** Codes accepted in the current version (retired codes excluded, null codes included). @example 41 */
  entryCount!: number;
  /** A field of this catalog may hold several codes. */
  multiValued!: boolean;
  /** SI, NA, NR and RESERVED are codes of this catalog. */
  nullCodes!: boolean;
  /** @example "/v1/catalogs/offense" */
  url!: string;
}

/** Every catalog (not paginated: a few dozen items, cacheable). */
export class CatalogListDto {
  @ApiProperty({ type: () => [CatalogSummaryDto] })
  items!: CatalogSummaryDto[];
}

/** One code. */
export class CatalogEntryDto {
  /** @example "LGT-10-III" */
  code!: string;
  /** @example "La explotación de la prostitución ajena u otras formas de explotación sexual" */
  labelEs!: string;
  /** @example "Exploitation of the prostitution of others or other forms of sexual exploitation" */
  labelEn!: string;
  /** Code of a broader entry of the same catalog. */
  @ApiProperty({ type: String, nullable: true })
  parent!: string | null;
  /** Further properties of the code (source, note; offence `article`, `fraction`, `kind`, `tipBucket`, …). */
  @ApiProperty({ type: 'object', additionalProperties: true })
  attributes!: Record<string, unknown>;
  /** One of the null codes SI, NA, NR, RESERVED (R7). */
  nullCode!: boolean;
  /** No longer accepted for new data (still valid for data dated before `retiredOn`). */
  retired!: boolean;
  /** @example "2027-01-01" */
  @ApiProperty({ type: String, nullable: true })
  retiredOn!: string | null;
}

/** A published version of a catalog. */
export class CatalogVersionDto {
  /** @example "2026.1" */
  version!: string;
  /** @example "2026-01-01" */
  validFrom!: string;
  /** First day of the next version; null for the current one. */
  @ApiProperty({ type: String, nullable: true })
  validTo!: string | null;
}

/** One version of a catalog, with its codes. */
export class CatalogDto {
  /** @example "offense" */
  name!: string;
  labelEs!: string;
  labelEn!: string;
  description!: string;
  multiValued!: boolean;
  nullCodes!: boolean;
  /** The version served. @example "2026.1" */
  version!: string;
  /** @example "2026-01-01" */
  validFrom!: string;
  @ApiProperty({ type: String, nullable: true })
  validTo!: string | null;
  /** The version served is the current one. */
  current!: boolean;
  /** Catalog-level attributes of this version (e.g. offence `lawVersion`). */
  @ApiProperty({ type: 'object', additionalProperties: true })
  attributes!: Record<string, unknown>;
  /** Every version of the catalog, oldest first. */
  @ApiProperty({ type: () => [CatalogVersionDto] })
  versions!: CatalogVersionDto[];
  /** The codes, in published order; retired ones only with `includeRetired=true`. */
  @ApiProperty({ type: () => [CatalogEntryDto] })
  entries!: CatalogEntryDto[];
}

export class CatalogQueryDto {
  /** An older version (default: the current one). @example "2026.1" */
  @IsOptional()
  @Matches(/^[0-9A-Za-z][0-9A-Za-z._-]{0,19}$/)
  version?: string;

  /** Also list retired codes (flagged `retired`). true or false, default false. */
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  includeRetired?: boolean;
}

export class CatalogNameParamDto {
  /** @example "offense" */
  @Matches(/^[a-z0-9][a-z0-9-]{0,63}$/)
  name!: string;
}

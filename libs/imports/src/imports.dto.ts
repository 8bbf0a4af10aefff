import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '@app/http';

export const DATE_FORMATS = ['dd/mm/yyyy', 'mm/dd/yyyy', 'yyyy-mm-dd', 'dd-mm-yyyy', 'dd.mm.yyyy'] as const;
export const ENCODINGS = ['utf-8', 'windows-1252', 'latin1'] as const;
export const DELIMITERS = [',', ';', '\t', '|'] as const;

/**
 * A mapping profile: how the columns of an agency's spreadsheet map to the fields of a record kind.
 * Columns not listed are matched by their header when it is a template header (Spanish, English or the
 * field path); other columns are ignored (and listed as `ignoredColumns` on the import).
 */
export class ImportProfileBodyDto {
  /** Record kind the profile is for. @example "victims" */
  @IsString()
  @Length(1, 40)
  kind!: string;

  /** Column header → field path (dot notation). @example {"Folio": "localId", "Nombre(s)": "names.firstName", "Sexo": "sex", "Nacionalidad": "nationality"} */
  @IsObject()
  columns!: Record<string, string>;

  /** Field path → { local value → standard code }; values not listed fall back to the agency's crosswalks, then to codes and labels. @example {"sex": {"M": "female", "H": "male"}} */
  @IsOptional()
  @IsObject()
  values?: Record<string, Record<string, string>>;

  /** Format of date cells given as text (ISO `yyyy-mm-dd` is always accepted). */
  @IsOptional()
  @IsIn(DATE_FORMATS)
  @ApiProperty({ enum: DATE_FORMATS, required: false, description: 'Default dd/mm/yyyy' })
  dateFormat?: (typeof DATE_FORMATS)[number];

  /** Text encoding of a CSV file. */
  @IsOptional()
  @IsIn(ENCODINGS)
  @ApiProperty({ enum: ENCODINGS, required: false, description: 'Default utf-8' })
  encoding?: (typeof ENCODINGS)[number];

  /** CSV delimiter; detected from the header line when absent. */
  @IsOptional()
  @IsIn(DELIMITERS)
  @ApiProperty({ enum: DELIMITERS, required: false })
  delimiter?: (typeof DELIMITERS)[number];

  /** Separator of several codes in one cell (e.g. `MEX|GTM`). Default `|`. */
  @IsOptional()
  @IsString()
  @Length(1, 3)
  listSeparator?: string;

  /** XLSX: name of the worksheet to read (default: the first). */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  sheet?: string;
}

/** A saved mapping profile. */
export class ImportProfileDto extends ImportProfileBodyDto {
  /** @example "sigi-victimas" */
  name!: string;
  /** ISO-8601 */
  updatedAt!: string;
}

export class ImportProfilePageDto {
  items!: ImportProfileDto[];
  nextCursor!: string | null;
}

/** Path parameter of the profile routes. */
export class ImportProfileNameDto {
  /** 1–64 characters of `[A-Za-z0-9._-]`. @example "sigi-victimas" */
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'name must be 1–64 characters of [A-Za-z0-9._-]' })
  name!: string;
}

/** Fields of the multipart upload (they must come before the file part). */
export class ImportUploadFieldsDto {
  /** Record kind. @example "victims" */
  @IsString()
  @Length(1, 40)
  kind!: string;

  /** Name of a saved mapping profile, or an inline profile as JSON; absent = template headers. */
  @IsOptional()
  @IsString()
  @MaxLength(100000)
  profile?: string;

  /** Validate every row and report errors without writing anything. */
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;
}

export const IMPORT_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;

/** An import job and its progress. */
export class ImportJobDto {
  id!: string;
  kind!: string;
  @ApiProperty({ enum: IMPORT_STATUSES, enumName: 'ImportStatus' })
  status!: (typeof IMPORT_STATUSES)[number];
  fileName!: string;
  /** csv or xlsx */
  format!: string;
  sizeBytes!: number;
  dryRun!: boolean;
  profileName!: string | null;
  /** Data rows read so far (header rows not counted). */
  rowsRead!: number;
  /** Rows that passed validation (and, unless dry run, were written: created + updated + unchanged). */
  accepted!: number;
  rejected!: number;
  /** Rows skipped: empty rows and the template's example row. */
  skipped!: number;
  created!: number;
  updated!: number;
  unchanged!: number;
  /** 0–100, by bytes of the file processed. */
  progress!: number;
  /** Estimated seconds left while running; null otherwise. */
  etaSeconds!: number | null;
  /** Columns of the file that map to no field. */
  ignoredColumns!: string[];
  /** Why the job failed (file-level problem). */
  failure!: string | null;
  attempts!: number;
  /** ISO-8601 */
  createdAt!: string;
  startedAt!: string | null;
  finishedAt!: string | null;
  /** Where the rejected rows are listed (JSON; `?format=csv` for CSV). */
  errorsUrl!: string;
}

/** A rejected row (one entry per problem; a row can have several). */
export class ImportRowErrorDto {
  /** Row of the file (1 = first header row). */
  rowNumber!: number;
  localId!: string | null;
  /** Column header of the file, or null when the field has no column (e.g. a required field missing from the file). */
  column!: string | null;
  /** The cell's value; withheld for personal-data columns. */
  value!: string | null;
  reason!: string;
  rule!: string | null;
  /** Field pointer in the record document, e.g. `/names/firstName`. */
  pointer!: string | null;
}

export class ImportErrorPageDto {
  items!: ImportRowErrorDto[];
  nextCursor!: string | null;
}

export class ImportErrorsQueryDto extends PageQueryDto {
  /** `json` (default, paginated) or `csv` (every error, streamed). */
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

export class ImportIdDto {
  /** Import id. */
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { message: 'id must be a UUID' })
  id!: string;
}

/** Query of GET /v1/exports/{kind}. */
export class ExportQueryDto {
  /** `ndjson` (default) or `csv` (same columns as the import template). */
  @IsOptional()
  @IsIn(['ndjson', 'csv'])
  format?: 'ndjson' | 'csv';

  /** Only records updated at or after this instant (ISO-8601). @example "2025-01-01T00:00:00Z" */
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?$/, { message: 'updatedSince must be an ISO-8601 date or date-time' })
  updatedSince?: string;

  /** Cases: only files with a charge at this stage (code of catalog `charge-stage`). */
  @IsOptional()
  @IsString()
  @Length(1, 64)
  stage?: string;

  /** Include withdrawn records (default false). */
  @IsOptional()
  @IsIn(['true', 'false'])
  includeWithdrawn?: 'true' | 'false';
}

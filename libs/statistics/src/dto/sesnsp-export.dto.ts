import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';

/** Month and format of the SESNSP-style export (R4). */
export class SesnspExportQueryDto {
  /** The month, YYYY-MM: files whose opening date falls in it. @example "2024-03" */
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'month must be YYYY-MM' })
  month!: string;

  /** `csv` (default: one line per row, SESNSP column layout) or `json`. */
  @IsOptional()
  @ApiProperty({ enum: ['csv', 'json'], required: false })
  @IsIn(['csv', 'json'])
  format?: 'csv' | 'json';
}

/** Victims of one row by sex (female / male / unknown) × age group (under 18 / 18 and over / unknown). */
export class SesnspVictimsDto {
  femaleUnder18!: number;
  female18Plus!: number;
  femaleAgeUnknown!: number;
  maleUnder18!: number;
  male18Plus!: number;
  maleAgeUnknown!: number;
  sexUnknownUnder18!: number;
  sexUnknown18Plus!: number;
  sexUnknownAgeUnknown!: number;
}

/** One row: offense × state × jurisdiction × file type. */
export class SesnspRowDto {
  /** Code of catalog `state` of the file (`FED` for federal files). @example "14" */
  state!: string;
  /** Code of catalog `jurisdiction-type`. @example "fuero_comun" */
  jurisdiction!: string;
  /** Code of catalog `file-type`. @example "carpeta_investigacion" */
  fileType!: string;
  /** Code of catalog `offense`. @example "LGT-13" */
  offense!: string;
  /** Spanish label of the offense. */
  offenseLabel!: string;
  /** Investigation files opened in the month with this offense (unit investigation_file). */
  files!: number;
  /** Victims named for this offense in those files (each victim record once per row). */
  victims!: number;
  victimsBySexAndAge!: SesnspVictimsDto;
}

/** Monthly counts in the SESNSP layout (R4). */
export class SesnspExportDto {
  /** @example "2024-03" */
  month!: string;
  /** First and last day of the month. */
  from!: string;
  to!: string;
  /** Data cut-off (ISO-8601). */
  asOf!: string;
  /** Agencies whose files are counted. */
  contributingAgencies!: number;
  /** Catalog versions of the codes used. */
  catalogVersions!: Record<string, string>;
  /** How the rows are counted. */
  note!: string;
  rows!: SesnspRowDto[];
}

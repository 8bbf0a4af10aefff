import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsDateString, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';

export const AGENCY_KINDS = [
  'prosecutor',
  'victim_commission',
  'hotline',
  'ngo',
  'shelter',
  'statistics',
  'oversight',
  'court',
  'migration',
  'consulate',
  'child_protection',
  'police',
  'labour',
  'health',
  'other',
] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];
export const AGENCY_LEVELS = ['federal', 'state', 'municipal', 'civil_society', 'international'] as const;

/** Directory entry visible to every authenticated caller. */
export class AgencyDirectoryEntryDto {
  /** @example "fge-cdmx" */
  code!: string;
  /** @example "Fiscalía General de Justicia de la Ciudad de México" */
  name!: string;
  @ApiProperty({ enum: AGENCY_KINDS, enumName: 'AgencyKind' })
  kind!: AgencyKind;
  /** INEGI state code or FED. @example "09" */
  @ApiProperty({ type: String, nullable: true })
  jurisdiction!: string | null;
  @ApiProperty({ type: String, nullable: true })
  level!: string | null;
  active!: boolean;
  /** @example "2026-01-01" */
  validFrom!: string;
  @ApiProperty({ type: String, nullable: true })
  validTo!: string | null;
  /** Code of the agency this one was merged into. */
  @ApiProperty({ type: String, nullable: true })
  mergedInto!: string | null;
}

export class AgencyDirectoryPageDto {
  @ApiProperty({ type: () => [AgencyDirectoryEntryDto] })
  items!: AgencyDirectoryEntryDto[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}

/** The calling agency and the token it used. */
export class AgencyMeDto extends AgencyDirectoryEntryDto {
  id!: string;
  version!: number;
  /** Client id of the token. */
  clientId!: string;
  /** Scopes of the token. */
  scopes!: string[];
}

export class AgencyAdminDto extends AgencyDirectoryEntryDto {
  id!: string;
  version!: number;
  createdAt!: string;
  updatedAt!: string;
}

export class CreateAgencyDto {
  /** Lower-case code, unique. @example "fge-cdmx" */
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$/)
  code!: string;
  /** @example "Fiscalía General de Justicia de la Ciudad de México" */
  @IsString()
  @Length(2, 300)
  name!: string;
  @ApiProperty({ enum: AGENCY_KINDS, enumName: 'AgencyKind' })
  @IsIn(AGENCY_KINDS, { context: { allowed: AGENCY_KINDS, catalog: '/v1/catalogs/agency-kind' } })
  kind!: AgencyKind;
  /** INEGI state code `01`…`32` or `FED`. @example "09" */
  @IsOptional()
  @Matches(/^(0[1-9]|[12][0-9]|3[0-2]|FED)$/)
  jurisdiction?: string;
  @ApiProperty({ enum: AGENCY_LEVELS, required: false })
  @IsOptional()
  @IsIn(AGENCY_LEVELS, { context: { allowed: AGENCY_LEVELS } })
  level?: string;
  /** @example "2026-01-01" */
  @IsOptional()
  @IsDateString({ strict: true })
  validFrom?: string;
}

export class UpdateAgencyDto {
  @IsOptional()
  @IsString()
  @Length(2, 300)
  name?: string;
  @IsOptional()
  @IsBoolean()
  active?: boolean;
  @IsOptional()
  @IsDateString({ strict: true })
  validTo?: string;
  /** Code of the agency this one is merged into (also deactivates it). */
  @IsOptional()
  @IsString()
  mergedInto?: string;
}

export class AgencyVersionDto {
  version!: number;
  snapshot!: Record<string, unknown>;
  changedBy!: string;
  changedAt!: string;
}

import { ApiProperty, OmitType, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsCode } from '../catalog-code';
import { RecordListQueryDto, RecordMetaDto } from '../records.dto';

/** Names of a person (personal data: encrypted at rest, returned only with `pii:read`). */
export class PersonNamesDto {
  /** @example "María" */
  @IsString()
  @Length(1, 100)
  firstName!: string;

  @IsOptional()
  @IsString()
  @Length(1, 100)
  middleName?: string;

  /** @example "López" */
  @IsOptional()
  @IsString()
  @Length(1, 100)
  paternalSurname?: string;

  @IsOptional()
  @IsString()
  @Length(1, 100)
  maternalSurname?: string;
}

/** Identifiers of the same person in other systems. */
export class ExternalIdsDto {
  /** Folio in SINTRA. */
  @IsOptional()
  @IsString()
  @Length(1, 64)
  sintra?: string;

  /** Registry number in RENAVI (CEAV). */
  @IsOptional()
  @IsString()
  @Length(1, 64)
  renavi?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const LOCAL_ID = /^[A-Za-z0-9._:/-]{1,128}$/;

/**
 * A victim record (R5, R24, R26, R27). Codes come from the catalogs at /v1/catalogs; categorical
 * fields accept the null codes SI (unknown), NA (not applicable), NR (not recorded), RESERVED (withheld).
 * Minimum variables of the CNDH (sex, age, nationality, state of origin, vulnerable group, offense)
 * are required but may carry a null code.
 */
export class VictimDto {
  /** Personal data. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PersonNamesDto)
  names?: PersonNamesDto;

  /** Personal data. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  aliases?: string[];

  /** CURP, 18 characters (personal data). @example "LOMM900101MDFPRR09" */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z]{4}\d{6}[HMXhmx][A-Za-z]{5}[0-9A-Za-z]\d$/, { message: 'curp must be an 18-character CURP' })
  curp?: string;

  /** Phone number (personal data). @example "+52 55 1234 5678" */
  @IsOptional()
  @IsString()
  @Matches(/^\+?[0-9 ()-]{7,20}$/)
  phone?: string;

  /** Address, free text (personal data). */
  @IsOptional()
  @IsString()
  @Length(1, 500)
  address?: string;

  /** Notes, free text (personal data). */
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  notes?: string;

  /** Code of catalog `sex`. @example "female" */
  @IsCode('sex')
  sex!: string;

  /** Code of catalog `gender-identity`. */
  @IsOptional()
  @IsCode('gender-identity')
  genderIdentity?: string;

  /** YYYY-MM-DD. @example "2007-05-14" */
  @IsOptional()
  @Matches(DATE, { message: 'birthDate must be a date YYYY-MM-DD' })
  birthDate?: string;

  /** Age in years at the event, when the birth date is unknown. @example 17 */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(120)
  ageAtEvent?: number;

  /** Date of the event (start of the exploitation or of the offense), YYYY-MM-DD. */
  @IsOptional()
  @Matches(DATE, { message: 'eventDate must be a date YYYY-MM-DD' })
  eventDate?: string;

  /** Age in years when the exploitation started. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(120)
  ageAtExploitationStart?: number;

  /** Codes of catalog `country` (ISO 3166-1 alpha-3). @example ["MEX"] */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5)
  @IsCode('country', { each: true })
  nationality!: string[];

  /** Code of catalog `state` (INEGI); `NA` for persons born abroad. @example "09" */
  @IsCode('state')
  stateOfOrigin!: string;

  /** INEGI municipality code (3 digits) within stateOfOrigin. */
  @IsOptional()
  @Matches(/^\d{3}$/)
  municipalityOfOrigin?: string;

  /** Code of catalog `indigenous-language`. */
  @IsOptional()
  @IsCode('indigenous-language')
  indigenousLanguage?: string;

  /** Codes of catalog `vulnerable-group`. @example ["indigenous"] */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsCode('vulnerable-group', { each: true })
  vulnerableGroups!: string[];

  /** Code of catalog `disability-type`. */
  @IsOptional()
  @IsCode('disability-type')
  disability?: string;

  /** Code of catalog `migration-status`. */
  @IsOptional()
  @IsCode('migration-status')
  migrationStatus?: string;

  /** Code of catalog `victim-type`. @example "direct" */
  @IsCode('victim-type')
  victimType!: string;

  /** Code of catalog `relationship-to-direct-victim`; required for indirect victims. */
  @IsOptional()
  @IsCode('relationship-to-direct-victim')
  relationshipToDirectVictim?: string;

  /** localId of the direct victim (for indirect victims). */
  @IsOptional()
  @Matches(LOCAL_ID)
  directVictimLocalId?: string;

  /** Code of catalog `identification-route`. */
  @IsOptional()
  @IsCode('identification-route')
  identificationRoute?: string;

  /** YYYY-MM-DD */
  @IsOptional()
  @Matches(DATE, { message: 'identifiedOn must be a date YYYY-MM-DD' })
  identifiedOn?: string;

  /** Offenses suffered: codes of catalog `offense`. @example ["LGT-10"] */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(40)
  @IsCode('offense', { each: true })
  offenses!: string[];

  /** Codes of catalog `exploitation-form`. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsCode('exploitation-form', { each: true })
  exploitationForms?: string[];

  /** The victim's identity is protected (never shared beyond the agency). */
  @IsOptional()
  @IsBoolean()
  protectedIdentity?: boolean;

  /** The victim consented to sharing the record with other agencies. */
  @IsOptional()
  @IsBoolean()
  consentToShare?: boolean;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ExternalIdsDto)
  externalIds?: ExternalIdsDto;
}

export const VICTIM_PII_FIELDS = ['names', 'aliases', 'curp', 'phone', 'address', 'notes'] as const;

/** The personal data of a victim record. */
export class VictimPiiDto extends PickType(VictimDto, VICTIM_PII_FIELDS) {}

/** The non-sensitive part of a victim record. */
export class VictimDataDto extends OmitType(VictimDto, VICTIM_PII_FIELDS) {}

/** A victim record as stored: non-sensitive `data`, and `pii` only with scope `pii:read`. */
export class VictimRecordDto extends RecordMetaDto {
  data!: VictimDataDto;
  /** Null when the token lacks `pii:read` (then `piiMasked` is true) or when none was submitted. */
  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true, description: 'Personal data, shaped as VictimPiiDto; null when masked or absent.' })
  pii!: Record<string, unknown> | null;
}

export class VictimPageDto {
  items!: VictimRecordDto[];
  nextCursor!: string | null;
}

/** One entry of a victims batch: the document plus its localId. */
export class VictimBatchEntryDto extends VictimDto {
  /** The agency's own identifier, 1–128 of `[A-Za-z0-9._:/-]`. @example "V-2025-0001" */
  @IsString()
  @Matches(LOCAL_ID, { message: 'localId must be 1–128 characters of [A-Za-z0-9._:/-]' })
  localId!: string;
}

/** Up to 1,000 victim records. Each entry is validated on its own: a bad entry never drops the good ones. */
export class VictimBatchDto {
  /** Entries are validated one by one (errors come back per entry, not as a 422 of the whole batch). */
  @ApiProperty({ type: () => [VictimBatchEntryDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsObject({ each: true })
  entries!: VictimBatchEntryDto[];

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

/** Filters of GET /v1/victims. */
export class VictimListQueryDto extends RecordListQueryDto {
  /** Code of catalog `sex`. */
  @IsOptional()
  @IsCode('sex')
  sex?: string;

  /** A code of catalog `country`. */
  @IsOptional()
  @IsCode('country')
  nationality?: string;

  /** Code of catalog `state`. */
  @IsOptional()
  @IsCode('state')
  stateOfOrigin?: string;

  /** Code of catalog `victim-type`. */
  @IsOptional()
  @IsCode('victim-type')
  victimType?: string;
}


import { ApiProperty, OmitType, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
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
import { CLK_SCHEMA_IDS, IsClkEncoding, IsServerClkKeyCheck } from '@app/clk';
import { BatchDtoOf, BatchEntryDtoOf, RecordDtoOf, RecordPageDtoOf } from '../record-kind-dtos';
import { RecordListQueryDto } from '../records.dto';

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

/**
 * A CLK: Bloom-filter encoding of the victim's names (first and middle names, both surnames) made with
 * the published linkage schema and the secret shared with Puente, for agencies that may not share names
 * (privacy-preserving matching, docs/matching.md § CLK). Encode with `npm run cli -- clk:encode`.
 * Personal data (treated like names): encrypted at rest, returned only with `pii:read`.
 */
export class ClkDto {
  /** Linkage schema the encoding was made with. @example "puente-clk-v1" */
  @IsString()
  @IsIn(CLK_SCHEMA_IDS, { message: `schema must be one of ${CLK_SCHEMA_IDS.join(', ')}`, context: { allowed: CLK_SCHEMA_IDS } })
  @ApiProperty({ enum: CLK_SCHEMA_IDS })
  schema!: string;

  /** Base64 of the filter: 1024 bits = 128 bytes (172 characters) for `puente-clk-v1`. */
  @IsString()
  @MaxLength(2000)
  @IsClkEncoding()
  encoding!: string;

  /** Check value of the secret the encoding was made with (printed by `clk:encode`); when given, a CLK made with another secret is refused. @example "3f9a0c1d2e4b5a69" */
  @IsOptional()
  @IsString()
  @Matches(/^[0-9a-f]{16}$/, { message: 'keyCheck must be 16 lower-case hex characters' })
  @IsServerClkKeyCheck()
  keyCheck?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const LOCAL_ID = /^[A-Za-z0-9._:/-]{1,128}$/;

/** A place (R32): a country, and for Mexico the state and municipality when known. */
export class VictimPlaceDto {
  /** Code of catalog `country`. @example "MEX" */
  @IsCode('country')
  country!: string;

  /** Code of catalog `state` (places in Mexico). @example "29" */
  @IsOptional()
  @IsCode('state')
  state?: string;

  /** INEGI municipality code (3 digits) within `state`. @example "041" */
  @IsOptional()
  @Matches(/^\d{3}$/, { message: 'municipality must be a 3-digit INEGI code' })
  municipality?: string;
}

/**
 * A migration event of a foreign victim (R27: humanitarian visa requested, granted, expired; residence;
 * repatriation) or a detention episode of the victim (R19: art. 75 forbids detaining victims).
 */
export class MigrationEventDto {
  /** Code of catalog `migration-event-type`. @example "humanitarian_visa_granted" */
  @IsCode('migration-event-type')
  type!: string;

  /** Date of the event (start of a detention), YYYY-MM-DD. @example "2025-04-02" */
  @Matches(DATE, { message: 'on must be a date YYYY-MM-DD' })
  on!: string;

  /** End date: visa expiry or end of the detention, YYYY-MM-DD (may be in the future for a visa). */
  @IsOptional()
  @Matches(DATE, { message: 'until must be a date YYYY-MM-DD' })
  until?: string;
}

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

  /**
   * Bloom-filter encoding of the names (CLK), for agencies that may not share names: send it instead of
   * `names` (personal data). When `names` is also given, the server matches on `names`.
   */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ClkDto)
  clk?: ClkDto;

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

  /** How the victim was contacted (R30): codes of catalog `recruitment-channel`. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsCode('recruitment-channel', { each: true })
  recruitmentChannels?: string[];

  /** How the victim was recruited (R30): codes of catalog `recruitment-method`. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsCode('recruitment-method', { each: true })
  recruitmentMethods?: string[];

  /** Means of control used (R30): codes of catalog `means-of-control`. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsCode('means-of-control', { each: true })
  meansOfControl?: string[];

  /** Platforms of recruitment or exploitation (R30): codes of catalog `platform`. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsCode('platform', { each: true })
  platforms?: string[];

  /** Where the victim was identified (R32). */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => VictimPlaceDto)
  placeIdentified?: VictimPlaceDto;

  /** Places of exploitation (R32). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => VictimPlaceDto)
  placesOfExploitation?: VictimPlaceDto[];

  /** Places of transit (R32). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => VictimPlaceDto)
  placesOfTransit?: VictimPlaceDto[];

  /** Places of destination (R32). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => VictimPlaceDto)
  placesOfDestination?: VictimPlaceDto[];

  /** Takes part in criminal proceedings (R11: an attribute, not a precondition): code of catalog `yes-no`. */
  @IsOptional()
  @IsCode('yes-no')
  inCriminalProceedings?: string;

  /** An interpreter was provided (R27; 004 ¶171): code of catalog `yes-no`. */
  @IsOptional()
  @IsCode('yes-no')
  interpreterProvided?: string;

  /** Migration events and detention episodes (R27, R19), in any order (kept sorted by date). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => MigrationEventDto)
  migrationEvents?: MigrationEventDto[];

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ExternalIdsDto)
  externalIds?: ExternalIdsDto;
}

export const VICTIM_PII_FIELDS = ['names', 'aliases', 'curp', 'phone', 'address', 'notes', 'clk'] as const;

/** The personal data of a victim record. */
export class VictimPiiDto extends PickType(VictimDto, VICTIM_PII_FIELDS) {}

/** The non-sensitive part of a victim record. */
export class VictimDataDto extends OmitType(VictimDto, VICTIM_PII_FIELDS) {}

/** A victim record as stored: non-sensitive `data`, and `pii` only with scope `pii:read`. */
export class VictimRecordDto extends RecordDtoOf(VictimDataDto, 'VictimPiiDto') {
  /**
   * Stable pseudonymous id of the person cluster this record belongs to (records of the same person,
   * across agencies, share it); null until the matching worker has processed the record. Unchanged when
   * unrelated records are added; on a merge the larger cluster's key survives, on a split the larger
   * part keeps it and the detached records get a new one (docs/matching.md).
   */
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Stable pseudonymous id of the person cluster (null until matched). See docs/matching.md.' })
  personKey!: string | null;
}

export class VictimPageDto extends RecordPageDtoOf(VictimRecordDto) {}

/** One entry of a victims batch: the document plus its localId. */
export class VictimBatchEntryDto extends BatchEntryDtoOf(VictimDto, 'V-2025-0001') {}

/** Up to 1,000 victim records. Each entry is validated on its own: a bad entry never drops the good ones. */
export class VictimBatchDto extends BatchDtoOf(VictimBatchEntryDto) {}

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


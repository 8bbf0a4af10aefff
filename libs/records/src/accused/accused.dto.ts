import { OmitType, PickType } from '@nestjs/swagger';
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
import { BatchDtoOf, BatchEntryDtoOf, RecordDtoOf, RecordPageDtoOf } from '../record-kind-dtos';
import { RecordListQueryDto } from '../records.dto';
import { PersonNamesDto } from '../victims/victim.dto';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const LOCAL_ID = /^[A-Za-z0-9._:/-]{1,128}$/;

/** The accused person's relationship to one victim (R15: kinship by blood, civil or affinity, and others). */
export class AccusedVictimRelationshipDto {
  /** localId of the victim record (it may be submitted later). @example "V-2025-0001" */
  @Matches(LOCAL_ID, { message: 'victimLocalId must be 1–128 characters of [A-Za-z0-9._:/-]' })
  victimLocalId!: string;

  /** Code of catalog `relationship-to-perpetrator`. @example "romantic_partner" */
  @IsCode('relationship-to-perpetrator')
  relationship!: string;
}

/**
 * Procedural status of the person for one offense of one file, from a date on. Several entries for the
 * same file and offense form its history (suspect → indicted_charged → prosecuted → sentenced); the
 * latest one is the current status.
 */
export class AccusedProceedingDto {
  /** localId of the case record (investigation file; it may be submitted later). @example "CI-2025-00123" */
  @Matches(LOCAL_ID, { message: 'caseLocalId must be 1–128 characters of [A-Za-z0-9._:/-]' })
  caseLocalId!: string;

  /** Code of catalog `offense`. @example "LGT-13" */
  @IsCode('offense')
  offense!: string;

  /** Code of catalog `accused-procedural-status`. @example "indicted_charged" */
  @IsCode('accused-procedural-status')
  status!: string;

  /** Date from which the status holds, YYYY-MM-DD. @example "2025-05-10" */
  @IsOptional()
  @Matches(DATE, { message: 'on must be a date YYYY-MM-DD' })
  on?: string;
}

/** One period in detention (pre-trial or after sentence). */
export class DetentionEpisodeDto {
  /** First day in detention, YYYY-MM-DD. @example "2025-05-08" */
  @Matches(DATE, { message: 'from must be a date YYYY-MM-DD' })
  from!: string;

  /** Last day in detention, YYYY-MM-DD; absent while still detained. */
  @IsOptional()
  @Matches(DATE, { message: 'to must be a date YYYY-MM-DD' })
  to?: string;

  /** localId of the case record the detention belongs to. */
  @IsOptional()
  @Matches(LOCAL_ID)
  caseLocalId?: string;

  /** Pre-trial detention (prisión preventiva), as opposed to serving a sentence. */
  @IsOptional()
  @IsBoolean()
  pretrial?: boolean;
}

/**
 * An accused person (persona imputada / probable responsable) of the agency (R15, R16, R19; brief §3.3
 * AccusedPerson). Neutral terms: the person is accused, not a "trafficker", until convicted. Codes come
 * from the catalogs at /v1/catalogs; categorical fields accept the null codes SI, NA, NR, RESERVED.
 * Names, aliases, CURP and notes are personal data: encrypted at rest, returned only with `pii:read`.
 */
export class AccusedPersonDto {
  /** Personal data. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PersonNamesDto)
  names?: PersonNamesDto;

  /** Nicknames or other names used (personal data). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  aliases?: string[];

  /** CURP, 18 characters (personal data). @example "GAPJ850312HPLRRN04" */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z]{4}\d{6}[HMXhmx][A-Za-z]{5}[0-9A-Za-z]\d$/, { message: 'curp must be an 18-character CURP' })
  curp?: string;

  /** Notes, free text (personal data). */
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  notes?: string;

  /** Code of catalog `sex`. @example "male" */
  @IsCode('sex')
  sex!: string;

  /** YYYY-MM-DD. @example "1985-03-12" */
  @IsOptional()
  @Matches(DATE, { message: 'birthDate must be a date YYYY-MM-DD' })
  birthDate?: string;

  /** Age in years on `ageOn`, when the birth date is unknown. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(120)
  age?: number;

  /** The date `age` refers to (YYYY-MM-DD); defaults to the first procedural status date. */
  @IsOptional()
  @Matches(DATE, { message: 'ageOn must be a date YYYY-MM-DD' })
  ageOn?: string;

  /** Codes of catalog `country` (ISO 3166-1 alpha-3). @example ["MEX"] */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5)
  @IsCode('country', { each: true })
  nationality!: string[];

  /** Code of catalog `state` (INEGI) of origin or birth; `NA` for persons born abroad. @example "21" */
  @IsCode('state')
  stateOfOrigin!: string;

  /** INEGI municipality code (3 digits) within stateOfOrigin. */
  @IsOptional()
  @Matches(/^\d{3}$/)
  municipalityOfOrigin?: string;

  /** Roles in the criminal structure: codes of catalog `accused-role` (multi-valued). @example ["recruiter"] */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsCode('accused-role', { each: true })
  roles!: string[];

  /** Probable organised-crime membership (R15): code of catalog `yes-no`. @example "no" */
  @IsOptional()
  @IsCode('yes-no')
  organisedCrime?: string;

  /** Probably a public servant (R15): code of catalog `yes-no`. @example "no" */
  @IsOptional()
  @IsCode('yes-no')
  publicServant?: string;

  /** Relationship to each victim (one entry per victim). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => AccusedVictimRelationshipDto)
  victims?: AccusedVictimRelationshipDto[];

  /** Procedural status per file and offense (the counting unit `accused_person` × offense), with its history. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => AccusedProceedingDto)
  proceedings!: AccusedProceedingDto[];

  /**
   * The person is also registered as a victim (R19): the record is flagged for review under art. 37 of
   * the General Law (non-punishment of victims).
   */
  @IsOptional()
  @IsBoolean()
  alsoRegisteredAsVictim?: boolean;

  /** localId of the agency's victim record of the same person, when alsoRegisteredAsVictim. */
  @IsOptional()
  @Matches(LOCAL_ID)
  victimRecordLocalId?: string;

  /** Detention episodes. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => DetentionEpisodeDto)
  detentions?: DetentionEpisodeDto[];
}

export const ACCUSED_PII_FIELDS = ['names', 'aliases', 'curp', 'notes'] as const;

/** The personal data of an accused-person record. */
export class AccusedPersonPiiDto extends PickType(AccusedPersonDto, ACCUSED_PII_FIELDS) {}

/** The non-sensitive part of an accused-person record. */
export class AccusedPersonDataDto extends OmitType(AccusedPersonDto, ACCUSED_PII_FIELDS) {}

/** An accused-person record as stored: non-sensitive `data`, and `pii` only with scope `pii:read`. */
export class AccusedPersonRecordDto extends RecordDtoOf(AccusedPersonDataDto, 'AccusedPersonPiiDto') {}

export class AccusedPersonPageDto extends RecordPageDtoOf(AccusedPersonRecordDto) {}

/** One entry of an accused batch: the document plus its localId. */
export class AccusedPersonBatchEntryDto extends BatchEntryDtoOf(AccusedPersonDto, 'IMP-2025-0007') {}

/** Up to 1,000 accused-person records. Each entry is validated on its own: a bad entry never drops the good ones. */
export class AccusedPersonBatchDto extends BatchDtoOf(AccusedPersonBatchEntryDto) {}

/** Filters of GET /v1/accused. */
export class AccusedListQueryDto extends RecordListQueryDto {
  /** Code of catalog `sex`. */
  @IsOptional()
  @IsCode('sex')
  sex?: string;

  /** Accused of this offense (code of catalog `offense`) in some file. */
  @IsOptional()
  @IsCode('offense')
  offense?: string;

  /** Current procedural status (catalog `accused-procedural-status`) for some file and offense. */
  @IsOptional()
  @IsCode('accused-procedural-status')
  status?: string;

  /** Accused in this case (its localId). */
  @IsOptional()
  @Matches(LOCAL_ID)
  caseLocalId?: string;

  /** Only persons flagged as also registered as victims (art. 37 review). */
  @IsOptional()
  @IsIn(['true', 'false'])
  alsoRegisteredAsVictim?: 'true' | 'false';
}

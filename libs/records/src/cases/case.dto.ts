import { OmitType, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsObject, IsOptional, IsString, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IsCode } from '../catalog-code';
import { BatchDtoOf, BatchEntryDtoOf, RecordDtoOf, RecordPageDtoOf } from '../record-kind-dtos';
import { RecordListQueryDto } from '../records.dto';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const LOCAL_ID = /^[A-Za-z0-9._:/-]{1,128}$/;

/**
 * One charged offense (the CNDH counting unit: one entry per offense of the General Law, never one
 * entry for a file with several offenses).
 */
export class ChargeDto {
  /** Code of catalog `offense` (every code of the catalog is accepted). @example "LGT-13" */
  @IsString()
  @Length(1, 80)
  offense!: string;

  /** True for an attempt (tentativa), false for a consummated offense. */
  @IsBoolean()
  attempted!: boolean;

  /** Codes of catalog `exploitation-form`. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsCode('exploitation-form', { each: true })
  exploitationForms?: string[];

  /** Codes of catalog `aggravating-circumstance`. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsCode('aggravating-circumstance', { each: true })
  aggravating?: string[];

  /** localIds of the victims of this offense (they must also be in the case's `victims`, when given). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @Matches(LOCAL_ID, { each: true })
  victims?: string[];

  /** localIds of the accused persons charged with this offense. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @Matches(LOCAL_ID, { each: true })
  accused?: string[];

  /** Code of catalog `charge-stage`. @example "investigated" */
  @IsOptional()
  @IsCode('charge-stage')
  stage?: string;

  /** Reclassification: the offense code this charge was replaced by. */
  @IsOptional()
  @IsString()
  @Length(1, 80)
  replacedBy?: string;

  /**
   * Set by the server, ignored on input: the agency's own code as submitted, when `offense` was
   * translated to the standard code through the agency's crosswalk (PUT /v1/crosswalks/offense).
   */
  @IsOptional()
  @IsString()
  @Length(1, 80)
  submittedOffense?: string;
}

/** A victim of the case, with the offenses committed against that victim. */
export class CaseVictimDto {
  /** localId of the victim record (it may be submitted later). */
  @Matches(LOCAL_ID)
  localId!: string;

  /** Codes of catalog `offense`. */
  @IsArray()
  @ArrayMaxSize(40)
  @IsCode('offense', { each: true })
  offenses!: string[];
}

/** A link to a file of another (or the same) agency: transfer or accumulation. */
export class CaseLinkDto {
  /** Agency code. @example "fgr" */
  @IsString()
  @Length(1, 64)
  agency!: string;

  @Matches(LOCAL_ID)
  localId!: string;
}

export class StatusChangeDto {
  /** Code of catalog `investigation-status`. */
  @IsCode('investigation-status')
  status!: string;

  /** YYYY-MM-DD */
  @Matches(DATE, { message: 'on must be a date YYYY-MM-DD' })
  on!: string;
}

export class PlaceDto {
  /** Code of catalog `state`. */
  @IsCode('state')
  state!: string;

  /** INEGI municipality code (3 digits). */
  @IsOptional()
  @Matches(/^\d{3}$/)
  municipality?: string;
}

export class ProbableInvolvementDto {
  /** Code of catalog `yes-no`: a relative of the victim is probably involved. */
  @IsOptional()
  @IsCode('yes-no')
  kinship?: string;

  /** Code of catalog `yes-no`: organised crime probably involved. */
  @IsOptional()
  @IsCode('yes-no')
  organisedCrime?: string;

  /** Code of catalog `yes-no`: a public servant probably involved. */
  @IsOptional()
  @IsCode('yes-no')
  publicServant?: string;
}

/** An investigation file (carpeta de investigación) with one charge per offense (R1, R13, R15, R17, R18). */
export class CaseDto {
  /** The file number as the agency writes it. @example "CI-FIDAMPT/T3/00123/2025-04" */
  @IsString()
  @Length(1, 80)
  fileNumber!: string;

  /** Code of catalog `file-type`. @example "carpeta_investigacion" */
  @IsCode('file-type')
  fileType!: string;

  /** Code of catalog `jurisdiction-type` (local or federal). @example "fuero_comun" */
  @IsCode('jurisdiction-type')
  jurisdiction!: string;

  /** Code of catalog `state` (`FED` for federal files). @example "09" */
  @IsCode('state')
  state!: string;

  /** YYYY-MM-DD. @example "2025-04-02" */
  @Matches(DATE, { message: 'openedOn must be a date YYYY-MM-DD' })
  openedOn!: string;

  /** Code of catalog `investigation-origin`. */
  @IsOptional()
  @IsCode('investigation-origin')
  origin?: string;

  /** Code of catalog `legal-basis`. */
  @IsOptional()
  @IsCode('legal-basis')
  legalBasis?: string;

  /** Code of catalog `investigation-status`. */
  @IsOptional()
  @IsCode('investigation-status')
  status?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => StatusChangeDto)
  statusHistory?: StatusChangeDto[];

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PlaceDto)
  placeOfOccurrence?: PlaceDto;

  /** One entry per charged offense. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => ChargeDto)
  charges!: ChargeDto[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => CaseVictimDto)
  victims?: CaseVictimDto[];

  /** localIds of the accused persons. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @Matches(LOCAL_ID, { each: true })
  accused?: string[];

  /** Codes of catalog `recruitment-method`. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsCode('recruitment-method', { each: true })
  recruitmentMeans?: string[];

  /** Codes of catalog `platform`. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsCode('platform', { each: true })
  platforms?: string[];

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => CaseLinkDto)
  transferredFrom?: CaseLinkDto;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => CaseLinkDto)
  transferredTo?: CaseLinkDto;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => CaseLinkDto)
  accumulatedInto?: CaseLinkDto;

  /** Code of catalog `international-cooperation`. */
  @IsOptional()
  @IsCode('international-cooperation')
  internationalCooperation?: string;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ProbableInvolvementDto)
  probableInvolvement?: ProbableInvolvementDto;

  /** Narrative of the facts, free text (personal data: encrypted, returned only with `pii:read`). */
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  narrative?: string;
}

export const CASE_PII_FIELDS = ['narrative'] as const;

/** The personal data of a case record. */
export class CasePiiDto extends PickType(CaseDto, CASE_PII_FIELDS) {}

/** The non-sensitive part of a case record. */
export class CaseDataDto extends OmitType(CaseDto, CASE_PII_FIELDS) {}

/** A case record as stored: non-sensitive `data`, and `pii` only with scope `pii:read`. */
export class CaseRecordDto extends RecordDtoOf(CaseDataDto, 'CasePiiDto') {}

export class CasePageDto extends RecordPageDtoOf(CaseRecordDto) {}

/** One entry of a cases batch: the document plus its localId. */
export class CaseBatchEntryDto extends BatchEntryDtoOf(CaseDto, 'CI-2025-00123') {}

/** Up to 1,000 case records. Each entry is validated on its own: a bad entry never drops the good ones. */
export class CaseBatchDto extends BatchDtoOf(CaseBatchEntryDto) {}

/** Filters of GET /v1/cases. */
export class CaseListQueryDto extends RecordListQueryDto {
  /** Cases with a charge of this code of catalog `offense`. */
  @IsOptional()
  @IsCode('offense')
  offense?: string;

  /** Code of catalog `jurisdiction-type`. */
  @IsOptional()
  @IsCode('jurisdiction-type')
  jurisdiction?: string;

  /** Cases with a charge at this stage (catalog `charge-stage`). */
  @IsOptional()
  @IsCode('charge-stage')
  stage?: string;

  /** Opened on or after (YYYY-MM-DD). */
  @IsOptional()
  @Matches(DATE)
  openedFrom?: string;

  /** Opened on or before (YYYY-MM-DD). */
  @IsOptional()
  @Matches(DATE)
  openedTo?: string;
}

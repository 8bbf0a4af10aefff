import { OmitType, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
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

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const LOCAL_ID = /^[A-Za-z0-9._:/-]{1,128}$/;
/** Largest amount accepted (MXN). */
const MAX_AMOUNT = 1_000_000_000_000;

/** A prison term; the longest term the sources report is 196 years 6 months (001 Prosecution ¶2). */
export class PrisonTermDto {
  /** Whole years, 0–196. @example 15 */
  @IsInt()
  @Min(0)
  @Max(196)
  years!: number;

  /** Months beyond the years, 0–11. @example 6 */
  @IsInt()
  @Min(0)
  @Max(11)
  months!: number;
}

/** Court-ordered redress or restitution to the victims (R23), in Mexican pesos (MXN). */
export class ReparationDto {
  /** Amount ordered by the court (MXN). @example 250000 */
  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(MAX_AMOUNT)
  ordered?: number;

  /** Amount paid by the convicted person so far (MXN). @example 50000 */
  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(MAX_AMOUNT)
  paidByConvicted?: number;

  /** Amount covered by the victims' Fund (Fondo de Ayuda, Asistencia y Reparación Integral) so far (MXN). */
  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(MAX_AMOUNT)
  paidByFund?: number;

  /** Code of catalog `redress-status`. @example "partially_paid" */
  @IsOptional()
  @IsCode('redress-status')
  status?: string;

  /** Date of the latest payment, YYYY-MM-DD. */
  @IsOptional()
  @Matches(DATE, { message: 'lastPaymentOn must be a date YYYY-MM-DD' })
  lastPaymentOn?: string;
}

/**
 * A judicial decision about one accused person and one offense (R17, R18, R23; brief §3.3
 * JudicialDecision): the counting unit is the person × offense. The offense of the decision
 * (`offense`) may differ from the offense charged (`chargedOffense`), e.g. after reclassification.
 * Codes come from the catalogs at /v1/catalogs; categorical fields accept the null codes SI, NA, NR, RESERVED.
 */
export class JudicialOutcomeDto {
  /** localId of the case record (investigation file; it may be submitted later). @example "CI-2025-00123" */
  @Matches(LOCAL_ID, { message: 'caseLocalId must be 1–128 characters of [A-Za-z0-9._:/-]' })
  caseLocalId!: string;

  /** localId of the accused-person record (it may be submitted later). @example "IMP-2025-0007" */
  @Matches(LOCAL_ID, { message: 'accusedLocalId must be 1–128 characters of [A-Za-z0-9._:/-]' })
  accusedLocalId!: string;

  /** Offense of the decision (of conviction or acquittal): code of catalog `offense`. @example "LGT-13" */
  @IsCode('offense')
  offense!: string;

  /** Offense charged, when different from `offense` (reclassification, R18): code of catalog `offense`. */
  @IsOptional()
  @IsCode('offense')
  chargedOffense?: string;

  /** Name of the court (juzgado / tribunal de enjuiciamiento). @example "Tribunal de Enjuiciamiento de la Ciudad de México, Sala 4" */
  @IsString()
  @Length(1, 200)
  court!: string;

  /** Court case number (número de causa penal / toca), R37. @example "CP-123/2025" */
  @IsOptional()
  @IsString()
  @Length(1, 80)
  courtCaseNumber?: string;

  /** Code of catalog `jurisdiction-type` (local or federal court). @example "fuero_comun" */
  @IsCode('jurisdiction-type')
  courtJurisdiction!: string;

  /** Code of catalog `state` of the court (`FED` for federal courts). @example "09" */
  @IsCode('state')
  courtState!: string;

  /** Date of the decision, YYYY-MM-DD (not in the future). @example "2025-11-20" */
  @Matches(DATE, { message: 'decisionDate must be a date YYYY-MM-DD' })
  decisionDate!: string;

  /** Code of catalog `judicial-outcome`. @example "conviction" */
  @IsCode('judicial-outcome')
  outcome!: string;

  /** Code of catalog `procedure-type`. @example "ordinary" */
  @IsOptional()
  @IsCode('procedure-type')
  procedure?: string;

  /** The decision is final (sentencia firme / ejecutoriada). @example false */
  @IsBoolean()
  final!: boolean;

  /** Result of an appeal: code of catalog `appeal-result`. */
  @IsOptional()
  @IsCode('appeal-result')
  appealResult?: string;

  /** Date of the appeal decision, YYYY-MM-DD. */
  @IsOptional()
  @Matches(DATE, { message: 'appealDecidedOn must be a date YYYY-MM-DD' })
  appealDecidedOn?: string;

  /** Prison term imposed (convictions only). */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PrisonTermDto)
  prisonTerm?: PrisonTermDto;

  /** Fine imposed (MXN; convictions only). @example 120000 */
  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(MAX_AMOUNT)
  fine?: number;

  /** Fine in days of fine (días multa), when the court expressed it so. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100000)
  fineDays?: number;

  /** Redress / restitution ordered and paid (R23). */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ReparationDto)
  reparation?: ReparationDto;

  /** localIds of the victim records named in the decision. @example ["V-2025-0001"] */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @Matches(LOCAL_ID, { each: true })
  victims?: string[];

  /** Notes on the decision, free text (personal data: encrypted, returned only with `pii:read`). */
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  notes?: string;
}

export const JUDICIAL_OUTCOME_PII_FIELDS = ['notes'] as const;

/** The personal data of a judicial-outcome record. */
export class JudicialOutcomePiiDto extends PickType(JudicialOutcomeDto, JUDICIAL_OUTCOME_PII_FIELDS) {}

/** The non-sensitive part of a judicial-outcome record. */
export class JudicialOutcomeDataDto extends OmitType(JudicialOutcomeDto, JUDICIAL_OUTCOME_PII_FIELDS) {}

/** A judicial-outcome record as stored: non-sensitive `data`, and `pii` only with scope `pii:read`. */
export class JudicialOutcomeRecordDto extends RecordDtoOf(JudicialOutcomeDataDto, 'JudicialOutcomePiiDto') {}

export class JudicialOutcomePageDto extends RecordPageDtoOf(JudicialOutcomeRecordDto) {}

/** One entry of a judicial-outcomes batch: the document plus its localId. */
export class JudicialOutcomeBatchEntryDto extends BatchEntryDtoOf(JudicialOutcomeDto, 'SEN-2025-0042-LGT-13') {}

/** Up to 1,000 judicial-outcome records. Each entry is validated on its own: a bad entry never drops the good ones. */
export class JudicialOutcomeBatchDto extends BatchDtoOf(JudicialOutcomeBatchEntryDto) {}

/** Filters of GET /v1/judicial-outcomes. */
export class JudicialOutcomeListQueryDto extends RecordListQueryDto {
  /** Code of catalog `judicial-outcome`. */
  @IsOptional()
  @IsCode('judicial-outcome')
  outcome?: string;

  /** Code of catalog `offense` (the offense of the decision). */
  @IsOptional()
  @IsCode('offense')
  offense?: string;

  /** Decisions of this case (its localId). */
  @IsOptional()
  @Matches(LOCAL_ID)
  caseLocalId?: string;

  /** Decisions about this accused person (its localId). */
  @IsOptional()
  @Matches(LOCAL_ID)
  accusedLocalId?: string;

  /** Only final (true) or only non-final (false) decisions. */
  @IsOptional()
  @IsIn(['true', 'false'])
  final?: 'true' | 'false';

  /** Decided on or after (YYYY-MM-DD). */
  @IsOptional()
  @Matches(DATE)
  decidedFrom?: string;

  /** Decided on or before (YYYY-MM-DD). */
  @IsOptional()
  @Matches(DATE)
  decidedTo?: string;
}

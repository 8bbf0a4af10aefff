import { getMetadataStorage } from 'class-validator';
import { catalogRegistry } from '@app/catalogs';

/** How a cell is turned into a field value. */
export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'code' | 'json';

/** One flat column of a record kind: a field path of the entry DTO (dot notation, e.g. `names.firstName`). */
export interface FieldColumn {
  path: string;
  type: FieldType;
  /** Multi-valued (a list in one cell, separated by the profile's listSeparator). */
  list: boolean;
  /** Catalog of a `code` column. */
  catalog?: string;
  required: boolean;
  /** Personal data (encrypted at rest; exported only with `pii:read`; error values withheld). */
  pii: boolean;
  headerEs: string;
  headerEn: string;
}

const DATE_SOURCE = '^\\d{4}-\\d{2}-\\d{2}$';

/** Spanish headers of the fields we know; other fields fall back to a readable form of the path. */
const ES: Record<string, string> = {
  localId: 'ID local',
  'names.firstName': 'Nombre',
  'names.middleName': 'Segundo nombre',
  'names.paternalSurname': 'Apellido paterno',
  'names.maternalSurname': 'Apellido materno',
  aliases: 'Alias',
  curp: 'CURP',
  phone: 'Teléfono',
  address: 'Domicilio',
  notes: 'Notas',
  sex: 'Sexo',
  genderIdentity: 'Identidad de género',
  birthDate: 'Fecha de nacimiento',
  ageAtEvent: 'Edad al momento del hecho',
  eventDate: 'Fecha del hecho',
  ageAtExploitationStart: 'Edad al inicio de la explotación',
  nationality: 'Nacionalidad',
  stateOfOrigin: 'Entidad de origen',
  municipalityOfOrigin: 'Municipio de origen',
  indigenousLanguage: 'Lengua indígena',
  vulnerableGroups: 'Grupos en situación de vulnerabilidad',
  disability: 'Discapacidad',
  migrationStatus: 'Situación migratoria',
  victimType: 'Tipo de víctima',
  relationshipToDirectVictim: 'Parentesco con la víctima directa',
  directVictimLocalId: 'ID local de la víctima directa',
  identificationRoute: 'Vía de identificación',
  identifiedOn: 'Fecha de identificación',
  offenses: 'Delitos',
  exploitationForms: 'Formas de explotación',
  protectedIdentity: 'Identidad protegida',
  consentToShare: 'Consiente compartir',
  'externalIds.sintra': 'Folio SINTRA',
  'externalIds.renavi': 'Registro RENAVI',
  fileNumber: 'Número de carpeta',
  fileType: 'Tipo de expediente',
  jurisdiction: 'Fuero',
  state: 'Entidad federativa',
  openedOn: 'Fecha de inicio',
  origin: 'Origen de la investigación',
  legalBasis: 'Fundamento legal',
  status: 'Estatus',
  statusHistory: 'Historial de estatus (JSON)',
  'placeOfOccurrence.state': 'Entidad del hecho',
  'placeOfOccurrence.municipality': 'Municipio del hecho',
  charges: 'Imputaciones (JSON)',
  victims: 'Víctimas (JSON)',
  accused: 'Personas imputadas (IDs locales)',
  recruitmentMeans: 'Medios de enganche',
  platforms: 'Plataformas',
};

const humanise = (path: string) =>
  path
    .split('.')
    .map((p) => p.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase())
    .join(' / ')
    .replace(/^./, (c) => c.toUpperCase());

interface Meta {
  propertyName: string;
  type: string;
  name?: string;
  each?: boolean;
  constraints?: unknown[];
}

const cache = new Map<Function, FieldColumn[]>();

/**
 * The flat columns of a record kind, derived from its entry DTO's class-validator metadata (so a new
 * field or a new kind needs no change here): scalars and lists of scalars become one column each,
 * nested objects are flattened (`names.firstName`), lists of objects are one JSON column.
 */
export function columnsOf(entryClass: Function, piiFields: readonly string[] = []): FieldColumn[] {
  let base = cache.get(entryClass);
  if (!base) {
    base = [];
    walk(entryClass, '', [], base, true);
    // localId first.
    base.sort((a, b) => (a.path === 'localId' ? -1 : b.path === 'localId' ? 1 : 0));
    cache.set(entryClass, base);
  }
  return base.map((c) => ({ ...c, pii: piiFields.includes(c.path.split('.')[0]) }));
}

function walk(cls: Function, prefix: string, piiFields: readonly string[], out: FieldColumn[], parentRequired: boolean): void {
  const metas = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false) as unknown as Meta[];
  const props = [...new Set(metas.map((m) => m.propertyName))];
  for (const prop of props) {
    const ms = metas.filter((m) => m.propertyName === prop);
    const path = prefix ? `${prefix}.${prop}` : prop;
    const optional = ms.some((m) => m.type === 'conditionalValidation');
    const isArray = ms.some((m) => m.name === 'isArray');
    const nested = ms.some((m) => m.type === 'nestedValidation');
    const top = path.split('.')[0];
    const pii = piiFields.includes(top);
    const required = parentRequired && !optional;
    if (nested) {
      // The nested class, from the emitted design type (a list of objects is one JSON column).
      const child = Reflect.getMetadata('design:type', cls.prototype as object, prop) as Function | undefined;
      if (!isArray && child && child !== Object && child !== Array) {
        walk(child, path, piiFields, out, required);
        continue;
      }
      out.push({ path, type: 'json', list: false, required, pii, headerEs: ES[path] ?? humanise(path), headerEn: path });
      continue;
    }
    const code = ms.find((m) => m.name === 'isCode');
    const matches = ms.find((m) => m.name === 'matches');
    const pattern = matches?.constraints?.[0];
    let type: FieldType = 'string';
    if (code) type = 'code';
    else if (ms.some((m) => m.name === 'isInt')) type = 'integer';
    else if (ms.some((m) => m.name === 'isNumber')) type = 'number';
    else if (ms.some((m) => m.name === 'isBoolean')) type = 'boolean';
    else if (pattern instanceof RegExp && pattern.source === DATE_SOURCE) type = 'date';
    out.push({
      path,
      type,
      list: isArray,
      catalog: code ? String(code.constraints?.[0]) : undefined,
      required,
      pii,
      headerEs: ES[path] ?? humanise(path),
      headerEn: path,
    });
  }
}

/** Lower case, no accents, single spaces: how headers and labels are compared. */
export const fold = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();

const codeIndexes = new Map<string, Map<string, string>>();

/**
 * Resolves a cell to a code of `catalog` without a profile: the exact code, the code in another case,
 * a number missing its leading zeros (Excel turns `09` into 9), or the Spanish/English label.
 */
export function lookupCode(catalog: string, raw: string): string | undefined {
  const registry = catalogRegistry();
  if (registry.has(catalog, raw)) return raw;
  let index = codeIndexes.get(catalog);
  if (!index) {
    index = new Map();
    const data = registry.get(catalog);
    for (const code of registry.allowed(catalog)) {
      index.set(fold(code), code);
      const e = data?.entries.find((x) => x.code === code);
      const labels = e as unknown as { labelEs?: string; labelEn?: string } | undefined;
      if (labels?.labelEs && !index.has(fold(labels.labelEs))) index.set(fold(labels.labelEs), code);
      if (labels?.labelEn && !index.has(fold(labels.labelEn))) index.set(fold(labels.labelEn), code);
    }
    codeIndexes.set(catalog, index);
  }
  const folded = fold(raw);
  const hit = index.get(folded);
  if (hit) return hit;
  if (/^\d+$/.test(folded)) {
    for (const width of [2, 3, 4]) {
      const padded = folded.padStart(width, '0');
      if (registry.has(catalog, padded)) return padded;
    }
  }
  return undefined;
}

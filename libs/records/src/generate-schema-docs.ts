import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CatalogRegistry, NULL_CODES } from '@app/catalogs';

/**
 * Writes docs/schema.md, the standard schema explained field by field in Spanish and English terms,
 * from the OpenAPI contract (openapi/openapi.json: every record kind's document DTO) and the catalogs
 * (libs/catalogs/data), with the counting units, the null-code semantics and one example payload per kind.
 * Run with `npm run docs:schema` (compiled by nest build, run from dist; reads and writes relative to the cwd).
 */

interface Schema {
  type?: string;
  $ref?: string;
  allOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  description?: string;
  example?: unknown;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  nullable?: boolean;
  additionalProperties?: boolean | Schema;
}
interface Operation {
  tags?: string[];
  'x-scopes'?: string[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
interface OpenApi {
  info: { version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const CATALOG_DOC = 'schema-catalogs.md';

/** Spanish and English names of each record kind (the key is the path segment). */
const KIND_NAMES: Record<string, { es: string; en: string; unit: string; about?: string }> = {
  victims: { es: 'Víctimas (registro de víctima por institución)', en: 'Victims (one agency registration of a victim)', unit: 'victim_registration' },
  cases: { es: 'Carpetas de investigación / averiguaciones previas', en: 'Investigation files', unit: 'investigation_file; offence_charge per entry of `charges`' },
  accused: {
    es: 'Personas imputadas (probables responsables)',
    en: 'Accused persons',
    unit: 'accused_person; one statistics row per person × file × offense',
    about:
      'A person indicted or charged (*persona imputada*) for a General Law offense (R15, R16, R19). Neutral terms: never "trafficker" before conviction (004 ¶79). One record per person per agency; `proceedings` gives the procedural status per file and offense with its history (the latest `on` is current); `alsoRegisteredAsVictim` flags the record for the art. 37 non-punishment review; the CURP keyed hash lets statistics find persons registered both as victim and accused.',
  },
  'judicial-outcomes': {
    es: 'Resoluciones judiciales (por persona y delito)',
    en: 'Judicial outcomes (per person and offense)',
    unit: 'sentence (person × offense); person_sentenced / person_convicted count distinct accusedLocalId',
    about:
      'One court decision about one accused person and one offense (R17, R18, R23). The offense of the decision may differ from the one charged (`chargedOffense`, reclassification). Rejected as impossible: a prison term, fine or reparation with an acquittal or dismissal; a decision date in the future; a prison term over 196 years 6 months; `conviction_revoked` on anything but a conviction; a final decision with a pending appeal. A conviction revoked on appeal counts as an acquittal in statistics (004 fn 24). Amounts are Mexican pesos (MXN).',
  },
  reports: { es: 'Reportes de la Línea Nacional contra la Trata', en: 'Hotline reports', unit: 'report; hotline_case when classified as trafficking' },
  operations: {
    es: 'Operativos y rescates',
    en: 'Operations and rescues',
    unit: 'operation; rescued_person per entry of `rescuedPersons` plus the `count` of each `rescuedCounts` row',
    about:
      'An operation or rescue (R33): date, state and municipality, types of place, the offenses targeted (any General Law offense, not only sexual exploitation; 004 ¶177, ¶272), the agencies involved and whether a human-rights body was notified (¶290.3). A rescued person is not necessarily an identified victim (¶177): each may link to the agency\'s victim record (`victimLocalId`); persons reported only as totals go in `rescuedCounts`. `GET /v1/operations/summary` counts rescued persons by sex, age group, nationality, state or link.',
  },
  shelters: {
    es: 'Refugios, albergues y casas de medio camino',
    en: 'Shelters',
    unit: 'shelter',
    about:
      'A shelter registry entry (R25): type, operator, specialisation, populations accepted (adult men, maximum age of boys, children of victims), capacity, maximum stay, official roster, supervisory visits (004 ¶167). Name, address and contact are protected personal data. `GET /v1/shelters/occupancy` gives places taken and free on a day.',
  },
  'shelter-stays': {
    es: 'Estancias en refugio',
    en: 'Shelter stays',
    unit: 'shelter_stay',
    about: "A victim's stay in one of the agency's shelters (R25): admission and exit dates, accompanying children, movement restriction (a warning: 001 Recs), the referral that placed the victim.",
  },
  agreements: {
    es: 'Convenios de colaboración',
    en: 'Agreements (convenios)',
    unit: 'agreement',
    about: 'An agreement between the agency and other agencies, shelters or NGOs (R21): purposes, parties, validity. A referral may cite one (`agreementLocalId`): it must be in force and name the receiver when it names parties by directory code.',
  },
  assistance: {
    es: 'Servicios de atención a víctimas (ayuda inmediata, asistencia y atención)',
    en: 'Assistance records (services ledger)',
    unit: 'service (one record per service given to one victim); assisted_victim counts distinct victimLocalId',
    about:
      'One service given to a victim — direct, indirect or witness (R22; 004 ¶52, ¶219-220): its type, the CEAV model stage (defaults to the service type\'s stage in the catalog; a warning when it differs), emergency or ongoing care (defaults to the service type\'s flag), the provider, start and end dates (the duration counts both ends), the status, the referral that led to it and the earlier service it follows up. Rejected: an end before the start, dates in the future, an ongoing service with an end date, a completed or interrupted one without. Notes are personal data. Projection `assistance_facts` (one row per service: type, stage, emergency, provider kind, dates, `duration_days`, status) holds the "type and duration of services"; `GET /v1/assistance?noFollowUpWithinDays=N` lists emergency services with no later service of the same victim within N days ("no follow-up after emergency care").',
  },
};

/** Spanish terms of field names (the glossary of the brief, §5); catalog fields fall back to the catalog's Spanish label. */
const FIELD_ES: Record<string, string> = {
  localId: 'identificador propio de la institución',
  names: 'nombre(s) y apellidos',
  firstName: 'nombre',
  middleName: 'segundo nombre',
  paternalSurname: 'apellido paterno',
  maternalSurname: 'apellido materno',
  aliases: 'alias / sobrenombres',
  curp: 'CURP (Clave Única de Registro de Población)',
  phone: 'teléfono',
  address: 'domicilio',
  notes: 'observaciones',
  narrative: 'narración de los hechos',
  birthDate: 'fecha de nacimiento',
  age: 'edad',
  ageOn: 'fecha a la que se refiere la edad',
  ageAtEvent: 'edad al momento de los hechos',
  ageAtExploitationStart: 'edad al inicio de la explotación',
  eventDate: 'fecha de los hechos',
  municipalityOfOrigin: 'municipio de origen (clave INEGI)',
  directVictimLocalId: 'víctima directa (identificador)',
  identifiedOn: 'fecha de identificación',
  protectedIdentity: 'identidad protegida / reservada',
  consentToShare: 'consentimiento para compartir',
  externalIds: 'identificadores externos',
  sintra: 'folio SINTRA',
  renavi: 'folio RENAVI (CEAV)',
  fileNumber: 'número de carpeta / averiguación',
  openedOn: 'fecha de inicio',
  statusHistory: 'historial de estatus',
  on: 'fecha',
  placeOfOccurrence: 'lugar de los hechos',
  municipality: 'municipio (clave INEGI)',
  charges: 'delitos imputados (uno por delito)',
  attempted: 'tentativa',
  replacedBy: 'reclasificado como',
  submittedOffense: 'código de delito propio (tabla de equivalencias)',
  victims: 'víctimas',
  accused: 'personas imputadas',
  transferredFrom: 'remitida desde (incompetencia)',
  transferredTo: 'remitida a (incompetencia)',
  accumulatedInto: 'acumulada a',
  agency: 'institución',
  probableInvolvement: 'probable participación',
  kinship: 'parentesco con la víctima',
  organisedCrime: 'delincuencia organizada',
  publicServant: 'persona servidora pública',
  victimLocalId: 'víctima (identificador)',
  relationship: 'relación con la víctima',
  proceedings: 'situación procesal por carpeta y delito',
  caseLocalId: 'carpeta de investigación (identificador)',
  alsoRegisteredAsVictim: 'registrada también como víctima (art. 37, no punibilidad)',
  victimRecordLocalId: 'registro de víctima de la misma persona (identificador)',
  detentions: 'episodios de detención',
  from: 'desde',
  to: 'hasta',
  pretrial: 'prisión preventiva',
  accusedLocalId: 'persona imputada (identificador)',
  chargedOffense: 'delito imputado (si difiere del de la sentencia)',
  court: 'órgano jurisdiccional (juzgado / tribunal)',
  courtCaseNumber: 'número de causa penal / toca',
  courtState: 'entidad del órgano jurisdiccional',
  decisionDate: 'fecha de la resolución',
  final: 'sentencia firme / ejecutoriada',
  appealDecidedOn: 'fecha de resolución de la apelación',
  prisonTerm: 'pena de prisión',
  years: 'años',
  months: 'meses',
  fine: 'multa (MXN)',
  fineDays: 'días multa',
  reparation: 'reparación del daño',
  ordered: 'monto ordenado',
  paidByConvicted: 'monto pagado por la persona sentenciada',
  paidByFund: 'monto cubierto por el Fondo de Ayuda, Asistencia y Reparación Integral',
  lastPaymentOn: 'fecha del último pago',
  emergency: 'atención de emergencia',
  providerKind: 'tipo de institución u organización que presta el servicio',
  providerName: 'institución u organización que presta el servicio',
  startDate: 'fecha de inicio del servicio',
  endDate: 'fecha de término del servicio',
  referralId: 'canalización (identificador)',
  followUpOf: 'servicio al que da seguimiento (identificador)',
};

const cell = (v: unknown): string => (v === null || v === undefined ? '' : String(v)).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const row = (cells: unknown[]): string => `| ${cells.map(cell).join(' | ')} |`;
const refName = (ref: string): string => ref.replace('#/components/schemas/', '');

export class SchemaDocs {
  constructor(
    private readonly api: OpenApi,
    private readonly catalogs: CatalogRegistry,
  ) {}

  private resolve(s: Schema): { schema: Schema; name?: string } {
    if (s.$ref) return { schema: this.api.components.schemas[refName(s.$ref)], name: refName(s.$ref) };
    if (s.allOf?.length === 1) {
      const inner = this.resolve(s.allOf[0]);
      return { schema: { ...inner.schema, description: s.description ?? inner.schema.description }, name: inner.name };
    }
    return { schema: s };
  }

  /** The catalog a field's codes come from, read from its description ("code(s) of catalog `x`"). */
  private catalogOf(description: string | undefined): string | undefined {
    const m = /catalog `([a-z0-9-]+)`/.exec(description ?? '');
    return m && this.catalogs.get(m[1]) ? m[1] : undefined;
  }

  private typeOf(s: Schema): string {
    const { schema, name } = this.resolve(s);
    if (name && schema.properties) return `object (${name})`;
    if (schema.type === 'array' && schema.items) {
      const inner = this.resolve(schema.items);
      const t = inner.name && inner.schema.properties ? `object (${inner.name})` : this.typeOf(schema.items);
      return `array of ${t}${schema.minItems || schema.maxItems ? ` [${schema.minItems ?? 0}..${schema.maxItems ?? 'n'}]` : ''}`;
    }
    const bits: string[] = [];
    if (schema.type === 'number' || schema.type === 'integer') {
      if (schema.minimum !== undefined || schema.maximum !== undefined) bits.push(`${schema.minimum ?? ''}..${schema.maximum ?? ''}`);
    }
    if (schema.type === 'string' && (schema.minLength !== undefined || schema.maxLength !== undefined)) bits.push(`length ${schema.minLength ?? 0}..${schema.maxLength ?? 'n'}`);
    if (schema.enum) bits.push(`one of ${schema.enum.map((e) => `\`${String(e)}\``).join(', ')}`);
    if (/YYYY-MM-DD/.test(schema.description ?? '')) bits.push('date YYYY-MM-DD');
    return `${schema.type ?? 'object'}${bits.length ? ` (${bits.join('; ')})` : ''}`;
  }

  /** Flattens a DTO into rows: dotted path, type, required, catalog, Spanish term, description. */
  private fields(schemaName: string, pii: Set<string>, prefix = '', depth = 0): string[][] {
    const schema = this.api.components.schemas[schemaName];
    const rows: string[][] = [];
    const required = new Set(schema.required ?? []);
    for (const [name, prop] of Object.entries(schema.properties ?? {}).sort(([a], [b]) => this.order(schema, a) - this.order(schema, b))) {
      const { schema: resolved } = this.resolve(prop);
      const description = prop.description ?? resolved.description ?? '';
      const itemSchema = resolved.type === 'array' && resolved.items ? this.resolve(resolved.items) : undefined;
      const catalog = this.catalogOf(description) ?? this.catalogOf(itemSchema?.schema.description);
      const path = `${prefix}${name}${resolved.type === 'array' ? '[]' : ''}`;
      const es = FIELD_ES[name] ?? (catalog ? this.catalogs.get(catalog)!.labelEs.toLowerCase() : '');
      const isPii = depth === 0 && pii.has(name);
      rows.push([
        `\`${path}\``,
        this.typeOf(prop),
        required.has(name) ? 'required' : 'optional',
        catalog ? `[\`${catalog}\`](${CATALOG_DOC}#catalog-${catalog})${this.catalogs.get(catalog)!.nullCodes ? ' + null codes' : ''}` : '',
        es,
        `${isPii ? '**Personal data** (encrypted at rest, returned only with `pii:read`). ' : ''}${isPii ? description.replace(/\s*\(personal data[^)]*\)/i, '').replace(/^\s*Personal data\.\s*/i, '') : description}`.trim(),
      ]);
      const nested = this.resolve(prop);
      const child = nested.name && nested.schema.properties ? nested.name : itemSchema?.name && itemSchema.schema.properties ? itemSchema.name : undefined;
      if (child && depth < 3) rows.push(...this.fields(child, pii, `${path}.`, depth + 1));
    }
    return rows;
  }

  /** Keeps the declaration order of the DTO when the contract sorted properties alphabetically: required first. */
  private order(schema: Schema, name: string): number {
    return (schema.required ?? []).includes(name) ? 0 : 1;
  }

  /** An example document built from the DTO's `example`s (required fields, plus optional fields with an example). */
  example(schemaName: string, depth = 0): Record<string, unknown> {
    const schema = this.api.components.schemas[schemaName];
    const out: Record<string, unknown> = {};
    const required = new Set(schema.required ?? []);
    for (const [name, prop] of Object.entries(schema.properties ?? {})) {
      const { schema: resolved, name: ref } = this.resolve(prop);
      const example = prop.example ?? resolved.example;
      if (example !== undefined) {
        out[name] = example;
        continue;
      }
      if (!required.has(name) || depth > 3) continue;
      out[name] = this.sample(prop, resolved, ref, depth);
    }
    return out;
  }

  private sample(prop: Schema, resolved: Schema, ref: string | undefined, depth: number): unknown {
    if (ref && resolved.properties) return this.example(ref, depth + 1);
    if (resolved.type === 'array' && resolved.items) {
      const item = this.resolve(resolved.items);
      return [this.sample(resolved.items, item.schema, item.name, depth)];
    }
    const catalog = this.catalogOf(prop.description ?? resolved.description);
    if (catalog) return this.catalogs.get(catalog)!.entries[0].code;
    if (resolved.type === 'boolean') return false;
    if (resolved.type === 'number' || resolved.type === 'integer') return resolved.minimum ?? 1;
    if (/YYYY-MM-DD/.test(resolved.description ?? '')) return '2025-01-01';
    if (/localId/i.test(resolved.description ?? '')) return 'ID-0001';
    return 'texto';
  }

  /** Record kinds: every `/v1/{kind}/batch` path with a `PUT /v1/{kind}/{localId}`. */
  kinds(): Array<{ kind: string; put: Operation; get?: Operation; body: string; record?: string; pii?: string }> {
    const out = [];
    for (const path of Object.keys(this.api.paths).sort()) {
      const m = /^\/v1\/([a-z-]+)\/batch$/.exec(path);
      if (!m) continue;
      const item = this.api.paths[`/v1/${m[1]}/{localId}`];
      const put = item?.put;
      const body = put?.requestBody?.content['application/json']?.schema.$ref;
      if (!put || !body) continue;
      const recordRef = item.get?.responses?.['200']?.content?.['application/json']?.schema.$ref;
      const record = recordRef && refName(recordRef);
      const piiDescription = record ? this.api.components.schemas[record].properties?.pii?.description : undefined;
      const pii = /shaped as (\w+)/.exec(piiDescription ?? '')?.[1];
      out.push({ kind: m[1], put, get: item.get, body: refName(body), record, pii });
    }
    return out;
  }

  render(): string {
    const units = this.catalogs.get('counting-unit');
    const kinds = this.kinds();
    const out: string[] = [
      '# Puente standard schema / Esquema estándar de Puente',
      '',
      `<!-- Generated by \`npm run docs:schema\` from openapi/openapi.json (contract ${this.api.info.version}) and libs/catalogs/data. Do not edit by hand. -->`,
      '',
      'Every agency submits its records in this one schema (R6): the same record kinds, the same fields and the same',
      'code lists, whatever its own system calls them. This page explains each field of each record kind with its',
      'type, whether it is required, the catalog its codes come from and its Spanish term. The code lists themselves',
      `(codes with Spanish and English labels, versions, retired codes) are in [${CATALOG_DOC}](${CATALOG_DOC}); the API`,
      'serves them at `GET /v1/catalogs/{name}`. The machine-readable contract is `openapi/openapi.json`.',
      '',
      'Cada institución envía sus registros en este esquema único: los mismos tipos de registro, los mismos campos y los',
      'mismos catálogos, sin importar cómo los nombre su propio sistema. Los catálogos (códigos con etiquetas en español',
      `e inglés) están en [${CATALOG_DOC}](${CATALOG_DOC}).`,
      '',
      '## Contents',
      '',
      '- [How records are submitted](#how-records-are-submitted)',
      '- [Counting units / Unidades de conteo](#counting-units)',
      '- [Null codes / Códigos de valor nulo](#null-codes)',
      ...kinds.map((k) => `- [\`${k.kind}\`: ${KIND_NAMES[k.kind]?.en ?? k.kind}](#kind-${k.kind})`),
      '- [Fields of every record response](#record-envelope)',
      '',
      '## How records are submitted',
      '',
      '- Each record belongs to the submitting agency and is keyed by the agency\'s own identifier `localId`',
      '  (1–128 characters of `[A-Za-z0-9._:/-]`). `PUT /v1/{kind}/{localId}` creates or replaces it; resubmitting',
      '  identical content (after normalisation) creates no new version. `ETag` / `If-Match` give optimistic concurrency.',
      '- `POST /v1/{kind}/batch` takes up to 1,000 entries (the document plus `localId`); each entry gets its own',
      '  result (`created`, `updated`, `unchanged`, `rejected` with field errors, or `not_written` in atomic mode).',
      '- Records refer to each other by `localId` (e.g. an accused person\'s `proceedings[].caseLocalId`). A reference',
      '  may point to a record not submitted yet: it is kept and shown with `resolved: false` until the record arrives.',
      '- Every error names the field as a JSON pointer (`#/proceedings/0/status`), the rule, and for codes the `allowed`',
      '  values and the `catalog` URL. Impossible data is rejected (422); questionable data is accepted with `warnings`.',
      '- Personal data (names, aliases, CURP, phone, address, free text) is split from the rest, encrypted at rest',
      '  (AES-256-GCM) and returned only to tokens with scope `pii:read`; statistics projections never hold it (CURP and',
      '  phone only as keyed hashes for exact matching).',
      '- `GET /v1/{kind}/{localId}/versions` lists every version with provenance; `DELETE` withdraws with a reason;',
      '  `GET /v1/changes` is the ordered change feed.',
      '',
      '<a id="counting-units"></a>',
      '',
      '## Counting units / Unidades de conteo',
      '',
      'Every statistic declares what it counts (brief §3.1, R34); the units are not interchangeable (for example 858',
      'sentences, 492 persons sentenced and 790 victims in judgments are three different counts of the same courts).',
      `Catalog [\`counting-unit\`](${CATALOG_DOC}#catalog-counting-unit)${units ? ` version ${units.version}` : ''}:`,
      '',
      row(['Unit', 'Español', 'English']),
      row(['---', '---', '---']),
      ...(units?.entries ?? []).map((e) => row([`\`${e.code}\``, e.labelEs, e.labelEn])),
      '',
      'Record kinds and the units they feed:',
      '',
      row(['Record kind', 'Español', 'English', 'Counting unit']),
      row(['---', '---', '---', '---']),
      ...kinds.map((k) => row([`\`${k.kind}\``, KIND_NAMES[k.kind]?.es ?? '', KIND_NAMES[k.kind]?.en ?? '', KIND_NAMES[k.kind]?.unit ?? ''])),
      '',
      'Multi-valued fields (vulnerable groups, forms of exploitation, roles…) are counted as `mention`s: their counts add',
      'up to more than the number of persons. Summing `victim_registration`s across agencies double-counts persons;',
      'unique persons (`victim`) come from record linkage (R8).',
      '',
      '<a id="null-codes"></a>',
      '',
      '## Null codes / Códigos de valor nulo',
      '',
      'Every categorical field whose catalog says *null codes: yes* also accepts four explicit null codes (R7, brief §3.2).',
      'Null is never silent: a minimum variable that is unknown is sent as `SI`, not left out. In a multi-valued field a',
      'null code must be the only value (`["SI"]`, never `["MEX", "SI"]`).',
      '',
      row(['Code', 'Español', 'English', 'Counts as missing in completeness']),
      row(['---', '---', '---', '---']),
      ...NULL_CODES.map((c) => {
        const e = this.catalogs.entry('null-code', c);
        return row([`\`${c}\``, e?.labelEs, e?.labelEn, e?.countsAsMissing ? 'yes' : 'no']);
      }),
      '',
      '- `SI` (*sin información*): the question was asked but the answer is unknown.',
      '- `NA` (*no aplica*): the variable does not apply (state of origin of a foreign national, sentence of an acquittal).',
      '- `NR` (*no registrado*): the source system never captured the variable (legacy loads). Projections store `NR` for an',
      '  optional categorical field that was not submitted.',
      '- `RESERVED` (*reservado*): known, but withheld for protection.',
      '',
      'Each record carries `completeness` (per minimum variable: `filled`, a null code or `missing`) and `quality` (the',
      'share filled); `GET /v1/agencies/me/quality` summarises them. Completeness statistics count `SI` and `NR` apart',
      'from `NA`.',
      '',
    ];
    for (const k of kinds) {
      const names = KIND_NAMES[k.kind];
      const piiFields = new Set(Object.keys((k.pii && this.api.components.schemas[k.pii]?.properties) ?? {}));
      const doc = this.api.components.schemas[k.body];
      out.push(
        `<a id="kind-${k.kind}"></a>`,
        '',
        `## \`${k.kind}\`${names ? `: ${names.en} / ${names.es}` : ''}`,
        '',
        `\`PUT /v1/${k.kind}/{localId}\` with a \`${k.body}\`; \`POST /v1/${k.kind}/batch\` with entries that add \`localId\`.`,
        `Write scope \`${(k.put['x-scopes'] ?? []).join(' ')}\`; read scope \`${(k.get?.['x-scopes'] ?? []).join(' ')}\`` +
          `${piiFields.size ? `; personal data: ${[...piiFields].map((f) => `\`${f}\``).join(', ')}` : ''}.`,
        '',
        doc.description ?? names?.about ?? '',
        '',
        row(['Field', 'Type', 'Required', 'Catalog', 'Español', 'Description']),
        row(['---', '---', '---', '---', '---', '---']),
        ...this.fields(k.body, piiFields).map(row),
        '',
        'Example / Ejemplo:',
        '',
        '```json',
        JSON.stringify(this.example(k.body), null, 2),
        '```',
        '',
      );
    }
    const envelope = kinds[0]?.record;
    if (envelope) {
      out.push(
        '<a id="record-envelope"></a>',
        '',
        '## Fields of every record response',
        '',
        `Reads and writes answer with the document split into \`data\` (non-sensitive) and \`pii\` (personal data), plus:`,
        '',
        row(['Field', 'Type', 'Description']),
        row(['---', '---', '---']),
        ...Object.entries(this.api.components.schemas[envelope].properties ?? {})
          .filter(([n]) => n !== 'data' && n !== 'pii')
          .map(([n, p]) => row([`\`${n}\``, this.typeOf(p), p.description ?? this.resolve(p).schema.description ?? ''])),
        '',
      );
    }
    return out.join('\n');
  }
}

if (require.main === module) {
  const api = JSON.parse(readFileSync(join(process.cwd(), 'openapi', 'openapi.json'), 'utf8')) as OpenApi;
  const docs = new SchemaDocs(api, new CatalogRegistry());
  const target = join(process.cwd(), 'docs', 'schema.md');
  writeFileSync(target, docs.render());
  process.stdout.write(`wrote ${target} (${docs.kinds().length} record kinds)\n`);
}

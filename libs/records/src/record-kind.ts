import type { EntityManager } from 'typeorm';
import type { Scope } from '@app/auth';
import type { FieldErrorDto } from '@app/http';

export type RecordKind = 'victims' | 'cases' | 'reports' | 'accused' | 'judicial-outcomes' | 'operations' | 'shelters' | 'shelter-stays' | 'agreements' | 'assistance';

/** A questionable value that was accepted. */
export interface RecordWarning {
  pointer: string;
  detail: string;
  rule: string;
}

/** One record of a batch or a PUT, validated and normalised, ready to be written. */
export interface PreparedRecord {
  /** Position in the batch (0 for a PUT). */
  index: number;
  localId: string;
  data: Record<string, unknown>;
  pii: Record<string, unknown> | null;
  contentHash: string;
  quality: number;
  completeness: Record<string, string>;
  warnings: RecordWarning[];
  catalogVersions: Record<string, string>;
  references: Array<{ kind: string; localId: string }>;
}

/** A record whose current version was just written, for the projections. */
export interface WrittenRecord {
  recordId: string;
  localId: string;
  data: Record<string, unknown>;
  pii: Record<string, unknown> | null;
  /** True when the record was created by this write (it has no projection rows yet). */
  created?: boolean;
}

export interface KindCheck {
  /** Pointers relative to the document, e.g. `/sex`. */
  errors: FieldErrorDto[];
  warnings: RecordWarning[];
}

/**
 * What makes a record kind: its scopes, rules, the split into non-sensitive data and personal data,
 * its completeness variables, its references and its projections. The generic RecordsService does the rest.
 */
export interface RecordKindDefinition<TDto extends object = object> {
  kind: RecordKind;
  /** For messages: `Victim not found`. */
  label: string;
  readScope: Scope;
  writeScope: Scope;
  /** DTO class of a batch entry (the document plus `localId`), validated per entry. */
  entryClass: new () => TDto & { localId: string };
  /** Catalogs the kind validates against (their versions are stored with each record). */
  catalogs: string[];
  /** Trims and normalises the validated document (same meaning ⇒ same content hash). */
  normalise(dto: TDto): TDto;
  /** Per-agency lookups the checks need (e.g. crosswalks), loaded once per request. */
  loadContext?(em: EntityManager, agencyId: string): Promise<unknown>;
  /** Cross-field rules and catalog checks the DTO decorators cannot express; may translate codes in place. */
  check(dto: TDto, context: unknown): KindCheck;
  split(dto: TDto): { data: Record<string, unknown>; pii: Record<string, unknown> | null };
  /** Per CNDH minimum variable: `filled`, a null code or `missing`. */
  completeness(dto: TDto): Record<string, string>;
  references(dto: TDto): Array<{ kind: string; localId: string }>;
  /** Rewrites the projections of the given records (set-based, same transaction). */
  project(em: EntityManager, agencyId: string, written: WrittenRecord[]): Promise<void>;
}

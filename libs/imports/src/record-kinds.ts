import { Injectable } from '@nestjs/common';
import { type Actor, hasScope, type Scope } from '@app/auth';
import { ProblemException } from '@app/http';
import { type RecordKindDefinition, RecordsService } from '@app/records';
import { type FieldColumn, columnsOf } from './record-columns';

/**
 * The record kinds known to RecordsService (registered by their controllers), with their flat columns:
 * every kind (present and future) is imported, templated and exported with the very definition the API uses.
 */
@Injectable()
export class RecordKinds {
  constructor(private readonly records: RecordsService) {}

  private registry(): ReadonlyMap<string, RecordKindDefinition<object>> {
    return this.records.definitions();
  }

  names(): string[] {
    return [...this.registry().keys()].sort();
  }

  /** The kind's definition, or 404. */
  get(kind: string): RecordKindDefinition<object> {
    const def = this.registry().get(kind);
    if (!def) throw ProblemException.notFound('Record kind');
    return def;
  }

  /** 403 unless the actor holds `scope` of the kind (checked after a generic scope check, so an unknown kind is 404). */
  assertScope(actor: Actor, def: RecordKindDefinition<object>, which: 'read' | 'write'): void {
    const scope = which === 'read' ? def.readScope : def.writeScope;
    if (!hasScope(actor, scope)) {
      throw new ProblemException(403, 'missing-scope', { detail: `The token lacks scope ${scope}`, required: [scope] });
    }
  }

  /** 403 unless the actor holds the read scope of at least one kind. */
  assertAnyRead(actor: Actor): void {
    const scopes = [...this.registry().values()].map((d) => d.readScope);
    if (!scopes.some((s) => hasScope(actor, s as Scope))) {
      throw new ProblemException(403, 'missing-scope', { detail: `The token lacks a read scope (one of ${scopes.join(', ')})`, required: scopes });
    }
  }

  columns(def: RecordKindDefinition<object>): FieldColumn[] {
    return columnsOf(def.entryClass, piiFields(def));
  }
}

const piiCache = new WeakMap<object, string[]>();

/** Top-level fields the kind stores as personal data (probed with its own `split`). */
export function piiFields(def: RecordKindDefinition<object>): string[] {
  const cached = piiCache.get(def);
  if (cached) return cached;
  const out: string[] = [];
  const top = [...new Set(columnsOf(def.entryClass).map((c) => c.path.split('.')[0]))];
  for (const f of top) {
    try {
      const { pii } = def.split({ [f]: 'x' } as object);
      if (pii && f in pii) out.push(f);
    } catch {
      /* a split that needs other fields: not a personal field we can detect; treat as non-personal */
    }
  }
  piiCache.set(def, out);
  return out;
}

export type { FieldColumn };

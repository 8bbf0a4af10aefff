import { Inject, Injectable } from '@nestjs/common';
import { type Actor, hasScope } from '@app/auth';
import { FIELD_CIPHER, type FieldCipher } from '@app/crypto';
import { DbContext } from '@app/db';
import { ProblemException } from '@app/http';
import type { RecordKindDefinition } from '@app/records';
import { csvLine } from './file-rows';
import type { ExportQueryDto } from './imports.dto';
import { type FieldColumn, RecordKinds } from './record-kinds';

const PAGE = 1000;

function valueAt(doc: Record<string, unknown>, path: string): unknown {
  let cur: unknown = doc;
  for (const seg of path.split('.')) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

function cellOf(c: FieldColumn, v: unknown): string | number | boolean | null {
  if (v === undefined || v === null) return null;
  if (c.type === 'json') return JSON.stringify(v);
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join('|');
  if (typeof v === 'object') return JSON.stringify(v);
  return v as string | number | boolean;
}

/**
 * Exports of the agency's own records as NDJSON (one batch entry per line: it can be submitted back
 * as is) or CSV (the import template's columns, so an export re-imports cleanly). Personal data only
 * with `pii:read` (the CSV then drops the personal columns altogether).
 */
@Injectable()
export class ExportsService {
  constructor(
    private readonly db: DbContext,
    private readonly kinds: RecordKinds,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
  ) {}

  prepare(actor: Actor, kind: string, q: ExportQueryDto): { def: RecordKindDefinition<object>; format: 'ndjson' | 'csv' } {
    this.kinds.assertAnyRead(actor);
    const def = this.kinds.get(kind);
    this.kinds.assertScope(actor, def, 'read');
    if (q.stage !== undefined && !this.kinds.columns(def).some((c) => c.path === 'charges')) {
      throw ProblemException.validation([{ pointer: '#/stage', detail: `${def.kind} records have no stage`, rule: 'stage' }]);
    }
    if (q.updatedSince !== undefined && Number.isNaN(new Date(q.updatedSince).getTime())) {
      throw ProblemException.validation([{ pointer: '#/updatedSince', detail: 'updatedSince is not a date', rule: 'date' }]);
    }
    return { def, format: q.format ?? 'ndjson' };
  }

  async *stream(actor: Actor, def: RecordKindDefinition<object>, format: 'ndjson' | 'csv', q: ExportQueryDto): AsyncGenerator<string> {
    const withPii = hasScope(actor, 'pii:read');
    const cols = this.kinds.columns(def).filter((c) => withPii || !c.pii);
    if (format === 'csv') yield '\ufeff' + csvLine(cols.map((c) => c.headerEs)) + csvLine(cols.map((c) => c.headerEn));
    let after = '';
    for (;;) {
      const rows: Array<{ local_id: string; data: Record<string, unknown>; pii_enc: string | null }> = await this.db.withAgency(
        actor.agencyId,
        ({ em, agencyId }) =>
          em.query(
            `SELECT local_id, data, pii_enc FROM records
              WHERE agency_id = $1 AND kind = $2 AND local_id > $3
                AND ($4::timestamptz IS NULL OR updated_at >= $4::timestamptz)
                AND ($5::boolean OR withdrawn_at IS NULL)
                AND ($6::text IS NULL OR data->'charges' @> jsonb_build_array(jsonb_build_object('stage', $6::text)))
              ORDER BY local_id LIMIT $7`,
            [agencyId, def.kind, after, q.updatedSince ?? null, q.includeWithdrawn === 'true', q.stage ?? null, PAGE],
          ),
        { readOnly: true },
      );
      if (!rows.length) return;
      let out = '';
      for (const r of rows) {
        const pii = withPii && r.pii_enc ? this.cipher.decryptJson<Record<string, unknown>>(r.pii_enc) : {};
        const doc: Record<string, unknown> = { localId: r.local_id, ...r.data, ...pii };
        out += format === 'csv' ? csvLine(cols.map((c) => cellOf(c, valueAt(doc, c.path)))) : JSON.stringify(doc) + '\n';
      }
      yield out;
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1].local_id;
    }
  }
}

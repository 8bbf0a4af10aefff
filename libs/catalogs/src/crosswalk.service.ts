import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type AgencyId, DbContext } from '@app/db';
import { type FieldErrorDto, ProblemException, decodeCursor, pageOf } from '@app/http';
import { catalogRegistry } from './catalog-registry';
import { catalogUrl } from './catalogs.service';
import type { CrosswalkPageDto, CrosswalkSummaryPageDto, CrosswalkWriteResultDto, PutCrosswalkDto } from './dto/crosswalk.dto';

const DEFAULT_LIMIT = 100;

/** Key of `loadMap`'s result. */
export const crosswalkKey = (catalog: string, localCode: string): string => `${catalog}:${localCode}`;

/**
 * Per-agency crosswalks (R6): how an agency's own codes map to standard catalog codes. The record
 * modules call `resolve` / `loadMap` inside their own `withAgency` transaction to accept agency-local
 * codes (storing both the submitted and the standard code).
 */
@Injectable()
export class CrosswalkService {
  constructor(private readonly db: DbContext) {}

  /** The standard code the agency mapped `localCode` to, or undefined. */
  async resolve(em: EntityManager, agencyId: AgencyId, catalog: string, localCode: string): Promise<string | undefined> {
    const rows: Array<{ standard_code: string }> = await em.query(
      `SELECT standard_code FROM crosswalks WHERE agency_id = $1 AND catalog = $2 AND local_code = $3`,
      [agencyId, catalog, localCode],
    );
    return rows[0]?.standard_code;
  }

  /** Every mapping of the agency for `catalogs`, keyed `${catalog}:${localCode}` (see `crosswalkKey`). */
  async loadMap(em: EntityManager, agencyId: AgencyId, catalogs: string[]): Promise<Map<string, string>> {
    const map = new Map<string, string>();
    if (!catalogs.length) return map;
    const rows: Array<{ catalog: string; local_code: string; standard_code: string }> = await em.query(
      `SELECT catalog, local_code, standard_code FROM crosswalks WHERE agency_id = $1 AND catalog = ANY($2::text[])`,
      [agencyId, catalogs],
    );
    for (const r of rows) map.set(crosswalkKey(r.catalog, r.local_code), r.standard_code);
    return map;
  }

  /** Adds or changes mappings (and with `replace`, removes the local codes not listed). */
  async put(agencyId: AgencyId, catalog: string, body: PutCrosswalkDto): Promise<CrosswalkWriteResultDto> {
    const registry = catalogRegistry();
    const data = this.catalogOr404(catalog);
    const errors: FieldErrorDto[] = [];
    const seen = new Map<string, number>();
    body.entries.forEach((e, i) => {
      const first = seen.get(e.localCode);
      if (first !== undefined) {
        errors.push({ pointer: `#/entries/${i}/localCode`, detail: `localCode ${e.localCode} is also listed at #/entries/${first}`, rule: 'unique' });
      } else seen.set(e.localCode, i);
      if (!registry.has(catalog, e.standardCode)) {
        errors.push({
          pointer: `#/entries/${i}/standardCode`,
          detail: `standardCode must be a current code of catalog ${catalog}`,
          rule: 'catalog',
          allowed: registry.allowed(catalog),
          catalog: catalogUrl(catalog),
        });
      }
    });
    if (errors.length) throw ProblemException.validation(errors);

    return this.db.withAgency(agencyId, async ({ em }) => {
      const rows: Array<{ inserted: boolean }> = body.entries.length
        ? await em.query(
            `INSERT INTO crosswalks (agency_id, catalog, local_code, standard_code, note)
             SELECT $1, $2, x."localCode", x."standardCode", x.note
               FROM jsonb_to_recordset($3::jsonb) AS x("localCode" text, "standardCode" text, note text)
             ON CONFLICT ON CONSTRAINT uq_crosswalks_agency_catalog_local DO UPDATE
                SET standard_code = EXCLUDED.standard_code, note = EXCLUDED.note, updated_at = now()
              WHERE (crosswalks.standard_code, crosswalks.note) IS DISTINCT FROM (EXCLUDED.standard_code, EXCLUDED.note)
             RETURNING (xmax = 0) AS inserted`,
            [agencyId, catalog, JSON.stringify(body.entries.map((e) => ({ localCode: e.localCode, standardCode: e.standardCode, note: e.note ?? null })))],
          )
        : [];
      let removed = 0;
      if (body.replace) {
        // A CTE, so the answer is rows (TypeORM answers [rows, count] for a bare DELETE).
        const [deleted]: Array<{ n: number }> = await em.query(
          `WITH d AS (DELETE FROM crosswalks WHERE agency_id = $1 AND catalog = $2 AND NOT (local_code = ANY($3::text[])) RETURNING 1)
           SELECT count(*)::int AS n FROM d`,
          [agencyId, catalog, body.entries.map((e) => e.localCode)],
        );
        removed = deleted.n;
      }
      const [{ total }]: Array<{ total: number }> = await em.query(
        `SELECT count(*)::int AS total FROM crosswalks WHERE agency_id = $1 AND catalog = $2`,
        [agencyId, catalog],
      );
      const inserted = rows.filter((r) => r.inserted).length;
      return { catalog, catalogVersion: data.version, inserted, updated: rows.length - inserted, removed, total };
    });
  }

  /** One page of the agency's mappings for `catalog`, by local code. */
  async list(agencyId: AgencyId, catalog: string, page: { limit?: number; cursor?: string }): Promise<CrosswalkPageDto> {
    this.catalogOr404(catalog);
    const registry = catalogRegistry();
    const limit = page.limit ?? DEFAULT_LIMIT;
    const after = decodeCursor<[string]>(page.cursor, 1);
    const rows: Array<{ local_code: string; standard_code: string; note: string | null; created_at: Date; updated_at: Date }> = await this.db.withAgency(
      agencyId,
      ({ em }) =>
        em.query(
          `SELECT local_code, standard_code, note, created_at, updated_at FROM crosswalks
            WHERE agency_id = $1 AND catalog = $2 AND ($3::text IS NULL OR local_code > $3)
            ORDER BY local_code LIMIT $4`,
          [agencyId, catalog, after?.[0] ?? null, limit + 1],
        ),
      { readOnly: true },
    );
    return {
      catalog,
      ...pageOf(
        rows,
        limit,
        (r) => [r.local_code],
        (r) => {
          const entry = registry.entry(catalog, r.standard_code) ?? (registry.has(catalog, r.standard_code) ? nullEntry(r.standard_code) : undefined);
          return {
            localCode: r.local_code,
            standardCode: r.standard_code,
            standardLabelEs: entry?.labelEs ?? null,
            standardLabelEn: entry?.labelEn ?? null,
            standardCodeCurrent: registry.has(catalog, r.standard_code),
            note: r.note,
            createdAt: r.created_at.toISOString(),
            updatedAt: r.updated_at.toISOString(),
          };
        },
      ),
    };
  }

  /** One page of the catalogs the agency has mappings for, by catalog name. */
  async summaries(agencyId: AgencyId, page: { limit?: number; cursor?: string }): Promise<CrosswalkSummaryPageDto> {
    const limit = page.limit ?? DEFAULT_LIMIT;
    const after = decodeCursor<[string]>(page.cursor, 1);
    const rows: Array<{ catalog: string; entry_count: number; updated_at: Date }> = await this.db.withAgency(
      agencyId,
      ({ em }) =>
        em.query(
          `SELECT catalog, count(*)::int AS entry_count, max(updated_at) AS updated_at FROM crosswalks
            WHERE agency_id = $1 AND ($2::text IS NULL OR catalog > $2)
            GROUP BY catalog ORDER BY catalog LIMIT $3`,
          [agencyId, after?.[0] ?? null, limit + 1],
        ),
      { readOnly: true },
    );
    return pageOf(
      rows,
      limit,
      (r) => [r.catalog],
      (r) => ({ catalog: r.catalog, entryCount: r.entry_count, updatedAt: r.updated_at.toISOString(), url: `/v1/crosswalks/${r.catalog}` }),
    );
  }

  private catalogOr404(catalog: string) {
    const data = catalogRegistry().get(catalog);
    if (!data) throw new ProblemException(404, 'not-found', { detail: `There is no catalog ${catalog}; GET /v1/catalogs lists them` });
    return data;
  }
}

/** Labels of the null codes (they are not entries of the catalogs' files). */
function nullEntry(code: string): { labelEs: string; labelEn: string } | undefined {
  return catalogRegistry().entry('null-code', code);
}

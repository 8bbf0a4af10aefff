import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CatalogData, type CatalogEntryData } from './catalog-registry';

/** Runs one SQL statement and answers the rows (TypeORM `QueryRunner.query` or a wrapped `pg` pool). */
export type SqlQuery = (sql: string, params?: unknown[]) => Promise<unknown>;

/** One entry as stored in `catalog_entries` and served at `/v1/catalogs/{name}`. */
export interface StoredEntry {
  code: string;
  position: number;
  labelEs: string;
  labelEn: string;
  parent: string | null;
  /** Every other property of the data file's entry (`source`, `note`, offence `article`, …). */
  attributes: Record<string, unknown>;
  /** One of SI, NA, NR, RESERVED appended because the catalog has `nullCodes`. */
  nullCode: boolean;
  retiredOn: string | null;
}

export interface CatalogLoadReport {
  /** `name@version` of every version inserted by this run. */
  loaded: string[];
  /** Versions already present (never rewritten: a published version is immutable). */
  skipped: number;
}

const BASE_KEYS = new Set(['name', 'version', 'validFrom', 'labelEs', 'labelEn', 'description', 'multiValued', 'nullCodes', 'entries']);
const ENTRY_KEYS = new Set(['code', 'labelEs', 'labelEn', 'parent', 'retiredOn']);

/** Reads `index.json` and every catalog file it lists from `dir`. */
export function readCatalogFiles(dir: string): CatalogData[] {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { catalogs: string[] };
  return index.catalogs.map((name) => {
    const data = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as CatalogData;
    if (data.name !== name) throw new Error(`catalog file ${name}.json declares name ${data.name}`);
    return data;
  });
}

/** Catalog-level properties beyond the standard ones (e.g. offence `law`, `lawVersion`). */
export const catalogAttributes = (data: CatalogData): Record<string, unknown> =>
  Object.fromEntries(Object.entries(data).filter(([k]) => !BASE_KEYS.has(k)));

/** The entries of one catalog version as stored: the file's entries, then the null codes when `nullCodes`. */
export function storedEntries(data: CatalogData, nullCodes: CatalogEntryData[]): StoredEntry[] {
  const toStored = (e: CatalogEntryData, position: number, nullCode: boolean): StoredEntry => ({
    code: e.code,
    position,
    labelEs: e.labelEs,
    labelEn: e.labelEn,
    parent: e.parent ?? null,
    attributes: Object.fromEntries(Object.entries(e).filter(([k]) => !ENTRY_KEYS.has(k))),
    nullCode,
    retiredOn: e.retiredOn ?? null,
  });
  const own = data.entries.map((e, i) => toStored(e, i, false));
  const seen = new Set(own.map((e) => e.code));
  if (seen.size !== own.length) throw new Error(`catalog ${data.name}@${data.version} lists a code twice`);
  if (!data.nullCodes) return own;
  return [...own, ...nullCodes.filter((n) => !seen.has(n.code)).map((n, i) => toStored(n, own.length + i, true))];
}

/** JSON with object keys sorted, so the hash does not depend on key order in the files. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 (hex) of the version content: metadata and stored entries. */
export function versionContentHash(data: CatalogData, entries: StoredEntry[]): string {
  const { entries: _ignored, ...meta } = data;
  return createHash('sha256').update(canonicalJson({ meta, entries })).digest('hex');
}

type Row = Record<string, unknown>;
const rowsOf = (r: unknown): Row[] => (Array.isArray(r) ? (r as Row[]) : ((r as { rows?: Row[] })?.rows ?? []));

/**
 * Loads every catalog file of `dir` into `catalogs`, `catalog_versions` and `catalog_entries`.
 *
 * A version is inserted only when that (name, version) is not in the database yet, so the catalog
 * migration and any later one can call this with the same directory: only new versions are added, and
 * a published version is never rewritten. Entries are never deleted: a new version re-lists every
 * entry (retired ones with `retiredOn`); a code the previous version had but the new file omits is
 * carried over as retired on the new version's `validFrom`. The newest version by `validFrom` becomes
 * `current_version`; each version's `valid_to` is the next version's `valid_from`.
 */
export async function loadCatalogVersions(query: SqlQuery, dir: string): Promise<CatalogLoadReport> {
  const files = readCatalogFiles(dir);
  const nullCodeFile = files.find((f) => f.name === 'null-code') ?? (JSON.parse(readFileSync(join(dir, 'null-code.json'), 'utf8')) as CatalogData);
  const report: CatalogLoadReport = { loaded: [], skipped: 0 };
  for (const data of files) {
    const exists = rowsOf(await query(`SELECT 1 FROM catalog_versions WHERE catalog = $1 AND version = $2`, [data.name, data.version]));
    if (exists.length) {
      report.skipped++;
      continue;
    }
    await query(
      `INSERT INTO catalogs (name, label_es, label_en, description, multi_valued, null_codes, current_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT ON CONSTRAINT pk_catalogs DO NOTHING`,
      [data.name, data.labelEs, data.labelEn, data.description, data.multiValued, data.nullCodes, data.version],
    );
    const entries = storedEntries(data, nullCodeFile.entries);
    // Codes of the current version that the new file no longer lists: never dropped, carried over as retired.
    const previous = rowsOf(
      await query(
        `SELECT e.code, e.label_es, e.label_en, e.parent, e.attributes, e.null_code, e.retired_on::text AS retired_on
           FROM catalog_entries e JOIN catalogs c ON c.name = e.catalog AND c.current_version = e.version
          WHERE e.catalog = $1 ORDER BY e.position`,
        [data.name],
      ),
    );
    const listed = new Set(entries.map((e) => e.code));
    for (const p of previous) {
      if (listed.has(p.code as string)) continue;
      entries.push({
        code: p.code as string,
        position: entries.length,
        labelEs: p.label_es as string,
        labelEn: p.label_en as string,
        parent: (p.parent as string | null) ?? null,
        attributes: (p.attributes as Record<string, unknown>) ?? {},
        nullCode: p.null_code === true,
        retiredOn: (p.retired_on as string | null) ?? data.validFrom,
      });
    }
    await query(
      `INSERT INTO catalog_versions (catalog, version, valid_from, content_hash, attributes) VALUES ($1, $2, $3, $4, $5::jsonb)`,
      [data.name, data.version, data.validFrom, versionContentHash(data, entries), JSON.stringify(catalogAttributes(data))],
    );
    await query(
      `INSERT INTO catalog_entries (catalog, version, code, position, label_es, label_en, parent, attributes, null_code, retired_on)
       SELECT $1, $2, x.code, x.position, x."labelEs", x."labelEn", x.parent, coalesce(x.attributes, '{}'::jsonb), x."nullCode", x."retiredOn"
         FROM jsonb_to_recordset($3::jsonb) AS x(code text, position int, "labelEs" text, "labelEn" text, parent text, attributes jsonb, "nullCode" boolean, "retiredOn" date)`,
      [data.name, data.version, JSON.stringify(entries)],
    );
    // valid_to of each version = valid_from of the next one; the newest is current.
    await query(
      `UPDATE catalog_versions v SET valid_to = n.next_from
         FROM (SELECT version, lead(valid_from) OVER (ORDER BY valid_from, loaded_at, version) AS next_from
                 FROM catalog_versions WHERE catalog = $1) n
        WHERE v.catalog = $1 AND v.version = n.version AND v.valid_to IS DISTINCT FROM n.next_from`,
      [data.name],
    );
    await query(
      `UPDATE catalogs c SET current_version = $2, label_es = $3, label_en = $4, description = $5, multi_valued = $6, null_codes = $7
        WHERE c.name = $1 AND $2 = (SELECT version FROM catalog_versions WHERE catalog = $1 ORDER BY valid_from DESC, loaded_at DESC, version DESC LIMIT 1)`,
      [data.name, data.version, data.labelEs, data.labelEn, data.description, data.multiValued, data.nullCodes],
    );
    report.loaded.push(`${data.name}@${data.version}`);
  }
  return report;
}

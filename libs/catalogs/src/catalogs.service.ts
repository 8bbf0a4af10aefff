import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ProblemException } from '@app/http';
import type { CatalogDto, CatalogEntryDto, CatalogListDto, CatalogVersionDto } from './dto/catalog.dto';
import { strongEtag } from './etag';

export interface Tagged<T> {
  body: T;
  etag: string;
}

interface CatalogRow {
  name: string;
  label_es: string;
  label_en: string;
  description: string;
  multi_valued: boolean;
  null_codes: boolean;
  current_version: string;
}

export const catalogUrl = (name: string): string => `/v1/catalogs/${name}`;

/** Serves the catalogs loaded into the database (global reference data: no agency scope). */
@Injectable()
export class CatalogsService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async list(): Promise<Tagged<CatalogListDto>> {
    const rows: Array<CatalogRow & { valid_from: string; content_hash: string; entry_count: number }> = await this.ds.query(
      `SELECT c.*, v.valid_from::text AS valid_from, v.content_hash,
              (SELECT count(*) FROM catalog_entries e
                WHERE e.catalog = c.name AND e.version = c.current_version AND e.retired_on IS NULL)::int AS entry_count
         FROM catalogs c JOIN catalog_versions v ON v.catalog = c.name AND v.version = c.current_version
        ORDER BY c.name`,
    );
    const body: CatalogListDto = {
      items: rows.map((r) => ({
        name: r.name,
        labelEs: r.label_es,
        labelEn: r.label_en,
        version: r.current_version,
        validFrom: r.valid_from,
        entryCount: r.entry_count,
        multiValued: r.multi_valued,
        nullCodes: r.null_codes,
        url: catalogUrl(r.name),
      })),
    };
    return { body, etag: strongEtag(body) };
  }

  async get(name: string, opts: { version?: string; includeRetired?: boolean } = {}): Promise<Tagged<CatalogDto>> {
    const [catalog]: CatalogRow[] = await this.ds.query(`SELECT * FROM catalogs WHERE name = $1`, [name]);
    if (!catalog) throw new ProblemException(404, 'not-found', { detail: `There is no catalog ${name}; GET /v1/catalogs lists them` });
    const versionRows: Array<CatalogVersionDto & { attributes: Record<string, unknown>; contentHash: string }> = await this.ds.query(
      `SELECT version, valid_from::text AS "validFrom", valid_to::text AS "validTo", attributes, content_hash AS "contentHash"
         FROM catalog_versions WHERE catalog = $1 ORDER BY valid_from, loaded_at, version`,
      [name],
    );
    const wanted = opts.version ?? catalog.current_version;
    const version = versionRows.find((v) => v.version === wanted);
    if (!version) {
      throw new ProblemException(404, 'not-found', {
        detail: `Catalog ${name} has no version ${wanted}; known versions: ${versionRows.map((v) => v.version).join(', ')}`,
        versions: versionRows.map((v) => v.version),
      });
    }
    const entries: Array<CatalogEntryDto> = await this.ds.query(
      `SELECT code, label_es AS "labelEs", label_en AS "labelEn", parent, attributes, null_code AS "nullCode",
              retired_on IS NOT NULL AS retired, retired_on::text AS "retiredOn"
         FROM catalog_entries
        WHERE catalog = $1 AND version = $2 AND ($3 OR retired_on IS NULL)
        ORDER BY position`,
      [name, version.version, opts.includeRetired === true],
    );
    const body: CatalogDto = {
      name: catalog.name,
      labelEs: catalog.label_es,
      labelEn: catalog.label_en,
      description: catalog.description,
      multiValued: catalog.multi_valued,
      nullCodes: catalog.null_codes,
      version: version.version,
      validFrom: version.validFrom,
      validTo: version.validTo,
      current: version.version === catalog.current_version,
      attributes: version.attributes,
      versions: versionRows.map((v) => ({ version: v.version, validFrom: v.validFrom, validTo: v.validTo })),
      entries: entries.map((e) => ({
        code: e.code,
        labelEs: e.labelEs,
        labelEn: e.labelEn,
        parent: e.parent,
        attributes: e.attributes,
        nullCode: e.nullCode,
        retired: e.retired,
        retiredOn: e.retiredOn,
      })),
    };
    return { body, etag: strongEtag(body) };
  }
}

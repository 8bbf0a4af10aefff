import { join } from 'node:path';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { loadCatalogVersions } from '../libs/catalogs/src/catalog-loader';

/**
 * Versioned standard code lists (R6, R7, R36) and per-agency crosswalks.
 *
 * `catalogs`, `catalog_versions` and `catalog_entries` are global reference data: readable by the
 * request role, written only by migrations. The data files are read at run time from
 * `libs/catalogs/data`, next to this file's compiled location (`dist/migrations` → `dist/libs/catalogs/data`,
 * copied by the nest-cli `assets` rule; under ts-jest, `migrations` → `libs/catalogs/data`). Later data
 * versions are loaded by a later migration calling `loadCatalogVersions` again: it inserts only versions
 * not yet in the database.
 *
 * `crosswalks` is agency-owned: row-level security by `app.agency_id`, like every agency table.
 */
export const CATALOG_MIGRATION_DATA_DIR = join(__dirname, '..', 'libs', 'catalogs', 'data');

export class Catalogs1763900100000 implements MigrationInterface {
  name = 'Catalogs1763900100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "catalogs" (
      "name" character varying(64) NOT NULL,
      "label_es" text NOT NULL,
      "label_en" text NOT NULL,
      "description" text NOT NULL,
      "multi_valued" boolean NOT NULL,
      "null_codes" boolean NOT NULL,
      "current_version" character varying(20) NOT NULL,
      CONSTRAINT "pk_catalogs" PRIMARY KEY ("name"))`);
    await q.query(`CREATE TABLE "catalog_versions" (
      "catalog" character varying(64) NOT NULL,
      "version" character varying(20) NOT NULL,
      "valid_from" date NOT NULL,
      "valid_to" date,
      "loaded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "content_hash" character varying(64) NOT NULL,
      "attributes" jsonb NOT NULL DEFAULT '{}',
      CONSTRAINT "pk_catalog_versions" PRIMARY KEY ("catalog", "version"))`);
    await q.query(`CREATE TABLE "catalog_entries" (
      "catalog" character varying(64) NOT NULL,
      "version" character varying(20) NOT NULL,
      "code" character varying(64) NOT NULL,
      "position" integer NOT NULL,
      "label_es" text NOT NULL,
      "label_en" text NOT NULL,
      "parent" character varying(64),
      "attributes" jsonb NOT NULL DEFAULT '{}',
      "null_code" boolean NOT NULL DEFAULT false,
      "retired_on" date,
      CONSTRAINT "pk_catalog_entries" PRIMARY KEY ("catalog", "version", "code"))`);
    await q.query(`CREATE TABLE "crosswalks" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "agency_id" uuid NOT NULL,
      "catalog" character varying(64) NOT NULL,
      "local_code" character varying(100) NOT NULL,
      "standard_code" character varying(64) NOT NULL,
      "note" text,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "uq_crosswalks_agency_catalog_local" UNIQUE ("agency_id", "catalog", "local_code"),
      CONSTRAINT "pk_crosswalks" PRIMARY KEY ("id"))`);
    await q.query(`ALTER TABLE "catalog_versions" ADD CONSTRAINT "fk_catalog_versions_catalog" FOREIGN KEY ("catalog") REFERENCES "catalogs"("name") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "catalog_entries" ADD CONSTRAINT "fk_catalog_entries_version" FOREIGN KEY ("catalog", "version") REFERENCES "catalog_versions"("catalog","version") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "crosswalks" ADD CONSTRAINT "fk_crosswalks_agency" FOREIGN KEY ("agency_id") REFERENCES "agencies"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "crosswalks" ADD CONSTRAINT "fk_crosswalks_catalog" FOREIGN KEY ("catalog") REFERENCES "catalogs"("name") ON DELETE RESTRICT ON UPDATE NO ACTION`);

    // Reference data: every request may read it, none may change it.
    await q.query(`GRANT SELECT ON "catalogs", "catalog_versions", "catalog_entries" TO puente_app`);

    await q.query(`ALTER TABLE "crosswalks" ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY "crosswalks_agency_isolation" ON "crosswalks"
      USING (agency_id = current_setting('app.agency_id', true)::uuid)
      WITH CHECK (agency_id = current_setting('app.agency_id', true)::uuid)`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON "crosswalks" TO puente_app`);

    await loadCatalogVersions((sql, params) => q.query(sql, params), CATALOG_MIGRATION_DATA_DIR);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "crosswalks"`);
    await q.query(`DROP TABLE "catalog_entries"`);
    await q.query(`DROP TABLE "catalog_versions"`);
    await q.query(`DROP TABLE "catalogs"`);
  }
}

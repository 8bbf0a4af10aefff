import type { MigrationInterface, QueryRunner } from 'typeorm';
import { loadCatalogVersions } from '../libs/catalogs/src/catalog-loader';
import { CATALOG_MIGRATION_DATA_DIR } from './1763900100000-catalogs';

/**
 * Issue 13: catalog `counting-unit` 2026.2 adds the units of the shelter and service statistics (`shelter`,
 * `supervisory_visit`, `shelter_stay`). Loads every catalog version of the data files not yet in the database
 * (a fresh database already has them from the catalog migration; published versions are never rewritten).
 */
export class CountingUnits1764910500000 implements MigrationInterface {
  name = 'CountingUnits1764910500000';

  async up(q: QueryRunner): Promise<void> {
    await loadCatalogVersions((sql, params) => q.query(sql, params), CATALOG_MIGRATION_DATA_DIR);
  }

  async down(): Promise<void> {
    // Catalog versions are reference data kept for "as of" statistics (R36): never removed.
  }
}

import { CatalogEntity, CatalogEntryEntity, CatalogVersionEntity } from './catalog.entity';
import { CrosswalkEntity } from './crosswalk.entity';

export const CATALOG_ENTITIES = [CatalogEntity, CatalogVersionEntity, CatalogEntryEntity, CrosswalkEntity];

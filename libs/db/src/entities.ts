import { AuditEntryEntity } from '../../audit/src/audit-entry.entity';
import { AUTH_ENTITIES } from '../../auth/src/entities';
import { CATALOG_ENTITIES } from '../../catalogs/src/entities';
import { RECORDS_ENTITIES } from '../../records/src/entities';
import { MATCHING_ENTITIES } from '../../matching/src/match.entity';
import { CLK_ENTITIES } from '../../matching/src/clk/clk.entity';
import { REFERRALS_ENTITIES } from '../../referrals/src/entities';
import { WEBHOOKS_ENTITIES } from '../../webhooks/src/entities';
import { IMPORTS_ENTITIES } from '../../imports/src/imports.entity';
import { STATISTICS_ENTITIES } from '../../statistics/src/summary.entity';

/**
 * Every TypeORM entity of the application, listed explicitly (no globs), so that the API, the CLI and
 * the drift check see the same schema. Each lib exports its own list.
 */
export const ALL_ENTITIES: Function[] = [...AUTH_ENTITIES, ...CATALOG_ENTITIES, ...RECORDS_ENTITIES, AuditEntryEntity, ...REFERRALS_ENTITIES, ...WEBHOOKS_ENTITIES, ...MATCHING_ENTITIES, ...IMPORTS_ENTITIES, ...CLK_ENTITIES, ...STATISTICS_ENTITIES];

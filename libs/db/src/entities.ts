/**
 * Every TypeORM entity of the application, listed explicitly (no globs), so that the API, the CLI and
 * `migration:generate` see the same schema.
 */
export const ALL_ENTITIES: Function[] = [];

import { AUTH_ENTITIES } from '../../auth/src/entities';

/**
 * Every TypeORM entity of the application, listed explicitly (no globs), so that the API, the CLI and
 * the drift check see the same schema. Each lib exports its own list.
 */
export const ALL_ENTITIES: Function[] = [...AUTH_ENTITIES];

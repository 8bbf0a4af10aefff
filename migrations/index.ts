import { FoundationAndAuth1763900000000 } from './1763900000000-foundation-and-auth';

/**
 * Every migration, in order. Listed explicitly so the compiled service, the CLI and the tests load the
 * same set without file globs. Add new migrations at the end.
 */
export const MIGRATIONS: Function[] = [FoundationAndAuth1763900000000];

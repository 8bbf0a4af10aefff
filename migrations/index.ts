/**
 * Every migration, in order. Listed explicitly so the compiled service, the CLI and the tests load the
 * same set without file globs. Add new migrations at the end.
 */
export const MIGRATIONS: Function[] = [];

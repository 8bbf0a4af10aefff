import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';
import { ALL_ENTITIES } from './entities';
import { SnakeNamingStrategy } from './naming';

/** The one set of TypeORM options used by the API, the CLI, the tests and the TypeORM command line. */
export const dataSourceOptions = (url: string, extra: Partial<{ poolSize: number; applicationName: string }> = {}): DataSourceOptions => ({
  type: 'postgres',
  url,
  entities: ALL_ENTITIES,
  migrations: MIGRATIONS,
  migrationsTableName: 'schema_migrations',
  synchronize: false,
  migrationsRun: false,
  uuidExtension: 'pgcrypto',
  namingStrategy: new SnakeNamingStrategy(),
  poolSize: extra.poolSize ?? 20,
  applicationName: extra.applicationName ?? 'puente',
  logging: false,
});

const MIGRATION_LOCK = 0x70756e74; // 'punt'

/**
 * Applies pending migrations, one transaction each, under an advisory lock so that several
 * instances starting together do not race. Returns the names of the migrations applied.
 */
export async function runMigrations(url: string): Promise<string[]> {
  const ds = new DataSource(dataSourceOptions(url, { poolSize: 2, applicationName: 'puente-migrate' }));
  await ds.initialize();
  const runner = ds.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
    await ds.destroy();
  }
}

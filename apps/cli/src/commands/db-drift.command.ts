import { Command, CommandRunner } from 'nest-commander';
import { DataSource } from 'typeorm';
import { CliOutput } from '../cli-output';

/**
 * Compares the entities with the migrated schema (what `typeorm migration:generate` would write).
 * Exits 1 and prints the SQL when an entity changed without a migration.
 */
@Command({ name: 'db:drift', description: 'Fail when the entities differ from the schema the migrations build' })
export class DbDriftCommand extends CommandRunner {
  constructor(
    private readonly ds: DataSource,
    private readonly out: CliOutput,
  ) {
    super();
  }
  async run(): Promise<void> {
    const sql = await this.ds.driver.createSchemaBuilder().log();
    const statements = sql.upQueries.map((q) => q.query);
    this.out.json({ ok: statements.length === 0, statements });
    if (statements.length) this.out.fail(`schema drift: ${statements.length} statement(s); write a migration (see docs/development.md)`);
  }
}

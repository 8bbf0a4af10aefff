import { Command, CommandRunner } from 'nest-commander';
import { CliOutput } from '../cli-output';

/** Migrations already ran when the CLI opened the database; this reports the state. */
@Command({ name: 'db:migrate', description: 'Apply pending database migrations (also done by `npm start`)' })
export class DbMigrateCommand extends CommandRunner {
  constructor(private readonly out: CliOutput) {
    super();
  }
  async run(): Promise<void> {
    this.out.json({ ok: true, applied: this.out.context.appliedMigrations });
  }
}

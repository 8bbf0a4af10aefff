import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { ConfigError, loadConfig } from '@app/config';
import { openDatabaseRuntime, runMigrations } from '@app/db';
import { CliError } from './cli-output';
import { CliModule } from './cli.module';

/** `npm run cli -- <command> [options]`: admin and import commands, on the same services as the API. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const db = await openDatabaseRuntime(config, () => undefined);
  let exitCode = 0;
  try {
    const applied = await runMigrations(db.url);
    const app = await CommandFactory.createWithoutRunning(CliModule.forRoot({ ...config, jobsWorkers: false, databaseUrl: db.url }, { appliedMigrations: applied, databaseUrl: db.url }), {
      logger: ['error'],
      errorHandler: (err) => {
        const code = (err as { code?: string }).code ?? '';
        if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return;
        if (!code.startsWith('commander.')) process.stderr.write(`error: ${err.message}\n`); // commander printed its own
        exitCode = 1;
      },
      serviceErrorHandler: (err) => {
        process.stderr.write(`error: ${err instanceof CliError ? err.message : (err.stack ?? err.message)}\n`);
        exitCode = 1;
      },
    });
    await CommandFactory.runApplication(app);
    await app.close();
  } finally {
    await db.stop();
  }
  process.exit(exitCode);
}

main().catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

import { CommandFactory } from 'nest-commander';
import { loadConfig } from '@app/config';
import { CliModule } from '../src/cli.module';

export type CliApp = Awaited<ReturnType<typeof CommandFactory.createWithoutRunning>>;

/**
 * Runs one CLI command in-process against a test database (no job workers), capturing its standard output
 * (parsed as JSON when there is any) and silencing its progress on standard error. `inspect` is handed the
 * application context after the command ran and before it closes.
 */
export async function runCli<T = unknown>(
  env: Record<string, string>,
  databaseUrl: string,
  argv: string[],
  inspect?: (app: CliApp) => Promise<void>,
): Promise<{ out: T | undefined; failed: boolean }> {
  const config = { ...loadConfig(env), jobsWorkers: false, databaseUrl };
  const chunks: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
    chunks.push(String(c));
    return true;
  });
  const progress = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  let failed = false;
  const savedArgv = process.argv;
  process.argv = ['node', 'cli', ...argv];
  try {
    const app = await CommandFactory.createWithoutRunning(CliModule.forRoot(config, { appliedMigrations: [], databaseUrl }), {
      logger: false,
      errorHandler: () => {
        failed = true;
      },
      serviceErrorHandler: () => {
        failed = true;
      },
    });
    await CommandFactory.runApplication(app);
    if (inspect) await inspect(app);
    await app.close();
  } finally {
    process.argv = savedArgv;
    write.mockRestore();
    progress.mockRestore();
  }
  const text = chunks.join('').trim();
  return { out: text ? (JSON.parse(text) as T) : undefined, failed };
}

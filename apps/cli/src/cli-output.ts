import { Injectable } from '@nestjs/common';

export interface CliContext {
  appliedMigrations: string[];
  databaseUrl: string;
}

/** CLI commands print exactly one JSON object on success (stdout) and a message on failure (stderr, exit 1). */
@Injectable()
export class CliOutput {
  constructor(readonly context: CliContext) {}
  json(value: unknown): void {
    process.stdout.write(JSON.stringify(value, null, 2) + '\n');
  }
  fail(message: string): never {
    throw new CliError(message);
  }
}

export class CliError extends Error {}

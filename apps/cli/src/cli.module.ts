import { type DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { AuthModule } from '@app/auth';
import { APP_CONFIG } from '@app/config';
import { CryptoModule } from '@app/crypto';
import { DatabaseModule } from '@app/db';
import { ImportsCoreModule } from '@app/imports';
import { JobsModule } from '@app/jobs';
import { MatchingModule } from '@app/matching';
import { MetricsModule } from '@app/metrics';
import { RecordsModule } from '@app/records';
import type { ResolvedConfig } from '../../api/src/app.module';
import { CliOutput, type CliContext } from './cli-output';
import { AgenciesCreateCommand, AgenciesListCommand } from './commands/agencies.command';
import { ClientsCreateCommand, ClientsListCommand, ClientsRevokeCommand, ClientsRotateCommand, KeysRotateSigningCommand } from './commands/clients.command';
import { AuditVerifyCommand } from './commands/audit-verify.command';
import { KeysRotateCommand, KeysStatusCommand } from './commands/keys.command';
import { RetentionPurgeCommand } from './commands/retention.command';
import { DbDriftCommand } from './commands/db-drift.command';
import { DbMigrateCommand } from './commands/db-migrate.command';
import { ImportCommand } from './commands/import.command';
import { SeedSyntheticCommand } from './commands/seed-synthetic.command';
import { MatchingEstimateCommand, MatchingRebuildCommand } from './commands/matching.command';
import { ClkEncodeCommand } from './commands/clk-encode.command';

/**
 * MatchingModule is here for its write hook: records written by the CLI (imports) enqueue the same
 * matching job as the API's writes (this process runs no workers: JOBS_WORKERS is forced off; the
 * API's workers process the jobs).
 */
@Module({})
export class CliModule {
  static forRoot(config: ResolvedConfig, context: CliContext): DynamicModule {
    return {
      module: CliModule,
      global: true,
      imports: [DatabaseModule.forRoot(config.databaseUrl, 4), CryptoModule, AuthModule.forRoot(config), MetricsModule, JobsModule, AuditModule, RecordsModule, ImportsCoreModule, MatchingModule],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: CliOutput, useValue: new CliOutput(context) },
        DbMigrateCommand,
        DbDriftCommand,
        AgenciesCreateCommand,
        AgenciesListCommand,
        ClientsCreateCommand,
        ClientsRotateCommand,
        ClientsRevokeCommand,
        ClientsListCommand,
        KeysRotateSigningCommand,
        AuditVerifyCommand,
        KeysRotateCommand,
        KeysStatusCommand,
        RetentionPurgeCommand,
        ImportCommand,
        SeedSyntheticCommand,
        MatchingRebuildCommand,
        MatchingEstimateCommand,
        ClkEncodeCommand,
      ],
      exports: [APP_CONFIG],
    };
  }
}

import { type DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { AuditModule } from '@app/audit';
import { AuthModule } from '@app/auth';
import { CatalogsModule } from '@app/catalogs';
import { CryptoModule } from '@app/crypto';
import { DatabaseModule } from '@app/db';
import { HealthModule } from '@app/health';
import { ImportsModule } from '@app/imports';
import { JobsModule } from '@app/jobs';
import { MetricsModule } from '@app/metrics';
import { MatchingModule } from '@app/matching';
import { RecordsModule } from '@app/records';
import { ReferralsModule } from '@app/referrals';
import { WebhooksModule } from '@app/webhooks';
import { StatisticsModule } from '@app/statistics';

export type ResolvedConfig = AppConfig & { databaseUrl: string };

@Module({})
export class AppModule {
  static forRoot(config: ResolvedConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [DatabaseModule.forRoot(config.databaseUrl), CryptoModule, AuthModule.forRoot(config), HealthModule, CatalogsModule, AuditModule, RecordsModule, MetricsModule, JobsModule, StatisticsModule, ReferralsModule, WebhooksModule, MatchingModule, ImportsModule],
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}

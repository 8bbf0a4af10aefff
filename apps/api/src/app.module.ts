import { type DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { AuthModule } from '@app/auth';
import { CryptoModule } from '@app/crypto';
import { DatabaseModule } from '@app/db';
import { HealthModule } from '@app/health';

export type ResolvedConfig = AppConfig & { databaseUrl: string };

@Module({})
export class AppModule {
  static forRoot(config: ResolvedConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [DatabaseModule.forRoot(config.databaseUrl), CryptoModule, AuthModule.forRoot(config), HealthModule],
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}

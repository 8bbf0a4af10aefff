import { Global, Module, type OnModuleInit } from '@nestjs/common';
import { JobsService } from '@app/jobs';
import { AUTH_EVENTS, type AuthEvents } from '@app/auth';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';

@Global()
@Module({
  controllers: [AuditController],
  providers: [
    AuditService,
    {
      provide: AUTH_EVENTS,
      inject: [AuditService],
      useFactory: (audit: AuditService): AuthEvents => ({
        authenticationFailed: (e) =>
          audit.appendNow({ action: 'auth.failure', actor: e.clientId ?? null, requestId: e.requestId, outcome: 'denied', details: { reason: e.reason, path: e.path } }),
        adminAction: (e) => audit.appendNow({ ...e, action: `admin.${e.action}` }),
      }),
    },
  ],
  exports: [AuditService, AUTH_EVENTS],
})
export class AuditModule implements OnModuleInit {
  constructor(
    private readonly audit: AuditService,
    private readonly jobs: JobsService,
  ) {}

  /** Seals the audit chain every minute (entries are chained within a minute of their commit). */
  async onModuleInit(): Promise<void> {
    await this.jobs.register('audit.seal', async () => {
      await this.audit.seal();
    }, { retryLimit: 1 });
    await this.jobs.schedule('audit.seal', '* * * * *');
  }
}

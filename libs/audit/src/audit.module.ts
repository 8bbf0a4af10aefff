import { Global, Module } from '@nestjs/common';
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
export class AuditModule {}

import { type DynamicModule, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { APP_GUARD } from '@nestjs/core';
import { AccessGuard } from './access/access.guard';
import { RateLimitGuard } from './access/rate-limit.guard';
import { QueueThrottlerStorage } from './access/throttler-storage';
import { AdminController } from './admin.controller';
import { AgenciesController } from './agencies/agencies.controller';
import { AgenciesService } from './agencies/agencies.service';
import { ApiClientsService } from './clients/api-clients.service';
import { PrincipalCache } from './clients/principal-cache';
import { SigningKeysService } from './tokens/signing-keys.service';
import { TokenController } from './tokens/token.controller';
import { TokenVerifier } from './tokens/token-verifier.service';

/** Agencies, API clients, tokens and the global deny-by-default guard. */
@Module({})
export class AuthModule {
  static forRoot(opts: { rateLimitPerMinute: number }): DynamicModule {
    return {
      module: AuthModule,
      // Same semantics as the default store, O(1) per request (see QueueThrottlerStorage).
      imports: [ThrottlerModule.forRoot({ throttlers: [{ name: 'default', ttl: 60_000, limit: opts.rateLimitPerMinute }], storage: new QueueThrottlerStorage() })],
      controllers: [TokenController, AgenciesController, AdminController],
      providers: [
        PrincipalCache,
        AgenciesService,
        ApiClientsService,
        SigningKeysService,
        TokenVerifier,
        // Order matters: authenticate first, then count requests per client.
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
      exports: [AgenciesService, ApiClientsService, SigningKeysService, TokenVerifier],
    };
  }
}

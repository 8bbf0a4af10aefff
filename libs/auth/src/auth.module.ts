import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessGuard } from './access/access.guard';
import { AdminController } from './admin.controller';
import { AgenciesController } from './agencies/agencies.controller';
import { AgenciesService } from './agencies/agencies.service';
import { ApiClientsService } from './clients/api-clients.service';
import { SigningKeysService } from './tokens/signing-keys.service';
import { TokenController } from './tokens/token.controller';
import { TokenVerifier } from './tokens/token-verifier.service';

/** Agencies, API clients, tokens and the global deny-by-default guard. */
@Module({
  controllers: [TokenController, AgenciesController, AdminController],
  providers: [AgenciesService, ApiClientsService, SigningKeysService, TokenVerifier, { provide: APP_GUARD, useClass: AccessGuard }],
  exports: [AgenciesService, ApiClientsService, SigningKeysService, TokenVerifier],
})
export class AuthModule {}

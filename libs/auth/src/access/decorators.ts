import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ProblemDto } from '@app/http';
import type { Scope } from './scopes';

export const REQUIRED_SCOPES = 'puente:requiredScopes';

/**
 * The scopes a route needs (all of them). `@Scopes()` with none = any authenticated caller.
 * A route with neither `@Scopes` nor `@Public` is refused for everyone (deny by default).
 */
export const Scopes = (...scopes: Scope[]) =>
  applyDecorators(
    SetMetadata(REQUIRED_SCOPES, scopes),
    ApiBearerAuth('bearer'),
    ApiExtension('x-scopes', scopes),
    ApiUnauthorizedResponse({ description: 'Missing, expired or invalid token', type: ProblemDto }),
    ...(scopes.length ? [ApiForbiddenResponse({ description: `Token lacks scope ${scopes.join(' and ')}`, type: ProblemDto })] : []),
  );

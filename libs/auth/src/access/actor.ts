import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AgencyId } from '@app/db';
import type { Scope } from './scopes';

/** Who is calling: one token, one agency. Comes from the verified token, never from the body. */
export interface Actor {
  agencyId: AgencyId;
  agencyCode: string;
  agencyKind: string;
  /** OAuth client id, or `oidc:<sub>` for tokens from the external identity provider. */
  clientId: string;
  scopes: Scope[];
  /** Token id (jti), for audit. */
  tokenId?: string;
  /** Request id (x-request-id), for audit. */
  requestId?: string;
  /** Declared purpose of access (`X-Purpose` header, catalog `purpose-of-access`), checked where personal data is read. */
  purpose?: string;
}

export const hasScope = (actor: Actor, scope: Scope): boolean => actor.scopes.includes(scope);

/** Injects the authenticated Actor into a handler parameter. */
export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  const req = ctx.switchToHttp().getRequest<{ user?: Actor }>();
  if (!req.user) throw new Error('CurrentActor used on a route without authentication');
  return req.user;
});

import { type CanActivate, type ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ProblemException } from '@app/http';
import { IS_PUBLIC } from '../public.decorator';
import type { Actor } from './actor';
import { AUTH_EVENTS, type AuthEvents } from './auth-events';
import { REQUIRED_SCOPES } from './decorators';
import type { Scope } from './scopes';
import { TokenVerifier } from '../tokens/token-verifier.service';

interface Req {
  id: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  user?: Actor;
}

/**
 * The global guard, deny by default: a route is reachable only if it is marked `@Public()` or names
 * its scopes with `@Scopes(...)`. Missing or invalid token → 401; token without a required scope → 403.
 * Runs before pipes, so a caller without the scope gets 403 even with an invalid body.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenVerifier,
    @Optional() @Inject(AUTH_EVENTS) private readonly events?: AuthEvents,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const on = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, on)) return true;
    const needed = this.reflector.getAllAndOverride<Scope[] | undefined>(REQUIRED_SCOPES, on);
    const req = ctx.switchToHttp().getRequest<Req>();
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) {
      throw new ProblemException(401, 'unauthorized', {
        detail: 'Send an access token: Authorization: Bearer <token> (see POST /oauth/token)',
        headers: { 'www-authenticate': 'Bearer realm="puente"' },
      });
    }
    try {
      const actor = await this.tokens.verify(match[1]);
      const purpose = req.headers['x-purpose'];
      req.user = { ...actor, requestId: String(req.id), ...(typeof purpose === 'string' && purpose ? { purpose: purpose.trim().slice(0, 40) } : {}) };
    } catch (err) {
      const reason = err instanceof ProblemException ? String(err.extras.detail ?? err.slug) : 'verification error';
      await this.events?.authenticationFailed({ requestId: String(req.id), reason, path: req.url.split('?')[0] });
      throw err;
    }
    if (!needed) throw new ProblemException(403, 'forbidden', { detail: 'This route has no access rule; it is closed by default' });
    const missing = needed.filter((s) => !req.user!.scopes.includes(s));
    if (missing.length) {
      throw new ProblemException(403, 'missing-scope', {
        detail: `The token lacks scope(s): ${missing.join(', ')}`,
        required: needed,
        headers: { 'www-authenticate': `Bearer realm="puente", error="insufficient_scope", scope="${needed.join(' ')}"` },
      });
    }
    return true;
  }
}

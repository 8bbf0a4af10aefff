import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Actor } from './actor';

/**
 * Per-client rate limit (RATE_LIMIT_PER_MINUTE): keyed by the token's client id after authentication,
 * by IP address for public routes (the token endpoint included). Over the limit → 429 + Retry-After.
 * Counters are per instance (in memory); see docs/operations.md for several instances.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const user = req.user as Actor | undefined;
    return user ? `client:${user.clientId}` : `ip:${String(req.ip)}`;
  }
}

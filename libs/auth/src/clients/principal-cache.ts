import { Injectable } from '@nestjs/common';

/**
 * Short-lived cache of (client, agency) look-ups made on every authenticated request. Entries live
 * PRINCIPAL_CACHE_MS (5 s); revoking or rotating a client and changing an agency clear it at once on
 * this instance. Other instances see a revocation within the TTL (documented in docs/scaling.md).
 */
@Injectable()
export class PrincipalCache {
  static readonly TTL_MS = 5000;
  private readonly entries = new Map<string, { value: unknown; expires: number }>();

  get<T>(key: string): T | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expires < Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value as T;
  }

  set(key: string, value: unknown): void {
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(key, { value, expires: Date.now() + PrincipalCache.TTL_MS });
  }

  clear(): void {
    this.entries.clear();
  }
}

import { createHash } from 'node:crypto';

/** Canonical JSON: object keys sorted, `undefined` and `null` members dropped, arrays in order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined || v === null) continue;
      out[key] = sortDeep(v);
    }
    return out;
  }
  return value;
}

/** Drops `undefined`/`null` members recursively, keeping key order (for storage). */
export function compact<T>(value: T): T {
  return JSON.parse(canonicalJson(value)) as T;
}

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Strong ETag of a record version: `"v<version>-<first 8 hex of the content hash>"`. */
export const etagOf = (version: number, contentHash: string): string => `"v${version}-${contentHash.slice(0, 8)}"`;

/** True when an If-Match / If-None-Match header value lists `etag` (or is `*`). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header
    .split(',')
    .map((s) => s.trim().replace(/^W\//, ''))
    .some((s) => s === '*' || s === etag);
}

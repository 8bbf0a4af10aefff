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
  const fast = cleanCopy(value);
  return fast === UNSUPPORTED ? (JSON.parse(canonicalJson(value)) as T) : (fast as T);
}

const UNSUPPORTED = Symbol('unsupported');

/**
 * The same result as `JSON.parse(canonicalJson(value))` without the string round trip, for the values
 * validated documents are made of (strings, booleans, finite numbers, arrays and objects of those);
 * anything else (non-finite numbers, null or undefined inside arrays, dates, bigints, functions…)
 * returns UNSUPPORTED and the caller takes the JSON path, so edge cases keep JSON's exact semantics.
 */
function cleanCopy(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : UNSUPPORTED;
    case 'object': {
      if (value === null || value instanceof Date) return UNSUPPORTED;
      if (Array.isArray(value)) {
        const out: unknown[] = new Array(value.length);
        for (let i = 0; i < value.length; i++) {
          const v = value[i] as unknown;
          if (v === null || v === undefined) return UNSUPPORTED;
          const c = cleanCopy(v);
          if (c === UNSUPPORTED) return UNSUPPORTED;
          out[i] = c;
        }
        return out;
      }
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return UNSUPPORTED;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value).sort()) {
        const v = (value as Record<string, unknown>)[key];
        if (v === undefined || v === null) continue;
        if (typeof v === 'function' || typeof v === 'symbol') return UNSUPPORTED;
        const c = cleanCopy(v);
        if (c === UNSUPPORTED) return UNSUPPORTED;
        out[key] = c;
      }
      return out;
    }
    default:
      return UNSUPPORTED;
  }
}

/**
 * The content hash of a record from its already compacted parts: equal to
 * `sha256Hex(canonicalJson({ data, pii }))` (compacted parts are already sorted and clean).
 */
export function contentHashOf(data: Record<string, unknown>, pii: Record<string, unknown> | null): string {
  return sha256Hex(JSON.stringify(pii === null || pii === undefined ? { data } : { data, pii }));
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

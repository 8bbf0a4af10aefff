import { createHash } from 'node:crypto';

/** Strong ETag of a JSON representation: it changes exactly when the served bytes would. */
export const strongEtag = (body: unknown): string => `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url')}"`;

/** RFC 9110 §13.1.2: If-None-Match uses the weak comparison; `*` matches any current representation. */
export function ifNoneMatchHits(header: string | string[] | undefined, etag: string): boolean {
  if (!header) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  const tags = (Array.isArray(header) ? header.join(',') : header).split(',').map(bare);
  return tags.includes('*') || tags.includes(bare(etag));
}

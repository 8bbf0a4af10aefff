import { createHash } from 'node:crypto';

/** Strong ETag of a representation. */
export const strongEtag = (body: unknown): string => `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url')}"`;

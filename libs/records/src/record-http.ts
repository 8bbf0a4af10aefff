import type { FastifyReply } from 'fastify';
import { etagMatches } from './canonical';
import type { Preconditions, Provenance, RecordResponse } from './records.service';

/** Reads one header as a string. */
export const header = (headers: Record<string, string | string[] | undefined>, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

type Headers = Record<string, string | string[] | undefined>;

/** The conditional-request headers of a write (If-Match, If-None-Match). */
export const preconditionsOf = (headers: Headers): Preconditions => ({ ifMatch: header(headers, 'if-match'), ifNoneMatch: header(headers, 'if-none-match') });

/** The provenance headers of a write (X-Source-System, X-Submission-Id), capped at 128 characters. */
export const provenanceOf = (headers: Headers): Provenance => ({
  sourceSystem: header(headers, 'x-source-system')?.slice(0, 128),
  submissionId: header(headers, 'x-submission-id')?.slice(0, 128),
});

/** Sends a record with its ETag (304 when If-None-Match matches on a read). */
export function sendRecord(reply: FastifyReply, status: number, record: RecordResponse, ifNoneMatch?: string): void {
  void reply.header('etag', record.etag).header('cache-control', 'private, no-cache');
  if (ifNoneMatch && status === 200 && etagMatches(ifNoneMatch, record.etag)) {
    void reply.status(304).send();
    return;
  }
  void reply.status(status).send(record);
}

import type { FastifyReply } from 'fastify';
import { etagMatches } from './canonical';
import type { RecordResponse } from './records.service';

/** Reads one header as a string. */
export const header = (headers: Record<string, string | string[] | undefined>, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Sends a record with its ETag (304 when If-None-Match matches on a read). */
export function sendRecord(reply: FastifyReply, status: number, record: RecordResponse, ifNoneMatch?: string): void {
  void reply.header('etag', record.etag).header('cache-control', 'private, no-cache');
  if (ifNoneMatch && status === 200 && etagMatches(ifNoneMatch, record.etag)) {
    void reply.status(304).send();
    return;
  }
  void reply.status(status).send(record);
}

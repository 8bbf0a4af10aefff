import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryFailedError } from 'typeorm';
import type { ProblemDto } from './problem.dto';
import { PROBLEM_TITLES, ProblemException, type ProblemSlug } from './problem.exception';

const BY_STATUS: Record<number, ProblemSlug> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  412: 'precondition-failed',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  422: 'validation',
  428: 'precondition-required',
  429: 'too-many-requests',
  503: 'service-unavailable',
};

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

/** Maps a PostgreSQL error to a problem, when it is one the client caused. */
function fromDatabase(err: QueryFailedError): ProblemException | undefined {
  const code = (err.driverError as { code?: string } | undefined)?.code;
  if (code === '23505') return new ProblemException(409, 'conflict', { detail: 'A record with the same key already exists' });
  if (code === '40001' || code === '40P01') {
    return new ProblemException(503, 'service-unavailable', { detail: 'Concurrent update; retry', headers: { 'retry-after': '1' } });
  }
  if (code === '22P02') return new ProblemException(400, 'bad-request', { detail: 'Malformed identifier' });
  // Class 22 (data exception): a value of the request reached SQL and was out of range or malformed
  // (a date like 9999-99-99 or 2024-13-01T00:00+99:99, a cursor beyond bigint).
  if (code?.startsWith('22')) return new ProblemException(400, 'bad-request', { detail: 'A value is out of range or malformed' });
  return undefined;
}

/** PostgreSQL error codes and driver messages of a lost or refused connection (server restart, admin termination, failover). */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', '53300']);
const CONNECTION_MESSAGES = /Connection terminated|already released|terminating connection|Client has encountered a connection error|Connection ended|timeout exceeded when trying to connect|the database system is (starting up|shutting down|in recovery mode)/i;

/** The database is unreachable for now: 503 with Retry-After, so clients retry (a retried write is idempotent). */
export function unavailableFromDatabase(err: unknown): ProblemException | undefined {
  for (let e = err as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown } | undefined, i = 0; e && i < 5; i++) {
    if ((typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) || (typeof e.message === 'string' && CONNECTION_MESSAGES.test(e.message))) {
      return new ProblemException(503, 'service-unavailable', { detail: 'The database is unavailable; retry later', headers: { 'retry-after': '2' } });
    }
    e = (e.driverError ?? e.cause) as typeof e;
  }
  return undefined;
}

/**
 * The one error envelope: every error, from handlers, guards, pipes, Fastify's body parser or the
 * router, becomes an RFC 9457 `application/problem+json` response. Unexpected errors are logged with
 * the request id and answered with a bare 500 (no stack, no SQL).
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');
  constructor(private readonly problemBase: string) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const request = ctx.getRequest<FastifyRequest>();
    let problem = exception;
    // Nest wraps Fastify's own 4xx errors (body parser, limits) in an HttpException with the original as cause.
    if (problem instanceof HttpException && !(problem instanceof ProblemException) && isFastifyError(problem.cause)) {
      problem = problem.cause;
    }
    if (problem instanceof QueryFailedError) problem = fromDatabase(problem) ?? problem;
    if (!(problem instanceof HttpException)) problem = unavailableFromDatabase(problem) ?? problem;

    let status = 500;
    let slug: ProblemSlug = 'internal';
    let extras: Record<string, unknown> = {};
    let headers: Record<string, string> = {};
    if (problem instanceof ProblemException) {
      status = problem.statusCode;
      slug = problem.slug;
      const { headers: h, ...rest } = problem.extras;
      extras = rest;
      headers = h ?? {};
    } else if (problem instanceof HttpException) {
      status = problem.getStatus();
      slug = BY_STATUS[status] ?? (status >= 500 ? 'internal' : 'bad-request');
      if (status === 404 && !request.routeOptions?.url) slug = 'route-not-found';
      const body = problem.getResponse();
      const message = typeof body === 'object' && body && 'message' in body ? (body as { message: unknown }).message : body;
      if (status < 500 && typeof message === 'string') extras.detail = message;
      if (status === 404 && slug === 'route-not-found') extras.detail = `No route ${request.method} ${request.url.split('?')[0]}`;
    } else if (isFastifyError(problem)) {
      status = problem.statusCode!;
      const code = problem.code;
      if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || problem instanceof SyntaxError || code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
        slug = 'malformed-json';
        extras.detail = code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'Body is empty but Content-Type is application/json' : 'The body could not be parsed as JSON';
      } else {
        slug = BY_STATUS[status] ?? 'bad-request';
        if (status < 500) extras.detail = problem.message;
      }
    }
    if (status >= 500 && !(problem instanceof ProblemException)) {
      const err = exception as Error;
      this.logger.error({ reqId: request.id, err: { type: err?.name, message: err?.message, stack: err?.stack } }, 'unhandled error');
    }
    const body: ProblemDto = {
      type: `${this.problemBase}/${slug}`,
      title: PROBLEM_TITLES[slug],
      status,
      ...extras,
      instance: request.url.split('?')[0],
      requestId: String(request.id),
    };
    for (const [k, v] of Object.entries(headers)) void reply.header(k, v);
    void reply.status(status).header('content-type', 'application/problem+json; charset=utf-8').send(body);
  }
}

function isFastifyError(e: unknown): e is FastifyLikeError {
  return !!e && typeof e === 'object' && typeof (e as FastifyLikeError).statusCode === 'number' && (e as FastifyLikeError).statusCode! >= 400;
}

/**
 * Fastify's router rejects some requests before any hook or Nest filter runs (a URL that does not
 * decode, a path parameter over `maxParamLength`): answer those with a problem document too.
 */
export function frameworkErrorProblem(problemBase: string) {
  return (error: FastifyLikeError, request: FastifyRequest, reply: FastifyReply): void => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
    const body: ProblemDto = {
      type: `${problemBase}/bad-request`,
      title: PROBLEM_TITLES['bad-request'],
      status,
      detail: error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path parameter is too long' : 'The URL could not be decoded',
      instance: String(request.url ?? '').split('?')[0],
      requestId: String(request.id),
    };
    void reply.status(status).header('x-request-id', String(request.id)).header('content-type', 'application/problem+json; charset=utf-8').send(body);
  };
}

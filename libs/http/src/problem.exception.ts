import { HttpException } from '@nestjs/common';
import type { FieldErrorDto } from './problem.dto';

/** Problem types. Their `type` URI is `${PUBLIC_URL}/problems/<slug>`; docs/errors.md lists them. */
export const PROBLEM_TITLES = {
  'bad-request': 'Bad request',
  'malformed-json': 'Request body is not valid JSON',
  validation: 'Request failed validation',
  unauthorized: 'Authentication required',
  'invalid-token': 'Access token is invalid',
  'missing-scope': 'The access token lacks a required scope',
  forbidden: 'Forbidden',
  'not-found': 'Resource not found',
  'route-not-found': 'No such route',
  'method-not-allowed': 'Method not allowed',
  conflict: 'Conflict',
  'precondition-failed': 'Precondition failed: the resource has changed',
  'precondition-required': 'Precondition required: send If-Match',
  'payload-too-large': 'Request body too large',
  'unsupported-media-type': 'Unsupported media type',
  'too-many-requests': 'Too many requests',
  'invalid-transition': 'State transition not allowed',
  'invalid-client': 'Client authentication failed',
  'invalid-grant': 'Invalid grant',
  'service-unavailable': 'Service unavailable',
  internal: 'Internal server error',
} as const;
export type ProblemSlug = keyof typeof PROBLEM_TITLES;

export interface ProblemExtras {
  detail?: string;
  errors?: FieldErrorDto[];
  allowed?: string[];
  headers?: Record<string, string>;
  [key: string]: unknown;
}

/** Throw this to answer with a problem+json body. */
export class ProblemException extends HttpException {
  constructor(
    readonly statusCode: number,
    readonly slug: ProblemSlug,
    readonly extras: ProblemExtras = {},
  ) {
    super(extras.detail ?? PROBLEM_TITLES[slug], statusCode);
  }

  static validation(errors: FieldErrorDto[], detail?: string): ProblemException {
    return new ProblemException(422, 'validation', { errors, detail: detail ?? `${errors.length} field(s) rejected` });
  }
  static notFound(what = 'Resource'): ProblemException {
    return new ProblemException(404, 'not-found', { detail: `${what} not found` });
  }
}

import { ApiProperty } from '@nestjs/swagger';

/** One rejected field. */
export class FieldErrorDto {
  /** JSON pointer to the field, relative to the request body (RFC 6901 fragment form). @example "#/victims/0/sex" */
  pointer!: string;
  /** Why the value was rejected. @example "sex must be one of the codes of catalog sex" */
  detail!: string;
  /** Machine-readable rule that failed. @example "isIn" */
  rule?: string;
  /** Allowed values, when the field takes codes from a list. @example ["female", "male", "SI", "NA", "NR", "RESERVED"] */
  allowed?: string[];
  /** Where the full list of allowed values is published. @example "/v1/catalogs/sex" */
  catalog?: string;
}

/** RFC 9457 problem details: the body of every error response (`application/problem+json`). */
export class ProblemDto {
  /** URI identifying the problem type. @example "https://puente.example/problems/validation" */
  type!: string;
  /** Short, human-readable summary of the problem type. @example "Request body failed validation" */
  title!: string;
  /** HTTP status code. @example 422 */
  status!: number;
  /** Explanation specific to this occurrence. */
  detail?: string;
  /** The request path. @example "/v1/victims/V-1" */
  instance?: string;
  /** Request id, also in the `x-request-id` response header and in the logs. */
  requestId?: string;
  /** Field errors for validation failures. */
  @ApiProperty({ type: () => [FieldErrorDto], required: false })
  errors?: FieldErrorDto[];
  /** For state-machine conflicts: the transitions allowed from the current state. */
  allowed?: string[];
  /** For 403 missing-scope: the scopes the route needs. */
  required?: string[];
  /** OAuth 2.0 error code (RFC 6749 §5.2), on /oauth/token only. @example "invalid_client" */
  error?: string;
  /** OAuth 2.0 error description, on /oauth/token only. */
  error_description?: string;
}

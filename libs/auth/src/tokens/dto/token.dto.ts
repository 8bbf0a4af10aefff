import { ApiProperty } from '@nestjs/swagger';

/** OAuth 2.0 client-credentials token request (RFC 6749 §4.4), form-encoded or JSON. */
export class TokenRequestDto {
  @ApiProperty({ enum: ['client_credentials'] })
  grant_type!: string;
  /** Client id; or send it with the secret in an HTTP Basic Authorization header. */
  client_id?: string;
  client_secret?: string;
  /** Space-separated scopes; a subset of the client's. Default: all of the client's scopes. @example "victims:read victims:write" */
  scope?: string;
}

export class TokenResponseDto {
  /** Signed JWT (ES256). */
  access_token!: string;
  @ApiProperty({ enum: ['Bearer'] })
  token_type!: 'Bearer';
  /** Lifetime in seconds. @example 900 */
  expires_in!: number;
  /** Scopes granted, space-separated. */
  scope!: string;
}

export class JwksDto {
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } })
  keys!: Record<string, unknown>[];
}

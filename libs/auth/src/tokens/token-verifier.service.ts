import { KeyObject, type webcrypto } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { ExtractJwt, Strategy as JwtStrategy, type StrategyOptionsWithRequest } from 'passport-jwt';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { asAgencyId } from '@app/db';
import { ProblemException } from '@app/http';
import type { Actor } from '../access/actor';
import { isScope } from '../access/scopes';
import { ApiClientsService } from '../clients/api-clients.service';
import { AgenciesService } from '../agencies/agencies.service';
import { SigningKeysService } from './signing-keys.service';

interface Claims {
  iss: string;
  exp?: number;
  sub: string;
  scope?: string;
  agency_id?: string;
  jti?: string;
  [claim: string]: unknown;
}

const invalid = (detail: string) =>
  new ProblemException(401, 'invalid-token', { detail, headers: { 'www-authenticate': 'Bearer realm="puente", error="invalid_token"' } });

function decodeSegment(raw: string, index: 0 | 1): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(raw.split('.')[index] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/**
 * Verifies bearer tokens with passport-jwt (algorithms pinned: `alg: none` and HMAC are refused),
 * for Puente's own tokens (keys by kid from the database) and, when configured, tokens of an external
 * OpenID provider (keys from its JWKS URL; agency from a claim). Maps the claims to an Actor and checks
 * that the client is not revoked and the agency is active.
 */
@Injectable()
export class TokenVerifier {
  private readonly strategy: JwtStrategy;
  private readonly externalKeys?: JWTVerifyGetKey;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly keys: SigningKeysService,
    private readonly clients: ApiClientsService,
    private readonly agencies: AgenciesService,
  ) {
    if (config.externalJwksUrl) this.externalKeys = createRemoteJWKSet(new URL(config.externalJwksUrl), { cooldownDuration: 30_000 });
    const options: StrategyOptionsWithRequest = {
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // jsonwebtoken accepts KeyObjects; passport-jwt's types predate that.
      secretOrKeyProvider: (_req, rawJwt: string, done: (err: unknown, key?: string | Buffer) => void) => {
        this.keyFor(rawJwt).then(
          (key) => (key ? done(null, key as unknown as Buffer) : done(invalid('Unknown signing key'))),
          (err: unknown) => done(err),
        );
      },
      algorithms: ['ES256', 'RS256', 'PS256'],
      issuer: [config.publicUrl, ...(config.externalIssuer ? [config.externalIssuer] : [])],
      audience: config.jwtAudience,
      jsonWebTokenOptions: { clockTolerance: 5 },
      passReqToCallback: true,
    };
    this.strategy = new JwtStrategy(options, (_req: unknown, payload: Claims, done: (e: unknown, u?: Claims) => void) => done(null, payload));
  }

  private async keyFor(rawJwt: string): Promise<KeyObject | undefined> {
    const header = decodeSegment(rawJwt, 0) as { kid?: string; alg?: string };
    const payload = decodeSegment(rawJwt, 1) as { iss?: string };
    if (payload.iss === this.config.publicUrl) return header.kid ? this.keys.publicKey(header.kid) : undefined;
    if (this.externalKeys && payload.iss === this.config.externalIssuer) {
      const key = await this.externalKeys({ alg: header.alg ?? '', kid: header.kid }, { payload: {}, signature: '' } as never);
      return key instanceof KeyObject ? key : KeyObject.from(key as webcrypto.CryptoKey);
    }
    return undefined;
  }

  /** Runs the passport-jwt strategy on one token and resolves its claims. */
  private claims(token: string): Promise<Claims> {
    return new Promise((resolve, reject) => {
      const run = Object.create(this.strategy) as JwtStrategy & {
        success: (user: Claims) => void;
        fail: (info: unknown) => void;
        error: (err: unknown) => void;
      };
      run.success = resolve;
      run.fail = (info: unknown) => {
        const message = info instanceof Error ? info.message : String((info as { message?: string })?.message ?? info);
        reject(invalid(/expired/i.test(message) ? 'The access token has expired' : `The access token is invalid (${message})`));
      };
      run.error = (err: unknown) => reject(err instanceof ProblemException ? err : invalid('The access token could not be verified'));
      run.authenticate({ headers: { authorization: `Bearer ${token}` } } as never, {});
    });
  }

  /** Tokens already verified, until they expire: the signature check runs once per token, not per request. */
  private readonly verified = new Map<string, Claims>();

  private async verifiedClaims(token: string): Promise<Claims> {
    const hit = this.verified.get(token);
    if (hit && typeof hit.exp === 'number' && hit.exp * 1000 > Date.now() + 1000) return hit;
    const claims = await this.claims(token);
    if (this.verified.size >= 10_000) this.verified.clear();
    this.verified.set(token, claims);
    return claims;
  }

  async verify(token: string): Promise<Actor> {
    // Revocation is still checked on every request (the principal look-up below).
    const claims = await this.verifiedClaims(token);
    const requested = (claims.scope ?? '').split(' ').filter(isScope);
    if (claims.iss === this.config.publicUrl) {
      const principal = await this.clients.findPrincipal(claims.sub);
      if (!principal) throw invalid('The client of this token is revoked or unknown, or its agency is inactive');
      const { client, agency } = principal;
      if (agency.id !== claims.agency_id) throw invalid('The agency of this token does not match its client');
      const scopes = requested.filter((s) => client.scopes.includes(s));
      return { agencyId: asAgencyId(agency.id), agencyCode: agency.code, agencyKind: agency.kind, clientId: client.clientId, scopes, tokenId: claims.jti };
    }
    // External identity provider: the agency comes from a configured claim.
    const code = claims[this.config.externalAgencyClaim];
    const agency = typeof code === 'string' ? await this.agencies.findActiveByCode(code) : undefined;
    if (!agency) throw invalid(`Claim ${this.config.externalAgencyClaim} does not name an active agency`);
    return { agencyId: asAgencyId(agency.id), agencyCode: agency.code, agencyKind: agency.kind, clientId: `oidc:${claims.sub}`, scopes: requested, tokenId: claims.jti };
  }
}

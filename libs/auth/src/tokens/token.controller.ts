import { Body, Controller, Get, Header, HttpCode, Inject, Optional, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ProblemException } from '@app/http';
import { Public } from '../public.decorator';
import { isScope } from '../access/scopes';
import { AUTH_EVENTS, type AuthEvents } from '../access/auth-events';
import { ApiClientsService } from '../clients/api-clients.service';
import { JwksDto, TokenRequestDto, TokenResponseDto } from './dto/token.dto';
import { SigningKeysService } from './signing-keys.service';

const oauthError = (status: 400 | 401, error: string, description: string, basic = false) =>
  new ProblemException(status, error === 'invalid_client' ? 'invalid-client' : error === 'invalid_grant' ? 'invalid-grant' : 'bad-request', {
    detail: description,
    error,
    error_description: description,
    headers: { 'cache-control': 'no-store', ...(basic ? { 'www-authenticate': 'Basic realm="puente"' } : {}) },
  });

@ApiTags('auth')
@Controller()
export class TokenController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clients: ApiClientsService,
    private readonly keys: SigningKeysService,
    @Optional() @Inject(AUTH_EVENTS) private readonly events?: AuthEvents,
  ) {}

  /**
   * OAuth 2.0 client-credentials grant. Credentials in the body (`client_id`, `client_secret`) or in
   * an HTTP Basic header. Errors carry the RFC 6749 `error` and `error_description` members.
   */
  @Post('oauth/token')
  @Public()
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ type: TokenRequestDto })
  @ApiOkResponse({ type: TokenResponseDto })
  async issueToken(@Body() body: Record<string, unknown>, @Req() req: { id: string; headers: Record<string, string | undefined> }): Promise<TokenResponseDto> {
    const field = (name: string) => (typeof body?.[name] === 'string' ? (body[name] as string) : undefined);
    if (field('grant_type') !== 'client_credentials') {
      throw oauthError(400, field('grant_type') ? 'unsupported_grant_type' : 'invalid_request', 'grant_type must be client_credentials');
    }
    let clientId = field('client_id');
    let secret = field('client_secret');
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw oauthError(401, 'invalid_client', 'Malformed Basic credentials', true);
      clientId = decodeURIComponent(decoded.slice(0, colon));
      secret = decodeURIComponent(decoded.slice(colon + 1));
    }
    if (!clientId || !secret) throw oauthError(401, 'invalid_client', 'Client credentials are required', !!basic);
    const principal = await this.clients.authenticate(clientId, secret);
    if (!principal) {
      await this.events?.authenticationFailed({ requestId: String(req.id), reason: 'invalid client credentials', clientId, path: '/oauth/token' });
      throw oauthError(401, 'invalid_client', 'Client authentication failed', !!basic);
    }
    const requested = field('scope')?.split(' ').filter(Boolean);
    const allowed = principal.client.scopes.filter(isScope);
    let scopes = allowed;
    if (requested) {
      const extra = requested.filter((s) => !allowed.includes(s as never));
      if (extra.length) throw oauthError(400, 'invalid_scope', `Scope(s) not granted to this client: ${extra.join(' ')}`);
      scopes = allowed.filter((s) => requested.includes(s));
    }
    const ttl = this.config.tokenTtl;
    const accessToken = await this.keys.sign(
      { scope: scopes.join(' '), agency_id: principal.agency.id, agency: principal.agency.code },
      { issuer: this.config.publicUrl, audience: this.config.jwtAudience, subject: principal.client.clientId, ttlSeconds: ttl },
    );
    return { access_token: accessToken, token_type: 'Bearer', expires_in: ttl, scope: scopes.join(' ') };
  }

  /** Public keys that verify Puente's access tokens (RFC 7517). Retired keys stay until their tokens expire. */
  @Get('.well-known/jwks.json')
  @Public()
  @Header('cache-control', 'public, max-age=300')
  getJwks(): JwksDto {
    return this.keys.jwks() as JwksDto;
  }
}

import { Command, CommandRunner, Option } from 'nest-commander';
import { AuditService } from '@app/audit';
import { ApiClientsService, SigningKeysService } from '@app/auth';
import { CliOutput } from '../cli-output';

@Command({ name: 'clients:create', description: 'Create an API client: --agency fge-cdmx --scopes "victims:read victims:write" [--name "…"]; prints client_id and client_secret once' })
export class ClientsCreateCommand extends CommandRunner {
  constructor(
    private readonly clients: ApiClientsService,
    private readonly audit: AuditService,
    private readonly out: CliOutput,
  ) {
    super();
  }
  async run(_args: string[], opts: { agency?: string; scopes?: string; name?: string }): Promise<void> {
    if (!opts.agency || !opts.scopes) this.out.fail('--agency and --scopes are required');
    const created = await this.clients.create(
      { agency: opts.agency, name: opts.name ?? `${opts.agency} integration`, scopes: opts.scopes.split(/[\s,]+/).filter(Boolean) },
      'cli:clients:create',
    );
    await this.audit.appendNow({ actor: 'cli:clients:create', action: 'admin.clients.create', resourceType: 'api-client', resourceIds: [created.clientId] });
    this.out.json({ client_id: created.clientId, client_secret: created.clientSecret, agency: created.agency, scopes: created.scopes });
  }
  @Option({ flags: '--agency <code>' }) agency(v: string) {
    return v;
  }
  @Option({ flags: '--scopes <scopes>', description: 'space- or comma-separated' }) scopes(v: string) {
    return v;
  }
  @Option({ flags: '--name <name>' }) name(v: string) {
    return v;
  }
}

@Command({ name: 'clients:rotate', arguments: '<clientId>', description: 'New secret for a client; the old one works for --grace seconds (default 86400)' })
export class ClientsRotateCommand extends CommandRunner {
  constructor(
    private readonly clients: ApiClientsService,
    private readonly audit: AuditService,
    private readonly out: CliOutput,
  ) {
    super();
  }
  async run([clientId]: string[], opts: { grace?: number }): Promise<void> {
    const rotated = await this.clients.rotate(clientId, opts.grace ?? 86400);
    await this.audit.appendNow({ actor: 'cli:clients:rotate', action: 'admin.clients.rotate', resourceType: 'api-client', resourceIds: [clientId] });
    this.out.json({ client_id: rotated.clientId, client_secret: rotated.clientSecret, previous_secret_expires_at: rotated.previousSecretExpiresAt });
  }
  @Option({ flags: '--grace <seconds>' }) grace(v: string) {
    return Number(v);
  }
}

@Command({ name: 'clients:revoke', arguments: '<clientId>', description: 'Revoke a client; its tokens stop working' })
export class ClientsRevokeCommand extends CommandRunner {
  constructor(
    private readonly clients: ApiClientsService,
    private readonly audit: AuditService,
    private readonly out: CliOutput,
  ) {
    super();
  }
  async run([clientId]: string[]): Promise<void> {
    const revoked = await this.clients.revoke(clientId);
    await this.audit.appendNow({ actor: 'cli:clients:revoke', action: 'admin.clients.revoke', resourceType: 'api-client', resourceIds: [clientId] });
    this.out.json({ client_id: revoked.clientId, revoked_at: revoked.revokedAt });
  }
}

@Command({ name: 'clients:list', description: 'List API clients [--agency CODE]' })
export class ClientsListCommand extends CommandRunner {
  constructor(
    private readonly clients: ApiClientsService,
    private readonly out: CliOutput,
  ) {
    super();
  }
  async run(_args: string[], opts: { agency?: string }): Promise<void> {
    this.out.json({ items: await this.clients.list(opts.agency) });
  }
  @Option({ flags: '--agency <code>' }) agency(v: string) {
    return v;
  }
}

@Command({ name: 'keys:rotate-signing', description: 'New token-signing key; old keys stay in the JWKS for --grace seconds (default 3600)' })
export class KeysRotateSigningCommand extends CommandRunner {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly audit: AuditService,
    private readonly out: CliOutput,
  ) {
    super();
  }
  async run(_args: string[], opts: { grace?: number }): Promise<void> {
    const rotated = await this.keys.rotate(opts.grace ?? 3600);
    await this.audit.appendNow({ actor: 'cli:keys:rotate-signing', action: 'admin.keys.rotate-signing', resourceType: 'signing-key', resourceIds: [rotated.kid] });
    this.out.json(rotated);
  }
  @Option({ flags: '--grace <seconds>' }) grace(v: string) {
    return Number(v);
  }
}

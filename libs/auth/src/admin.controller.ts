import { Body, Controller, Get, HttpCode, Inject, Optional, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentActor, type Actor } from './access/actor';
import { Scopes } from './access/decorators';
import { AUTH_EVENTS, type AuthEvents } from './access/auth-events';
import { AgenciesService } from './agencies/agencies.service';
import { AgencyAdminDto, AgencyVersionDto, CreateAgencyDto, UpdateAgencyDto, AgencyDirectoryPageDto } from './agencies/dto/agency.dto';
import { AgencyListQueryDto } from './agencies/dto/agency-query.dto';
import { ApiClientsService } from './clients/api-clients.service';
import { ApiClientCredentialsDto, ApiClientDto, CreateApiClientDto, RotateApiClientDto } from './clients/dto/api-client.dto';

/** Platform administration (scope `admin`): the agency registry and API clients. */
@ApiTags('admin')
@Controller('admin')
export class AdminController {
  constructor(
    private readonly agencies: AgenciesService,
    private readonly clients: ApiClientsService,
    @Optional() @Inject(AUTH_EVENTS) private readonly events?: AuthEvents,
  ) {}

  /** Every admin change is audited (who, what, which resource; never secrets). */
  private async audited<T>(actor: Actor, req: { id: string }, action: string, resourceType: string, resourceId: string, work: Promise<T>): Promise<T> {
    const result = await work;
    await this.events?.adminAction({ agencyId: actor.agencyId, actor: actor.clientId, action, resourceType, resourceIds: [resourceId], requestId: String(req.id) });
    return result;
  }

  @Post('agencies')
  @Scopes('admin')
  createAgency(@CurrentActor() actor: Actor, @Req() req: { id: string }, @Body() body: CreateAgencyDto): Promise<AgencyAdminDto> {
    return this.audited(actor, req, 'agencies.create', 'agency', body.code, this.agencies.create(body, actor.clientId));
  }

  @Get('agencies')
  @Scopes('admin')
  adminListAgencies(@Query() query: AgencyListQueryDto): Promise<AgencyDirectoryPageDto> {
    return this.agencies.list(query);
  }

  /** Rename, deactivate, close (validTo) or merge an agency; every change is kept as a version. */
  @Patch('agencies/:code')
  @Scopes('admin')
  updateAgency(@CurrentActor() actor: Actor, @Req() req: { id: string }, @Param('code') code: string, @Body() body: UpdateAgencyDto): Promise<AgencyAdminDto> {
    return this.audited(actor, req, 'agencies.update', 'agency', code, this.agencies.update(code, body, actor.clientId));
  }

  @Get('agencies/:code/versions')
  @Scopes('admin')
  listAgencyVersions(@Param('code') code: string): Promise<AgencyVersionDto[]> {
    return this.agencies.versions(code);
  }

  /** Creates a client; the secret is in this response only. */
  @Post('clients')
  @Scopes('admin')
  async createClient(@CurrentActor() actor: Actor, @Req() req: { id: string }, @Body() body: CreateApiClientDto): Promise<ApiClientCredentialsDto> {
    const created = await this.clients.create(body, actor.clientId);
    return this.audited(actor, req, 'clients.create', 'api-client', created.clientId, Promise.resolve(created));
  }

  @Get('clients')
  @Scopes('admin')
  listClients(@Query('agency') agency?: string): Promise<ApiClientDto[]> {
    return this.clients.list(agency);
  }

  /** New secret (shown once); the previous one keeps working for `graceSeconds`. */
  @Post('clients/:clientId/rotate')
  @HttpCode(200)
  @Scopes('admin')
  rotateClient(@CurrentActor() actor: Actor, @Req() req: { id: string }, @Param('clientId') clientId: string, @Body() body: RotateApiClientDto): Promise<ApiClientCredentialsDto> {
    return this.audited(actor, req, 'clients.rotate', 'api-client', clientId, this.clients.rotate(clientId, body.graceSeconds));
  }

  /** Revokes the client: its tokens stop working at once. */
  @Post('clients/:clientId/revoke')
  @HttpCode(200)
  @Scopes('admin')
  revokeClient(@CurrentActor() actor: Actor, @Req() req: { id: string }, @Param('clientId') clientId: string): Promise<ApiClientDto> {
    return this.audited(actor, req, 'clients.revoke', 'api-client', clientId, this.clients.revoke(clientId));
  }
}

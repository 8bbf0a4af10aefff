import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentActor, type Actor } from './access/actor';
import { Scopes } from './access/decorators';
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
  ) {}

  @Post('agencies')
  @Scopes('admin')
  createAgency(@CurrentActor() actor: Actor, @Body() body: CreateAgencyDto): Promise<AgencyAdminDto> {
    return this.agencies.create(body, actor.clientId);
  }

  @Get('agencies')
  @Scopes('admin')
  adminListAgencies(@Query() query: AgencyListQueryDto): Promise<AgencyDirectoryPageDto> {
    return this.agencies.list(query);
  }

  /** Rename, deactivate, close (validTo) or merge an agency; every change is kept as a version. */
  @Patch('agencies/:code')
  @Scopes('admin')
  updateAgency(@CurrentActor() actor: Actor, @Param('code') code: string, @Body() body: UpdateAgencyDto): Promise<AgencyAdminDto> {
    return this.agencies.update(code, body, actor.clientId);
  }

  @Get('agencies/:code/versions')
  @Scopes('admin')
  listAgencyVersions(@Param('code') code: string): Promise<AgencyVersionDto[]> {
    return this.agencies.versions(code);
  }

  /** Creates a client; the secret is in this response only. */
  @Post('clients')
  @Scopes('admin')
  createClient(@CurrentActor() actor: Actor, @Body() body: CreateApiClientDto): Promise<ApiClientCredentialsDto> {
    return this.clients.create(body, actor.clientId);
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
  rotateClient(@Param('clientId') clientId: string, @Body() body: RotateApiClientDto): Promise<ApiClientCredentialsDto> {
    return this.clients.rotate(clientId, body.graceSeconds);
  }

  /** Revokes the client: its tokens stop working at once. */
  @Post('clients/:clientId/revoke')
  @HttpCode(200)
  @Scopes('admin')
  revokeClient(@Param('clientId') clientId: string): Promise<ApiClientDto> {
    return this.clients.revoke(clientId);
  }
}

import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentActor, type Actor } from '../access/actor';
import { Scopes } from '../access/decorators';
import { AgenciesService } from './agencies.service';
import { AgencyDirectoryPageDto, AgencyMeDto } from './dto/agency.dto';
import { AgencyListQueryDto } from './dto/agency-query.dto';

@ApiTags('agencies')
@Controller('agencies')
export class AgenciesController {
  constructor(private readonly agencies: AgenciesService) {}

  /** Directory of participating agencies (public directory fields only), by code. Any authenticated caller. */
  @Get()
  @Scopes()
  listAgencies(@Query() query: AgencyListQueryDto): Promise<AgencyDirectoryPageDto> {
    return this.agencies.list(query);
  }

  /** The calling agency, with the client id and scopes of the token used. */
  @Get('me')
  @Scopes()
  async getMyAgency(@CurrentActor() actor: Actor): Promise<AgencyMeDto> {
    const agency = await this.agencies.getByCode(actor.agencyCode);
    const { createdAt: _c, updatedAt: _u, ...dto } = await this.agencies.toAdminWithCodes(agency);
    return {
      ...dto,
      id: agency.id,
      version: agency.version,
      clientId: actor.clientId,
      scopes: actor.scopes,
    };
  }
}

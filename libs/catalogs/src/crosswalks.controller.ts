import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { type Actor, CurrentActor, Scopes } from '@app/auth';
import { PageQueryDto, ProblemDto } from '@app/http';
import { CrosswalkService } from './crosswalk.service';
import { CatalogNameParamDto } from './dto/catalog.dto';
import { CrosswalkPageDto, CrosswalkSummaryPageDto, CrosswalkWriteResultDto, PutCrosswalkDto } from './dto/crosswalk.dto';

/** The calling agency's own codes and the standard codes they stand for (R6). Each agency sees only its own. */
@ApiTags('crosswalks')
@Controller('crosswalks')
export class CrosswalksController {
  constructor(private readonly crosswalks: CrosswalkService) {}

  /** The catalogs the calling agency has mappings for. */
  @Get()
  @Scopes('crosswalks:read')
  listCrosswalks(@CurrentActor() actor: Actor, @Query() query: PageQueryDto): Promise<CrosswalkSummaryPageDto> {
    return this.crosswalks.summaries(actor.agencyId, query);
  }

  /** The calling agency's mappings for one catalog, by local code. */
  @Get(':name')
  @Scopes('crosswalks:read')
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No such catalog' })
  getCrosswalk(@CurrentActor() actor: Actor, @Param() params: CatalogNameParamDto, @Query() query: PageQueryDto): Promise<CrosswalkPageDto> {
    return this.crosswalks.list(actor.agencyId, params.name, query);
  }

  /**
   * Adds or changes the calling agency's mappings for one catalog (merge); with `replace: true` the body
   * is the whole mapping and local codes not listed are removed. Every standard code must be a current
   * code of the catalog (422 with `allowed` and the catalog URL otherwise).
   */
  @Put(':name')
  @Scopes('crosswalks:write')
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No such catalog' })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'Invalid body or unknown standard code' })
  putCrosswalk(@CurrentActor() actor: Actor, @Param() params: CatalogNameParamDto, @Body() body: PutCrosswalkDto): Promise<CrosswalkWriteResultDto> {
    return this.crosswalks.put(actor.agencyId, params.name, body);
  }
}

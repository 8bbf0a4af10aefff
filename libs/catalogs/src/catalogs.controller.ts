import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Scopes } from '@app/auth';
import { ProblemDto } from '@app/http';
import { CatalogsService, type Tagged } from './catalogs.service';
import { CatalogDto, CatalogListDto, CatalogNameParamDto, CatalogQueryDto } from './dto/catalog.dto';
import { ifNoneMatchHits } from './etag';

const CACHE_CONTROL = 'private, max-age=300';
const CACHING_HEADERS = {
  ETag: { description: 'Strong validator of the representation; send it back in If-None-Match', schema: { type: 'string' } },
  'Cache-Control': { description: CACHE_CONTROL, schema: { type: 'string' } },
};

/** Sends the body with its validators, or 304 when the caller's copy is current. */
function send<T>(req: FastifyRequest, reply: FastifyReply, tagged: Tagged<T>): void {
  void reply.header('etag', tagged.etag).header('cache-control', CACHE_CONTROL);
  if (ifNoneMatchHits(req.headers['if-none-match'], tagged.etag)) void reply.status(304).send();
  else void reply.status(200).send(tagged.body);
}

/** Standard code lists (R6, R7, R36): every field that takes codes is validated against these. */
@ApiTags('catalogs')
@Controller('catalogs')
export class CatalogsController {
  constructor(private readonly catalogs: CatalogsService) {}

  /** Every catalog with its current version. Any authenticated caller. Supports If-None-Match (304). */
  @Get()
  @Scopes()
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'ETag of a cached copy: 304 when it is still current' })
  @ApiOkResponse({ type: CatalogListDto, headers: CACHING_HEADERS })
  @ApiResponse({ status: 304, description: 'Not modified: the cached copy is current', headers: CACHING_HEADERS })
  async listCatalogs(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    send(req, reply, await this.catalogs.list());
  }

  /**
   * One catalog: the current version (or `?version=`), its codes with Spanish and English labels, parent
   * and attributes. Retired codes only with `?includeRetired=true`. Any authenticated caller.
   * Supports If-None-Match (304).
   */
  @Get(':name')
  @Scopes()
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'ETag of a cached copy: 304 when it is still current' })
  @ApiOkResponse({ type: CatalogDto, headers: CACHING_HEADERS })
  @ApiResponse({ status: 304, description: 'Not modified: the cached copy is current', headers: CACHING_HEADERS })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No such catalog, or no such version (the detail lists the known versions)' })
  async getCatalog(@Param() params: CatalogNameParamDto, @Query() query: CatalogQueryDto, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    send(req, reply, await this.catalogs.get(params.name, { version: query.version, includeRetired: query.includeRetired }));
  }
}

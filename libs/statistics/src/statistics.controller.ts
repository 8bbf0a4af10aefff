import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiExtraModels, ApiHeader, ApiOkResponse, ApiProduces, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Actor, CurrentActor, hasScope, Public, Scopes } from '@app/auth';
import { strongEtag } from './etag';
import { CodeLabelDto, CompletenessDto, StatisticsCellDto, StatisticsMeasureParamDto, StatisticsQueryDto, StatisticsResultDto } from './dto/statistics.dto';
import { StatisticsService, toCsv } from './statistics.service';

const OK_CONTENT = {
  'application/json': { schema: { $ref: getSchemaPath(StatisticsResultDto) } },
  'text/csv': { schema: { type: 'string', description: 'One line per cell and a TOTAL line; provenance in the X-Statistics-* headers' } },
};
const PROVENANCE_HEADERS = {
  'X-Statistics-Unit': { description: 'Counting unit (catalog counting-unit)', schema: { type: 'string' } },
  'X-Statistics-As-Of': { description: 'Data cut-off (ISO-8601)', schema: { type: 'string' } },
};

const wantsCsv = (req: FastifyRequest, q: StatisticsQueryDto) =>
  q.format === 'csv' || (!q.format && /\btext\/csv\b/i.test(String(req.headers.accept ?? '')) && !/application\/json/i.test(String(req.headers.accept ?? '')));

/** Writes a statistic as JSON or CSV with its provenance headers. */
function render(req: FastifyRequest, reply: FastifyReply, q: StatisticsQueryDto, result: StatisticsResultDto, cache?: { etagOf: StatisticsResultDto }): void {
  const csv = wantsCsv(req, q);
  void reply
    .header('x-statistics-unit', result.unit)
    .header('x-statistics-as-of', result.asOf)
    .header('x-statistics-period', `${result.period.from ?? ''}/${result.period.to ?? ''}`)
    .header('x-statistics-suppression', result.suppression.applied ? `threshold=${result.suppression.threshold}` : 'none')
    .header('x-statistics-catalog-versions', Object.entries(result.catalogVersions).map(([c, v]) => `${c}=${v}`).join(';'))
    .header('vary', 'Accept');
  const body = csv ? toCsv(result) : result;
  if (cache) {
    const etag = strongEtag({ csv, body: csv ? toCsv(cache.etagOf) : cache.etagOf });
    void reply.header('etag', etag).header('cache-control', 'public, max-age=3600');
    const inm = req.headers['if-none-match'];
    if (typeof inm === 'string' && inm.split(',').map((t) => t.trim().replace(/^W\//, '')).some((t) => t === etag || t === '*')) {
      void reply.status(304).send();
      return;
    }
  }
  if (csv) {
    void reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${result.measure}-${result.groupBy.join('-') || 'total'}.csv"`)
      .status(200)
      .send(body);
  } else void reply.status(200).send(body);
}

/**
 * Cross-agency statistics (R2, R8, R34). Counts only, never records. Callers with `statistics:exact` get
 * exact counts; everyone else gets small cells suppressed with complementary suppression.
 */
@ApiTags('statistics')
@ApiExtraModels(StatisticsResultDto, CompletenessDto, StatisticsCellDto, CodeLabelDto)
@Controller('statistics')
export class StatisticsController {
  constructor(private readonly statistics: StatisticsService) {}

  /**
   * A statistic by up to three dimensions, with its counting unit, period, cut-off, filters, catalog
   * versions, contributing agencies and completeness. JSON, or CSV with `Accept: text/csv` or `format=csv`.
   * Exact counts need `statistics:exact` in addition to `statistics:read`; otherwise cells below the
   * threshold (default 5) and their complements are withheld.
   */
  @Get(':measure')
  @Scopes('statistics:read')
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ description: 'The statistic', content: OK_CONTENT, headers: PROVENANCE_HEADERS })
  async getStatistics(
    @Param() params: StatisticsMeasureParamDto,
    @Query() query: StatisticsQueryDto,
    @CurrentActor() actor: Actor,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const mode = hasScope(actor, 'statistics:exact') ? 'exact' : 'suppressed';
    render(req, reply, query, await this.statistics.compute(params.measure, query, mode));
  }
}

/** Open data: the same statistics without a token, always suppressed, cacheable. */
@ApiTags('open-data')
@Controller('open-data')
export class OpenDataController {
  constructor(private readonly statistics: StatisticsService) {}

  /**
   * Public, suppressed statistic (same parameters as GET /v1/statistics/{measure}). Cells below the
   * threshold and their complements are withheld; periods are widened to whole months.
   * `Cache-Control: public, max-age=3600` with a strong ETag (304 on If-None-Match).
   */
  @Get(':measure')
  @Public()
  @ApiProduces('application/json', 'text/csv')
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'ETag of a cached copy: 304 when it is still current' })
  @ApiOkResponse({
    description: 'The suppressed statistic',
    content: OK_CONTENT,
    headers: { ...PROVENANCE_HEADERS, ETag: { schema: { type: 'string' } }, 'Cache-Control': { schema: { type: 'string' } } },
  })
  @ApiResponse({ status: 304, description: 'Not modified' })
  async getOpenData(
    @Param() params: StatisticsMeasureParamDto,
    @Query() query: StatisticsQueryDto,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const result = await this.statistics.compute(params.measure, query, 'suppressed');
    // Without an explicit asOf the cut-off is the query time: leave it out of the validator, so the
    // ETag changes exactly when the figures do.
    const etagOf = query.asOf ? result : { ...result, asOf: '' };
    render(req, reply, query, result, { etagOf });
  }
}

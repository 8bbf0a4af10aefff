import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags, getSchemaPath, ApiExtraModels } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Actor, CurrentActor, hasScope, Public, Scopes } from '@app/auth';
import { FunnelStageDto, ReferralFunnelDto, ReferralFunnelQueryDto, ResponseTimeDto } from './dto/referral-funnel.dto';
import { funnelCsv, ReferralFunnelService } from './referral-funnel.service';

const CONTENT = {
  'application/json': { schema: { $ref: getSchemaPath(ReferralFunnelDto) } },
  'text/csv': { schema: { type: 'string', description: 'One line per stage × urgency, then the response times' } },
};

function send(req: FastifyRequest, reply: FastifyReply, q: ReferralFunnelQueryDto, r: ReferralFunnelDto, cache: boolean): void {
  const csv = q.format === 'csv' || (!q.format && /\btext\/csv\b/i.test(String(req.headers.accept ?? '')) && !/application\/json/i.test(String(req.headers.accept ?? '')));
  void reply.header('vary', 'Accept').header('x-statistics-unit', r.unit).header('x-statistics-as-of', r.asOf);
  if (cache) void reply.header('cache-control', 'public, max-age=3600');
  if (csv) {
    void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="referral-funnel.csv"').status(200).send(funnelCsv(r));
  } else void reply.status(200).send(r);
}

/**
 * The referral funnel (sent → acknowledged → accepted / declined / redirected → closed) and the response
 * times by urgency (median and 90th percentile hours to acknowledge, respond and close, overdue counts).
 */
@ApiTags('statistics')
@ApiExtraModels(ReferralFunnelDto, FunnelStageDto, ResponseTimeDto)
@Controller()
export class ReferralFunnelController {
  constructor(private readonly funnel: ReferralFunnelService) {}

  /**
   * Referral funnel and response times across agencies (counts and hours only). Exact counts need
   * `statistics:exact`; otherwise counts below the threshold are withheld with complementary suppression
   * and times over fewer referrals than the threshold are withheld.
   */
  @Get('statistics/referral-funnel')
  @Scopes('statistics:read')
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ description: 'The funnel', content: CONTENT })
  async getReferralFunnel(@Query() q: ReferralFunnelQueryDto, @CurrentActor() actor: Actor, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    send(req, reply, q, await this.funnel.funnel(q, hasScope(actor, 'statistics:exact') ? 'exact' : 'suppressed'), false);
  }

  /** Public, suppressed referral funnel (same parameters), `Cache-Control: public, max-age=3600`. */
  @Get('open-data/referral-funnel')
  @Public()
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ description: 'The suppressed funnel', content: CONTENT })
  async getOpenReferralFunnel(@Query() q: ReferralFunnelQueryDto, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    send(req, reply, q, await this.funnel.funnel(q, 'suppressed'), true);
  }
}

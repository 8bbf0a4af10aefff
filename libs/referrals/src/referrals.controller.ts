import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type Actor, CurrentActor, Scopes } from '@app/auth';
import {
  CreateReferralDto,
  ReferralDto,
  ReferralExportQueryDto,
  ReferralListQueryDto,
  ReferralPageDto,
  ReferralSummaryDto,
  ReferralSummaryQueryDto,
  ReferralTransitionDto,
} from './dto/referral.dto';
import { ReferralsService } from './referrals.service';

@ApiTags('referrals')
@Controller('referrals')
export class ReferralsController {
  constructor(private readonly referrals: ReferralsService) {}

  /**
   * Refers a report, victim or case of the agency to another agency. `shared` lists exactly what the
   * receiver will see (copied now). When a minor is involved, the child-protection authority of the
   * state is notified with a `notification` referral.
   */
  @Post()
  @Scopes('referrals:write')
  sendReferral(@CurrentActor() actor: Actor, @Body() body: CreateReferralDto): Promise<ReferralDto> {
    return this.referrals.send(actor, body);
  }

  /** Referrals sent by or addressed to the agency, newest first. */
  @Get()
  @Scopes('referrals:read')
  listReferrals(@CurrentActor() actor: Actor, @Query() q: ReferralListQueryDto): Promise<ReferralPageDto> {
    return this.referrals.list(actor, q);
  }

  /** Counts by status, overdue count, median times to acknowledge and to close. */
  @Get('summary')
  @Scopes('referrals:read')
  getReferralSummary(@CurrentActor() actor: Actor, @Query() q: ReferralSummaryQueryDto): Promise<ReferralSummaryDto> {
    return this.referrals.summary(actor, q.direction);
  }

  /**
   * The agency's referrals as CSV (one line per referral, oldest first), with the list's filters:
   * direction, status, urgency, overdue, sentFrom, sentTo. Codes, agencies, time limits, timings and
   * outcomes only: no shared data, no personal data.
   */
  @Get('export')
  @Scopes('referrals:read')
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description: 'CSV with a header line (UTF-8, CRLF line ends); columns listed in docs/referrals.md',
    content: { 'text/csv': { schema: { type: 'string' } } },
  })
  async exportReferrals(@CurrentActor() actor: Actor, @Query() q: ReferralExportQueryDto, @Res() reply: FastifyReply): Promise<void> {
    const { csv, rows } = await this.referrals.export(actor, q);
    void reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="referrals-${q.direction ?? 'all'}-${new Date().toISOString().slice(0, 10)}.csv"`)
      .header('x-total-count', String(rows))
      .status(200)
      .send(csv);
  }

  /** One referral, as the caller's agency (sender or receiver) may see it. */
  @Get(':referralId')
  @Scopes('referrals:read')
  getReferral(@CurrentActor() actor: Actor, @Param('referralId') referralId: string): Promise<ReferralDto> {
    return this.referrals.get(actor, referralId);
  }

  /** Moves the referral to its next status (receiver only); an illegal move is 409 with the `allowed` ones. */
  @Post(':referralId/transitions')
  @HttpCode(200)
  @Scopes('referrals:write')
  transitionReferral(@CurrentActor() actor: Actor, @Param('referralId') referralId: string, @Body() body: ReferralTransitionDto): Promise<ReferralDto> {
    return this.referrals.transition(actor, referralId, body);
  }
}

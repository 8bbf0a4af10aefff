import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor, Scopes } from '@app/auth';
import {
  CreateReferralDto,
  ReferralDto,
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

import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { type Actor, CurrentActor, Scopes } from '@app/auth';
import {
  ClusterMergeDto,
  ClusterOperationDto,
  ClusterSplitDto,
  MatchDecisionDto,
  MatchReviewDto,
  MatchReviewPageDto,
  MatchReviewQueryDto,
  MatchStatsDto,
  VictimMatchesDto,
  VictimMatchesQueryDto,
  VictimPersonDto,
} from './dto/matches.dto';
import { MatchesService } from './matches.service';

/**
 * Review of candidate matches between victim records of all agencies. Another agency's record is
 * shown only by its agency code and the comparison summary (agreement levels and score), never by
 * its values.
 */
@ApiTags('matches')
@Controller('matches')
export class MatchesController {
  constructor(private readonly matches: MatchesService) {}

  /** Review tasks that involve at least one record of the caller's agency (default: pending), oldest first. */
  @Get('reviews')
  @Scopes('matches:review')
  listMatchReviews(@CurrentActor() actor: Actor, @Query() q: MatchReviewQueryDto): Promise<MatchReviewPageDto> {
    return this.matches.listReviews(actor, q);
  }

  /**
   * Decides a pending review task: `same_person` forces the link, `different_persons` blocks the pair
   * for good; automatic runs never override it. Re-clustering is queued.
   */
  @Post('reviews/:id/decision')
  @HttpCode(200)
  @Scopes('matches:review')
  @ApiOkResponse({ type: MatchReviewDto })
  decideMatchReview(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() body: MatchDecisionDto, @Req() req: FastifyRequest): Promise<MatchReviewDto> {
    return this.matches.decide(actor, id, body, String(req.id));
  }

  /** Separates some of the caller's own records from a person cluster (queued; audited). */
  @Post('clusters/:personId/split')
  @HttpCode(202)
  @Scopes('matches:review')
  @ApiAcceptedResponse({ type: ClusterOperationDto })
  splitPerson(@CurrentActor() actor: Actor, @Param('personId') personId: string, @Body() body: ClusterSplitDto, @Req() req: FastifyRequest): Promise<ClusterOperationDto> {
    return this.matches.split(actor, personId, body, String(req.id));
  }

  /** Merges two person clusters that both contain a record of the caller's agency (queued; audited). */
  @Post('clusters/:personId/merge')
  @HttpCode(202)
  @Scopes('matches:review')
  @ApiAcceptedResponse({ type: ClusterOperationDto })
  mergePersons(@CurrentActor() actor: Actor, @Param('personId') personId: string, @Body() body: ClusterMergeDto, @Req() req: FastifyRequest): Promise<ClusterOperationDto> {
    return this.matches.merge(actor, personId, body, String(req.id));
  }

  /** Engine counters over all agencies (counts only), model version and thresholds. */
  @Get('stats')
  @Scopes('matches:review')
  getMatchStats(@CurrentActor() actor: Actor): Promise<MatchStatsDto> {
    return this.matches.stats(actor);
  }
}

@ApiTags('matches')
@Controller('victims')
export class VictimPersonController {
  constructor(private readonly matches: MatchesService) {}

  /** The person cluster of one of the caller's victim records: pseudonymous id and counts, no other agency's data. */
  @Get(':localId/person')
  @Scopes('matches:review')
  getVictimPerson(@CurrentActor() actor: Actor, @Param('localId') localId: string): Promise<VictimPersonDto> {
    return this.matches.personOf(actor, localId);
  }

  /**
   * Match candidates of one of the caller's victim records, highest score first: for each, the other
   * record's agency (code and kind; its `localId` only when it is the caller's own), the score, the
   * automatic outcome, the agreement level of each compared field, whether both are in one person cluster
   * now, and the reviewer decision. Never a value of any record. 404 when the record is not the caller's.
   */
  @Get(':localId/matches')
  @Scopes('matches:review')
  listVictimMatches(@CurrentActor() actor: Actor, @Param('localId') localId: string, @Query() q: VictimMatchesQueryDto): Promise<VictimMatchesDto> {
    return this.matches.matchesOf(actor, localId, q);
  }
}

import { Controller, Get, Query } from '@nestjs/common';
import { ApiForbiddenResponse, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor, Scopes } from '@app/auth';
import { ProblemDto } from '@app/http';
import { AgencyQualityDto, ChangesQueryDto, RecordChangePageDto } from './records.dto';
import { RecordsService } from './records.service';

@ApiTags('records')
@Controller()
export class RecordFeedController {
  constructor(private readonly records: RecordsService) {}

  /**
   * The agency's own record changes, in commit order, each exactly once: page with `after=nextCursor`
   * until `hasMore` is false, then poll with the last cursor. Needs a read scope of at least one record
   * kind (`victims:read`, `cases:read`); only the kinds the token may read are listed.
   */
  @Get('changes')
  @Scopes()
  @ApiForbiddenResponse({ description: 'Token lacks every record read scope', type: ProblemDto })
  listChanges(@CurrentActor() actor: Actor, @Query() q: ChangesQueryDto): Promise<RecordChangePageDto> {
    return this.records.changes(actor, q);
  }

  /**
   * Data quality of the agency's records: per kind, the number of records (not withdrawn), the mean
   * completeness over the CNDH minimum variables, and per variable the share filled / SI / NR / NA.
   */
  @Get('agencies/me/quality')
  @Scopes()
  @ApiForbiddenResponse({ description: 'Token lacks every record read scope', type: ProblemDto })
  getMyAgencyQuality(@CurrentActor() actor: Actor): Promise<AgencyQualityDto> {
    return this.records.quality(actor);
  }
}

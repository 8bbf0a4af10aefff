import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor, Scopes } from '@app/auth';
import { DbContext } from '@app/db';
import { decodeCursor, PageQueryDto, pageOf } from '@app/http';
import { NonPunishmentReviewPageDto } from './non-punishment.dto';

/** Non-punishment review (R19, art. 37 of the General Law). */
@ApiTags('accused')
@Controller('accused')
export class NonPunishmentController {
  constructor(private readonly db: DbContext) {}

  /**
   * The calling agency's accused persons who are also registered as victims: flagged by the agency
   * (`alsoRegisteredAsVictim`), or whose CURP keyed hash matches a victim registration of any agency. For
   * review under art. 37 (victims are not punished for offenses committed as a result of being trafficked).
   * Other agencies' victim registrations are only counted, never identified. Withdrawn records are left out.
   */
  @Get('non-punishment-review')
  @Scopes('cases:read')
  @ApiOkResponse({ type: NonPunishmentReviewPageDto })
  async review(@CurrentActor() actor: Actor, @Query() q: PageQueryDto): Promise<NonPunishmentReviewPageDto> {
    const limit = q.limit ?? 100;
    const after = decodeCursor<[string]>(q.cursor, 1)?.[0] ?? '';
    // The CURP match spans agencies (victim_facts of every agency), so it runs with system privileges;
    // it is restricted to the caller's accused records and returns only counts for other agencies.
    const rows: Array<{ local_id: string; flagged: boolean; same_curp: number; own: string[] }> = await this.db.system(async (em) => {
      await em.query(`SET TRANSACTION READ ONLY`);
      return em.query(
        `WITH a AS (
           SELECT r.local_id, bool_or(f.also_registered_as_victim) AS flagged, max(f.curp_hash) AS curp_hash
             FROM records r JOIN accused_facts f ON f.record_id = r.id AND f.agency_id = r.agency_id
            WHERE r.agency_id = $1 AND r.kind = 'accused' AND r.withdrawn_at IS NULL AND r.local_id > $2
            GROUP BY r.local_id)
         SELECT a.local_id, a.flagged,
                (SELECT count(*)::int FROM victim_facts vf JOIN records vr ON vr.id = vf.record_id AND vr.withdrawn_at IS NULL
                  WHERE a.curp_hash IS NOT NULL AND vf.curp_hash = a.curp_hash) AS same_curp,
                ARRAY(SELECT vf.local_id FROM victim_facts vf JOIN records vr ON vr.id = vf.record_id AND vr.withdrawn_at IS NULL
                       WHERE a.curp_hash IS NOT NULL AND vf.agency_id = $1 AND vf.curp_hash = a.curp_hash ORDER BY vf.local_id) AS own
           FROM a
          WHERE a.flagged OR (a.curp_hash IS NOT NULL AND EXISTS (
                  SELECT 1 FROM victim_facts vf JOIN records vr ON vr.id = vf.record_id AND vr.withdrawn_at IS NULL WHERE vf.curp_hash = a.curp_hash))
          ORDER BY a.local_id
          LIMIT $3`,
        [actor.agencyId, after, limit + 1],
      );
    });
    return pageOf(
      rows,
      limit,
      (r) => [r.local_id],
      (r) => ({ localId: r.local_id, flaggedByAgency: r.flagged, victimRegistrationsWithSameCurp: r.same_curp, ownVictimLocalIds: r.own }),
    );
  }
}

import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor, Scopes } from '@app/auth';
import { DbContext } from '@app/db';
import { today } from '../catalog-code';
import { recordKindController } from '../record-kind-controller';
import { shelterKind, shelterStayKind } from './shelter-kind';
import {
  ShelterBatchDto,
  ShelterDto,
  ShelterListQueryDto,
  ShelterOccupancyPageDto,
  ShelterOccupancyQueryDto,
  ShelterPageDto,
  ShelterPiiDto,
  ShelterRecordDto,
} from './shelter.dto';
import {
  ShelterStayBatchDto,
  ShelterStayDto,
  ShelterStayListQueryDto,
  ShelterStayPageDto,
  ShelterStayPiiDto,
  ShelterStayRecordDto,
} from './shelter-stay.dto';

/** /v1/shelters: the agency's shelter registry (R25). */
export class SheltersController extends recordKindController({
  path: 'shelters',
  names: { one: 'Shelter', many: 'Shelters' },
  noun: 'shelter',
  scopes: { read: 'victims:read', write: 'victims:write' },
  definition: () => shelterKind(),
  dtos: { document: ShelterDto, batch: ShelterBatchDto, listQuery: ShelterListQueryDto, record: ShelterRecordDto, page: ShelterPageDto, pii: ShelterPiiDto },
  filters: (q: ShelterListQueryDto, where) => {
    if (q.shelterType) where((p) => `r.data->>'shelterType' = ${p}`, q.shelterType);
    if (q.specialisation) where((p) => `r.data->>'specialisation' = ${p}`, q.specialisation);
    if (q.state) where((p) => `r.data->>'state' = ${p}`, q.state);
  },
}) {}

/** /v1/shelter-stays: victims' stays in the agency's shelters (R25). */
export class ShelterStaysController extends recordKindController({
  path: 'shelter-stays',
  names: { one: 'ShelterStay', many: 'ShelterStays' },
  noun: 'shelter stay',
  scopes: { read: 'victims:read', write: 'victims:write' },
  definition: () => shelterStayKind(),
  dtos: { document: ShelterStayDto, batch: ShelterStayBatchDto, listQuery: ShelterStayListQueryDto, record: ShelterStayRecordDto, page: ShelterStayPageDto, pii: ShelterStayPiiDto },
  filters: (q: ShelterStayListQueryDto, where) => {
    if (q.shelterLocalId) where((p) => `r.data->>'shelterLocalId' = ${p}`, q.shelterLocalId);
    if (q.victimLocalId) where((p) => `r.data->>'victimLocalId' = ${p}`, q.victimLocalId);
    if (q.activeOn) where((p) => `r.data->>'admittedOn' <= ${p} AND (r.data->>'exitedOn' IS NULL OR r.data->>'exitedOn' > ${p})`, q.activeOn);
  },
}) {}

/** GET /v1/shelters/occupancy: places taken and free in the agency's shelters on a day. */
@ApiTags('shelters')
@Controller('shelters')
export class ShelterOccupancyController {
  constructor(private readonly db: DbContext) {}

  /**
   * Occupancy of the agency's open shelters on a day (default today): victims staying (stays admitted on or
   * before the day and not exited before it), accompanying children, free places. With `sex` and `age`, only
   * shelters that accept that person (adult men, boys up to `boysMaxAge`…); with `withChildren=true`, only
   * shelters that accept children of victims.
   */
  @Get('occupancy')
  @Scopes('victims:read')
  shelterOccupancy(@CurrentActor() actor: Actor, @Query() q: ShelterOccupancyQueryDto): Promise<ShelterOccupancyPageDto> {
    const on = q.on ?? today();
    return this.db.withAgency(
      actor.agencyId,
      async ({ em, agencyId }) => {
        const rows: Array<{ local_id: string; data: Record<string, unknown> & { populations: Record<string, unknown> }; occupied: number; children: number }> = await em.query(
          `SELECT s.local_id, s.data,
                  count(st.id)::int AS occupied, COALESCE(sum((st.data->>'accompanyingChildren')::int), 0)::int AS children
             FROM records s
             LEFT JOIN records st ON st.agency_id = s.agency_id AND st.kind = 'shelter-stays' AND st.withdrawn_at IS NULL
                   AND st.data->>'shelterLocalId' = s.local_id AND st.data->>'admittedOn' <= $2
                   AND (st.data->>'exitedOn' IS NULL OR st.data->>'exitedOn' > $2)
            WHERE s.agency_id = $1 AND s.kind = 'shelters' AND s.withdrawn_at IS NULL
              AND (s.data->>'closedOn' IS NULL OR s.data->>'closedOn' > $2)
            GROUP BY s.local_id, s.data ORDER BY s.local_id`,
          [agencyId, on],
        );
        const accepts = (p: Record<string, unknown>): boolean => {
          if (q.withChildren === 'true' && p.childrenOfVictims !== 'yes') return false;
          if (!q.sex || q.age === undefined) return true;
          const adult = q.age >= 18;
          if (q.sex === 'male') return adult ? p.adultMen === 'yes' : p.boys === 'yes' && (p.boysMaxAge === undefined || q.age <= Number(p.boysMaxAge));
          if (q.sex === 'female') return adult ? p.adultWomen === 'yes' : p.girls === 'yes';
          return true;
        };
        return {
          on,
          items: rows
            .filter((r) => accepts(r.data.populations))
            .map((r) => {
              const capacity = typeof r.data.capacity === 'number' ? r.data.capacity : null;
              return {
                localId: r.local_id,
                shelterType: String(r.data.shelterType),
                specialisation: String(r.data.specialisation),
                state: String(r.data.state),
                capacity,
                occupied: r.occupied,
                accompanyingChildren: r.children,
                freePlaces: capacity === null ? null : capacity - r.occupied,
              };
            }),
        };
      },
      { readOnly: true },
    );
  }
}

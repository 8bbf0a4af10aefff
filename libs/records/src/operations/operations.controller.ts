import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor, Scopes } from '@app/auth';
import { DbContext } from '@app/db';
import { recordKindController } from '../record-kind-controller';
import { operationKind } from './operation-kind';
import {
  OperationBatchDto,
  OperationDto,
  OperationListQueryDto,
  OperationPageDto,
  OperationPiiDto,
  OperationRecordDto,
  OperationSummaryDto,
  OperationSummaryQueryDto,
} from './operation.dto';

/** /v1/operations: operations and rescues (R33), the record kind's routes (see record-kind-controller.ts). */
export class OperationsController extends recordKindController({
  path: 'operations',
  names: { one: 'Operation', many: 'Operations' },
  noun: 'operation',
  scopes: { read: 'cases:read', write: 'cases:write' },
  definition: () => operationKind(),
  dtos: { document: OperationDto, batch: OperationBatchDto, listQuery: OperationListQueryDto, record: OperationRecordDto, page: OperationPageDto, pii: OperationPiiDto },
  filters: (q: OperationListQueryDto, where) => {
    if (q.state) where((p) => `r.data->>'state' = ${p}`, q.state);
    if (q.offense) where((p) => `r.data->'offensesTargeted' ? ${p}`, q.offense);
    if (q.from) where((p) => `r.data->>'operationDate' >= ${p}`, q.from);
    if (q.to) where((p) => `r.data->>'operationDate' <= ${p}`, q.to);
  },
}) {}

/** SQL of one dimension over the rescued-person rows `p` of the summary. */
const DIMENSION_SQL: Record<string, string> = {
  sex: 'p.sex',
  ageGroup: 'p.age_group',
  nationality: 'n.code',
  state: 'p.state',
  linkedToVictim: 'p.linked::text',
};

/** GET /v1/operations/summary: rescued persons of the agency's operations. */
@ApiTags('operations')
@Controller('operations')
export class OperationSummaryController {
  constructor(private readonly db: DbContext) {}

  /**
   * Persons rescued in the agency's operations (unit `rescued_person`: a rescued person is not necessarily an
   * identified victim), listed persons plus counted ones, by sex, age group (under 18 / 18+; `SI` when the age
   * is unknown), nationality (a person with two nationalities counts in both rows), state or link to a victim record.
   */
  @Get('summary')
  @Scopes('cases:read')
  summariseOperations(@CurrentActor() actor: Actor, @Query() q: OperationSummaryQueryDto): Promise<OperationSummaryDto> {
    const groupBy = q.groupBy ?? 'sex';
    const filters: Record<string, string> = {};
    if (q.from) filters.from = q.from;
    if (q.to) filters.to = q.to;
    if (q.offense) filters.offense = q.offense;
    return this.db.withAgency(
      actor.agencyId,
      async ({ em, agencyId }) => {
        const params = [agencyId, q.from ?? null, q.to ?? null, q.offense ?? null];
        const base = `WITH ops AS (
            SELECT r.data FROM records r
             WHERE r.agency_id = $1 AND r.kind = 'operations' AND r.withdrawn_at IS NULL
               AND ($2::text IS NULL OR r.data->>'operationDate' >= $2) AND ($3::text IS NULL OR r.data->>'operationDate' <= $3)
               AND ($4::text IS NULL OR r.data->'offensesTargeted' ? $4)),
          persons AS (
            SELECT x->>'sex' AS sex,
                   CASE WHEN x ? 'age' THEN CASE WHEN (x->>'age')::int < 18 THEN 'under_18' ELSE 'adult_18_plus' END ELSE 'SI' END AS age_group,
                   x->'nationality' AS nationality, 1 AS n, x ? 'victimLocalId' AS linked, o.data->>'state' AS state
              FROM ops o, jsonb_array_elements(COALESCE(o.data->'rescuedPersons', '[]'::jsonb)) x
            UNION ALL
            SELECT c->>'sex', c->>'ageGroup', jsonb_build_array(c->>'nationality'), (c->>'count')::int, false, o.data->>'state'
              FROM ops o, jsonb_array_elements(COALESCE(o.data->'rescuedCounts', '[]'::jsonb)) c)`;
        const [totals]: Array<{ operations: number; rescued: number; linked: number }> = await em.query(
          `${base} SELECT (SELECT count(*)::int FROM ops) AS operations, COALESCE(sum(n), 0)::int AS rescued,
                          COALESCE(sum(n) FILTER (WHERE linked), 0)::int AS linked FROM persons`,
          params,
        );
        const from = groupBy === 'nationality' ? 'persons p, jsonb_array_elements_text(p.nationality) AS n(code)' : 'persons p';
        const rows: Array<{ value: string; count: number }> = await em.query(
          `${base} SELECT ${DIMENSION_SQL[groupBy]} AS value, sum(p.n)::int AS count FROM ${from} GROUP BY 1 ORDER BY 2 DESC, 1`,
          params,
        );
        return {
          unit: 'rescued_person' as const,
          operations: totals.operations,
          rescuedPersons: totals.rescued,
          linkedToVictimRecords: totals.linked,
          groupBy,
          rows,
          filters,
        };
      },
      { readOnly: true },
    );
  }
}

import { ProblemException } from '@app/http';
import { isRealDate } from '../catalog-code';
import { recordKindController } from '../record-kind-controller';
import { judicialOutcomeKind } from './judicial-outcome-kind';
import {
  JudicialOutcomeBatchDto,
  JudicialOutcomeDto,
  JudicialOutcomeListQueryDto,
  JudicialOutcomePageDto,
  JudicialOutcomePiiDto,
  JudicialOutcomeRecordDto,
} from './judicial-outcome.dto';

/** /v1/judicial-outcomes: the judicial-outcome record kind's routes (see record-kind-controller.ts). */
export class JudicialOutcomesController extends recordKindController({
  path: 'judicial-outcomes',
  names: { one: 'JudicialOutcome', many: 'JudicialOutcomes' },
  noun: 'judicial-outcome',
  scopes: { read: 'cases:read', write: 'cases:write' },
  definition: () => judicialOutcomeKind(),
  dtos: {
    document: JudicialOutcomeDto,
    batch: JudicialOutcomeBatchDto,
    listQuery: JudicialOutcomeListQueryDto,
    record: JudicialOutcomeRecordDto,
    page: JudicialOutcomePageDto,
    pii: JudicialOutcomePiiDto,
  },
  filters: (q: JudicialOutcomeListQueryDto, where) => {
    for (const f of ['decidedFrom', 'decidedTo'] as const) {
      if (!isRealDate(q[f])) throw ProblemException.validation([{ pointer: `#/${f}`, detail: `${f} is not a calendar date`, rule: 'date' }]);
    }
    const fact = (cond: string) => `EXISTS (SELECT 1 FROM judicial_outcome_facts f WHERE f.record_id = r.id AND f.agency_id = r.agency_id AND ${cond})`;
    if (q.outcome) where((p) => fact(`f.outcome = ${p}`), q.outcome);
    if (q.offense) where((p) => fact(`f.offense_code = ${p}`), q.offense);
    if (q.caseLocalId) where((p) => fact(`f.case_local_id = ${p}`), q.caseLocalId);
    if (q.accusedLocalId) where((p) => fact(`f.accused_local_id = ${p}`), q.accusedLocalId);
    if (q.final) where((p) => fact(`f.final = ${p}::boolean`), q.final);
    if (q.decidedFrom) where((p) => fact(`f.decision_date >= ${p}::date`), q.decidedFrom);
    if (q.decidedTo) where((p) => fact(`f.decision_date <= ${p}::date`), q.decidedTo);
  },
}) {}

import { ProblemException } from '@app/http';
import { isRealDate } from '../catalog-code';
import { recordKindController } from '../record-kind-controller';
import { assistanceKind } from './assistance-kind';
import { AssistanceBatchDto, AssistanceDto, AssistanceListQueryDto, AssistancePageDto, AssistancePiiDto, AssistanceRecordDto } from './assistance.dto';

/** /v1/assistance: services given to victims (R22, services ledger), the record kind's routes (see record-kind-controller.ts). */
export class AssistanceController extends recordKindController({
  path: 'assistance',
  names: { one: 'AssistanceRecord', many: 'AssistanceRecords', batch: 'Assistance' },
  noun: 'assistance',
  scopes: { read: 'victims:read', write: 'victims:write' },
  definition: () => assistanceKind(),
  dtos: {
    document: AssistanceDto,
    batch: AssistanceBatchDto,
    listQuery: AssistanceListQueryDto,
    record: AssistanceRecordDto,
    page: AssistancePageDto,
    pii: AssistancePiiDto,
  },
  filters: (q: AssistanceListQueryDto, where) => {
    for (const f of ['startedFrom', 'startedTo'] as const) {
      if (!isRealDate(q[f])) throw ProblemException.validation([{ pointer: `#/${f}`, detail: `${f} is not a calendar date`, rule: 'date' }]);
    }
    const fact = (cond: string) => `EXISTS (SELECT 1 FROM assistance_facts f WHERE f.record_id = r.id AND f.agency_id = r.agency_id AND ${cond})`;
    if (q.victimLocalId) where((p) => fact(`f.victim_local_id = ${p}`), q.victimLocalId);
    if (q.serviceType) where((p) => fact(`f.service_type = ${p}`), q.serviceType);
    if (q.ceavModelStage) where((p) => fact(`f.ceav_model_stage = ${p}`), q.ceavModelStage);
    if (q.status) where((p) => fact(`f.status = ${p}`), q.status);
    if (q.emergency) where((p) => fact(`f.emergency = ${p}::boolean`), q.emergency);
    if (q.startedFrom) where((p) => fact(`f.start_date >= ${p}::date`), q.startedFrom);
    if (q.startedTo) where((p) => fact(`f.start_date <= ${p}::date`), q.startedTo);
    if (q.referralId) where((p) => fact(`f.referral_id = ${p}::uuid`), q.referralId);
    if (q.noFollowUpWithinDays) {
      where(
        (p) =>
          fact(`f.emergency AND f.start_date + ${p}::int < current_date AND NOT EXISTS (
            SELECT 1 FROM assistance_facts g JOIN records gr ON gr.id = g.record_id AND gr.agency_id = g.agency_id
             WHERE g.agency_id = f.agency_id AND g.victim_local_id = f.victim_local_id AND g.record_id <> f.record_id
               AND gr.withdrawn_at IS NULL AND g.start_date >= f.start_date AND g.start_date <= f.start_date + ${p}::int)`),
        q.noFollowUpWithinDays,
      );
    }
  },
}) {}

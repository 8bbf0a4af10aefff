import { CrosswalkService } from '@app/catalogs';
import { recordKindController } from '../record-kind-controller';
import { caseKind } from './case-kind';
import { CaseBatchDto, CaseDto, CaseListQueryDto, CasePageDto, CasePiiDto, CaseRecordDto } from './case.dto';

/** /v1/cases: the case (investigation file) record kind's routes (see record-kind-controller.ts). */
export class CasesController extends recordKindController({
  path: 'cases',
  names: { one: 'Case', many: 'Cases' },
  noun: 'case',
  listNoun: 'case records (investigation files)',
  scopes: { read: 'cases:read', write: 'cases:write' },
  inject: [CrosswalkService],
  definition: (crosswalks: CrosswalkService) => caseKind(crosswalks),
  dtos: { document: CaseDto, batch: CaseBatchDto, listQuery: CaseListQueryDto, record: CaseRecordDto, page: CasePageDto, pii: CasePiiDto },
  filters: (q: CaseListQueryDto, where) => {
    const charge = (cond: string) => `EXISTS (SELECT 1 FROM case_charges c WHERE c.record_id = r.id AND c.agency_id = r.agency_id AND ${cond})`;
    if (q.offense) where((p) => charge(`c.offense_code = ${p}`), q.offense);
    if (q.stage) where((p) => charge(`c.stage = ${p}`), q.stage);
    if (q.jurisdiction) where((p) => `r.data->>'jurisdiction' = ${p}`, q.jurisdiction);
    if (q.openedFrom) where((p) => `r.data->>'openedOn' >= ${p}`, q.openedFrom);
    if (q.openedTo) where((p) => `r.data->>'openedOn' <= ${p}`, q.openedTo);
  },
}) {}

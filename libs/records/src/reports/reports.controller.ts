import { recordKindController } from '../record-kind-controller';
import { reportKind } from './report-kind';
import { ReportBatchDto, ReportDto, ReportListQueryDto, ReportPageDto, ReportPiiDto, ReportRecordDto } from './report.dto';

/** /v1/reports: the report (hotline or complaint) record kind's routes (see record-kind-controller.ts). */
export class ReportsController extends recordKindController({
  path: 'reports',
  names: { one: 'Report', many: 'Reports' },
  noun: 'report',
  scopes: { read: 'reports:read', write: 'reports:write' },
  definition: () => reportKind(),
  dtos: { document: ReportDto, batch: ReportBatchDto, listQuery: ReportListQueryDto, record: ReportRecordDto, page: ReportPageDto, pii: ReportPiiDto },
  filters: (q: ReportListQueryDto, where) => {
    if (q.channel) where((p) => `r.data->>'channel' = ${p}`, q.channel);
    if (q.classification) where((p) => `r.data->>'classification' = ${p}`, q.classification);
  },
}) {}

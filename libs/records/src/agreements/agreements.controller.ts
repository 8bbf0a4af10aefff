import { recordKindController } from '../record-kind-controller';
import { agreementKind } from './agreement-kind';
import { AgreementBatchDto, AgreementDto, AgreementListQueryDto, AgreementPageDto, AgreementPiiDto, AgreementRecordDto } from './agreement.dto';

/** /v1/agreements: the agency's agreements (convenios) with agencies, shelters and NGOs (R21); referrals may cite one. */
export class AgreementsController extends recordKindController({
  path: 'agreements',
  names: { one: 'Agreement', many: 'Agreements' },
  noun: 'agreement',
  scopes: { read: 'referrals:read', write: 'referrals:write' },
  definition: () => agreementKind(),
  dtos: { document: AgreementDto, batch: AgreementBatchDto, listQuery: AgreementListQueryDto, record: AgreementRecordDto, page: AgreementPageDto, pii: AgreementPiiDto },
  filters: (q: AgreementListQueryDto, where) => {
    if (q.purpose) where((p) => `r.data->'purposes' ? ${p}`, q.purpose);
    if (q.party) where((p) => `r.data->'parties' @> jsonb_build_array(jsonb_build_object('agencyCode', ${p}::text))`, q.party);
    if (q.validOn) where((p) => `r.data->>'validFrom' <= ${p} AND (r.data->>'validTo' IS NULL OR r.data->>'validTo' >= ${p})`, q.validOn);
  },
}) {}

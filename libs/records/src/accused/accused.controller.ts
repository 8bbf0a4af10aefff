import { FIELD_CIPHER, type FieldCipher } from '@app/crypto';
import { recordKindController } from '../record-kind-controller';
import { accusedKind } from './accused-kind';
import { AccusedListQueryDto, AccusedPersonBatchDto, AccusedPersonDto, AccusedPersonPageDto, AccusedPersonPiiDto, AccusedPersonRecordDto } from './accused.dto';

/** /v1/accused: the accused-person record kind's routes (see record-kind-controller.ts). */
export class AccusedController extends recordKindController({
  path: 'accused',
  names: { one: 'AccusedPerson', many: 'AccusedPersons', batch: 'Accused' },
  noun: 'accused-person',
  scopes: { read: 'cases:read', write: 'cases:write' },
  inject: [FIELD_CIPHER],
  definition: (cipher: FieldCipher) => accusedKind(cipher),
  dtos: {
    document: AccusedPersonDto,
    batch: AccusedPersonBatchDto,
    listQuery: AccusedListQueryDto,
    record: AccusedPersonRecordDto,
    page: AccusedPersonPageDto,
    pii: AccusedPersonPiiDto,
  },
  filters: (q: AccusedListQueryDto, where) => {
    const fact = (cond: string) => `EXISTS (SELECT 1 FROM accused_facts f WHERE f.record_id = r.id AND f.agency_id = r.agency_id AND ${cond})`;
    if (q.sex) where((p) => fact(`f.sex = ${p}`), q.sex);
    if (q.offense) where((p) => fact(`f.offense_code = ${p}`), q.offense);
    if (q.status) where((p) => fact(`f.procedural_status = ${p}`), q.status);
    if (q.caseLocalId) where((p) => fact(`f.case_local_id = ${p}`), q.caseLocalId);
    if (q.alsoRegisteredAsVictim) where((p) => fact(`f.also_registered_as_victim = ${p}::boolean`), q.alsoRegisteredAsVictim);
  },
}) {}

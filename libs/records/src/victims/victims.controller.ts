import { FIELD_CIPHER, type FieldCipher } from '@app/crypto';
import { recordKindController } from '../record-kind-controller';
import { victimKind } from './victim-kind';
import { VictimBatchDto, VictimDto, VictimListQueryDto, VictimPageDto, VictimPiiDto, VictimRecordDto } from './victim.dto';

/** /v1/victims: the victim record kind's routes (see record-kind-controller.ts). */
export class VictimsController extends recordKindController({
  path: 'victims',
  names: { one: 'Victim', many: 'Victims' },
  noun: 'victim',
  scopes: { read: 'victims:read', write: 'victims:write' },
  inject: [FIELD_CIPHER],
  definition: (cipher: FieldCipher) => victimKind(cipher),
  dtos: { document: VictimDto, batch: VictimBatchDto, listQuery: VictimListQueryDto, record: VictimRecordDto, page: VictimPageDto, pii: VictimPiiDto },
  filters: (q: VictimListQueryDto, where) => {
    const fact = (cond: string) => `EXISTS (SELECT 1 FROM victim_facts f WHERE f.record_id = r.id AND f.agency_id = r.agency_id AND ${cond})`;
    if (q.sex) where((p) => fact(`f.sex = ${p}`), q.sex);
    if (q.nationality) where((p) => fact(`${p} = ANY(f.nationality)`), q.nationality);
    if (q.stateOfOrigin) where((p) => fact(`f.state_of_origin = ${p}`), q.stateOfOrigin);
    if (q.victimType) where((p) => fact(`f.victim_type = ${p}`), q.victimType);
  },
}) {}

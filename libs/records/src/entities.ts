import { CaseChargeEntity, VictimFactEntity } from './projection.entity';
import { RecordChangeEntity, RecordEntity, RecordReferenceEntity, RecordVersionEntity } from './record.entity';

export const RECORDS_ENTITIES = [RecordEntity, RecordVersionEntity, RecordChangeEntity, RecordReferenceEntity, VictimFactEntity, CaseChargeEntity];

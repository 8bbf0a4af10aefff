import { AccusedFactEntity } from './accused/accused-fact.entity';
import { AssistanceFactEntity } from './assistance/assistance-fact.entity';
import { JudicialOutcomeFactEntity } from './judicial-outcomes/judicial-outcome-fact.entity';
import { CaseChargeEntity, VictimFactEntity } from './projection.entity';
import { RecordChangeEntity, RecordEntity, RecordReferenceEntity, RecordVersionEntity } from './record.entity';

export const RECORDS_ENTITIES = [RecordEntity, RecordVersionEntity, RecordChangeEntity, RecordReferenceEntity, VictimFactEntity, CaseChargeEntity, AccusedFactEntity, JudicialOutcomeFactEntity, AssistanceFactEntity];

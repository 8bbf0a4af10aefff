import { Module } from '@nestjs/common';
import { CatalogsModule } from '@app/catalogs';
import { AccusedController } from './accused/accused.controller';
import { NonPunishmentController } from './accused/non-punishment.controller';
import { CasesController } from './cases/cases.controller';
import { JudicialOutcomesController } from './judicial-outcomes/judicial-outcomes.controller';
import { RecordFeedController } from './record-feed.controller';
import { LegalHoldController } from './legal-hold.controller';
import { RecordsService } from './records.service';
import { RetentionService } from './retention.service';
import { ReportsController } from './reports/reports.controller';
import { VictimsController } from './victims/victims.controller';
import { AssistanceController } from './assistance/assistance.controller';
import { AgreementsController } from './agreements/agreements.controller';
import { OperationSummaryController, OperationsController } from './operations/operations.controller';
import { ShelterOccupancyController, SheltersController, ShelterStaysController } from './shelters/shelters.controller';

/** Record submission machinery and the victims and cases record kinds. */
@Module({
  imports: [CatalogsModule],
  controllers: [VictimsController, CasesController, ReportsController, NonPunishmentController, AccusedController, JudicialOutcomesController, RecordFeedController, LegalHoldController,
    // R33, R25, R21 (issue 13); the summary/occupancy controllers first: their static routes sit beside `:localId`.
    OperationSummaryController, OperationsController, ShelterOccupancyController, SheltersController, ShelterStaysController, AgreementsController,
    // R22 (issue 8): services ledger.
    AssistanceController],
  providers: [RecordsService, RetentionService],
  exports: [RecordsService, RetentionService],
})
export class RecordsModule {}

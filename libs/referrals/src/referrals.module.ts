import { Module, type OnModuleInit } from '@nestjs/common';
import { JobsService } from '@app/jobs';
import { RecordsModule, RecordsService } from '@app/records';
import { WebhooksModule } from '@app/webhooks';
import { REFERRAL_OVERDUE_CRON, REFERRAL_OVERDUE_QUEUE, ReferralEventsService } from './referral-events.service';
import { ReferralsController } from './referrals.controller';
import { ReferralsService } from './referrals.service';

/** Referrals (canalizaciones) between agencies, and the webhook events `referral.overdue` and `record.changed`. */
@Module({
  imports: [WebhooksModule, RecordsModule],
  controllers: [ReferralsController],
  providers: [ReferralsService, ReferralEventsService],
  exports: [ReferralsService, ReferralEventsService],
})
export class ReferralsModule implements OnModuleInit {
  constructor(
    private readonly jobs: JobsService,
    private readonly records: RecordsService,
    private readonly events: ReferralEventsService,
  ) {}

  async onModuleInit(): Promise<void> {
    this.records.onWritten((em, agencyId, kind, recordIds) => this.events.recordsWritten(em, agencyId, kind, recordIds));
    await this.jobs.register(
      REFERRAL_OVERDUE_QUEUE,
      async () => {
        await this.events.notifyOverdue();
      },
      { retryLimit: 1 },
    );
    await this.jobs.schedule(REFERRAL_OVERDUE_QUEUE, REFERRAL_OVERDUE_CRON);
  }
}

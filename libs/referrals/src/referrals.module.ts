import { Module } from '@nestjs/common';
import { WebhooksModule } from '@app/webhooks';
import { ReferralsController } from './referrals.controller';
import { ReferralsService } from './referrals.service';

/** Referrals (canalizaciones) between agencies. */
@Module({
  imports: [WebhooksModule],
  controllers: [ReferralsController],
  providers: [ReferralsService],
  exports: [ReferralsService],
})
export class ReferralsModule {}

import { Module, type OnModuleInit } from '@nestjs/common';
import { JobsService } from '@app/jobs';
import { WebhooksController } from './webhooks.controller';
import { WEBHOOK_QUEUE, WebhooksService } from './webhooks.service';

/** Signed webhooks: endpoints, the delivery outbox and the `webhooks.deliver` job. */
@Module({
  controllers: [WebhooksController],
  providers: [WebhooksService],
  exports: [WebhooksService],
})
export class WebhooksModule implements OnModuleInit {
  constructor(
    private readonly jobs: JobsService,
    private readonly webhooks: WebhooksService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.register<{ endpointId: string }>(
      WEBHOOK_QUEUE,
      async (batch) => {
        for (const endpointId of new Set(batch.map((j) => j.data.endpointId))) await this.webhooks.flush(endpointId);
      },
      { batchSize: 10, pollingIntervalSeconds: 0.5, retryLimit: 10 },
    );
  }
}

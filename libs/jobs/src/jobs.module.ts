import { Global, Module, type OnModuleInit } from '@nestjs/common';
import { MetricsService } from '@app/metrics';
import { JobsService } from './jobs.service';

@Global()
@Module({ providers: [JobsService], exports: [JobsService] })
export class JobsModule implements OnModuleInit {
  constructor(
    private readonly jobs: JobsService,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge('puente_job_queue_depth', 'Jobs waiting per queue', ['queue'], async (set) => {
      for (const q of this.jobs.registeredQueues()) set({ queue: q }, await this.jobs.depth(q));
    });
    this.metrics.gauge('puente_job_queue_oldest_seconds', 'Age of the oldest waiting job per queue', ['queue'], async (set) => {
      for (const q of this.jobs.registeredQueues()) set({ queue: q }, await this.jobs.oldestAgeSeconds(q));
    });
  }
}

import { Inject, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { CatalogsModule } from '@app/catalogs';
import { JobsService } from '@app/jobs';
import { RecordsModule } from '@app/records';
import { ExportsController } from './exports.controller';
import { ExportsService } from './exports.service';
import { ImportsController } from './imports.controller';
import { IMPORT_QUEUE, ImportsService } from './imports.service';
import { RecordKinds } from './record-kinds';
import { TemplatesService } from './templates.service';

const PROVIDERS = [ImportsService, RecordKinds, TemplatesService, ExportsService];

/** The import machinery without HTTP routes or a job worker (the CLI runs imports in-process with it). */
@Module({
  imports: [RecordsModule, CatalogsModule],
  providers: PROVIDERS,
  exports: PROVIDERS,
})
export class ImportsCoreModule {}

/** Bulk imports (CSV/XLSX, mapping profiles, background jobs, templates) and exports. */
@Module({
  imports: [ImportsCoreModule],
  controllers: [ImportsController, ExportsController],
})
export class ImportsModule implements OnModuleInit, OnApplicationShutdown {
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly jobs: JobsService,
    private readonly imports: ImportsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    // One import at a time per worker; a failed attempt is retried and resumes from its checkpoint.
    await this.jobs.register<{ importId: string; agencyId: string }>(IMPORT_QUEUE, (batch) => this.imports.handle(batch), {
      batchSize: 1,
      pollingIntervalSeconds: 1,
      retryLimit: 5,
    });
    if (this.config.jobsWorkers) {
      // Imports whose worker died (heartbeat older than the lease) are re-enqueued and resume.
      const sweep = () => void this.imports.resumeStale().catch(() => undefined);
      this.sweeper = setInterval(sweep, Math.max(1000, (this.imports.leaseSeconds * 1000) / 2));
      this.sweeper.unref();
      sweep();
    }
  }

  onApplicationShutdown(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }
}

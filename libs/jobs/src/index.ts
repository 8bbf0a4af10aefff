export * from './jobs.service';
export * from './jobs.module';

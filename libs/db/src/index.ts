export * from './admin';
export * from './data-source';
export * from './embedded';
export * from './runtime';
export * from './database.module';
export * from './db-context';

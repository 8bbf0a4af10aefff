export * from './test-database';
export * from './test-app';
export * from './principals';
export * from './contract-validator';
export * from './log-hygiene';
export * from './api-process';
export * from './route-guards';
export * from './figures';

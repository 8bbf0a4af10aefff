export * from './victims';
export * from './labelled';
export * from './seed';

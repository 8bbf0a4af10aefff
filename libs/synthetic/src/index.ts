export * from './victims';
